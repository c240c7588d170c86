"""Writes of the returns app: counselling, screening, the link to a trafficking case, the
best-interests determination, the application with its consents, the pre-departure checklist,
travel documents, movements, the referral to the partner organisation in the country of origin
and its answer, assistance, monitoring and the plain steps of ``avrr.yaml``.

Every write goes through the case engine (``cases.services``, ``cases.consents``,
``cases.handoffs``): need-to-know, optimistic locking, the procedure's guards, history and
audit. A step that needs several engine writes runs them in one transaction; a refusal inside
it is audited again after the rollback (``_refused``), where it stays.

Two guards of the procedure depend on the screening and are enforced here: an unaccompanied
child's application needs a best-interests determination with the guardian present that
favours return, and a person with medical needs departs only when assessed fit to travel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.accounts.policy import Action
from ura.apps.accounts.selectors import agency_by_id, unit_by_id
from ura.apps.cases import consents, handoffs, services, workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.apps.returns import selectors
from ura.apps.returns.models import (
    Application,
    AssistanceItem,
    AssistanceKind,
    AssistanceLevel,
    BestInterestsDetermination,
    BestInterestsOutcome,
    CounsellingSession,
    DataCategory,
    DocumentStatus,
    EligibilityScreening,
    Escort,
    FitToTravel,
    MonitoringVisit,
    Movement,
    MovementKind,
    PreDeparture,
    SessionOutcome,
    TraffickingLink,
    TravelDocumentRequest,
)
from ura.apps.returns.roles import COUNSEL, REINTEGRATE
from ura.apps.trafficking import selectors as trafficking_selectors
from ura.casework import reintegration
from ura.ingest.countries import ISO3166_ALPHA3

if TYPE_CHECKING:
    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE
#: This app's recorder of the steps and case data it declares (``apps.py``): passed to
#: the case engine's transition and update, which refuse those from anywhere else.
OWNER = workflow.StepOwner(
    PROCEDURE, gettext_lazy("the AVRR application's pages (the return panel)")
)
#: The case data this app's services write (what the consents, the application, the
#: referral to the partner and the records of travel and reintegration say): the generic
#: case update cannot change it.
OWNED_DATA = (
    "counselling",
    "screening",
    "best_interests",
    # The application as lodged with its consents (not its rejection reason, a generic step's).
    "application.date",
    "application.voluntariness_declared",
    "application.destination_country",
    "application.shared_categories",
    "application.consent_id",
    "partner",
    "pre_departure",
    "departure",
    "transit",
    "arrival",
    "assistance",
    "monitoring",
)

#: The transitions with their own service below; ``step_record`` does the others.
OWN_SERVICES = frozenset(
    {
        "record_counselling",
        "screen_eligible",
        "screen_not_eligible",
        "determine_best_interests",
        "lodge_application",
        "record_departure",
        "record_transit",
        "confirm_arrival",
        "record_assistance_delivered",
        "record_monitoring_visit",
    }
)
#: The referral to the partner organisation: reception and reintegration at destination.
PARTNER_SERVICE = "AVRR reception and reintegration"


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


def _require(actor: User, permission: str, case: Case) -> None:
    if actor.has_perm(permission):
        return
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        detail={"attempted": permission, "outcome": "forbidden"},
    )
    raise PermissionDenied(_("You may not do this on return cases."))


def _case(actor: User, case_id: int, action: Action = "change") -> Case:
    """An AVRR case the actor may perform ``action`` on.

    Raises:
        Http404: no such case, not visible to the actor, or of another procedure.
        PermissionDenied: the actor sees the case but may not perform ``action``.
    """
    case = access_case_by_id(actor, case_id, action=action)
    if case.procedure_code != PROCEDURE:
        raise Http404("No such return case.")
    return case


def _not_future(name: str, day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})


def _country(name: str, value: str) -> str:
    code = value.strip().upper()
    if code not in ISO3166_ALPHA3:
        raise ValidationError({name: _("Give an ISO 3166-1 alpha-3 country code.")})
    return code


def _guard_refusal(actor: User, case: Case, attempted: str, field: str, message: str) -> None:
    """Refuse a step for a guard the procedure's YAML cannot express; audited."""
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        detail={"attempted": attempted, "outcome": "refused", "failures": [field]},
    )
    raise ValidationError({field: message})


