"""JSON API of the trafficking app: the same services, forms, access rules and audit as the
pages. Victims are named by pseudonym; the identity comes only from ``/reveal`` with a reason.

Writes name the case version the client last read (``version``): 409 on a stale one; refused
guards answer 422 with every failure (``ura.web.api``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import translate
from ura.apps.core.protected import Masked
from ura.apps.trafficking import forms, selectors, services
from ura.apps.trafficking.views import htcds_download
from ura.casework.indicators import IndicatorError

router = Router(tags=["trafficking"])


# --- Output ------------------------------------------------------------------------------------


def _summary_json(summary: selectors.TraffickingSummary) -> dict[str, Any]:
    case = summary.case
    screening = summary.latest_screening
    return {
        "id": case.pk,
        "reference": case.reference,
        "person": summary.pseudonym,
        "state": case.state,
        "phase": summary.phase,
        "version": case.version,
        "data": summary.data,
        "screening": _screening_json(screening) if screening else None,
        "referrals": [
            {
                "id": r.pk,
                "status": r.status,
                "to_agency_id": r.to_agency_id,
                "to_unit_id": r.to_unit_id,
                "organisation": summary.organisation_names.get(r.to_agency_id, ""),
                "consent_overridden": r.consent_overridden,
            }
            for r in summary.referrals
        ],
        "permit_deadlines": [
            {
                "code": d.code,
                "instance": d.instance,
                "label": translate("deadline", d.label),
                "started_on": d.started_on,
                "due_on": d.due_on,
                "met_on": d.met_on,
                "status": d.status,
                "legal_reference": d.legal_reference,
            }
            for d in summary.permit_deadlines
        ],
        "services": [_service_json(s) for s in summary.services],
        "transitions": summary.transitions,
    }


def _screening_json(screening: Any) -> dict[str, Any]:
    return {
        "id": screening.pk,
        "indicator_set": screening.indicator_set_version,
        "list": screening.list_code,
        "observed": screening.observed,
        "present_elements": screening.present_elements,
        "rule_outcome": screening.engine_outcome,
        "conclusion": screening.conclusion,
        "screened_on": screening.screened_on,
    }


def _service_json(service: Any) -> dict[str, Any]:
    return {
        "id": service.pk,
        "kind": service.kind,
        "provider_agency_id": service.provider_agency_id,
        "started_on": service.started_on,
        "ended_on": service.ended_on,
        "notes": service.notes,
    }


def _assessment_json(assessment: Any) -> dict[str, Any]:
    return {
        "indicator_set": assessment.version,
        "list": assessment.list_code,
        "outcome": {"code": assessment.outcome.code, "label": assessment.outcome.label},
        "elements": [
            {
                "code": f.element.code,
                "label": f.element.label,
                "present": f.present,
                "observed": [i.code for i in f.indicators],
                "threshold_met": f.threshold.describe() if f.threshold else None,
            }
            for f in assessment.findings
        ],
    }


def _summary(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    if case.procedure_code != selectors.PROCEDURE:
        raise ValidationError({"case": "Not a trafficking case."})
    return _summary_json(selectors.case_summary(case=case))


def _form_or_422(form: Any) -> None:
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data(escape_html=False))


# --- Input -------------------------------------------------------------------------------------


class AssessIn(Schema):
    list_code: str
    observed: list[str] = []


class ScreeningIn(AssessIn):
    version: int
    conclusion: str
    basis: str
    profile: dict[str, Any] = {}


class StepIn(Schema):
    version: int
    data: dict[str, Any] = {}
    override_consent_reason: str = ""


class ReferralIn(Schema):
    version: int
    to_agency_id: int
    to_unit_id: int | None = None
    reason: str
    reason_code: str = "additional_services"
    services: list[str]
    override_consent_reason: str = ""


class AnswerIn(Schema):
    version: int
    note: str = ""


class ServiceIn(Schema):
    version: int
    kind: str
    provider_agency_id: int
    started_on: str
    ended_on: str | None = None
    notes: str = ""


class RevealIn(Schema):
    reason: str


# --- Indicators and screening ------------------------------------------------------------------


@router.get("/indicators", summary="The ILO/EC indicator set in force, by list and element")
def indicators(request: HttpRequest) -> dict[str, Any]:
    chosen = selectors.indicator_set_in_force()
    return {
        "version": chosen.version,
        "effective_from": chosen.effective_from,
        "check": chosen.check,
        "lists": {
            code: {
                "label": item.label,
                "age_group": item.age_group,
                "elements": [
                    {
                        "code": group["element"].code,
                        "label": group["element"].label,
                        "indicators": [
                            {"code": i.code, "grade": i.grade, "label": i.label, "check": i.check}
                            for i in group["indicators"]
                        ],
                    }
                    for group in selectors.indicator_groups(chosen, code)
                ],
            }
            for code, item in chosen.lists.items()
        },
    }


@router.post("/indicators/assess", summary="The rule's opinion on ticked indicators (no write)")
def assess(request: HttpRequest, payload: AssessIn) -> dict[str, Any]:
    try:
        found = selectors.indicator_preview(list_code=payload.list_code, observed=payload.observed)
    except IndicatorError as exc:
        raise ValidationError({"observed": str(exc)}) from exc
    return _assessment_json(found)


@router.post(
    "/cases/{case_id}/screenings",
    response={201: dict[str, Any]},
    summary="Record a screening and act on the screener's conclusion",
)
def screen(request: HttpRequest, case_id: int, payload: ScreeningIn) -> Status[dict[str, Any]]:
    services.screening_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        list_code=payload.list_code,
        observed=payload.observed,
        conclusion=payload.conclusion,
        basis=payload.basis,
        profile=payload.profile,
    )
    return Status(201, _summary(request, case_id))


# --- Cases and steps ---------------------------------------------------------------------------


@router.get("/cases", summary="Your trafficking cases (pseudonymised)")
def cases(request: HttpRequest, open_only: bool = True) -> dict[str, Any]:
    found = selectors.my_cases(actor=request.user, open_only=open_only)
    return {
        "results": [
            {
                "id": c.pk,
                "reference": c.reference,
                "person": selectors.pseudonym(c),
                "state": c.state,
                "opened_on": c.opened_on,
            }
            for c in found
        ]
    }


@router.get("/cases/{case_id}", summary="A trafficking case: phases, referral, permit, services")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _summary(request, case_id)


@router.post("/cases/{case_id}/steps/{transition}", summary="Record a step of the procedure")
def step(request: HttpRequest, case_id: int, transition: str, payload: StepIn) -> dict[str, Any]:
    form_class = forms.STEP_FORMS.get(transition)
    if form_class is None:
        raise ValidationError({"transition": "No such step; see the case's transitions."})
    form = form_class({**payload.data, "version": payload.version})
    _form_or_422(form)
    services.step_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        transition=transition,
        data_changes=form.data_changes(),
        override_consent_reason=payload.override_consent_reason or form.override_reason(),
    )
    return _summary(request, case_id)


@router.post("/cases/{case_id}/referral", summary="Refer to a partner organisation (consent)")
def refer(request: HttpRequest, case_id: int, payload: ReferralIn) -> dict[str, Any]:
    services.case_refer(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        to_agency_id=payload.to_agency_id,
        to_unit_id=payload.to_unit_id,
        reason=payload.reason,
        reason_code=payload.reason_code,
        services_requested=payload.services,
        override_consent_reason=payload.override_consent_reason,
    )
    return _summary(request, case_id)


@router.get("/referrals", summary="Referrals waiting for your organisation's answer")
def referrals(request: HttpRequest) -> dict[str, Any]:
    found = selectors.referrals_awaiting(actor=request.user)
    return {
        "results": [
            {
                "id": r.pk,
                "case_id": r.case_id,
                "reference": r.case.reference,
                "person": selectors.pseudonym(r.case),
                "version": r.case.version,
                "service": r.service,
                "submitted_at": r.submitted_at,
            }
            for r in found
        ]
    }


def _answer(request: HttpRequest, referral_id: int, payload: AnswerIn, accept: bool) -> Any:
    case = services.referral_answer(
        actor=acting_user(request.user),
        referral_id=referral_id,
        expected_version=payload.version,
        accept=accept,
        note=payload.note,
    )
    if not accept:
        # The organisation's access ended with the rejection.
        return {"id": case.pk, "state": case.state, "version": case.version}
    return _summary(request, case.pk)


@router.post("/referrals/{referral_id}/accept", summary="Accept a referral; first assistance")
def accept(request: HttpRequest, referral_id: int, payload: AnswerIn) -> dict[str, Any]:
    result: dict[str, Any] = _answer(request, referral_id, payload, accept=True)
    return result


@router.post("/referrals/{referral_id}/reject", summary="Reject a referral, with the reason")
def reject(request: HttpRequest, referral_id: int, payload: AnswerIn) -> dict[str, Any]:
    result: dict[str, Any] = _answer(request, referral_id, payload, accept=False)
    return result


@router.post(
    "/cases/{case_id}/services", response={201: dict[str, Any]}, summary="Record a service"
)
def add_service(request: HttpRequest, case_id: int, payload: ServiceIn) -> Status[dict[str, Any]]:
    form = forms.ServiceForm(
        {
            "version": payload.version,
            "kind": payload.kind,
            "provider": payload.provider_agency_id,
            "started_on": payload.started_on,
            "ended_on": payload.ended_on or "",
            "notes": payload.notes,
        },
        providers=[(payload.provider_agency_id, "")],
    )
    _form_or_422(form)
    service = services.service_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        kind=form.cleaned_data["kind"],
        provider_agency_id=form.cleaned_data["provider"],
        started_on=form.cleaned_data["started_on"],
        ended_on=form.cleaned_data["ended_on"],
        notes=form.cleaned_data["notes"],
    )
    return Status(201, _service_json(service))


# --- Identity and export -----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.as_json() if isinstance(value, Masked) else value


@router.post("/cases/{case_id}/reveal", summary="Reveal the victim's identity (reason, audited)")
def reveal(
    request: HttpRequest, case_id: int, payload: RevealIn, response: HttpResponse
) -> dict[str, Any]:
    # For this answer only: no cache may keep the identity.
    response["Cache-Control"] = "no-store"
    found = services.identity_reveal(
        actor=acting_user(request.user), case_id=case_id, reason=payload.reason
    )
    return {
        "persons": [
            {
                "person_id": p.person_id,
                "role": p.role,
                "records": [{k: _plain(v) for k, v in r.items()} for r in p.records],
            }
            for p in found
        ]
    }


def _format(fmt: str) -> str:
    if fmt not in ("json", "csv"):
        raise ValidationError({"format": "json or csv"})
    return fmt


@router.get("/cases/{case_id}/htcds", summary="Export the case's referral in HTCDS (audited)")
def htcds_case(request: HttpRequest, case_id: int, format: str = "json") -> HttpResponse:
    fmt = _format(format)
    records = services.htcds_export(actor=acting_user(request.user), case_id=case_id)
    return htcds_download(records, fmt, f"htcds-case-{case_id}")


@router.get("/htcds", summary="Export every referral you may see in HTCDS (supervisors)")
def htcds_all(request: HttpRequest, format: str = "json") -> HttpResponse:
    fmt = _format(format)
    records = services.htcds_export(actor=acting_user(request.user))
    return htcds_download(records, fmt, "htcds-referrals")
