"""Decisions: drafted from the procedure's template, approved by a second person, locked.

A procedure app (asylum, trafficking, …) declares how its decisions are made with a
:class:`DecisionFlow`: the outcomes, the languages its templates exist in, the transitions
that submitting, returning and approving perform, and a function that gives the template the
case's structured data. The engine does the rest, the same way for every procedure:

1. ``decision_draft`` fills the template (``ura.casework.documents``) in the language of the
   decision; the drafter may edit the text (``decision_edit``) while it is a draft;
2. ``decision_submit`` hands it to a second person (and performs the procedure's submit
   transition, whose guards apply);
3. ``decision_return`` sends it back with comments; ``decision_approve`` — never by the person
   who drafted it — locks the text, renders the PDF, stores it with the case's documents with
   its SHA-256, and notifies the drafter and the users assigned to the case.

Every step writes the case's history and the audit trail; decisions are read only through
``access_decision_by_id`` (the case's need-to-know, and an audited read).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.accounts.policy import role_permissions
from ura.apps.cases import panels, services, workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.models import (
    OPEN_DECISIONS,
    Case,
    CaseAssignment,
    CaseDecision,
    CaseDocument,
    CaseEventKind,
    DecisionStatus,
)
from ura.apps.cases.roles import APPROVE
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.casework.documents import (
    DocumentError,
    parse_blocks,
    render_decision_text,
    render_pdf,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.http import HttpRequest

    from ura.apps.accounts.models import User

#: (case, outcome, language) -> the parts of the template's context only the procedure knows.
ContextBuilder = Callable[[Case, str, str], Mapping[str, Any]]


@dataclass(frozen=True)
class DecisionFlow:
    """How one procedure's decisions are drafted and approved.

    ``field_labels`` names, in words a caseworker knows, the template variables the case may
    lack (``applicant.date_of_birth``: "the applicant's date of birth"): a key names a path
    or every path under it (``assessment`` covers ``assessment.material_facts``); a draft the
    case cannot fill says what to complete in these words, the path itself when unnamed.
    """

    procedure_code: str
    outcomes: Mapping[str, str | Promise]
    languages: Sequence[str]
    context: ContextBuilder
    submit_transition: str | None = None
    approve_transition: str | None = None
    return_transition: str | None = None
    field_labels: Mapping[str, str | Promise] = field(default_factory=dict)


_flows: dict[str, DecisionFlow] = {}
_owners: dict[str, workflow.StepOwner] = {}


def register_decision_flow(flow: DecisionFlow) -> None:
    """Declare ``flow`` for its procedure (from the procedure app's ``AppConfig.ready``).

    The case page then shows the decision panel for cases of the procedure, and the
    procedure's submit, return and approve transitions lead to that panel rather than to
    the generic transition form.
    """
    if not flow.outcomes or not flow.languages:
        raise ValueError(f"decision flow {flow.procedure_code}: no outcomes or languages")
    _flows[flow.procedure_code] = flow
    # The submit, return and approve steps go with a decision record: only the decision
    # panel records them (``workflow.register_app_steps``), never the generic step form.
    owner = workflow.StepOwner(flow.procedure_code, gettext_lazy("the case's decision panel"))
    _owners[flow.procedure_code] = owner
    workflow.register_app_steps(
        owner,
        transitions=[
            t
            for t in (flow.submit_transition, flow.approve_transition, flow.return_transition)
            if t
        ],
    )
    panels.register_panel(flow.procedure_code, _decision_panels)
    for transition in (flow.submit_transition, flow.approve_transition, flow.return_transition):
        if transition:
            panels.register_transition_page(flow.procedure_code, transition, _panel_url)


def flow_for(procedure_code: str) -> DecisionFlow | None:
    """The decision flow of a procedure, if it has one."""
    return _flows.get(procedure_code)


def _panel_url(request: HttpRequest, case: Case) -> str:
    return reverse("cases:detail", args=[case.pk]) + "#decision"


def _decision_panels(request: HttpRequest, case: Case) -> list[panels.Panel]:
    flow = _flows[case.procedure_code]
    user = request.user
    # One read for the current decision and the approved ones (an approved decision's status
    # is "approved", so it is among those not superseded), newest first: the model's order
    # without its leading "case", which would join the cases table to sort the decisions of
    # one case by it.
    decisions = list(
        CaseDecision.objects.filter(case=case)
        .exclude(status=DecisionStatus.SUPERSEDED)
        .select_related("drafted_by", "reviewed_by", "document")
        .order_by("-drafted_at", "-pk")
    )
    current = decisions[0] if decisions else None
    approved = [d for d in decisions if d.status == DecisionStatus.APPROVED]
    return [
        panels.Panel(
            title=gettext_lazy("Decision"),
            template="cases/_decision_panel.html",
            context={
                "case": case,
                "flow": flow,
                "outcomes": list(flow.outcomes.items()),
                "decision": current,
                "decision_outcome": flow.outcomes.get(current.outcome, "") if current else "",
                "approved": [(d, flow.outcomes.get(d.outcome, d.outcome)) for d in approved],
                "is_drafter": current is not None and current.drafted_by_id == user.pk,
                "may_write": user.has_perm("cases.change_case"),
            },
            order=400,
        )
    ]


# --- Reading -----------------------------------------------------------------------------------


def access_decision_by_id(
    user: AbstractUser | AnonymousUser, decision_id: int, *, action: str = "view"
) -> CaseDecision:
    """Load a decision if the user may ``action`` its case (the case's read is audited).

    Raises:
        Http404: no such decision, or a case the user may not know of.
        PermissionDenied: the user may see the case but not ``action`` it.
    """
    case_id = CaseDecision.objects.filter(pk=decision_id).values_list("case_id", flat=True).first()
    case = access_case_by_id(user, case_id or 0, action=action)  # type: ignore[arg-type]
    return CaseDecision.objects.select_related("case", "drafted_by", "reviewed_by", "document").get(
        pk=decision_id, case=case
    )


def decisions_of(case: Case) -> QuerySet[CaseDecision]:
    """A case's decisions, newest first (the caller has loaded the case through access)."""
    return CaseDecision.objects.filter(case=case).select_related("drafted_by", "reviewed_by")


def decision_pdf(decision: CaseDecision) -> tuple[bytes, bool]:
    """The decision as PDF: the stored, locked file once approved, else a preview marked as
    a draft on every page. Returns (bytes, is_final)."""
    document = decision.document
    if decision.status == DecisionStatus.APPROVED and document is not None:
        with default_storage.open(document.storage_name, "rb") as stream:
            pdf: bytes = stream.read()
        # The file is what was approved, or nothing: a changed file is never handed out.
        if hashlib.sha256(pdf).hexdigest() != document.sha256:
            raise DecisionIntegrityError(decision.pk)
        return pdf, True
    return _render(decision, decision.text, draft=True), False


class DecisionIntegrityError(Exception):
    """The stored PDF of an approved decision no longer matches its recorded SHA-256."""

    def __init__(self, decision_id: int) -> None:
        super().__init__(f"decision {decision_id}: the stored PDF does not match its checksum")


# --- Writing -----------------------------------------------------------------------------------


def _flow(case: Case) -> DecisionFlow:
    flow = _flows.get(case.procedure_code)
    if flow is None:
        raise ValidationError({"procedure": _("This procedure has no decisions.")})
    return flow


def _signatory(user: User, case: Case) -> dict[str, str]:
    unit = user.unit.name if user.unit is not None else ""
    return {"name": user.get_full_name() or user.get_username(), "title": unit}


def _context(flow: DecisionFlow, case: Case, outcome: str, language: str) -> dict[str, Any]:
    context = dict(flow.context(case, outcome, language))
    context.setdefault("reference", case.reference)
    return context


def _fill(
    flow: DecisionFlow,
    case: Case,
    *,
    outcome: str,
    language: str,
    decided_on: dt.date,
    drafter: dict[str, str],
    approver: dict[str, str],
) -> str:
    context = _context(flow, case, outcome, language)
    context.update(decided_on=decided_on, drafter=drafter, approver=approver)
    try:
        return render_decision_text(flow.procedure_code, outcome, language, context)
    except DocumentError as error:
        if not error.missing:  # no template, or a template error: nothing the case can add
            raise ValidationError(
                {"outcome": _("The decision cannot be drafted: %s") % error}
            ) from error
        # What the case lacks, named in words (never its values: no personal data here).
        raise ValidationError(
            {
                "outcome": _("The case lacks what this decision needs: %(missing)s.")
                % {"missing": "; ".join(missing_in_words(flow, error.missing))}
            }
        ) from error


def missing_in_words(flow: DecisionFlow, paths: Sequence[str]) -> list[str]:
    """The flow's words for each missing template path, in order and each once: the label of
    the path, else of its longest labelled prefix (``citations`` for ``citations[1].url``),
    else the path itself."""
    named: list[str] = []
    for path in paths:
        label = path
        candidate = path
        while candidate:
            if candidate in flow.field_labels:
                label = str(flow.field_labels[candidate])
                break
            candidate = candidate[: max(candidate.rfind("."), candidate.rfind("["), 0)]
        if label not in named:
            named.append(label)
    return named


def _pending_approver(language: str) -> dict[str, str]:
    with translation.override(language):
        return {"name": "…", "title": _("approval pending")}


def _audit(actor: User, case: Case, change: str, decision: CaseDecision, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        detail={
            "change": change,
            "decision_id": decision.pk,
            "outcome": decision.outcome,
            "revision": decision.revision,
            "version": case.version,
            **detail,
        },
    )


def decision_draft(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    outcome: str,
    language: str,
    reasons: str,
    occurred_on: dt.date | None = None,
) -> CaseDecision:
    """Draft the case's decision from its procedure's template, in ``language``. A draft or
    returned decision still open is replaced (kept as superseded). ``occurred_on`` dates a
    draft made earlier (decisions taken before Ura, brought in later).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown outcome or language, no reasons, a decision awaiting approval,
            or case data the template needs is missing (the paths are named).
    """
    case = access_case_by_id(actor, case_id, action="change")
    flow = _flow(case)
    if outcome not in flow.outcomes:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    if language not in flow.languages:
        raise ValidationError({"language": _("No decision template in this language.")})
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons in brief.")})
    text = _fill(
        flow,
        case,
        outcome=outcome,
        language=language,
        decided_on=occurred_on or timezone.localdate(),
        drafter=_signatory(actor, case),
        approver=_pending_approver(language),
    )
    with transaction.atomic():
        open_ = CaseDecision.objects.select_for_update().filter(
            case=case, status__in=OPEN_DECISIONS
        )
        if open_.filter(status=DecisionStatus.SUBMITTED).exists():
            raise ValidationError(
                {"decision": _("A decision awaits approval; it must be returned first.")}
            )
        open_.update(status=DecisionStatus.SUPERSEDED)
        services.case_write(case=case, expected_version=expected_version)
        decision = CaseDecision.objects.create(
            case=case,
            outcome=outcome,
            language=language,
            reasons=reasons.strip(),
            text=text,
            drafted_by=actor,
        )
        services.case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.DECISION_DRAFTED,
            occurred_on=occurred_on,
            decision_id=decision.pk,
            outcome=outcome,
        )
        _audit(actor, case, "decision_drafted", decision, language=language)
    return decision


def _open_for_writing(actor: User, decision_id: int, *statuses: str) -> CaseDecision:
    decision = access_decision_by_id(actor, decision_id, action="change")
    if decision.status not in statuses:
        raise ValidationError(
            {
                "decision": _("The decision is %s; it cannot be changed now.")
                % decision.get_status_display()
            }
        )
    return decision


def decision_edit(
    *, actor: User, decision_id: int, expected_revision: int, text: str
) -> CaseDecision:
    """Change a draft's text (only the drafter, only while it is a draft or returned).

    Raises:
        ValidationError: the decision is submitted or final, the text is empty or its block
            markup is invalid, or someone saved another revision meanwhile.
        PermissionDenied: the actor did not draft it.
    """
    decision = _open_for_writing(actor, decision_id, DecisionStatus.DRAFT, DecisionStatus.RETURNED)
    if decision.drafted_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who drafted the decision may edit it."))
    text = text.replace("\r\n", "\n").strip() + "\n"
    if not text.strip():
        raise ValidationError({"text": _("The decision cannot be empty.")})
    try:
        parse_blocks(text)
    except DocumentError as error:
        raise ValidationError({"text": str(error)}) from error
    with transaction.atomic():
        updated = CaseDecision.objects.filter(pk=decision.pk, revision=expected_revision).update(
            text=text, edited=True, revision=expected_revision + 1
        )
        if not updated:
            raise ValidationError(
                {"text": _("Someone saved the decision meanwhile; reload it and try again.")}
            )
        decision.refresh_from_db()
        services.case_history_add(
            case=decision.case,
            actor=actor,
            kind=CaseEventKind.DECISION_EDITED,
            decision_id=decision.pk,
            revision=decision.revision,
        )
        _audit(actor, decision.case, "decision_edited", decision)
    return decision


def _perform(
    actor: User,
    case: Case,
    transition: str | None,
    expected_version: int,
    data_changes: Mapping[str, Any],
    occurred_on: dt.date | None = None,
) -> Case:
    if transition:
        return services.case_transition(
            recorded_by=_owners.get(case.procedure_code),
            actor=actor,
            case_id=case.pk,
            transition=transition,
            expected_version=expected_version,
            data_changes=data_changes,
            occurred_on=occurred_on,
        )
    return services.case_write(case=case, expected_version=expected_version)


@contextlib.contextmanager
def _step(actor: User, case: Case, transition: str | None) -> Iterator[None]:
    """One transaction for the decision and its transition. A refused transition is put back
    in the audit trail after the rollback that removed it."""
    try:
        with transaction.atomic():
            yield
    except workflow.TransitionRefusedError as refused:
        if transition:
            services.transition_refusal_record(
                actor=actor, case=case, transition=transition, refused=refused
            )
        raise


def _assignees(case: Case) -> list[User]:
    return [
        a.user
        for a in CaseAssignment.objects.filter(case=case, ended_at__isnull=True).select_related(
            "user"
        )
    ]


def decision_submit(
    *, actor: User, decision_id: int, expected_version: int, occurred_on: dt.date | None = None
) -> CaseDecision:
    """Hand the draft to a second person: the procedure's submit transition (with the outcome
    and the reasons as case data) and the decision move together. ``occurred_on`` records a
    submission made earlier (decisions taken before Ura, brought in later).

    Raises:
        TransitionRefusedError: the transition's guards failed (nothing changes).
        ValidationError: the decision is not a draft.
    """
    decision = _open_for_writing(actor, decision_id, DecisionStatus.DRAFT, DecisionStatus.RETURNED)
    flow = _flow(decision.case)
    with _step(actor, decision.case, flow.submit_transition):
        case = _perform(
            actor,
            decision.case,
            flow.submit_transition,
            expected_version,
            {"decision.outcome": decision.outcome, "decision.reasons": decision.reasons},
            occurred_on,
        )
        decision.status = DecisionStatus.SUBMITTED
        decision.submitted_at = timezone.now()
        decision.save(update_fields=["status", "submitted_at"])
        services.case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.DECISION_SUBMITTED,
            occurred_on=occurred_on,
            decision_id=decision.pk,
        )
        _audit(actor, case, "decision_submitted", decision)
    return decision