def _transition(
    actor: User,
    case: Case,
    transition: str,
    expected_version: int,
    data: Mapping[str, Any],
    occurred_on: dt.date | None = None,
) -> Case:
    return services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case.pk,
        transition=transition,
        expected_version=expected_version,
        data_changes=data,
        occurred_on=occurred_on if occurred_on and occurred_on < timezone.localdate() else None,
    )


def _created(actor: User, row: Any, case: Case, **detail: Any) -> None:
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=row, detail={"case": case.pk, **detail}
    )


# --- Counselling and screening -----------------------------------------------------------------


def counselling_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    held_on: dt.date,
    language: str,
    topics: Iterable[str],
    outcome: str,
    interpreter: str = "",
    notes: str = "",
) -> CounsellingSession:
    """Record a counselling session (the counsellor is the actor).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: a date in the future, no language or topic, an unknown outcome.
        workflow.TransitionRefusedError: the case is past counselling.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _not_future("held_on", held_on)
    chosen = [t for t in dict.fromkeys(topics) if t]
    if not language.strip():
        raise ValidationError({"language": _("Give the language of the session.")})
    if not chosen:
        raise ValidationError({"topics": _("Say what was discussed.")})
    if outcome not in SessionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    count = len(selectors.sessions(case=case)) + 1
    try:
        with transaction.atomic():
            _transition(
                actor,
                case,
                "record_counselling",
                expected_version,
                # The outcome stays in the session's row: the case data is readable by a
                # partner abroad, and counselling is never shared.
                {
                    "counselling.last_session_on": held_on.isoformat(),
                    "counselling.sessions": count,
                },
                held_on,
            )
            session = CounsellingSession.objects.create(
                case=case,
                held_on=held_on,
                counsellor=actor,
                language=language.strip()[:64],
                interpreter=interpreter.strip()[:128],
                topics=chosen,
                outcome=outcome,
                notes=notes.strip(),
            )
            _created(actor, session, case, outcome=outcome)
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, "record_counselling", exc)
        raise
    return session


def screening_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    screened_on: dt.date,
    eligible: bool,
    basis: str,
    unaccompanied_child: bool = False,
    trafficking_victim: bool = False,
    medical_needs: bool = False,
    medical_notes: str = "",
    other_vulnerabilities: Iterable[str] = (),
) -> EligibilityScreening:
    """Record the eligibility and vulnerability screening: eligible (``screen_eligible``) or
    not (``screen_not_eligible``, which closes the case).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no basis, medical needs without a description, a future date.
        workflow.TransitionRefusedError: no counselling session yet, or past screening.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _not_future("screened_on", screened_on)
    if not basis.strip():
        raise ValidationError({"basis": _("Give the basis of the screening's conclusion.")})
    if medical_needs and not medical_notes.strip():
        raise ValidationError({"medical_notes": _("Describe the medical needs.")})
    transition = "screen_eligible" if eligible else "screen_not_eligible"
    try:
        with transaction.atomic():
            screening = EligibilityScreening.objects.create(
                case=case,
                screened_on=screened_on,
                screener=actor,
                eligible=eligible,
                basis=basis.strip(),
                unaccompanied_child=unaccompanied_child,
                trafficking_victim=trafficking_victim,
                medical_needs=medical_needs,
                medical_notes=medical_notes.strip() if medical_needs else "",
                other_vulnerabilities=[v for v in dict.fromkeys(other_vulnerabilities) if v],
            )
            _transition(
                actor,
                case,
                transition,
                expected_version,
                {
                    "screening.date": screened_on.isoformat(),
                    "screening.id": screening.pk,
                    "screening.eligible": eligible,
                },
                screened_on,
            )
            _created(actor, screening, case, eligible=eligible)
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, transition, exc)
        raise
    return screening


