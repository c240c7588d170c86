"""JSON API of the readmission app: every action on a readmission request.

The same services, access rules and audit as the pages. A write names the case version the
client last read (``version``): a stale one is answered 409; refused transition guards 422
with every failure; invalid values and the agreement's rules 422 with the field errors
(handlers in ``ura.web.api``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import translate
from ura.apps.readmission import selectors, services
from ura.apps.readmission.roles import MANAGE, VIEW_DASHBOARD

if TYPE_CHECKING:
    from ura.apps.cases.models import Case
    from ura.casework.deadlines import Deadline
    from ura.casework.readmission import Agreement, Period

router = Router(tags=["readmission"])


def _period(period: Period | None) -> dict[str, Any] | None:
    if period is None:
        return None
    return {
        "duration": period.duration,
        "unit": period.unit,
        "legal_reference": period.legal_reference,
        "check": period.check,
        "extendable": period.extendable,
    }


def _agreement_json(agreement: Agreement) -> dict[str, Any]:
    return {
        "code": agreement.code,
        "version": agreement.version,
        "title": agreement.title,
        "short_title": agreement.short_title,
        "publication": agreement.publication,
        "parties": list(agreement.parties),
        "counterparts": list(agreement.counterparts),
        "form": {"title": agreement.form.title, "reference": agreement.form.reference},
        "accelerated": (
            {
                "request_within": _period(agreement.accelerated_request),
                "reply_within": _period(agreement.accelerated_reply),
            }
            if agreement.has_accelerated_procedure
            else None
        ),
        "reply": _period(agreement.reply),
        "deemed_consent": {
            "applies": agreement.deemed_consent.applies,
            "legal_reference": agreement.deemed_consent.legal_reference,
            "check": agreement.deemed_consent.check,
        },
        "travel_document": _period(agreement.travel_document),
        "transfer": _period(agreement.transfer),
        "return_back": _period(agreement.return_back),
    }


def _deadline_json(d: Deadline) -> dict[str, Any]:
    return {
        "code": d.rule_code,
        "label": translate("deadline", d.label),
        "instance": d.instance,
        "started_on": d.started_on,
        "due_on": d.due_on,
        "met_on": d.met_on,
        "status": d.status,
        "legal_reference": d.legal_reference,
        "check": d.check,
    }


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "version": case.version,
        "opened_on": case.opened_on,
        "data": case.data,
    }


def _detail_json(case: Case) -> dict[str, Any]:
    summary = selectors.request_summary(case=case)
    return {
        **_case_json(case),
        "state_label": summary.state_label,
        "agreement": _agreement_json(summary.agreement) if summary.agreement else None,
        "deadlines": [_deadline_json(d) for d in summary.deadlines],
        "deemed_consent_possible": summary.deemed_consent_possible,
        "return_back_until": summary.return_back_until,
    }


class Versioned(Schema):
    version: int


class DraftIn(Schema):
    person_id: str
    agreement: str
    counterpart: str
    procedure: str = "regular"
    grounds: str
    evidence: list[str]
    nationality: str
    apprehended_on: dt.date
    apprehension_place: str
    border_region: bool = False
    notes: str = ""
    drafted_on: dt.date | None = None


class SendIn(Versioned):
    sent_on: dt.date | None = None


class StepIn(Versioned):
    values: dict[str, Any] = {}
    occurred_on: dt.date | None = None


@router.get("/agreements", summary="Readmission agreements in force, with their figures")
def agreements(request: HttpRequest) -> list[dict[str, Any]]:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    return [_agreement_json(a) for a in selectors.agreements_in_force()]


@router.post("/requests", response={201: dict[str, Any]}, summary="Draft a readmission request")
def draft(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    case = services.request_draft(
        actor=acting_user(request.user),
        person_id=payload.person_id,
        agreement=payload.agreement,
        counterpart=payload.counterpart,
        regime=payload.procedure,
        grounds=payload.grounds,
        evidence=payload.evidence,
        nationality=payload.nationality,
        apprehended_on=payload.apprehended_on,
        apprehension_place=payload.apprehension_place,
        border_region=payload.border_region,
        notes=payload.notes,
        drafted_on=payload.drafted_on,
    )
    return Status(201, _detail_json(case))


@router.get("/requests", summary="The readmission requests you may see")
def list_requests(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    return [_case_json(c) for c in selectors.requests_of(actor=request.user, state=state)[:500]]


@router.get("/requests/{case_id}", summary="One request, with its agreement and deadlines")
def detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("No such readmission request.")
    return _detail_json(case)


@router.get("/requests/{case_id}/form.pdf", summary="The common form, marked as a draft")
def form_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    pdf = services.request_form_pdf(actor=acting_user(request.user), case_id=case_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="readmission-request-{case_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@router.post("/requests/{case_id}/send", summary="Send the request on the common form")
def send(request: HttpRequest, case_id: int, payload: SendIn) -> dict[str, Any]:
    case = services.request_send(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        sent_on=payload.sent_on,
    )
    return _detail_json(case)


@router.post("/requests/{case_id}/steps/{transition}", summary="Record a step of the request")
def step(request: HttpRequest, case_id: int, transition: str, payload: StepIn) -> dict[str, Any]:
    case = services.step_record(
        actor=acting_user(request.user),
        case_id=case_id,
        transition=transition,
        expected_version=payload.version,
        values=payload.values,
        occurred_on=payload.occurred_on,
    )
    return _detail_json(case)


@router.post("/requests/{case_id}/deemed-consent", summary="Apply deemed consent to a request")
def deemed_consent(request: HttpRequest, case_id: int, payload: Versioned) -> dict[str, Any]:
    case = services.deemed_consent_apply(
        actor=acting_user(request.user), case_id=case_id, expected_version=payload.version
    )
    return _detail_json(case)


@router.post("/deemed-consent", summary="Apply deemed consent wherever the reply time has passed")
def deemed_consent_due(request: HttpRequest) -> dict[str, Any]:
    done = services.deemed_consent_apply_due(actor=acting_user(request.user))
    return {"applied": [{"id": c.pk, "reference": c.reference} for c in done]}


@router.get("/dashboard", summary="Figures per counterpart country over a period")
def dashboard(
    request: HttpRequest,
    since: dt.date | None = None,
    until: dt.date | None = None,
    counterpart: str = "",
) -> dict[str, Any]:
    if not request.user.has_perm(VIEW_DASHBOARD):
        raise PermissionDenied
    until = until or timezone.localdate()
    since = since or until.replace(month=1, day=1)
    if since > until:
        raise ValidationError({"since": "The period's start is after its end."})
    figures = selectors.dashboard(
        actor=request.user, since=since, until=until, counterpart=counterpart.upper()
    )
    return selectors.dashboard_as_data(figures)
