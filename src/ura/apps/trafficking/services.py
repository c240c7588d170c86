"""Writes of the trafficking app: screening, the phases of the national referral mechanism,
referral to and answer by a partner organisation, services, the identity reveal and the
HTCDS export.

Every write goes through the case engine (``cases.services``, ``cases.handoffs``): need-to-know,
optimistic locking, guards of the procedure (``trafficking-nrm.yaml``), history and audit. A
step that needs two engine writes (a referral is a ``refer`` transition *and* a hand-off)
runs them in one transaction, so that either both happen or neither does. The engine audits
a refused transition inside that transaction, which then rolls back; so such a refusal is
audited again here, after the rollback, where it stays.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.accounts.policy import Action
from ura.apps.accounts.selectors import agency_by_id, unit_by_id
from ura.apps.cases import handoffs, services, workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Masked, visible_value
from ura.apps.core.services import audit_record, audit_records_shown
from ura.apps.people import index
from ura.apps.people.selectors import person_records_for_case_work
from ura.apps.trafficking import selectors
from ura.apps.trafficking.models import (
    AssistanceService,
    Screening,
    ScreeningConclusion,
    ServiceKind,
)
from ura.apps.trafficking.roles import EXPORT_HTCDS, IDENTIFY, MANAGE, REVEAL
from ura.casework import htcds
from ura.casework.indicators import IndicatorError, assess, current_indicator_set
from ura.ingest.countries import ISO3166_ALPHA3

if TYPE_CHECKING:
    from ura.apps.accounts.models import User
    from ura.apps.cases.models import Case

PROCEDURE = selectors.PROCEDURE
#: This app's recorder of the steps and case data it declares (``apps.py``): passed to
#: the case engine's transition and update, which refuse those from anywhere else.
OWNER = workflow.StepOwner(
    PROCEDURE, gettext_lazy("the trafficking case's pages (identification and referral)")
)
#: The case data the identification and referral services write: the generic case update
#: cannot change it.
OWNED_DATA = (
    "identification",
    "profile",
    # The referral as made and answered (not "referral not possible", a generic step's).
    *(
        f"referral.{key}"
        for key in (
            "id",
            "organisation",
            "agency_id",
            "unit_id",
            "reason",
            "reason_code",
            "services",
            "date",
            "consent_overridden",
            "accepted_by",
            "accepted_on",
            "rejection_reason",
        )
    ),
)

#: The transitions with their own service below; ``step_record`` does the others.
OWN_SERVICES = frozenset(
    {"identify_presumed_victim", "screen_out", "refer", "accept_referral", "reject_referral"}
)

#: Profile fields (case data ``profile.*``): what the HTCDS export says about the person,
#: none of it identifying. Lists hold Ura's values of ``ura.casework.htcds``.
PROFILE_CHOICES: Mapping[str, type[StrEnum]] = {
    "gender": htcds.Gender,
    "exploitation_types": htcds.ExploitationType,
    "means_of_control": htcds.MeansOfControl,
    "recruitment": htcds.RecruitmentMethod,
}
#: An age band as HTCDS writes it ("18-24", "48+"), given when the exact age is withheld.
_AGE_BAND = re.compile(r"\d{1,3}(-\d{1,3}|\+)")


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


def _require(actor: User, permission: str, case: Case | None = None) -> None:
    if actor.has_perm(permission):
        return
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        object_type="" if case is not None else "trafficking",
        detail={"attempted": permission, "outcome": "forbidden"},
    )
    raise PermissionDenied(_("You may not do this on trafficking cases."))


def _case(actor: User, case_id: int, action: Action = "change") -> Case:
    """A trafficking case the actor may perform ``action`` on.

    Raises:
        Http404: no such case, not visible to the actor, or of another procedure.
        PermissionDenied: the actor sees the case but may not perform ``action``.
    """
    case = access_case_by_id(actor, case_id, action=action)
    if case.procedure_code != PROCEDURE:
        raise Http404("No such trafficking case.")
    return case


# --- Screening ---------------------------------------------------------------------------------


def _clean_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The profile as case-data changes (``profile.<field>``), values checked."""
    changes: dict[str, Any] = {}
    for name, value in profile.items():
        if name in PROFILE_CHOICES:
            allowed = {m.value for m in PROFILE_CHOICES[name]}
            values = [value] if isinstance(value, str) else list(value or [])
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValidationError({name: _("Unknown value: %s") % ", ".join(map(str, bad))})
            changes[f"profile.{name}"] = value or None
        elif name in ("citizenship", "country_of_exploitation"):
            code = str(value or "").strip().upper()
            if code and code not in ISO3166_ALPHA3:
                raise ValidationError({name: _("Give an ISO 3166-1 alpha-3 country code.")})
            changes[f"profile.{name}"] = code or None
        elif name == "age_band":
            band = str(value or "").strip()
            if band and not _AGE_BAND.fullmatch(band):
                raise ValidationError({name: _("Give an age band such as 18-24 or 48+.")})
            changes["profile.age_band"] = band or None
        else:
            raise ValidationError({name: _("Unknown profile field.")})
    return changes


