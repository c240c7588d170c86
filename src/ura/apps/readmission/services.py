"""Writes of the readmission app: drafting a request under an agreement, sending it on the
agreement's common form (a PDF kept as a case document with its checksum), the reply, deemed
consent, the travel document, the transfer and the return back.

Every write goes through the case engine (``cases.services``): need-to-know, optimistic
locking, the procedure's guards (``readmission.yaml``), history and audit; the deadlines are
the agreement's (``selectors.procedure_for_case``). The rules the YAML cannot say — an
accelerated request only within its time limit after apprehension, deemed consent only
where the agreement provides it and only after the reply deadline, a return back only within
its window — are checked here before the transition runs, and a refusal is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import Action
from ura.apps.cases import services as case_services
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Masked, visible_value
from ura.apps.core.services import audit_record
from ura.apps.people import index
from ura.apps.readmission import selectors
from ura.apps.readmission.roles import DEEMED_CONSENT, MANAGE, SEND
from ura.casework.documents import LANGUAGES as PDF_LANGUAGES
from ura.casework.documents import render_pdf
from ura.casework.readmission import (
    AgreementError,
    accelerated_request_last_day,
    builtin_agreement_registry,
    deemed_consent_due,
    request_form_text,
)
from ura.ingest.countries import ISO3166_ALPHA3

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE
#: This app's recorder of the steps and case data it declares (``apps.py``): passed to
#: the case engine's transition and update, which refuse those from anywhere else.
OWNER = workflow.StepOwner(PROCEDURE, gettext_lazy("the readmission request's page"))
FORM_DOCUMENT_KIND = "readmission_request"
#: The case data the steps write (the request as made, its agreement, the reply and after):
#: the generic case update cannot change it (the request's agreement sets its deadlines).
OWNED_DATA = ("request", "reply", "travel_document", "transfer", "return_back", "withdrawal")

#: Why the person is to be readmitted (the agreement's articles on own nationals,
#: third-country nationals and stateless persons).
GROUNDS: Mapping[str, Promise] = {
    "own_national": gettext_lazy("National of the requested state"),
    "third_country_national": gettext_lazy("Third-country national (entry or residence)"),
    "stateless": gettext_lazy("Stateless person (entry or residence)"),
}
#: Means of evidence the common form lists (nationality; entry and stay).
EVIDENCE: Mapping[str, Promise] = {
    "passport": gettext_lazy("Passport (valid or expired)"),
    "identity_card": gettext_lazy("Identity card"),
    "other_document": gettext_lazy("Other official document naming the nationality"),
    "visa_or_permit": gettext_lazy("Visa or residence permit issued by the requested state"),
    "entry_stamp": gettext_lazy("Entry or exit stamp, travel ticket or boarding card"),
    "fingerprints": gettext_lazy("Fingerprint match (e.g. Eurodac or national records)"),
    "statement": gettext_lazy("Statement of the person or of witnesses"),
    "language_analysis": gettext_lazy("Language analysis"),
}
REGIMES: Mapping[str, Promise] = {
    "regular": gettext_lazy("Regular procedure"),
    "accelerated": gettext_lazy("Accelerated procedure (apprehended in the border region)"),
}
TRAVEL_DOCUMENTS: Mapping[str, Promise] = {
    "passport": gettext_lazy("Passport"),
    "laissez_passer": gettext_lazy("Laissez-passer issued by the requested state"),
    "eu_travel_document": gettext_lazy("European travel document for return"),
    "identity_card": gettext_lazy("Identity card"),
}
MEANS: Mapping[str, Promise] = {
    "land": gettext_lazy("By land"),
    "air": gettext_lazy("By air"),
    "sea": gettext_lazy("By sea"),
}


@dataclass(frozen=True)
class StepField:
    """A value a step records in the case data."""

    path: str
    label: Promise
    kind: str  # "date", "text", "choice"
    required: bool = True
    choices: Mapping[str, Promise] | None = None
    future_allowed: bool = False


#: The steps recorded with ``step_record`` and the values each one records. The fields
#: the procedure requires are ``required`` here too; the others are optional details.
STEP_FIELDS: Mapping[str, tuple[StepField, ...]] = {
    "record_receipt": (
        StepField(
            "request.received_on", gettext_lazy("received by the requested state on"), "date"
        ),
    ),
    "record_acceptance": (
        StepField("reply.received_on", gettext_lazy("reply received on"), "date"),
        StepField("reply.reference", gettext_lazy("reply reference"), "text"),
        StepField("reply.notes", gettext_lazy("notes"), "text", required=False),
    ),
    "record_rejection": (
        StepField("reply.received_on", gettext_lazy("reply received on"), "date"),
        StepField("reply.reference", gettext_lazy("reply reference"), "text", required=False),
        StepField(
            "reply.rejection_reason", gettext_lazy("reasons given for the rejection"), "text"
        ),
    ),
    "record_travel_document": (
        StepField(
            "travel_document.kind", gettext_lazy("document"), "choice", choices=TRAVEL_DOCUMENTS
        ),
        StepField("travel_document.number", gettext_lazy("number"), "text"),
        StepField("travel_document.issued_on", gettext_lazy("issued on"), "date"),
        StepField(
            "travel_document.valid_until",
            gettext_lazy("valid until"),
            "date",
            required=False,
            future_allowed=True,
        ),
    ),
    "schedule_transfer": (
        StepField(
            "transfer.scheduled_on", gettext_lazy("transfer on"), "date", future_allowed=True
        ),
        StepField("transfer.crossing_point", gettext_lazy("border crossing point"), "text"),
        StepField("transfer.means", gettext_lazy("means"), "choice", choices=MEANS),
        StepField("transfer.escort", gettext_lazy("escort"), "text", required=False),
    ),
    "reschedule_transfer": (
        StepField(
            "transfer.scheduled_on", gettext_lazy("new transfer day"), "date", future_allowed=True
        ),
        StepField("transfer.reschedule_reason", gettext_lazy("reason"), "text"),
    ),
    "record_transfer_obstacle": (
        StepField("transfer.obstacle", gettext_lazy("legal or practical obstacle"), "text"),
        StepField("transfer.obstacle_since", gettext_lazy("since"), "date"),
    ),
    "end_transfer_obstacle": (
        StepField("transfer.obstacle_ended_on", gettext_lazy("obstacle ended on"), "date"),
    ),
    "record_transfer": (
        StepField("transfer.transferred_on", gettext_lazy("handed over on"), "date"),
        StepField("transfer.crossing_point", gettext_lazy("border crossing point"), "text"),
    ),
    "record_return_back": (
        StepField("return_back.requested_on", gettext_lazy("return requested on"), "date"),
        StepField("return_back.reason", gettext_lazy("conditions found not met"), "text"),
    ),
    "close": (),
    "withdraw": (StepField("withdrawal.reason", gettext_lazy("reason"), "text"),),
}
#: The field whose date is the day the step took place (deadlines count from it).
OCCURRED_FROM: Mapping[str, str] = {
    "record_receipt": "request.received_on",
    "record_acceptance": "reply.received_on",
    "record_rejection": "reply.received_on",
    "record_travel_document": "travel_document.issued_on",
    "record_transfer_obstacle": "transfer.obstacle_since",
    "end_transfer_obstacle": "transfer.obstacle_ended_on",
    "record_transfer": "transfer.transferred_on",
    "record_return_back": "return_back.requested_on",
}


def _refused(actor: User, case: Case, attempted: str, reason: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        detail={"attempted": attempted, "outcome": "refused", "failures": [reason]},
    )


def _require(actor: User, permission: str, case: Case | None = None) -> None:
    if actor.has_perm(permission):
        return
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        object_type="" if case is not None else "readmission",
        detail={"attempted": permission, "outcome": "forbidden"},
    )
    raise PermissionDenied(_("You may not do this on readmission requests."))


def _case(actor: User, case_id: int, action: Action = "change") -> Case:
    """A readmission case the actor may perform ``action`` on.

    Raises:
        Http404: no such case, not visible to the actor, or of another procedure.
        PermissionDenied: the actor sees the case but may not perform ``action``.
    """
    case = access_case_by_id(actor, case_id, action=action)
    if case.procedure_code != PROCEDURE:
        raise Http404("No such readmission request.")
    return case


def _date(value: object, name: str, *, future_allowed: bool = False) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationError({name: _("Enter a date (YYYY-MM-DD).")}) from None
    if not future_allowed and day > timezone.localdate():
        raise ValidationError({name: _("This date cannot be in the future.")})
    return day


def _text(value: object, name: str, *, required: bool, limit: int = 1000) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationError({name: _("This field is required.")})
    return text[:limit]


def _data_date(case: Case, path: str) -> dt.date | None:
    section, _, key = path.partition(".")
    value = (case.data.get(section) or {}).get(key)
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


# --- Drafting --------------------------------------------------------------------------------


def request_draft(
    *,
    actor: User,
    person_id: str,
    agreement: str,
    counterpart: str,
    regime: str,
    grounds: str,
    evidence: Sequence[str],
    nationality: str,
    apprehended_on: dt.date,
    apprehension_place: str,
    border_region: bool = False,
    notes: str = "",
    drafted_on: dt.date | None = None,
) -> Case:
    """Open a readmission request for a person of the index under ``agreement`` (the
    version in force today), to ``counterpart``.

    An accelerated request needs an agreement that provides the procedure and an
    apprehension in the border region; its case is opened on the day of apprehension, from
    which the time limit for sending it runs. Another request is opened on ``drafted_on``
    (today by default; earlier when the request is entered after the fact).

    Raises:
        PermissionDenied: the actor may not draft readmission requests or open cases.
        ValidationError: an unknown agreement, counterpart, ground, kind of evidence or
            nationality, or an accelerated request the agreement does not allow.
    """
    _require(actor, MANAGE)
    today = timezone.localdate()
    try:
        chosen = builtin_agreement_registry().current(agreement, today)
    except AgreementError:
        raise ValidationError({"agreement": _("No such agreement in force.")}) from None
    errors: dict[str, str] = {}
    if counterpart not in chosen.counterparts:
        errors["counterpart"] = _("The agreement does not bind this state.")
    if regime not in REGIMES:
        errors["regime"] = _("Choose the regular or the accelerated procedure.")
    if grounds not in GROUNDS:
        errors["grounds"] = _("Choose why the person is to be readmitted.")
    evidence = sorted(set(evidence))
    if not evidence or any(e not in EVIDENCE for e in evidence):
        errors["evidence"] = _("Name the evidence the request relies on.")
    nationality = nationality.strip().upper()
    if nationality not in ISO3166_ALPHA3:
        errors["nationality"] = _("Use an ISO 3166 alpha-3 code, e.g. AFG.")
    if apprehended_on > today:
        errors["apprehended_on"] = _("This date cannot be in the future.")
    drafted_on = drafted_on or today
    if not apprehended_on <= drafted_on <= today:
        errors["drafted_on"] = _(
            "A request is drafted after the apprehension, and not later than today."
        )
    if regime == "accelerated":
        if not chosen.has_accelerated_procedure:
            errors["regime"] = _("This agreement has no accelerated procedure.")
        elif not border_region:
            errors["border_region"] = _(
                "The accelerated procedure is only for persons apprehended in the border region."
            )
    if errors:
        raise ValidationError(errors)
    data = {
        "request": {
            "agreement": chosen.code,
            "agreement_version": chosen.version,
            "counterpart": counterpart,
            "procedure": regime,
            "grounds": grounds,
            "evidence": evidence,
            "nationality": nationality,
            "apprehended_on": apprehended_on.isoformat(),
            "apprehension_place": _text(apprehension_place, "apprehension_place", required=True),
            "border_region": bool(border_region),
            "notes": _text(notes, "notes", required=False),
        }
    }
    return case_services.case_create(
        actor=actor,
        procedure_code=PROCEDURE,
        person_id=person_id,
        data=data,
        # The accelerated time limit runs from the apprehension (Art. 7(4)).
        opened_on=apprehended_on if regime == "accelerated" else drafted_on,
    )


# --- The common form -------------------------------------------------------------------------


def _person_rows(actor: User, case: Case) -> list[tuple[str, object]]:
    """The person as the form names them, from the person index (audited as viewed); a field
    the actor may not see is left out of the form, never guessed."""
    person_id = case.persons.order_by("pk").values_list("person_id", flat=True).first()
    records = []
    if person_id:
        try:
            records = list(index.access_person_view(actor, person_id).records)
        except (Http404, PermissionDenied):
            records = []
    rows: list[tuple[str, object]] = []
    labels = (
        ("family_name", _("Family name")),
        ("given_names", _("Given names")),
        ("father_name", _("Father's name")),
        ("sex", _("Sex")),
        ("date_of_birth", _("Date of birth")),
        ("place_of_birth", _("Place of birth")),
        ("document_number", _("Document number")),
    )
    record = records[0] if records else None
    for name, label in labels:
        value: object = ""
        if record is not None:
            value = visible_value(actor, record, name)
            if isinstance(value, Masked):
                value = _("(withheld)")
            elif name == "date_of_birth":
                value = record.date_of_birth_text()
        rows.append((str(label), value))
    rows.append((str(_("Nationality (ISO 3166)")), case.data["request"].get("nationality", "")))
    return rows


def _form_text(actor: User, case: Case) -> str:
    agreement = selectors.agreement_of(case)
    if agreement is None:
        raise ValidationError({"agreement": _("The request names no agreement the system knows.")})
    request = case.data.get("request") or {}
    evidence = [str(EVIDENCE.get(e, e)) for e in request.get("evidence", [])]
    return request_form_text(
        agreement,
        reference=case.reference,
        fields=[
            (_("Requesting state"), selectors.country_name(agreement.home)),
            (_("Requested state"), selectors.country_name(str(request.get("counterpart", "")))),
            (_("Procedure"), REGIMES.get(str(request.get("procedure")), "")),
            (_("Grounds"), GROUNDS.get(str(request.get("grounds")), "")),
        ],
        sections=[
            (_("Person to be readmitted"), _person_rows(actor, case)),
            (
                _("Apprehension"),
                [
                    (_("Date"), request.get("apprehended_on")),
                    (_("Place"), request.get("apprehension_place")),
                    (
                        _("In the border region"),
                        _("yes") if request.get("border_region") else _("no"),
                    ),
                ],
            ),
            (_("Means of evidence"), [(_("Evidence"), "; ".join(evidence))]),
            (_("Remarks"), [(_("Remarks"), request.get("notes", ""))]),
        ],
        signatory=(actor.get_full_name() or actor.get_username(), str(case.owning_unit)),
    )


def _pdf_language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in PDF_LANGUAGES else "en"


def request_form_pdf(*, actor: User, case_id: int) -> bytes:
    """The request on the agreement's common form, marked as a draft, for checking before it
    is sent (not stored).

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``.
        ValidationError: the request names no known agreement.
    """
    case = _case(actor, case_id, action="view")
    return render_pdf(
        _form_text(actor, case),
        title=_("Readmission request"),
        reference=case.reference,
        language=_pdf_language(),
        draft=True,
    )


def request_send(
    *, actor: User, case_id: int, expected_version: int, sent_on: dt.date | None = None
) -> Case:
    """Send the request: typeset the common form, keep it as a case document (with its
    SHA-256 in the case data) and record the ``send_request`` transition on ``sent_on``.

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``; the actor may not send.
        workflow.TransitionRefusedError: a guard failed.
        CaseConflictError: the case changed since ``expected_version``.
        ValidationError: an accelerated request past its time limit, or a bad date.
    """
    case = _case(actor, case_id)
    _require(actor, SEND, case)
    sent_on = _date(sent_on or timezone.localdate(), "sent_on")
    agreement = selectors.agreement_of(case)
    request = case.data.get("request") or {}
    if agreement is not None and request.get("procedure") == "accelerated":
        apprehended = _data_date(case, "request.apprehended_on") or case.opened_on
        procedure = workflow.procedure_of(case)
        last = accelerated_request_last_day(agreement, apprehended, workflow.calendar(procedure))
        if last is not None and sent_on > last:
            _refused(actor, case, "send_request", "accelerated_time_limit")
            raise ValidationError(
                {
                    "sent_on": _(
                        "The accelerated procedure's time limit ended on %(day)s: send the "
                        "request under the regular procedure."
                    )
                    % {"day": last.isoformat()}
                }
            )
    pdf = render_pdf(
        _form_text(actor, case),
        title=_("Readmission request"),
        reference=case.reference,
        language=_pdf_language(),
        draft=False,
    )
    sha256 = hashlib.sha256(pdf).hexdigest()
    try:
        with transaction.atomic():
            case = case_services.case_transition(
                recorded_by=OWNER,
                actor=actor,
                case_id=case.pk,
                transition="send_request",
                expected_version=expected_version,
                data_changes={
                    "request.sent_on": sent_on.isoformat(),
                    "request.form_sha256": sha256,
                },
                occurred_on=sent_on,
            )
            case_services.case_document_add(
                actor=actor,
                case_id=case.pk,
                expected_version=case.version,
                kind=FORM_DOCUMENT_KIND,
                upload=ContentFile(pdf),
                original_name=f"{case.reference}-readmission-request.pdf",
                content_type="application/pdf",
            )
    except workflow.TransitionRefusedError as refused:
        case_services.transition_refusal_record(
            actor=actor, case=case, transition="send_request", refused=refused
        )
        raise
    case.refresh_from_db()
    return case


# --- Steps -----------------------------------------------------------------------------------


def _clean_values(transition: str, values: Mapping[str, Any]) -> dict[str, Any]:
    fields = STEP_FIELDS[transition]
    known = {f.path for f in fields}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError({"values": _("Unknown fields: %s") % ", ".join(unknown)})
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields:
        raw = values.get(f.path)
        try:
            if f.kind == "date":
                if raw in (None, "") and not f.required:
                    continue
                day = _date(raw, f.path, future_allowed=f.future_allowed)
                changes[f.path] = day.isoformat()
            elif f.kind == "choice":
                if raw in (None, "") and not f.required:
                    continue
                if raw not in (f.choices or {}):
                    raise ValidationError({f.path: _("Choose one of the listed values.")})
                changes[f.path] = raw
            else:
                text = _text(raw, f.path, required=f.required)
                if text:
                    changes[f.path] = text
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return changes


def _step_checks(
    actor: User, case: Case, transition: str, changes: dict[str, Any], today: dt.date
) -> None:
    """The rules the procedure file cannot state, checked before the transition."""

    def day(path: str) -> dt.date | None:
        value = changes.get(path)
        return dt.date.fromisoformat(value) if value else _data_date(case, path)

    def refuse(code: str, field: str, message: str) -> None:
        _refused(actor, case, transition, code)
        raise ValidationError({field: message})

    if transition == "record_receipt":
        sent, received = day("request.sent_on"), day("request.received_on")
        if sent and received and received < sent:
            refuse("before_sending", "request.received_on", _("Receipt cannot precede sending."))
    elif transition in ("record_acceptance", "record_rejection"):
        received, replied = day("request.received_on"), day("reply.received_on")
        if received and replied and replied < received:
            refuse(
                "before_receipt", "reply.received_on", _("The reply cannot precede the receipt.")
            )
    elif transition == "record_transfer_obstacle":
        if (case.data.get("transfer") or {}).get("obstacle_active"):
            refuse(
                "obstacle_running",
                "transfer.obstacle",
                _("An obstacle is already recorded; record its end first."),
            )
        changes["transfer.obstacle_active"] = True
    elif transition == "end_transfer_obstacle":
        if not (case.data.get("transfer") or {}).get("obstacle_active"):
            refuse("no_obstacle", "transfer.obstacle_ended_on", _("No obstacle is recorded."))
        since = day("transfer.obstacle_since")
        ended = day("transfer.obstacle_ended_on")
        if since and ended and ended < since:
            refuse(
                "before_obstacle",
                "transfer.obstacle_ended_on",
                _("The obstacle cannot end before it began."),
            )
        changes["transfer.obstacle_active"] = False
    elif transition == "record_transfer":
        if (case.data.get("transfer") or {}).get("obstacle_active"):
            refuse(
                "obstacle_running",
                "transfer.transferred_on",
                _("An obstacle to the transfer is recorded; record its end first."),
            )
    elif transition == "record_return_back":
        until = selectors.return_back_window_end(case)
        requested = day("return_back.requested_on")
        if until is not None and requested is not None and requested > until:
            refuse(
                "return_back_window_over",
                "return_back.requested_on",
                _("The requested state could ask to return the person only until %(day)s.")
                % {"day": until.isoformat()},
            )
    elif transition == "close":
        until = selectors.return_back_window_end(case)
        if until is not None and today <= until:
            refuse(
                "return_back_window_running",
                "__all__",
                _("The return-back window runs until %(day)s; close the request after it.")
                % {"day": until.isoformat()},
            )


def step_record(
    *,
    actor: User,
    case_id: int,
    transition: str,
    expected_version: int,
    values: Mapping[str, Any],
    occurred_on: dt.date | None = None,
) -> Case:
    """Record a step of the request (the reply, the travel document, the transfer…): check
    the values, the agreement's rules, then the procedure's guards, in one transaction.

    A step whose values include its own date (a reply received on…) took place on that day;
    for the others (scheduling, closing, withdrawal) ``occurred_on`` says when, today by
    default.

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``.
        ValidationError: an unknown step or field, a bad value, or a rule of the agreement
            (e.g. a return back after its window).
        workflow.TransitionRefusedError: a guard of the procedure failed.
        CaseConflictError: the case changed since ``expected_version``.
    """
    if transition not in STEP_FIELDS:
        raise ValidationError({"transition": _("This step has its own action.")})
    case = _case(actor, case_id)
    changes = _clean_values(transition, values)
    today = timezone.localdate()
    _step_checks(actor, case, transition, changes, today)
    occurred = OCCURRED_FROM.get(transition)
    return case_services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case.pk,
        transition=transition,
        expected_version=expected_version,
        data_changes=changes,
        occurred_on=dt.date.fromisoformat(changes[occurred]) if occurred else occurred_on,
    )


# --- Deemed consent --------------------------------------------------------------------------


def deemed_consent_apply(
    *, actor: User, case_id: int, expected_version: int, today: dt.date | None = None
) -> Case:
    """Record that the requested state is deemed to have agreed: only under an agreement
    that makes silence consent, only once its reply deadline has passed without a reply.
    The consent counts from the day after the deadline (the travel-document and transfer
    time limits run from it).

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``; the actor may not apply it.
        ValidationError: the agreement has no deemed consent, or the deadline has not passed.
        workflow.TransitionRefusedError: the request is not awaiting a reply.
        CaseConflictError: the case changed since ``expected_version``.
    """
    case = _case(actor, case_id)
    _require(actor, DEEMED_CONSENT, case)
    today = today or timezone.localdate()
    agreement = selectors.agreement_of(case)
    if agreement is None or not agreement.deemed_consent.applies:
        _refused(actor, case, "apply_deemed_consent", "no_deemed_consent")
        raise ValidationError(
            {"__all__": _("Under this agreement silence is not consent: the reply is needed.")}
        )
    reply = selectors.running_reply_deadline(case, today=today)
    if (
        reply is None
        or reply.due_on is None
        or not deemed_consent_due(agreement, reply.due_on, today)
    ):
        _refused(actor, case, "apply_deemed_consent", "reply_time_running")
        raise ValidationError(
            {"__all__": _("The reply time limit has not passed: consent cannot be deemed yet.")}
        )
    deemed_on = reply.due_on + dt.timedelta(days=1)
    basis = f"{agreement.short_title}, {agreement.deemed_consent.legal_reference}"
    return case_services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case.pk,
        transition="apply_deemed_consent",
        expected_version=expected_version,
        data_changes={
            "reply.deemed_on": deemed_on.isoformat(),
            "reply.deemed_under": basis,
        },
        occurred_on=deemed_on,
    )


def deemed_consent_apply_due(*, actor: User, today: dt.date | None = None) -> list[Case]:
    """Apply deemed consent to every request the actor may change whose reply time limit
    has passed under an agreement that provides it (the daily job; also a button).

    Returns:
        The cases now deemed accepted.

    Raises:
        PermissionDenied: the actor may not apply deemed consent.
    """
    _require(actor, DEEMED_CONSENT)
    today = today or timezone.localdate()
    done = []
    for case in selectors.requests_of(actor=actor, state="reply_due"):
        agreement = selectors.agreement_of(case)
        if agreement is None or not agreement.deemed_consent.applies:
            continue
        reply = selectors.running_reply_deadline(case, today=today)
        if (
            reply is None
            or reply.due_on is None
            or not deemed_consent_due(agreement, reply.due_on, today)
        ):
            continue
        try:
            done.append(
                deemed_consent_apply(
                    actor=actor, case_id=case.pk, expected_version=case.version, today=today
                )
            )
        except (
            case_services.CaseConflictError,
            workflow.TransitionRefusedError,
            PermissionDenied,
        ):
            # Changed meanwhile or out of the actor's reach for changes: the next run retries.
            continue
    return done


def choices(mapping: Mapping[str, Promise]) -> list[tuple[str, str | Promise]]:
    """A vocabulary as form choices, with its labels still lazy: forms build their choices once,
    at import, and each request shows them in its own language."""
    return [(k, v) for k, v in mapping.items()]


def steps_with_fields() -> Iterable[str]:
    """The steps ``step_record`` records."""
    return STEP_FIELDS.keys()
