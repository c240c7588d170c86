"""Writes of the removals app: the steps of the removal procedure (``removal-lfip.yaml``).

Every write goes through the case engine (``cases.services.case_transition``): need-to-know,
optimistic locking, the procedure's guards, the removals rules (``rules.py``, registered
with the engine), history, deadlines and audit. This module adds what a step implies beyond
the data the user typed:

* a new detention or alternative starts clean (the previous one's end is not carried over);
* an extension for non-cooperation raises the legal maximum (``detention.maximum_months``);
* each monthly review is kept as a row (date, reviewer, outcome, reasons, next review due)
  and a review that ends the detention ends it in the same transaction;
* the removal ends a running detention or alternative in the same transaction;
* travel document requests to consulates are kept as a list with their answers;
* the entry ban's last day is worked out;
* a step recorded past the detention maximum with a justification writes its own audit
  event (``detention_maximum_override``) with the justification, beside the engine's.

A refused compound step is audited again after its transaction rolled back (as in
``trafficking.services``), where the refusal stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.accounts.policy import Action, role_permissions
from ura.apps.cases import services, workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.services import data_apply
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.apps.removals import rules
from ura.apps.removals.models import DetentionReview, ReviewOutcome, ReviewSubject

if TYPE_CHECKING:
    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

PROCEDURE = rules.PROCEDURE
#: This app's recorder of the steps and case data it declares (``apps.py``): passed to
#: the case engine's transition and update, which refuse those from anywhere else.
OWNER = workflow.StepOwner(PROCEDURE, gettext_lazy("the removal case's page (the removal panel)"))
#: Steps with a service of their own below; ``step_record`` refuses them.
OWN_SERVICES = frozenset(
    {
        "request_travel_document",
        "record_consulate_answer",
        "end_detention_on_removal",
        "end_alternative_on_removal",
    }
)
_CLEARED_DETENTION = {
    "detention.ended_on": None,
    "detention.end_reason": None,
    "detention.extended": None,
    "detention.maximum_months": None,
    "detention.extension": None,
    "detention.removal_centre": None,
    "detention.transferred_on": None,
}
_CLEARED_ALTERNATIVE = {"alternative.ended_on": None, "alternative.end_reason": None}
#: The case data the removal steps write, the detention's limits and their justified
#: override among it: the generic case update cannot change it.
OWNED_DATA = (
    "apprehension",
    "decision",
    "notification",
    "appeal",
    "voluntary_departure",
    "detention",
    "alternative",
    "review",
    "override",
    "travel_document",
    "removal",
    "entry_ban",
    "release",
    "closure",
    "discontinuation",
)


def _case(actor: User, case_id: int, action: Action = "change") -> Case:
    """A removal case the actor may perform ``action`` on.

    Raises:
        Http404: no such case, not visible to the actor, or of another procedure.
        PermissionDenied: the actor sees the case but may not perform ``action``.
    """
    case = access_case_by_id(actor, case_id, action=action)
    if case.procedure_code != PROCEDURE:
        raise Http404("No such removal case.")
    return case


def _refused(actor: User, case: Case, attempted: str, exc: Exception) -> None:
    """Audit a refusal of a compound step after its transaction rolled back."""
    failures = getattr(exc, "failures", None)
    codes = sorted({f.code for f in failures}) if failures else [type(exc).__name__]
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        detail={"attempted": attempted, "outcome": "refused", "failures": codes},
    )


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _enriched(case: Case, transition: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The data a step implies beyond what was typed."""
    enriched = dict(changes)
    data = case.data
    if transition == "order_detention":
        enriched = {**_CLEARED_DETENTION, **enriched}
    elif transition == "order_alternative":
        enriched = {**_CLEARED_ALTERNATIVE, **enriched}
    elif transition == "extend_detention":
        months = enriched.get("detention.extension.months")
        if isinstance(months, int):
            enriched["detention.extended"] = True
            enriched["detention.maximum_months"] = rules.maximum_months(data) + months
    elif transition == "order_removal":
        apprehended = rules.datetime_of(rules.value_of(data, "apprehension.at"))
        decided = rules.datetime_of(enriched.get("decision.at"))
        if apprehended is not None and decided is not None:
            hours = (decided - apprehended).total_seconds() / 3600
            enriched["decision.hours_after_apprehension"] = round(hours, 1)
    elif transition == "impose_entry_ban":
        starts = _iso(enriched.get("entry_ban.starts_on"))
        months = enriched.get("entry_ban.months")
        if starts is not None and isinstance(months, int):
            calendar = workflow.calendar(workflow.procedure_of(case))
            ends = calendar.add_months(starts, months, roll_forward=False)
            enriched["entry_ban.ends_on"] = ends.isoformat()
    return enriched