def trafficking_link(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    trafficking_case_id: int,
    consent_given_on: dt.date | None = None,
) -> TraffickingLink:
    """Link the AVRR case of a trafficking victim to their trafficking case.

    Only with the person's consent to the link (a ``data_sharing`` consent with the scope
    ``avrr:trafficking_link`` on the AVRR case, recorded now from ``consent_given_on`` or
    earlier), only when the screening found the person a victim of trafficking, and only to a
    trafficking case the actor works on (the trafficking app's own selectors decide which).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no consent, no such trafficking case, not screened as a victim.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    screening = selectors.latest_screening(case=case)
    if screening is None or not screening.trafficking_victim:
        raise ValidationError(
            {"trafficking_case_id": _("The screening did not find the person a victim.")}
        )
    target = (
        trafficking_selectors.trafficking_cases(actor=actor).filter(pk=trafficking_case_id).first()
    )
    if target is None:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.case",
            object_id=str(trafficking_case_id),
            detail={"attempted": "avrr_trafficking_link", "outcome": "not_found"},
        )
        raise ValidationError(
            {"trafficking_case_id": _("No such trafficking case among those you work on.")}
        )
    consent_id = selectors.trafficking_link_consent(case=case)
    if consent_id is None and consent_given_on is None:
        _guard_refusal(
            actor,
            case,
            "avrr_trafficking_link",
            "consent_given_on",
            _("The person's consent to link the two cases must be recorded first."),
        )
    version = expected_version
    with transaction.atomic():
        if consent_id is None and consent_given_on is not None:
            consent_id = consents.consent_record(
                actor=actor,
                case_id=case.pk,
                expected_version=version,
                person_id=selectors.principal_person(case=case),
                kind="data_sharing",
                given_on=consent_given_on,
                scope=selectors.TRAFFICKING_LINK_SCOPE,
            ).pk
            version += 1
        # The link itself stays out of the case data, which a partner abroad may read.
        services.case_update(actor=actor, case_id=case.pk, expected_version=version)
        link = TraffickingLink.objects.create(
            case=case,
            trafficking_case_id=target.pk,
            trafficking_reference=target.reference,
            consent_id=consent_id or 0,
            linked_by=actor,
        )
        _created(actor, link, case, trafficking_case=target.pk, consent_id=consent_id)
    return link


def best_interests_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    held_on: dt.date,
    guardian_name: str,
    guardian_present: bool,
    child_views: str,
    outcome: str,
    reasoning: str,
    family_tracing: str = "",
) -> BestInterestsDetermination:
    """Record the best-interests determination of an unaccompanied or separated child.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: the screening did not find an unaccompanied child; missing views,
            reasoning or guardian; unknown outcome.
        workflow.TransitionRefusedError: the case is not eligible (screened) yet.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _not_future("held_on", held_on)
    screening = selectors.latest_screening(case=case)
    if screening is None or not screening.unaccompanied_child:
        raise ValidationError({"outcome": _("The screening found no unaccompanied child.")})
    errors = {}
    if not guardian_name.strip():
        errors["guardian_name"] = _("Name the child's guardian.")
    if not child_views.strip():
        errors["child_views"] = _("Record the child's views.")
    if not reasoning.strip():
        errors["reasoning"] = _("Give the reasoning.")
    if outcome not in BestInterestsOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            found = BestInterestsDetermination.objects.create(
                case=case,
                held_on=held_on,
                guardian_name=guardian_name.strip()[:128],
                guardian_present=guardian_present,
                family_tracing=family_tracing.strip(),
                child_views=child_views.strip(),
                outcome=outcome,
                reasoning=reasoning.strip(),
                recorded_by=actor,
            )
            # Only the date and the row go into the case data; the outcome and the guardian
            # stay in the row (the application's guard reads them there).
            _transition(
                actor,
                case,
                "determine_best_interests",
                expected_version,
                {"best_interests.date": held_on.isoformat(), "best_interests.id": found.pk},
                held_on,
            )
            _created(actor, found, case, outcome=outcome, guardian_present=guardian_present)
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, "determine_best_interests", exc)
        raise
    return found


