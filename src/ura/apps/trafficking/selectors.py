"""Reads of the trafficking app, always through cases the actor may see (``cases.access``).

Nothing here returns a victim's identity: pages and the API show a pseudonym ("Person
T-<case reference>"); the identity is given only by ``services.identity_reveal``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.selectors import agency_names
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id, cases_for
from ura.apps.cases.decisions import decisions_of
from ura.apps.cases.procedure_labels import translate
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record, audit_records_shown
from ura.apps.trafficking.models import AssistanceService, Screening
from ura.casework import htcds
from ura.casework.indicators import (
    GRADES,
    Assessment,
    IndicatorError,
    IndicatorSet,
    assess,
    current_indicator_set,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.models import QuerySet

    from ura.apps.cases.models import Case, CaseDeadline, Referral

    Actor = AbstractUser | AnonymousUser

PROCEDURE = "trafficking"
#: The case-page services map onto HTCDS services for the export.
SERVICE_TO_HTCDS = {
    "shelter": htcds.Service.ACCOMMODATION,
    "medical": htcds.Service.MEDICAL,
    "psychological": htcds.Service.PSYCHOSOCIAL,
    "legal": htcds.Service.LEGAL,
    "interpretation": htcds.Service.INTERPRETATION,
    "other": htcds.Service.OTHER,
}
#: The indicator list a screening used tells the form of exploitation.
LIST_EXPLOITATION = {
    "adult_labour": htcds.ExploitationType.LABOUR,
    "child_labour": htcds.ExploitationType.LABOUR,
    "adult_sexual": htcds.ExploitationType.SEXUAL,
    "child_sexual": htcds.ExploitationType.SEXUAL,
}


def pseudonym(case: Case) -> str:
    """How pages and the API name the victim of a trafficking case."""
    return _("Person T-%(reference)s") % {"reference": case.reference}


def indicator_set_in_force(on: dt.date | None = None) -> IndicatorSet:
    """The ILO/EC indicator set in force on ``on`` (today by default)."""
    return current_indicator_set(on or timezone.localdate())


def indicator_preview(*, list_code: str, observed: list[str]) -> Assessment:
    """The rule's opinion on ticked indicators, without storing anything.

    Raises:
        IndicatorError: unknown list or indicator.
    """
    return assess(indicator_set_in_force(), list_code, observed)


def indicator_groups(indicator_set: IndicatorSet, list_code: str) -> list[dict[str, Any]]:
    """The list's indicators grouped by the six elements, strongest grade first.

    Raises:
        IndicatorError: no such list.
    """
    chosen = indicator_set.lists.get(list_code)
    if chosen is None:
        raise IndicatorError(f"no list {list_code!r}")
    groups = []
    for element in indicator_set.elements.values():
        found = sorted(chosen.by_element(element.code), key=lambda i: GRADES.index(i.grade))
        groups.append({"element": element, "indicators": found})
    return groups


# --- Cases -------------------------------------------------------------------------------------


def trafficking_cases(*, actor: Actor) -> QuerySet[Case]:
    """The trafficking cases the actor may see (assigned or granted), not audited."""
    return cases_for(actor, "view").filter(procedure_code=PROCEDURE)


def my_cases(*, actor: Actor, open_only: bool = True, limit: int = 200) -> list[Case]:
    """The actor's trafficking cases, newest first; audited as listed."""
    cases = trafficking_cases(actor=actor)
    if open_only:
        cases = cases.filter(closed_at__isnull=True)
    chosen = list(cases.order_by("-opened_on", "-pk")[:limit])
    audit_records_shown(actor=actor, action=AuditAction.LIST, objects=chosen)
    return chosen


