"""JSON API of the returns app: the same actions, forms, access rules and audit as the pages.

``POST /cases/{id}/actions/{action}`` takes ``{"version": n, "data": {...}}`` with the fields
of the action's form (``actions.ACTIONS``); 409 on a stale version, 422 with every refused
guard or invalid field (``ura.web.api``). A partner organisation's answers are cut to the data
categories the person consented to share with it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.procedure_labels import translate
from ura.apps.returns import actions, selectors
from ura.casework import reintegration

router = Router(tags=["returns"])


def _row(obj: Any, *names: str) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in ("pk", *names)} | {"id": obj.pk}


def summary_json(summary: selectors.AvrrSummary) -> dict[str, Any]:
    case = summary.case
    travel = summary.travel
    checklist = travel["checklist"] if travel else None
    return {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "phase": summary.phase,
        "version": case.version,
        "owner_view": summary.owner_view,
        "shared_categories": sorted(summary.categories),
        "destination_country": summary.destination_country,
        "progress": summary.progress,
        "application": summary.application,
        "counselling_sessions": [
            _row(s, "held_on", "language", "interpreter", "topics", "outcome")
            | {"counsellor": s.counsellor.get_username()}
            for s in summary.sessions
        ]
        if summary.sessions is not None
        else None,
        "screening": _row(summary.screening, "screened_on", "eligible", "basis")
        if summary.screening
        else None,
        "vulnerability": summary.vulnerability,
        "best_interests": _row(summary.best_interests, "held_on", "guardian_present", "outcome")
        if summary.best_interests
        else None,
        "medical": summary.medical,
        "contact": summary.contact,
        "reintegration_intentions": summary.reintegration_intentions,
        "identity": summary.identity,
        "travel": {
            "missing": travel["missing"],
            "checklist": _row(
                checklist,
                "fit_to_travel",
                "carrier",
                "booking_reference",
                "departure_planned_on",
                "route",
                "allowance_amount",
                "allowance_currency",
                "escort",
                "escort_reason",
            )
            if checklist
            else None,
            "documents": [
                _row(d, "consulate", "country", "requested_on", "status", "answered_on")
                for d in travel["documents"]
            ],
            "movements": [_row(m, "kind", "date", "place") for m in travel["movements"]],
        }
        if travel
        else None,
        "trafficking_links": [link.trafficking_reference for link in summary.trafficking_links]
        if summary.trafficking_links is not None
        else None,
        "referrals": [
            {"id": r.pk, "organisation": name, "status": r.status} for r, name in summary.referrals
        ],
        "deadlines": [
            {
                "code": d.code,
                "label": translate("deadline", d.label),
                "due_on": d.due_on,
                "status": d.status,
                "legal_reference": d.legal_reference,
            }
            for d in summary.deadlines
        ],
        "assistance": [
            _row(a, "level", "kind", "description", "provider_agency_id", "planned_on")
            | {"delivered_on": a.delivered_on, "amount": a.amount, "currency": a.currency}
            for a in summary.assistance
        ],
        "monitoring": [
            _row(v, "visited_on", "economic", "social", "psychosocial", "composite")
            for v in summary.monitoring
        ],
        "transitions": summary.transitions,
        "referral_waiting": summary.referral_waiting.pk if summary.referral_waiting else None,
    }


def _summary(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    if case.procedure_code != selectors.PROCEDURE:
        raise Http404("No such return case.")
    return summary_json(selectors.case_summary(actor=request.user, case=case))


class ActionIn(Schema):
    version: int
    data: dict[str, Any] = {}


@router.get("/cases", summary="The AVRR cases you see")
def cases(request: HttpRequest, open_only: bool = True) -> dict[str, Any]:
    found = selectors.my_cases(actor=request.user, open_only=open_only)
    return {
        "results": [
            {"id": c.pk, "reference": c.reference, "state": c.state, "opened_on": c.opened_on}
            for c in found
        ]
    }


@router.get("/referrals", summary="Referrals of returnees waiting for your organisation")
def referrals(request: HttpRequest) -> dict[str, Any]:
    found = selectors.referrals_awaiting(actor=request.user)
    return {
        "results": [
            {
                "id": r.pk,
                "case_id": r.case_id,
                "reference": r.case.reference,
                "version": r.case.version,
            }
            for r in found
        ]
    }


@router.get("/cases/{case_id}", summary="An AVRR case, as much as you may see of it")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _summary(request, case_id)


@router.get("/actions", summary="The actions on an AVRR case and their fields")
def action_list(request: HttpRequest) -> dict[str, Any]:
    return {
        "actions": [
            {
                "code": a.code,
                "title": str(a.title),
                "transitions": list(a.transitions),
                "fields": [n for n in a.form.base_fields if n != "version"],
            }
            for a in actions.ACTIONS.values()
        ],
        "survey": {
            "version": reintegration.SURVEY_VERSION,
            "check": reintegration.CHECK,
            "indicators": [
                {"field": f"rss_{i.code}", "dimension": i.dimension, "label": i.label}
                for i in reintegration.INDICATORS
            ],
        },
    }


@router.post("/cases/{case_id}/actions/{action}", summary="Perform an action on an AVRR case")
def perform(request: HttpRequest, case_id: int, action: str, payload: ActionIn) -> dict[str, Any]:
    chosen = actions.ACTIONS.get(action)
    if chosen is None:
        raise ValidationError({"action": "No such action; see /actions."})
    data: dict[str, Any] = {"version": payload.version}
    for name, value in payload.data.items():
        if isinstance(value, bool):
            # Django's checkbox reads "on" for ticked and absence for unticked.
            if value:
                data[name] = "on" if name not in ("eligible", "accept") else "yes"
            elif name in ("eligible", "accept"):
                data[name] = "no"
        else:
            data[name] = value
    form = actions.form_for(chosen, _QueryDict(data))
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data(escape_html=False))
    chosen.perform(
        acting_user(request.user), case_id, form.cleaned_data["version"], form.cleaned_data, form
    )
    if action == "referral-answer" and not form.cleaned_data["accept"]:
        # The organisation's access ended with the rejection.
        return {"id": case_id, "rejected": True}
    return _summary(request, case_id)


class _QueryDict(dict[str, Any]):
    """Form data from JSON: lists for the multiple-choice fields, as a form post has."""

    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]