def screening_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    list_code: str,
    observed: Iterable[str],
    conclusion: str,
    basis: str,
    profile: Mapping[str, Any] | None = None,
    occurred_on: dt.date | None = None,
) -> Screening:
    """Store a screening with the indicator set in force today and act on the screener's
    conclusion: ``presumed_victim`` identifies (transition ``identify_presumed_victim``),
    ``not_identified`` screens out (``screen_out``), ``undetermined`` only records it.

    The rule's opinion and the screener's conclusion are both kept; the conclusion decides
    (docs/trafficking-indicators.md: the rule is advice). The summary the procedure's guards
    need goes into the case data (``identification.*``).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown list or indicator, no basis, a case not in screening.
        workflow.TransitionRefusedError: a guard of the transition failed.
    """
    case = _case(actor, case_id)
    _require(actor, IDENTIFY, case)
    if case.state != "screening":
        raise ValidationError({"state": _("The case is not in screening.")})
    if conclusion not in ScreeningConclusion.values:
        raise ValidationError({"conclusion": _("Choose a conclusion.")})
    if not basis.strip():
        raise ValidationError({"basis": _("Give the basis of your conclusion.")})
    # A screening entered later is assessed with the indicator set in force on its own day.
    today = occurred_on or timezone.localdate()
    try:
        assessment = assess(current_indicator_set(today), list_code, observed)
    except IndicatorError as exc:
        raise ValidationError({"observed": str(exc)}) from exc
    observed_codes = sorted({i.code for f in assessment.findings for i in f.indicators})
    summary = {
        "indicator_set": assessment.version,
        "list": list_code,
        "observed": observed_codes,
        "present_elements": sorted(assessment.present_elements),
        "rule_outcome": assessment.outcome.code,
        "screener_conclusion": conclusion,
    }
    changes: dict[str, Any] = {
        **_clean_profile(profile or {}),
        "identification.indicators_assessment": summary,
        "identification.basis": basis.strip(),
        "identification.date": today.isoformat(),
    }
    try:
        with transaction.atomic():
            if conclusion == ScreeningConclusion.PRESUMED_VICTIM:
                services.case_transition(
                    recorded_by=OWNER,
                    actor=actor,
                    case_id=case_id,
                    transition="identify_presumed_victim",
                    expected_version=expected_version,
                    data_changes=changes,
                    occurred_on=occurred_on,
                )
            elif conclusion == ScreeningConclusion.NOT_IDENTIFIED:
                changes["identification.conclusion_reason"] = basis.strip()
                services.case_transition(
                    recorded_by=OWNER,
                    actor=actor,
                    case_id=case_id,
                    transition="screen_out",
                    expected_version=expected_version,
                    data_changes=changes,
                    occurred_on=occurred_on,
                )
            else:
                services.case_update(
                    recorded_by=OWNER,
                    actor=actor,
                    case_id=case_id,
                    expected_version=expected_version,
                    data_changes=changes,
                )
            screening = Screening.objects.create(
                case=case,
                indicator_set_version=assessment.version,
                list_code=list_code,
                observed=observed_codes,
                present_elements=summary["present_elements"],
                engine_outcome=assessment.outcome.code,
                conclusion=conclusion,
                basis=basis.strip(),
                screener=actor,
                screened_on=today,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=screening,
                detail={
                    "case": case.pk,
                    "indicator_set": assessment.version,
                    "rule_outcome": assessment.outcome.code,
                    "conclusion": conclusion,
                },
            )
    except workflow.TransitionRefusedError as exc:
        _refused(actor, case, "screening", exc)
        raise
    return screening