def referrals_awaiting(*, actor: Actor) -> list[Referral]:
    """Referrals of trafficking cases waiting for the actor's organisation (or unit) to
    accept or reject them; their cases are audited as listed."""
    agency_id = getattr(actor, "agency_id", None)
    unit_id = getattr(actor, "unit_id", None)
    if agency_id is None:
        return []
    found: list[Referral] = []
    cases = trafficking_cases(actor=actor).filter(
        referrals__to_agency_id=agency_id, referrals__status="in_progress"
    )
    for case in cases.distinct().order_by("pk"):
        for referral in case.referrals.filter(to_agency_id=agency_id, status="in_progress"):
            if referral.to_unit_id is None or referral.to_unit_id == unit_id:
                found.append(referral)
    audit_records_shown(actor=actor, action=AuditAction.LIST, objects=[r.case for r in found])
    return found


def referral_for_answer(*, actor: Actor, referral_id: int) -> Referral:
    """A referral of a trafficking case the actor sees, for the recipient to answer; the
    case load is audited as a view.

    Raises:
        Http404: no such referral of a trafficking case visible to the actor.
    """
    case = trafficking_cases(actor=actor).filter(referrals__pk=referral_id).first()
    if case is None:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.referral",
            object_id=str(referral_id),
            detail={"attempted": "answer", "outcome": "not_found"},
        )
        raise Http404("No such referral.")
    case = access_case_by_id(actor, case.pk)
    referral: Referral = case.referrals.get(pk=referral_id)
    referral.case = case
    return referral


def referred_cases(*, actor: Actor) -> list[Case]:
    """The trafficking cases the actor sees that were ever referred (not audited)."""
    cases = trafficking_cases(actor=actor).filter(referrals__isnull=False).distinct()
    return [c for c in cases.order_by("pk") if isinstance(c.data.get("referral"), dict)]


def works_on(*, actor: Actor, case: Case) -> bool:
    """Whether the actor works on the case: assigned to it now, or of the organisation (and
    unit) that accepted a referral of it still open. An organisation still deciding whether
    to accept does not need the identity (data minimisation)."""
    if case.assignments.filter(user_id=actor.pk or 0, ended_at__isnull=True).exists():
        return True
    agency_id = getattr(actor, "agency_id", None)
    unit_id = getattr(actor, "unit_id", None)
    for referral in case.referrals.filter(to_agency_id=agency_id, status="accepted"):
        if referral.to_unit_id is None or referral.to_unit_id == unit_id:
            return True
    return False


def case_persons(*, case: Case) -> list[tuple[str, str]]:
    """(person id, role) of each person of the case."""
    return [(p.person_id, p.role) for p in case.persons.all()]


def screenings(*, case: Case) -> list[Screening]:
    return list(Screening.objects.filter(case=case).select_related("screener"))


def services_of(*, case: Case) -> list[AssistanceService]:
    return list(AssistanceService.objects.filter(case=case).select_related("provider_agency"))


def service_kinds(*, case: Case) -> list[str]:
    return sorted(set(AssistanceService.objects.filter(case=case).values_list("kind", flat=True)))


def permit_deadlines(*, case: Case) -> list[CaseDeadline]:
    """The victim residence permit's deadlines as the engine computed them (LFIP Art. 48)."""
    return list(case.deadlines.filter(code__startswith="victim_permit").order_by("due_on", "code"))


# --- The case summary --------------------------------------------------------------------------


@dataclass
class TraffickingSummary:
    """What the trafficking panel and pages show of a case: never an identity."""

    case: Case
    pseudonym: str
    phase: str
    state_label: str
    data: dict[str, Any]
    latest_screening: Screening | None
    referrals: list[Referral]
    permit_deadlines: list[CaseDeadline]
    services: list[AssistanceService]
    transitions: list[dict[str, str]] = field(default_factory=list)
    organisation_names: dict[int, str] = field(default_factory=dict)

    @property
    def referral_rows(self) -> list[tuple[Referral, str]]:
        """Each referral with the name of the organisation it went to."""
        return [(r, self.organisation_names.get(r.to_agency_id, "")) for r in self.referrals]


