"""JSON API for decisions on cases (mounted under /api/v1/cases/decisions/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import decisions
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.decision_views import decision_pdf_response
from ura.apps.cases.models import CaseDecision

router = Router(tags=["decisions"])


def _decision_json(decision: CaseDecision, *, with_text: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": decision.pk,
        "case_id": decision.case_id,
        "outcome": decision.outcome,
        "language": decision.language,
        "status": decision.status,
        "revision": decision.revision,
        "edited": decision.edited,
        "drafted_by": decision.drafted_by_id,
        "drafted_at": decision.drafted_at,
        "submitted_at": decision.submitted_at,
        "reviewed_by": decision.reviewed_by_id,
        "reviewed_at": decision.reviewed_at,
        "review_comments": decision.review_comments,
        "decided_on": decision.decided_on,
        "document_id": decision.document_id,
        "sha256": decision.document.sha256 if decision.document is not None else None,
    }
    if with_text:
        body["reasons"] = decision.reasons
        body["text"] = decision.text
    return body


class DraftIn(Schema):
    case_id: int
    version: int
    outcome: str
    language: str
    reasons: str


class EditIn(Schema):
    revision: int
    text: str


class StepIn(Schema):
    version: int


class ReturnIn(StepIn):
    comments: str


@router.post("/", response={201: dict[str, Any]}, summary="Draft a case's decision")
def draft(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    decision = decisions.decision_draft(
        actor=acting_user(request.user),
        case_id=payload.case_id,
        expected_version=payload.version,
        outcome=payload.outcome,
        language=payload.language,
        reasons=payload.reasons,
    )
    return Status(201, _decision_json(decision))


@router.get("/", summary="A case's decisions, newest first")
def list_for_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    found = decisions.decisions_of(case).select_related("document")
    return {"items": [_decision_json(d, with_text=False) for d in found]}


@router.get("/{decision_id}", summary="One decision with its text (audited)")
def get_decision(request: HttpRequest, decision_id: int) -> dict[str, Any]:
    return _decision_json(decisions.access_decision_by_id(request.user, decision_id))


@router.put("/{decision_id}", summary="Change a draft's text (the drafter only)")
def edit(request: HttpRequest, decision_id: int, payload: EditIn) -> dict[str, Any]:
    decision = decisions.decision_edit(
        actor=acting_user(request.user),
        decision_id=decision_id,
        expected_revision=payload.revision,
        text=payload.text,
    )
    return _decision_json(decision)


@router.post("/{decision_id}/submit", summary="Submit the draft for approval")
def submit(request: HttpRequest, decision_id: int, payload: StepIn) -> dict[str, Any]:
    decision = decisions.decision_submit(
        actor=acting_user(request.user), decision_id=decision_id, expected_version=payload.version
    )
    return _decision_json(decision)


@router.post("/{decision_id}/return", summary="Return the draft with comments (not its drafter)")
def return_(request: HttpRequest, decision_id: int, payload: ReturnIn) -> dict[str, Any]:
    decision = decisions.decision_return(
        actor=acting_user(request.user),
        decision_id=decision_id,
        expected_version=payload.version,
        comments=payload.comments,
    )
    return _decision_json(decision)


@router.post("/{decision_id}/approve", summary="Approve: lock, render the PDF, notify")
def approve(request: HttpRequest, decision_id: int, payload: StepIn) -> dict[str, Any]:
    decision = decisions.decision_approve(
        actor=acting_user(request.user), decision_id=decision_id, expected_version=payload.version
    )
    return _decision_json(decision)


@router.get("/{decision_id}/pdf", summary="The decision as PDF: final, or a marked draft")
def pdf(request: HttpRequest, decision_id: int) -> HttpResponse:
    return decision_pdf_response(request, decision_id)
