"""Reads of the returns app, always through cases the actor may see (``cases.access``).

What a user is shown of an AVRR case depends on who they are: the owning agency sees
everything; a partner organisation in the country of origin (a referral grantee) sees the
procedure's progress, what it records itself (reception, plan, assistance, monitoring) and
of the rest **only the data categories the person consented to share with it**
(``visible_categories``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from ura.apps.accounts.selectors import agency_names
from ura.apps.cases import workflow
from ura.apps.cases.access import cases_for
from ura.apps.cases.procedure_labels import translate
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Masked, visible_value
from ura.apps.core.services import audit_records_shown
from ura.apps.people.selectors import person_records_for_case_work
from ura.apps.returns.models import (
    Application,
    AssistanceItem,
    BestInterestsDetermination,
    CounsellingSession,
    DataCategory,
    DocumentStatus,
    EligibilityScreening,
    Escort,
    FitToTravel,
    MonitoringVisit,
    Movement,
    PreDeparture,
    TraffickingLink,
    TravelDocumentRequest,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.models import QuerySet

    from ura.apps.cases.models import Case, CaseDeadline, Referral

    Actor = AbstractUser | AnonymousUser

PROCEDURE = "avrr"
#: A data-sharing consent for the destination is scoped ``avrr:<category>,<category>``.
SCOPE_PREFIX = "avrr:"
#: The consent to link the AVRR case to the person's trafficking case.
TRAFFICKING_LINK_SCOPE = "avrr:trafficking_link"
ALL_CATEGORIES = frozenset(DataCategory.values)


# --- Cases -------------------------------------------------------------------------------------


def avrr_cases(*, actor: Actor) -> QuerySet[Case]:
    """The AVRR cases the actor may see (not audited)."""
    return cases_for(actor, "view").filter(procedure_code=PROCEDURE)


def my_cases(*, actor: Actor, open_only: bool = True, limit: int = 200) -> list[Case]:
    """The AVRR cases the actor sees, newest first; audited as listed."""
    cases = avrr_cases(actor=actor)
    if open_only:
        cases = cases.filter(closed_at__isnull=True)
    chosen = list(cases.order_by("-opened_on", "-pk")[:limit])
    audit_records_shown(actor=actor, action=AuditAction.LIST, objects=chosen)
    return chosen


def _recipient_of(actor: Actor, referral: Referral) -> bool:
    agency_id = getattr(actor, "agency_id", None)
    unit_id = getattr(actor, "unit_id", None)
    return referral.to_agency_id == agency_id and (
        referral.to_unit_id is None or referral.to_unit_id == unit_id
    )


def referrals_awaiting(*, actor: Actor) -> list[Referral]:
    """Referrals of AVRR cases waiting for the actor's organisation; audited as listed."""
    agency_id = getattr(actor, "agency_id", None)
    if agency_id is None:
        return []
    found: list[Referral] = []
    cases = avrr_cases(actor=actor).filter(
        referrals__to_agency_id=agency_id, referrals__status="in_progress"
    )
    for case in cases.distinct().order_by("pk"):
        for referral in case.referrals.filter(to_agency_id=agency_id, status="in_progress"):
            if _recipient_of(actor, referral):
                found.append(referral)
    audit_records_shown(actor=actor, action=AuditAction.LIST, objects=[r.case for r in found])
    return found


def referral_waiting_for(*, actor: Actor, case: Case) -> Referral | None:
    """The case's referral in progress to the actor's organisation, if any."""
    for referral in case.referrals.filter(status="in_progress"):
        if _recipient_of(actor, referral):
            return referral
    return None


def principal_person(*, case: Case) -> str:
    """The person id of the case's principal applicant (or its first person)."""
    persons = list(case.persons.order_by("pk"))
    principal = next((p for p in persons if p.role == "principal_applicant"), None)
    return (principal or persons[0]).person_id


# --- Rows --------------------------------------------------------------------------------------


def sessions(*, case: Case) -> list[CounsellingSession]:
    return list(CounsellingSession.objects.filter(case=case).select_related("counsellor"))


def latest_screening(*, case: Case) -> EligibilityScreening | None:
    return EligibilityScreening.objects.filter(case=case).first()


def latest_best_interests(*, case: Case) -> BestInterestsDetermination | None:
    return BestInterestsDetermination.objects.filter(case=case).first()


def application(*, case: Case) -> Application | None:
    return Application.objects.filter(case=case).first()


def pre_departure(*, case: Case) -> PreDeparture | None:
    return PreDeparture.objects.filter(case=case).first()


def travel_documents(*, case: Case, status: str | None = None) -> list[TravelDocumentRequest]:
    rows = TravelDocumentRequest.objects.filter(case=case)
    return list(rows.filter(status=status) if status else rows)