def case_summary(*, case: Case) -> TraffickingSummary:
    """The summary of a case the caller loaded through ``access_case_by_id``."""
    procedure = workflow.procedure_of(case)
    state = procedure.state(case.state)
    found = screenings(case=case)
    referrals = list(case.referrals.all())
    return TraffickingSummary(
        case=case,
        pseudonym=pseudonym(case),
        phase=state.phase,
        state_label=translate("state", state.label),
        data=dict(case.data),
        latest_screening=found[0] if found else None,
        referrals=referrals,
        permit_deadlines=permit_deadlines(case=case),
        services=services_of(case=case),
        transitions=workflow.transitions_available(case),
        organisation_names=agency_names(agency_ids=[r.to_agency_id for r in referrals]),
    )


# --- HTCDS -------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def htcds_referral(*, case: Case) -> htcds.HtcdsReferral:
    """The case's last referral as an HTCDS referral: the profile, the screening's form of
    exploitation, the services referred to and provided; never an identity.

    Raises:
        htcds.HtcdsError: the case was never referred, or a stored value is invalid.
    """
    data = case.data
    referral = data.get("referral")
    if not isinstance(referral, dict) or not referral.get("organisation"):
        raise htcds.HtcdsError(f"case {case.reference} was not referred")
    stored = data.get("profile")
    profile: dict[str, Any] = stored if isinstance(stored, dict) else {}
    identification = data.get("identification") or {}
    assessment = identification.get("indicators_assessment") or {}
    types = list(profile.get("exploitation_types") or [])
    if not types and assessment.get("list") in LIST_EXPLOITATION:
        types = [LIST_EXPLOITATION[assessment["list"]]]
    provided = [SERVICE_TO_HTCDS[k] for k in service_kinds(case=case) if k in SERVICE_TO_HTCDS]
    consents = workflow.consents_in_force(case)
    return htcds.HtcdsReferral(
        case_id=case.reference,
        gender=profile.get("gender") or htcds.Gender.UNKNOWN,
        referring_organisation=case.owning_agency.name,
        receiving_organisation=str(referral["organisation"]),
        referral_date=_date(referral.get("date")) or case.opened_on,
        referral_reason=referral.get("reason_code") or htcds.ReferralReason.OTHER,
        # Consent to share: a referral made under a recorded consent still in force; one
        # made by override (no consent) is never exported (decision 0015).
        consent_to_share=not referral.get("consent_overridden")
        and bool(consents & {"referral", "data_sharing"}),
        trafficking_status=trafficking_status(case=case),
        age_band_at_identification=profile.get("age_band") or None,
        citizenship=profile.get("citizenship") or None,
        country_of_exploitation=profile.get("country_of_exploitation") or None,
        exploitation_types=tuple(types),
        means_of_control=tuple(profile.get("means_of_control") or ()),
        recruitment=tuple(profile.get("recruitment") or ()),
        identification_date=_date(identification.get("date")),
        services=tuple(dict.fromkeys([*(referral.get("services") or []), *provided])),
    )


#: The approved identification decision's outcome decides the status a referral reports.
DECISION_STATUS = {
    "identified_victim": htcds.TraffickingStatus.IDENTIFIED,
    "not_identified": htcds.TraffickingStatus.NOT_A_VICTIM,
}


def trafficking_status(*, case: Case) -> htcds.TraffickingStatus:
    """Identified (or not) once an identification decision is approved; until then a
    presumed victim, whom support reaches unconditionally."""
    outcome = (
        decisions_of(case)
        .filter(status="approved")
        .order_by("-pk")
        .values_list("outcome", flat=True)
        .first()
    )
    return DECISION_STATUS.get(outcome or "", htcds.TraffickingStatus.PRESUMED)


def htcds_csv_cell(value: str | int | bool | list[str] | None) -> str | None:
    """A record value as the HTCDS CSV writes it (the web layer adds the formula guard)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return htcds.LIST_SEPARATOR.join(value)
    return str(value)
