"""JSON API of the removals app: the same forms, services, rules, access and audit as the
pages.

Writes name the case version the client last read (``version``): 409 on a stale one; refused
guards and rules answer 422 with every failure (``ura.web.api``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import translate
from ura.apps.removals import forms, selectors
from ura.apps.removals.views import step_submit

router = Router(tags=["removals"])


def _summary_json(summary: selectors.RemovalSummary) -> dict[str, Any]:
    case = summary.case
    clock = summary.decision_clock
    return {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "phase": summary.phase,
        "version": case.version,
        "data": summary.data,
        "decision_clock": {
            "apprehended_at": clock.apprehended_at,
            "due_at": clock.due_at,
            "decided_at": clock.decided_at,
            "late": clock.late,
        }
        if clock
        else None,
        "detention_running": summary.detention_running,
        "alternative_running": summary.alternative_running,
        "detention_maximum_on": summary.detention_maximum_on,
        "deadlines": [
            {
                "code": d.code,
                "instance": d.instance,
                "label": translate("deadline", d.label),
                "started_on": d.started_on,
                "due_on": d.due_on,
                "met_on": d.met_on,
                "status": d.status,
                "legal_reference": d.legal_reference,
                "binding": d.binding,
                "check": d.needs_check,
            }
            for d in summary.deadlines
        ],
        "reviews": [
            {
                "id": r.pk,
                "subject": r.subject,
                "reviewed_on": r.reviewed_on,
                "reviewer": r.reviewer,
                "outcome": r.outcome,
                "reasons": r.reasons,
                "next_due_on": r.next_due_on,
                "beyond_maximum": r.beyond_maximum,
            }
            for r in summary.reviews
        ],
        "transitions": summary.transitions,
    }


def _summary(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    if case.procedure_code != selectors.PROCEDURE:
        raise ValidationError({"case": "Not a removal case."})
    return _summary_json(selectors.case_summary(case=case))


class StepIn(Schema):
    version: int
    data: dict[str, Any] = {}


@router.get("/cases", summary="Your removal cases, the most urgent deadlines first")
def cases(request: HttpRequest, open_only: bool = True) -> dict[str, Any]:
    rows = selectors.my_cases(actor=request.user, open_only=open_only)
    return {
        "results": [
            {
                "id": r.case.pk,
                "reference": r.case.reference,
                "state": r.case.state,
                "opened_on": r.case.opened_on,
                "next_due_on": r.next_due_on,
                "overdue": r.overdue,
                "due_soon": r.due_soon,
            }
            for r in rows
        ]
    }


@router.get("/cases/{case_id}", summary="A removal case: record, detention, deadlines, reviews")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _summary(request, case_id)


@router.post("/cases/{case_id}/steps/{transition}", summary="Record a step of the procedure")
def step(request: HttpRequest, case_id: int, transition: str, payload: StepIn) -> dict[str, Any]:
    form_class = forms.STEP_FORMS.get(transition)
    if form_class is None:
        raise ValidationError({"transition": "No such step; see the case's transitions."})
    form = form_class({**payload.data, "version": payload.version})
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data(escape_html=False))
    step_submit(acting_user(request.user), case_id, transition, form)
    return _summary(request, case_id)