def _override_used(actor: User, case: Case, transition: str, data: Mapping[str, Any]) -> bool:
    """Whether the step passes the removals rules only thanks to its justification."""
    if not rules.override_given(case, data):
        return False
    without = data_apply(
        data, {"override.justification": rules.value_of(case.data, "override.justification")}
    )
    permissions = frozenset(role_permissions(actor))
    return bool(rules.removal_rules(case, transition, without, permissions))


def _transition(
    *,
    actor: User,
    case: Case,
    transition: str,
    expected_version: int,
    changes: Mapping[str, Any],
    occurred_on: dt.date | None,
) -> Case:
    data = data_apply(case.data, changes)
    overridden = _override_used(actor, case, transition, data)
    updated = services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case.pk,
        transition=transition,
        expected_version=expected_version,
        data_changes=changes,
        occurred_on=occurred_on,
    )
    if overridden:
        audit_record(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            obj=updated,
            detail={
                "change": "detention_maximum_override",
                "transition": transition,
                # The justification is the point of this event.
                "reason": str(rules.value_of(data, "override.justification"))[:300],
            },
        )
    return updated


def step_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    transition: str,
    data_changes: Mapping[str, Any],
    occurred_on: dt.date | None = None,
) -> Case:
    """Record one step of the removal procedure.

    Args:
        actor: Who records it.
        case_id: The removal case.
        expected_version: The case version the actor last read.
        transition: The step (a transition of ``removal-lfip.yaml``).
        data_changes: Case-data changes (``forms.STEP_FORMS`` produce them).
        occurred_on: The day the step happened, when recorded later.

    Returns:
        The case after the step (and the steps it implies).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: a step with its own service; ``occurred_on`` out of order.
        workflow.TransitionRefusedError: a guard or a removals rule failed.
    """
    case = _case(actor, case_id)
    if transition in OWN_SERVICES:
        raise ValidationError({"transition": _("This step has its own form.")})
    changes = _enriched(case, transition, data_changes)
    held = rules.detention_running(case.data)
    alternative = rules.alternative_running(case.data)
    try:
        with transaction.atomic():
            review = None
            if transition == "review_detention":
                review = _review_row(actor, case, changes, held)
                changes["review.record_id"] = review.pk
            case = _transition(
                actor=actor,
                case=case,
                transition=transition,
                expected_version=expected_version,
                changes=changes,
                occurred_on=occurred_on,
            )
            if review is not None:
                case = _review_recorded(actor, case, review, held, occurred_on)
            elif transition == "execute_removal":
                case = _ended_by_removal(actor, case, held, alternative, occurred_on)
    except (workflow.TransitionRefusedError, PermissionDenied, ValidationError) as exc:
        if transition in ("review_detention", "execute_removal"):
            _refused(actor, case, transition, exc)
        raise
    return case


def _review_row(actor: User, case: Case, changes: Mapping[str, Any], held: bool) -> DetentionReview:
    """The review's own row, written before the step so that the step can name it
    (``review.record_id``: rules.py accepts a review only with its row)."""
    reviewed_on = _iso(changes.get("review.date")) or timezone.localdate()
    maximum = rules.detention_maximum_on(case, case.data) if held else None
    return DetentionReview.objects.create(
        case=case,
        subject=ReviewSubject.DETENTION if held else ReviewSubject.ALTERNATIVE,
        reviewed_on=reviewed_on,
        reviewer=str(changes.get("review.reviewer") or ""),
        outcome=str(changes.get("review.outcome") or ""),
        reasons=str(changes.get("review.reasons") or ""),
        beyond_maximum=bool(maximum and reviewed_on > maximum),
        recorded_by=actor,
    )