def _reviewer_check(actor: User, decision: CaseDecision, flow: DecisionFlow) -> None:
    # Four-eyes, whatever the procedure says: the drafter never reviews their own decision.
    # The procedure's transition also guards this (four_eyes), for procedures that have one.
    if decision.drafted_by_id == actor.pk:
        raise PermissionDenied(
            _("A decision is approved or returned by someone other than its drafter.")
        )
    if flow.approve_transition is None and APPROVE not in role_permissions(actor):
        raise PermissionDenied(_("You may not approve decisions."))


def decision_return(
    *, actor: User, decision_id: int, expected_version: int, comments: str
) -> CaseDecision:
    """Send a submitted decision back to its drafter with comments (who is notified).

    Raises:
        PermissionDenied: the actor drafted it, or may not approve.
        ValidationError: no comments, or the decision is not awaiting approval.
        TransitionRefusedError: the procedure's return transition was refused.
    """
    decision = _open_for_writing(actor, decision_id, DecisionStatus.SUBMITTED)
    flow = _flow(decision.case)
    _reviewer_check(actor, decision, flow)
    if not comments.strip():
        raise ValidationError({"comments": _("Say what must change.")})
    with _step(actor, decision.case, flow.return_transition):
        case = _perform(
            actor,
            decision.case,
            flow.return_transition,
            expected_version,
            {"approval.comments": comments.strip()},
        )
        decision.status = DecisionStatus.RETURNED
        decision.reviewed_by = actor
        decision.reviewed_at = timezone.now()
        decision.review_comments = comments.strip()
        decision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comments"])
        services.case_history_add(
            case=case, actor=actor, kind=CaseEventKind.DECISION_RETURNED, decision_id=decision.pk
        )
        _audit(actor, case, "decision_returned", decision)
        services.notify(
            users=[decision.drafted_by],
            case=case,
            message=_("The decision on case %s was returned for revision.") % case.reference,
        )
    return decision