# --- Phases ------------------------------------------------------------------------------------


def step_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    transition: str,
    data_changes: Mapping[str, Any],
    override_consent_reason: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Record one step of the procedure that needs no hand-off: the risk assessment, the
    "referral not possible" path, the victim permit, the assistance plan and reviews,
    proceedings and compensation, return, closure and its four-eyes approval.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: a transition that has its own service (screening, referral).
        workflow.TransitionRefusedError: a guard failed (permission, data, consent,
            four-eyes).
    """
    _case(actor, case_id)
    if transition in OWN_SERVICES:
        raise ValidationError({"transition": _("This step has its own page.")})
    return services.case_transition(
        recorded_by=OWNER,
        actor=actor,
        case_id=case_id,
        transition=transition,
        expected_version=expected_version,
        data_changes=data_changes,
        override_consent_reason=override_consent_reason,
        occurred_on=occurred_on,
    )


# --- Referral and the partner organisation's answer --------------------------------------------


def case_refer(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    to_agency_id: int,
    reason: str,
    to_unit_id: int | None = None,
    reason_code: str = htcds.ReferralReason.ADDITIONAL_SERVICES,
    services_requested: Sequence[str] = (),
    override_consent_reason: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """Refer a presumed victim to a partner organisation (or one unit of it): the ``refer``
    transition and the engine's referral — which grants the organisation view and change of
    the case while the referral is open — in one transaction.

    Refused without a recorded ``referral`` consent unless the actor holds
    ``cases.override_consent`` and gives a reason; the engine audits the override.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        handoffs.ConsentRequiredError: nobody consented and no override reason was given.
        workflow.TransitionRefusedError: a guard of ``refer`` failed.
        ValidationError: unknown recipient or service, no reason.
    """
    case = _case(actor, case_id)
    agency = agency_by_id(to_agency_id)
    unit = unit_by_id(to_unit_id) if to_unit_id is not None else None
    if agency is None or (to_unit_id is not None and (unit is None or unit.agency_id != agency.pk)):
        raise ValidationError({"to_agency_id": _("No such organisation.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the person is referred.")})
    if reason_code not in {r.value for r in htcds.ReferralReason}:
        raise ValidationError({"reason_code": _("Unknown reason.")})
    wanted = list(dict.fromkeys(services_requested))
    unknown = [s for s in wanted if s not in {m.value for m in htcds.Service}]
    if unknown or not wanted:
        raise ValidationError({"services": _("Choose the services the person is referred for.")})
    try:
        with transaction.atomic():
            referral = handoffs.referral_submit(
                actor=actor,
                case_id=case_id,
                expected_version=expected_version,
                to_agency_id=agency.pk,
                to_unit_id=to_unit_id,
                service=", ".join(wanted),
                # The partner organisation works on the case: it records services and the
                # phases of assistance.
                can_change=True,
                override_consent_reason=override_consent_reason,
            )
            case = services.case_transition(
                recorded_by=OWNER,
                actor=actor,
                case_id=case_id,
                transition="refer",
                expected_version=expected_version + 1,
                data_changes={
                    "referral": {
                        "id": referral.pk,
                        "organisation": agency.name,
                        "agency_id": agency.pk,
                        "unit_id": to_unit_id,
                        "reason": reason.strip(),
                        "reason_code": str(reason_code),
                        "services": wanted,
                        "date": (occurred_on or timezone.localdate()).isoformat(),
                        "consent_overridden": referral.consent_overridden,
                    }
                },
                override_consent_reason=override_consent_reason,
                occurred_on=occurred_on,
            )
    except (
        workflow.TransitionRefusedError,
        handoffs.ConsentRequiredError,
        PermissionDenied,
    ) as exc:
        _refused(actor, case, "refer", exc)
        raise
    return case


def referral_answer(
    *,
    actor: User,
    referral_id: int,
    expected_version: int,
    accept: bool,
    note: str = "",
    occurred_on: dt.date | None = None,
) -> Case:
    """The partner organisation accepts a referral (first assistance starts: transition
    ``accept_referral`` with ``referral.accepted_by``) or rejects it with a reason (the case
    returns to the referring side: ``reject_referral``; the organisation's access ends).

    Raises:
        Http404: no such referral of a trafficking case visible to the actor.
        PermissionDenied: the actor is not of the recipient organisation, or lacks
            ``trafficking.manage_case``.
        ValidationError: the referral is not waiting; a rejection without reason.
        CaseConflictError: the case changed since ``expected_version``.
    """
    found = selectors.referral_for_answer(actor=actor, referral_id=referral_id)
    case = found.case
    if not accept and not note.strip():
        raise ValidationError({"note": _("Say why the referral is rejected.")})
    organisation = agency_by_id(found.to_agency_id)
    data: dict[str, Any] = (
        {
            "referral.accepted_by": organisation.name if organisation else str(actor.agency_id),
            "referral.accepted_on": (occurred_on or timezone.localdate()).isoformat(),
        }
        if accept
        else {"referral.rejection_reason": note.strip()}
    )
    try:
        with transaction.atomic():
            # The transition first: rejecting the hand-off ends the organisation's access.
            services.case_transition(
                recorded_by=OWNER,
                actor=actor,
                case_id=case.pk,
                transition="accept_referral" if accept else "reject_referral",
                expected_version=expected_version,
                data_changes=data,
                occurred_on=occurred_on,
            )
            step = handoffs.referral_accept if accept else handoffs.referral_reject
            step(
                actor=actor,
                referral_id=referral_id,
                expected_version=expected_version + 1,
                note=note,
            )
    except (workflow.TransitionRefusedError, PermissionDenied, ValidationError) as exc:
        _refused(actor, case, "referral_answer", exc)
        raise
    case.refresh_from_db()
    return case


# --- Services ----------------------------------------------------------------------------------


def service_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    kind: str,
    provider_agency_id: int,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    notes: str = "",
) -> AssistanceService:
    """Record a service provided to the victim (shelter, medical, psychological, legal,
    interpretation), usually by the partner organisation; the kinds provided so far are kept
    in the case data (``assistance.services``) for the referral export and the decision.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown kind or provider, dates out of order, a closed case.
    """
    case = _case(actor, case_id)
    _require(actor, MANAGE, case)
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": _("Unknown service.")})
    if agency_by_id(provider_agency_id) is None:
        raise ValidationError({"provider_agency_id": _("No such organisation.")})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("A service cannot start in the future.")})
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": _("A service cannot end before it starts.")})
    if case.closed_at is not None or case.state == "screening":
        raise ValidationError({"state": _("Services are recorded for open, identified cases.")})
    kinds = sorted({*selectors.service_kinds(case=case), kind})
    with transaction.atomic():
        services.case_update(
            recorded_by=OWNER,
            actor=actor,
            case_id=case_id,
            expected_version=expected_version,
            data_changes={"assistance.services": kinds},
        )
        service = AssistanceService.objects.create(
            case=case,
            kind=kind,
            provider_agency_id=provider_agency_id,
            started_on=started_on,
            ended_on=ended_on,
            notes=notes.strip(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=service,
            detail={"case": case.pk, "kind": kind, "provider_agency_id": provider_agency_id},
        )
    return service


# --- Identity ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who a person of the case is, as the person index shows it to the actor."""

    person_id: str
    role: str
    records: list[dict[str, Any]]  # one per record the actor may see; values may be Masked


IDENTITY_FIELDS = (
    "family_name",
    "given_names",
    "sex",
    "date_of_birth",
    "nationality",
    "document_type",
    "document_number",
)


def identity_reveal(*, actor: User, case_id: int, reason: str) -> list[Identity]:
    """Reveal who the persons of a trafficking case are, for one page view or API answer.

    Only a user working on the case may: assigned to it, or of the partner organisation
    that accepted a referral of it (still open) — and holding
    ``trafficking.reveal_identity``. The reason is required and audited with the reveal.
    Nothing is cached or kept in the session. The identity comes from the person's records
    the actor may see; if there are none (a partner organisation), from the person's records
    on the basis of the case, audited with that basis. Sensitive fields stay masked as the
    actor's clearance requires.

    Raises:
        Http404: the case is not visible to the actor.
        PermissionDenied: the actor lacks the permission or does not work on the case.
        ValidationError: no reason given.
    """
    case = _case(actor, case_id, action="view")
    _require(actor, REVEAL, case)
    if not selectors.works_on(actor=actor, case=case):
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            obj=case,
            detail={"attempted": "reveal_identity", "outcome": "not_working_on_case"},
        )
        raise PermissionDenied(_("Only those working on the case may reveal the identity."))
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": _("Say why you need to see the identity.")})
    persons = selectors.case_persons(case=case)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=case,
        detail={
            "identity_revealed": True,
            # The justification is the point of this event.
            "reason": reason.strip()[:300],
            "persons": [p for p, _role in persons],
        },
    )
    found = []
    for person_id, role in persons:
        try:
            records = list(index.access_person_view(actor, person_id).records)
        except (Http404, PermissionDenied):
            records = []
        if not records:
            # The person's records lie outside the user's own scope (a partner organisation
            # sheltering the person): working on the case is the basis, audited as such.
            records = person_records_for_case_work(
                actor=actor, person_ids=[person_id], basis=f"trafficking case {case.reference}"
            ).get(person_id, [])
        found.append(
            Identity(
                person_id=person_id,
                role=role,
                records=[
                    {name: _identity_value(actor, record, name) for name in IDENTITY_FIELDS}
                    for record in records
                ],
            )
        )
    return found