def _review_recorded(
    actor: User, case: Case, review: DetentionReview, held: bool, on: dt.date | None
) -> Case:
    """Date the next review and audit this one; an outcome ``end`` ends what was reviewed."""
    review.next_due_on = next(
        (
            d.due_on
            for d in case.deadlines.filter(code="detention_review", met_on__isnull=True).order_by(
                "-instance"
            )
        ),
        None,
    )
    review.save(update_fields=["next_due_on"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        detail={"case": case.pk, "outcome": review.outcome, "subject": review.subject},
    )
    if review.outcome != ReviewOutcome.END:
        return case
    reviewed_on = review.reviewed_on.isoformat()
    ended = {
        "detention.ended_on" if held else "alternative.ended_on": reviewed_on,
        "detention.end_reason" if held else "alternative.end_reason": "released"
        if held
        else "ended on review",
    }
    return _transition(
        actor=actor,
        case=case,
        transition="end_detention" if held else "end_alternative",
        expected_version=case.version,
        changes=ended,
        occurred_on=on,
    )


def _ended_by_removal(
    actor: User, case: Case, held: bool, alternative: bool, on: dt.date | None
) -> Case:
    """The removal ends the detention (or alternative) on the day of removal."""
    day = str(rules.value_of(case.data, "removal.executed_on"))
    if held:
        case = _transition(
            actor=actor,
            case=case,
            transition="end_detention_on_removal",
            expected_version=case.version,
            changes={"detention.ended_on": day, "detention.end_reason": "removed"},
            occurred_on=on,
        )
    if alternative:
        case = _transition(
            actor=actor,
            case=case,
            transition="end_alternative_on_removal",
            expected_version=case.version,
            changes={"alternative.ended_on": day, "alternative.end_reason": "removed"},
            occurred_on=on,
        )
    return case


# --- Travel documents ----------------------------------------------------------------------------


def _travel_status(requests: list[dict[str, Any]]) -> str:
    statuses = {r.get("status") for r in requests}
    if "issued" in statuses:
        return "obtained"
    if "requested" in statuses:
        return "requested"
    return "refused"


def travel_document_request(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    country: str,
    consulate: str,
    requested_on: dt.date,
) -> Case:
    """Record a request for a travel document to a consulate (each request is kept).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        workflow.TransitionRefusedError: a guard failed.
    """
    case = _case(actor, case_id)
    requests = [dict(r) for r in rules.value_of(case.data, "travel_document.requests") or []]
    requests.append(
        {
            "country": country,
            "consulate": consulate,
            "requested_on": requested_on.isoformat(),
            "status": "requested",
        }
    )
    return services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        transition="request_travel_document",
        expected_version=expected_version,
        data_changes={
            "travel_document.requests": requests,
            "travel_document.status": _travel_status(requests),
        },
        occurred_on=requested_on,
    )


def consulate_answer(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    request_number: int,
    answer: str,
    answered_on: dt.date,
    document_kind: str = "",
    document_number: str = "",
) -> Case:
    """Record a consulate's answer to request ``request_number`` (1 = the first).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no such request, already answered, or an answer before the request.
        workflow.TransitionRefusedError: a guard failed.
    """
    case = _case(actor, case_id)
    requests = [dict(r) for r in rules.value_of(case.data, "travel_document.requests") or []]
    if not 1 <= request_number <= len(requests):
        raise ValidationError({"request_number": _("No such request.")})
    chosen = requests[request_number - 1]
    if chosen.get("status") != "requested":
        raise ValidationError({"request_number": _("This request was already answered.")})
    asked = _iso(chosen.get("requested_on"))
    if asked is not None and answered_on < asked:
        raise ValidationError({"answered_on": _("An answer cannot precede the request.")})
    if answer not in ("issued", "refused"):
        raise ValidationError({"answer": _("Answer issued or refused.")})
    chosen.update(
        status=answer,
        answered_on=answered_on.isoformat(),
        document_kind=document_kind or None,
        document_number=document_number or None,
    )
    changes: dict[str, Any] = {
        "travel_document.requests": requests,
        "travel_document.status": _travel_status(requests),
    }
    if answer == "issued":
        changes["travel_document.kind"] = document_kind
        changes["travel_document.number"] = document_number or None
    return services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        transition="record_consulate_answer",
        expected_version=expected_version,
        data_changes=changes,
        occurred_on=answered_on,
    )