def _final_text(flow: DecisionFlow, decision: CaseDecision, actor: User, on: dt.date) -> str:
    """The text that becomes final: the template filled again with the approval date and the
    approver, or — if the drafter edited it — the edited body with the signature block filled
    again (the drafter's words are never re-rendered away)."""
    case = decision.case
    fresh = _fill(
        flow,
        case,
        outcome=decision.outcome,
        language=decision.language,
        decided_on=on,
        drafter=_signatory(decision.drafted_by, case),
        approver=_signatory(actor, case),
    )
    if not decision.edited:
        return fresh
    body = decision.text.rsplit("\n---\n", 1)[0].rstrip("\n")
    signature = fresh.rsplit("\n---\n", 1)[1] if "\n---\n" in fresh else ""
    return f"{body}\n---\n{signature}" if signature else decision.text


def _render(decision: CaseDecision, text: str, *, draft: bool) -> bytes:
    flow = _flow(decision.case)
    title = str(flow.outcomes[decision.outcome])
    try:
        return render_pdf(
            text,
            title=title,
            reference=decision.case.reference,
            language=decision.language,
            draft=draft,
        )
    except DocumentError as error:
        raise ValidationError({"text": str(error)}) from error


def decision_approve(
    *, actor: User, decision_id: int, expected_version: int, occurred_on: dt.date | None = None
) -> CaseDecision:
    """Approve a submitted decision: lock its text, render the final PDF, store it with the
    case's documents (with its SHA-256), and notify the drafter and the assigned users.
    ``occurred_on`` dates an approval given earlier (decisions taken before Ura, brought in
    later); the decision is dated that day.

    Raises:
        PermissionDenied: the actor drafted it, or may not approve.
        ValidationError: the decision is not awaiting approval.
        TransitionRefusedError: the procedure's approve transition was refused.
    """
    decision = _open_for_writing(actor, decision_id, DecisionStatus.SUBMITTED)
    flow = _flow(decision.case)
    _reviewer_check(actor, decision, flow)
    today = occurred_on or timezone.localdate()
    text = _final_text(flow, decision, actor, today)
    pdf = _render(decision, text, draft=False)
    name = f"{decision.case.reference}-{decision.outcome}.{decision.language}.pdf"
    upload = ContentFile(pdf, name=name)
    with (
        services.document_stored(upload) as (stored, sha256, size),
        _step(actor, decision.case, flow.approve_transition),
    ):
        case = _perform(
            actor, decision.case, flow.approve_transition, expected_version, {}, occurred_on
        )
        document = CaseDocument.objects.create(
            case=case,
            kind="decision",
            original_name=name,
            content_type="application/pdf",
            size=size,
            sha256=sha256,
            storage_name=stored,
            uploaded_by=actor,
        )
        decision.status = DecisionStatus.APPROVED
        decision.text = text
        decision.reviewed_by = actor
        decision.reviewed_at = timezone.now()
        decision.decided_on = today
        decision.document = document
        decision.save(
            update_fields=["status", "text", "reviewed_by", "reviewed_at", "decided_on", "document"]
        )
        services.case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.DECISION_APPROVED,
            occurred_on=occurred_on,
            decision_id=decision.pk,
            document_id=document.pk,
            sha256=sha256,
        )
        _audit(actor, case, "decision_approved", decision, sha256=sha256)
        services.notify(
            users={decision.drafted_by, *_assignees(case)} - {actor},
            case=case,
            message=_("The decision on case %s was approved and is final.") % case.reference,
        )
    return decision