# --- Application -------------------------------------------------------------------------------


def application_lodge(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    lodged_on: dt.date,
    destination_country: str,
    voluntariness_declared: bool,
    shared_categories: Iterable[str],
    partner_agency_id: int | None = None,
    destination_place: str = "",
    contact_at_destination: str = "",
    reintegration_intentions: str = "",
) -> Application:
    """Lodge the application and the declaration of voluntariness, recording in the same
    transaction the person's consents: to share the named data categories with the
    destination (``data_sharing``, scope ``avrr:<categories>``) and to be referred to the
    partner organisation there (``referral``), both limited to ``partner_agency_id`` when
    given.

    An unaccompanied child's application needs a best-interests determination made with the
    guardian present that found return in the child's best interests.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no declaration, unknown country, category or partner; the
            best-interests guard.
        workflow.TransitionRefusedError: a guard of ``lodge_application`` failed.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _not_future("lodged_on", lodged_on)
    country = _country("destination_country", destination_country)
    categories = list(dict.fromkeys(shared_categories))
    unknown = [c for c in categories if c not in DataCategory.values]
    if unknown:
        raise ValidationError({"shared_categories": _("Unknown data category.")})
    if not voluntariness_declared:
        raise ValidationError(
            {"voluntariness_declared": _("The person must declare the return voluntary.")}
        )
    if partner_agency_id is not None and agency_by_id(partner_agency_id) is None:
        raise ValidationError({"partner_agency_id": _("No such organisation.")})
    screening = selectors.latest_screening(case=case)
    if screening is not None and screening.unaccompanied_child:
        bid = selectors.latest_best_interests(case=case)
        if bid is None or not bid.guardian_present or bid.outcome != BestInterestsOutcome.RETURN:
            _guard_refusal(
                actor,
                case,
                "lodge_application",
                "best_interests",
                _(
                    "An unaccompanied child's application needs a best-interests determination, "
                    "made with the guardian present, that found return in the child's best "
                    "interests."
                ),
            )
    person_id = selectors.principal_person(case=case)
    try:
        with transaction.atomic():
            sharing = consents.consent_record(
                actor=actor,
                case_id=case.pk,
                expected_version=expected_version,
                person_id=person_id,
                kind="data_sharing",
                given_on=lodged_on,
                scope=selectors.SCOPE_PREFIX + ",".join(categories),
                recipient_agency_id=partner_agency_id,
            )
            consents.consent_record(
                actor=actor,
                case_id=case.pk,
                expected_version=expected_version + 1,
                person_id=person_id,
                kind="referral",
                given_on=lodged_on,
                scope=PARTNER_SERVICE,
                recipient_agency_id=partner_agency_id,
            )
            _transition(
                actor,
                case,
                "lodge_application",
                expected_version + 2,
                {
                    "application.date": lodged_on.isoformat(),
                    "application.voluntariness_declared": True,
                    "application.destination_country": country,
                    "application.shared_categories": categories,
                    "application.consent_id": sharing.pk,
                },
                lodged_on,
            )
            application = Application.objects.create(
                case=case,
                lodged_on=lodged_on,
                destination_country=country,
                destination_place=destination_place.strip()[:128],
                voluntariness_declared=True,
                shared_categories=categories,
                consent_id=sharing.pk,
                contact_at_destination=contact_at_destination.strip(),
                reintegration_intentions=reintegration_intentions.strip(),
                lodged_by=actor,
            )
            _created(actor, application, case, country=country, categories=categories)
    except (workflow.TransitionRefusedError, ValidationError) as exc:
        _refused(actor, case, "lodge_application", exc)
        raise
    return application


# --- Pre-departure -----------------------------------------------------------------------------


def _checklist_sync(actor: User, case: Case, expected_version: int) -> Case:
    # Only the flag goes into the case data (which a partner may read); what is missing
    # (medical fitness among it) is worked out again when shown.
    missing = selectors.checklist_missing(case=case)
    return services.case_update(
        recorded_by=OWNER,
        actor=actor,
        case_id=case.pk,
        expected_version=expected_version,
        data_changes={"pre_departure.checklist_complete": True if not missing else None},
    )


def _in_pre_departure(case: Case) -> None:
    if case.state != "pre_departure":
        raise ValidationError({"state": _("The application is not approved for departure.")})


def pre_departure_update(
    *, actor: User, case_id: int, expected_version: int, changes: Mapping[str, Any]
) -> PreDeparture:
    """Change the pre-departure checklist (fit to travel, booking, allowance, escort); the case
    data says whether the checklist is complete, which the departure needs.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown field or value, a case not in pre-departure.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _in_pre_departure(case)
    allowed = {
        "fit_to_travel": FitToTravel.values,
        "escort": Escort.values,
    }
    plain = {
        "fit_to_travel_on",
        "carrier",
        "booking_reference",
        "departure_planned_on",
        "route",
        "allowance_amount",
        "allowance_currency",
        "escort_reason",
    }
    for name, value in changes.items():
        if name in allowed:
            if value not in allowed[name]:
                raise ValidationError({name: _("Unknown value.")})
        elif name not in plain:
            raise ValidationError({name: _("Unknown field.")})
    amount = changes.get("allowance_amount")
    if amount is not None and Decimal(amount) < 0:
        raise ValidationError({"allowance_amount": _("The allowance cannot be negative.")})
    currency = changes.get("allowance_currency")
    if currency and (len(str(currency)) != 3 or not str(currency).isalpha()):
        raise ValidationError({"allowance_currency": _("Give an ISO 4217 code such as EUR.")})
    checklist = selectors.pre_departure(case=case) or PreDeparture(case=case)
    before = {name: getattr(checklist, name) for name in changes}
    for name, value in changes.items():
        if name == "allowance_currency":
            value = str(value or "").upper()
        setattr(checklist, name, value if value is not None else getattr(checklist, name))
    with transaction.atomic():
        checklist.save()
        _checklist_sync(actor, case, expected_version)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=checklist,
            detail={"case": case.pk, "fields": sorted(changes), "had": sorted(before)},
        )
    return checklist