def movements(*, case: Case) -> list[Movement]:
    return list(Movement.objects.filter(case=case))


def assistance(*, case: Case) -> list[AssistanceItem]:
    return list(AssistanceItem.objects.filter(case=case).select_related("provider_agency"))


def monitoring_visits(*, case: Case) -> list[MonitoringVisit]:
    return list(MonitoringVisit.objects.filter(case=case))


def checklist_missing(*, case: Case) -> list[str]:
    """What the pre-departure checklist still lacks (empty: ready to depart): an issued travel
    document, fitness to travel for a person with medical needs (and a medical escort when
    fit only with one), the booking, the allowance, the escort decision."""
    checklist = pre_departure(case=case) or PreDeparture(case=case)
    missing = []
    if not travel_documents(case=case, status=DocumentStatus.ISSUED):
        missing.append("travel_document")
    screening = latest_screening(case=case)
    fit = checklist.fit_to_travel
    if screening is not None and screening.medical_needs:
        if fit not in (FitToTravel.FIT, FitToTravel.FIT_WITH_ESCORT):
            missing.append("fit_to_travel")
        elif fit == FitToTravel.FIT_WITH_ESCORT and checklist.escort != Escort.MEDICAL:
            missing.append("escort")
    if fit == FitToTravel.UNFIT:
        missing.append("fit_to_travel")
    if not checklist.carrier or checklist.departure_planned_on is None:
        missing.append("booking")
    if checklist.allowance_amount is None or not checklist.allowance_currency:
        missing.append("allowance")
    if not checklist.escort:
        missing.append("escort")
    return list(dict.fromkeys(missing))


def trafficking_link_consent(*, case: Case) -> int | None:
    """The consent in force under which the case may be linked to a trafficking case."""
    found = case.consents.filter(
        kind="data_sharing", scope=TRAFFICKING_LINK_SCOPE, withdrawn_at__isnull=True
    ).first()
    return found.pk if found else None