def _identity_value(actor: User, record: Any, name: str) -> Any:
    value = visible_value(actor, record, name)
    if isinstance(value, Masked):
        return value
    if name == "date_of_birth":
        return record.date_of_birth_text()
    return value


# --- HTCDS export ------------------------------------------------------------------------------


def htcds_export(*, actor: User, case_id: int | None = None) -> list[htcds.HtcdsRecord]:
    """HTCDS records of one referred case, or (``case_id`` None, supervisors only: holders of
    ``trafficking.approve_closure``) of every referred trafficking case the actor may see.
    Audited as an export of each case.

    A case whose person did not consent to sharing (the referral was made by override) is
    refused alone, and left out of the whole export.

    Raises:
        Http404: the case is not visible.
        PermissionDenied: no ``trafficking.export_htcds`` (or not a supervisor for all).
        ValidationError: the case was never referred, or has no consent to share.
    """
    _require(actor, EXPORT_HTCDS)
    if case_id is not None:
        case = _case(actor, case_id, action="view")
        try:
            records = [htcds.to_htcds_record(selectors.htcds_referral(case=case))]
        except htcds.HtcdsError as exc:
            raise ValidationError({"case": str(exc)}) from exc
        chosen = [case]
    else:
        _require(actor, "trafficking.approve_closure")
        records, chosen = [], []
        for case in selectors.referred_cases(actor=actor):
            try:
                records.append(htcds.to_htcds_record(selectors.htcds_referral(case=case)))
            except htcds.HtcdsError:
                continue
            chosen.append(case)
    audit_records_shown(
        actor=actor, action=AuditAction.EXPORT, objects=chosen, detail={"format": "htcds"}
    )
    return records