def travel_document_request(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    consulate: str,
    country: str,
    requested_on: dt.date,
) -> TravelDocumentRequest:
    """Record a request for a travel document to a consulate.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no consulate, unknown country, a future date, wrong state.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _in_pre_departure(case)
    _not_future("requested_on", requested_on)
    if not consulate.strip():
        raise ValidationError({"consulate": _("Name the consulate.")})
    code = _country("country", country)
    with transaction.atomic():
        # No case data: travel is a category shared only by consent (the row holds it).
        services.case_update(actor=actor, case_id=case.pk, expected_version=expected_version)
        request = TravelDocumentRequest.objects.create(
            case=case,
            consulate=consulate.strip()[:128],
            country=code,
            requested_on=requested_on,
            recorded_by=actor,
        )
        _created(actor, request, case, country=code)
    return request


def travel_document_answer(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    request_id: int,
    status: str,
    answered_on: dt.date,
    valid_until: dt.date | None = None,
) -> TravelDocumentRequest:
    """Record the consulate's answer: the document issued (with its validity) or refused.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no such request on the case, answered already, bad dates.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _in_pre_departure(case)
    request = next((r for r in selectors.travel_documents(case=case) if r.pk == request_id), None)
    if request is None or request.status != DocumentStatus.REQUESTED:
        raise ValidationError({"request_id": _("No such request waiting for an answer.")})
    if status not in (DocumentStatus.ISSUED, DocumentStatus.REFUSED):
        raise ValidationError({"status": _("Issued or refused.")})
    _not_future("answered_on", answered_on)
    if answered_on < request.requested_on:
        raise ValidationError({"answered_on": _("The answer cannot precede the request.")})
    if status == DocumentStatus.ISSUED and (valid_until is None or valid_until < answered_on):
        raise ValidationError({"valid_until": _("Give the document's validity.")})
    with transaction.atomic():
        request.status, request.answered_on = status, answered_on
        request.valid_until = valid_until if status == DocumentStatus.ISSUED else None
        request.save(update_fields=["status", "answered_on", "valid_until"])
        _checklist_sync(actor, case, expected_version)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=request,
            detail={"case": case.pk, "status": status},
        )
    return request