def trafficking_links(*, case: Case) -> list[TraffickingLink]:
    """The links to trafficking cases whose consent is still in force."""
    in_force = set(
        case.consents.filter(scope=TRAFFICKING_LINK_SCOPE, withdrawn_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    return [
        link for link in TraffickingLink.objects.filter(case=case) if link.consent_id in in_force
    ]


def reintegration_deadlines(*, case: Case) -> list[CaseDeadline]:
    return list(case.deadlines.order_by("due_on", "code"))


# --- What the actor may see --------------------------------------------------------------------


def owns(*, actor: Actor, case: Case) -> bool:
    """Whether the actor belongs to the agency that owns the case."""
    return getattr(actor, "agency_id", None) == case.owning_agency_id


def visible_categories(*, actor: Actor, case: Case) -> frozenset[str]:
    """The data categories of the case the actor may be shown: all for the owning agency;
    for anyone else (a partner organisation reaching the case by referral) those named by the
    person's data-sharing consents in force that cover the actor's organisation."""
    if owns(actor=actor, case=case):
        return ALL_CATEGORIES
    agency_id = getattr(actor, "agency_id", None)
    shared: set[str] = set()
    for consent in case.consents.filter(kind="data_sharing", withdrawn_at__isnull=True):
        if not consent.scope.startswith(SCOPE_PREFIX) or consent.scope == TRAFFICKING_LINK_SCOPE:
            continue
        if consent.recipient_agency_id not in (None, agency_id):
            continue
        shared.update(c for c in consent.scope[len(SCOPE_PREFIX) :].split(",") if c)
    return frozenset(shared & ALL_CATEGORIES)


@dataclass
class AvrrSummary:
    """What the returns panel, pages and API show of a case to one actor.

    A part the actor may not see is None (or empty), never shown masked: the partner
    organisation does not learn what it was not told."""

    case: Case
    owner_view: bool
    categories: frozenset[str]
    phase: str
    state_label: str
    destination_country: str
    progress: dict[str, Any]
    sessions: list[CounsellingSession] | None
    screening: EligibilityScreening | None
    vulnerability: dict[str, Any] | None
    medical: dict[str, Any] | None
    best_interests: BestInterestsDetermination | None
    application: dict[str, Any] | None
    contact: str | None
    reintegration_intentions: str | None
    travel: dict[str, Any] | None
    identity: list[dict[str, Any]] | None
    trafficking_links: list[TraffickingLink] | None
    referrals: list[tuple[Referral, str]]
    deadlines: list[CaseDeadline]
    assistance: list[AssistanceItem]
    monitoring: list[MonitoringVisit]
    transitions: list[dict[str, str]] = field(default_factory=list)
    referral_waiting: Referral | None = None


#: Case-data keys the partner may read whatever was consented: the procedure's progress and
#: what the partner records itself.
PROGRESS_KEYS = (
    "application",
    "departure",
    "transit",
    "arrival",
    "reception",
    "reintegration",
    "assistance",
    "monitoring",
    "partner",
    "closure",
)


def _identity(actor: Actor, case: Case) -> list[dict[str, Any]]:
    """Names of the case's persons for a partner organisation that was told who they are;
    every record read is audited with the case as basis."""
    persons = [p.person_id for p in case.persons.all()]
    records = person_records_for_case_work(
        actor=actor, person_ids=persons, basis=f"AVRR case {case.reference} (consented)"
    )
    found = []
    for person_id in persons:
        for record in records.get(person_id, [])[:1]:
            row: dict[str, Any] = {"person_id": person_id}
            for name in ("family_name", "given_names", "date_of_birth", "nationality"):
                value = visible_value(actor, record, name)
                if isinstance(value, Masked):
                    row[name] = value.as_json()
                elif name == "date_of_birth":
                    row[name] = record.date_of_birth_text()
                else:
                    row[name] = value
            found.append(row)
    return found


def case_summary(*, actor: Actor, case: Case) -> AvrrSummary:
    """The summary of a case the caller loaded through ``access_case_by_id`` (which audited
    the view), cut to what the actor may see."""
    procedure = workflow.procedure_of(case)
    state = procedure.state(case.state)
    owner = owns(actor=actor, case=case)
    shown = visible_categories(actor=actor, case=case)
    screening = latest_screening(case=case)
    app = application(case=case)
    checklist = pre_departure(case=case)
    data = dict(case.data)
    progress = {k: data[k] for k in PROGRESS_KEYS if k in data}
    if not owner and "application" in progress:
        # The consent's own bookkeeping is the owning agency's.
        progress["application"] = {
            k: v for k, v in progress["application"].items() if k != "consent_id"
        }
    vulnerability = (
        {
            "unaccompanied_child": screening.unaccompanied_child,
            "trafficking_victim": screening.trafficking_victim,
            "other": screening.other_vulnerabilities,
        }
        if screening is not None and DataCategory.VULNERABILITY in shown
        else None
    )
    medical = (
        {
            "medical_needs": screening.medical_needs,
            "notes": screening.medical_notes,
            "fit_to_travel": checklist.fit_to_travel if checklist else "",
            "fit_to_travel_on": checklist.fit_to_travel_on if checklist else None,
        }
        if screening is not None and DataCategory.MEDICAL in shown
        else None
    )
    travel = (
        {
            "checklist": checklist,
            "documents": travel_documents(case=case),
            "movements": movements(case=case),
            "missing": checklist_missing(case=case),
        }
        if DataCategory.TRAVEL in shown
        else None
    )
    referrals = list(case.referrals.all())
    names = agency_names(agency_ids=[r.to_agency_id for r in referrals])
    return AvrrSummary(
        case=case,
        owner_view=owner,
        categories=shown,
        phase=state.phase,
        state_label=translate("state", state.label),
        destination_country=str(data.get("application", {}).get("destination_country", "")),
        progress=progress,
        sessions=sessions(case=case) if owner else None,
        screening=screening if owner else None,
        vulnerability=vulnerability,
        medical=medical,
        best_interests=latest_best_interests(case=case)
        if DataCategory.VULNERABILITY in shown
        else None,
        application={
            "lodged_on": app.lodged_on,
            "destination_country": app.destination_country,
            "destination_place": app.destination_place,
            "shared_categories": app.shared_categories,
        }
        if app is not None
        else None,
        contact=app.contact_at_destination
        if app is not None and DataCategory.CONTACT in shown
        else None,
        reintegration_intentions=app.reintegration_intentions
        if app is not None and DataCategory.REINTEGRATION_NEEDS in shown
        else None,
        travel=travel,
        identity=_identity(actor, case) if not owner and DataCategory.IDENTITY in shown else None,
        trafficking_links=trafficking_links(case=case) if owner else None,
        referrals=[(r, names.get(r.to_agency_id, "")) for r in referrals]
        if owner
        else [(r, names.get(r.to_agency_id, "")) for r in referrals if _recipient_of(actor, r)],
        deadlines=reintegration_deadlines(case=case),
        assistance=assistance(case=case),
        monitoring=monitoring_visits(case=case),
        transitions=workflow.transitions_available(case),
        referral_waiting=referral_waiting_for(actor=actor, case=case),
    )


def category_label(code: str) -> str:
    return str(dict(DataCategory.choices).get(code, code))


def partner_note() -> str:
    return _("You see this case because it was referred to your organisation.")