# --- Departure, transit, arrival ---------------------------------------------------------------


def movement_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    kind: str,
    date: dt.date,
    place: str,
    notes: str = "",
    confirmed_by: str = "",
) -> Movement:
    """Record the departure (``record_departure``), a transit (``record_transit``) or the
    arrival (``confirm_arrival``, which emits ``returned_voluntarily`` and starts the
    one-month reintegration plan deadline).

    A person with medical needs departs only when assessed fit to travel.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown kind, no place, a future date; the fit-to-travel guard.
        workflow.TransitionRefusedError: the checklist is incomplete, or the wrong state.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    _not_future("date", date)
    if not place.strip():
        raise ValidationError({"place": _("Give the place.")})
    data: dict[str, Any]
    if kind == MovementKind.DEPARTURE:
        transition = "record_departure"
        screening = selectors.latest_screening(case=case)
        checklist = selectors.pre_departure(case=case)
        if (
            screening is not None
            and screening.medical_needs
            and (
                checklist is None
                or checklist.fit_to_travel not in (FitToTravel.FIT, FitToTravel.FIT_WITH_ESCORT)
            )
        ):
            _guard_refusal(
                actor,
                case,
                transition,
                "fit_to_travel",
                _("A person with medical needs departs only when assessed fit to travel."),
            )
        data = {"departure.date": date.isoformat()}
    elif kind == MovementKind.TRANSIT:
        transition, data = "record_transit", {"transit.date": date.isoformat()}
    elif kind == MovementKind.ARRIVAL:
        if not confirmed_by.strip():
            raise ValidationError({"confirmed_by": _("Who confirmed the arrival?")})
        transition = "confirm_arrival"
        data = {
            "arrival.date": date.isoformat(),
            "arrival.confirmed_by": confirmed_by.strip()[:128],
        }
    else:
        raise ValidationError({"kind": _("Departure, transit or arrival.")})
    try:
        with transaction.atomic():
            _transition(actor, case, transition, expected_version, data, date)
            movement = Movement.objects.create(
                case=case,
                kind=kind,
                date=date,
                place=place.strip()[:128],
                notes=notes.strip()[:300],
                recorded_by=actor,
            )
            _created(actor, movement, case, kind=kind)
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, transition, exc)
        raise
    return movement


# --- The partner organisation in the country of origin -----------------------------------------


def partner_refer(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    to_agency_id: int,
    to_unit_id: int | None = None,
) -> Case:
    """Refer the returnee to the partner organisation at destination (an IOM mission, an NGO,
    a municipal reintegration office): the engine's referral grants it the case, on which it
    sees only the data categories the person consented to share (``selectors``).

    Refused without the person's referral consent (recorded with the application).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        handoffs.ConsentRequiredError: no referral consent for this organisation.
        ValidationError: unknown organisation; the application not yet approved.
    """
    case = _case(actor, case_id)
    _require(actor, COUNSEL, case)
    if case.state not in ("pre_departure", "departed", "arrived"):
        raise ValidationError({"state": _("Refer once the application is approved.")})
    agency = agency_by_id(to_agency_id)
    unit = unit_by_id(to_unit_id) if to_unit_id is not None else None
    if agency is None or (to_unit_id is not None and (unit is None or unit.agency_id != agency.pk)):
        raise ValidationError({"to_agency_id": _("No such organisation.")})
    try:
        with transaction.atomic():
            referral = handoffs.referral_submit(
                actor=actor,
                case_id=case.pk,
                expected_version=expected_version,
                to_agency_id=agency.pk,
                to_unit_id=to_unit_id,
                service=PARTNER_SERVICE,
                can_change=True,
            )
            case = services.case_update(
                recorded_by=OWNER,
                actor=actor,
                case_id=case.pk,
                expected_version=expected_version + 1,
                data_changes={
                    "partner.organisation": agency.name,
                    "partner.agency_id": agency.pk,
                    "partner.referral_id": referral.pk,
                },
            )
    except (handoffs.ConsentRequiredError, PermissionDenied) as exc:
        _refused(actor, case, "avrr_partner_refer", exc)
        raise
    return case


def referral_answer(
    *, actor: User, case_id: int, expected_version: int, accept: bool, note: str = ""
) -> Case:
    """The partner organisation accepts or rejects the referral of a returnee (a rejection
    ends its access and needs a reason).

    Raises:
        Http404: the case is not visible to the actor.
        PermissionDenied: the actor is not of the recipient organisation.
        ValidationError: no referral waiting; a rejection without reason.
        CaseConflictError: the case changed since ``expected_version``.
    """
    case = _case(actor, case_id, action="view")
    referral = selectors.referral_waiting_for(actor=actor, case=case)
    if referral is None:
        raise ValidationError({"referral": _("No referral is waiting for your answer.")})
    if not accept and not note.strip():
        raise ValidationError({"note": _("Say why the referral is rejected.")})
    step = handoffs.referral_accept if accept else handoffs.referral_reject
    step(actor=actor, referral_id=referral.pk, expected_version=expected_version, note=note)
    case.refresh_from_db()
    return case


# --- Reintegration -----------------------------------------------------------------------------


def assistance_add(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    level: str,
    kind: str,
    description: str,
    provider_agency_id: int,
    planned_on: dt.date,
    amount: Decimal | None = None,
    currency: str = "",
) -> AssistanceItem:
    """Add an item of reintegration assistance to the plan.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown level, kind or provider; no plan agreed yet.
    """
    case = _case(actor, case_id)
    _require(actor, REINTEGRATE, case)
    if case.state not in ("reintegration", "monitoring"):
        raise ValidationError({"state": _("Agree the reintegration plan first.")})
    errors = {}
    if level not in AssistanceLevel.values:
        errors["level"] = _("Individual, community or structural.")
    if kind not in AssistanceKind.values:
        errors["kind"] = _("Unknown kind of assistance.")
    if not description.strip():
        errors["description"] = _("Describe the assistance.")
    if agency_by_id(provider_agency_id) is None:
        errors["provider_agency_id"] = _("No such organisation.")
    if amount is not None and (amount < 0 or len(currency) != 3):
        errors["currency"] = _("Give a value of zero or more with an ISO 4217 currency.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        services.case_update(
            recorded_by=OWNER,
            actor=actor,
            case_id=case.pk,
            expected_version=expected_version,
            data_changes={"assistance.planned": len(selectors.assistance(case=case)) + 1},
        )
        item = AssistanceItem.objects.create(
            case=case,
            level=level,
            kind=kind,
            description=description.strip()[:300],
            provider_agency_id=provider_agency_id,
            amount=amount,
            currency=currency.upper() if amount is not None else "",
            planned_on=planned_on,
            recorded_by=actor,
        )
        _created(actor, item, case, level=level, kind=kind)
    return item


def assistance_deliver(
    *, actor: User, case_id: int, expected_version: int, item_id: int, delivered_on: dt.date
) -> AssistanceItem:
    """Record that an item of assistance was delivered (``record_assistance_delivered``, the
    statistics hook ``reintegration_assistance_delivered``).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: no such undelivered item, a future date.
        workflow.TransitionRefusedError: the case is not in reintegration or monitoring.
    """
    case = _case(actor, case_id)
    _require(actor, REINTEGRATE, case)
    _not_future("delivered_on", delivered_on)
    item = next((i for i in selectors.assistance(case=case) if i.pk == item_id), None)
    if item is None or item.delivered_on is not None:
        raise ValidationError({"item_id": _("No such assistance waiting for delivery.")})
    delivered = sum(1 for i in selectors.assistance(case=case) if i.delivered_on) + 1
    try:
        with transaction.atomic():
            _transition(
                actor,
                case,
                "record_assistance_delivered",
                expected_version,
                {
                    "assistance.last_delivered_on": delivered_on.isoformat(),
                    "assistance.delivered": delivered,
                    "assistance.last_level": item.level,
                },
                delivered_on,
            )
            item.delivered_on = delivered_on
            item.save(update_fields=["delivered_on"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=item,
                detail={"case": case.pk, "delivered": True},
            )
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, "record_assistance_delivered", exc)
        raise
    return item


def monitoring_visit_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    visited_on: dt.date,
    answers: Mapping[str, int | None],
    notes: str = "",
) -> MonitoringVisit:
    """Record a monitoring visit with the reintegration sustainability survey; the scores
    are computed by ``ura.casework.reintegration``. Visits repeat.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: an answer off the scale, a dimension unanswered, a future date.
        workflow.TransitionRefusedError: no reintegration plan agreed yet.
    """
    case = _case(actor, case_id)
    _require(actor, REINTEGRATE, case)
    _not_future("visited_on", visited_on)
    try:
        found = reintegration.score(answers)
    except reintegration.SurveyError as exc:
        raise ValidationError({"answers": str(exc)}) from exc
    visits = len(selectors.monitoring_visits(case=case)) + 1
    try:
        with transaction.atomic():
            _transition(
                actor,
                case,
                "record_monitoring_visit",
                expected_version,
                {
                    "monitoring.last_visit_on": visited_on.isoformat(),
                    "monitoring.last_composite_score": found.composite,
                    "monitoring.visits": visits,
                },
                visited_on,
            )
            visit = MonitoringVisit.objects.create(
                case=case,
                visited_on=visited_on,
                visited_by=actor,
                survey_version=found.version,
                answers={k: v for k, v in answers.items() if v is not None},
                economic=found.dimensions["economic"],
                social=found.dimensions["social"],
                psychosocial=found.dimensions["psychosocial"],
                composite=found.composite,
                notes=notes.strip(),
            )
            _created(actor, visit, case, composite=found.composite)
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, "record_monitoring_visit", exc)
        raise
    return visit


# --- The plain steps ---------------------------------------------------------------------------


def step_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    transition: str,
    data_changes: Mapping[str, Any],
    occurred_on: dt.date | None = None,
) -> Case:
    """Record a step with no table of its own: approval or rejection of the application,
    reception, the reintegration assessment and plan, withdrawal, closure.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: a transition that has its own service.
        workflow.TransitionRefusedError: a guard failed (permission, data, four-eyes).
    """
    _case(actor, case_id)
    if transition in OWN_SERVICES:
        raise ValidationError({"transition": _("This step has its own form.")})
    return services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        transition=transition,
        expected_version=expected_version,
        data_changes=data_changes,
        occurred_on=occurred_on,
    )
