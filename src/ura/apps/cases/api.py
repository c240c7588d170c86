"""Cases over JSON: the same services, access rules, masking and audit as the pages.

The reads (a case, a list, the work queue) audit every case they show, at the end of the
request (``audit_reads_at_end``): audited as they load, they would hold the audit chain's lock
while the rest of the response is built, and every other request that audits would wait.

A write names the case version the client last read (``version``); a stale one is answered
with 409 and the current version. Refused transition guards are answered with 422 listing
every failure. (The handlers for both are in ``ura.web.api``.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ura.apps.accounts.selectors import acting_user
from ura.apps.cases import consents, handoffs, selectors, services, workflow
from ura.apps.cases.access import access_case_by_id, access_case_document_by_id
from ura.apps.cases.models import (
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    Consent,
    Notification,
    Referral,
    Transfer,
)
from ura.apps.cases.procedure_labels import translate
from ura.apps.core.protected import Sensitivity
from ura.apps.core.services import audit_reads_at_end

router = Router(tags=["cases"])


# --- Output ------------------------------------------------------------------------------------


def _case_json(request: HttpRequest, case: Case) -> dict[str, Any]:
    flags = selectors.visible_vulnerabilities(request.user, case)
    return {
        "id": case.pk,
        "reference": case.reference,
        "procedure": case.procedure_code,
        "procedure_version": case.procedure_version,
        "state": case.state,
        "priority": case.priority,
        "vulnerabilities": flags
        if flags is not None
        else {"masked": True, "sensitivity": Sensitivity.HEALTH.value},
        "data": case.data,
        "opened_on": case.opened_on,
        "closed_at": case.closed_at,
        "restricted": case.restricted,
        "version": case.version,
        "owning_agency": case.owning_agency.code,
        "owning_unit": case.owning_unit.code,
    }


def _note_json(note: CaseNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": note.author.get_username(),
        "text": note.text,
        "created_at": note.created_at,
    }


def _document_json(document: CaseDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at,
        "download": f"/api/v1/cases/documents/{document.pk}",
    }


def _task_json(task: CaseTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "assignee_id": task.assignee_id,
        "due_on": task.due_on,
        "done": task.done_at is not None,
        "done_at": task.done_at,
    }


def _consent_json(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "person_id": consent.person_id,
        "kind": consent.kind,
        "scope": consent.scope,
        "recipient_agency_id": consent.recipient_agency_id,
        "given_on": consent.given_on,
        "recorded_by_id": consent.recorded_by_id,
        "withdrawn_at": consent.withdrawn_at,
    }


def _referral_json(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "case_id": referral.case_id,
        "status": referral.status,
        "from_agency_id": referral.from_agency_id,
        "to_agency_id": referral.to_agency_id,
        "to_unit_id": referral.to_unit_id,
        "service": referral.service,
        "can_change": referral.can_change,
        "consent_id": referral.consent_id,
        "consent_overridden": referral.consent_overridden,
        "submitted_at": referral.submitted_at,
        "responded_at": referral.responded_at,
        "closed_at": referral.closed_at,
    }


def _transfer_json(transfer: Transfer) -> dict[str, Any]:
    return {
        "id": transfer.pk,
        "case_id": transfer.case_id,
        "status": transfer.status,
        "from_unit_id": transfer.from_unit_id,
        "to_agency_id": transfer.to_agency_id,
        "to_unit_id": transfer.to_unit_id,
        "reason": transfer.reason,
        "consent_id": transfer.consent_id,
        "consent_overridden": transfer.consent_overridden,
        "requested_at": transfer.requested_at,
        "responded_at": transfer.responded_at,
    }


def _notification_json(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "case_id": n.case_id,
        "message": n.message,
        "created_at": n.created_at,
        "read": n.read_at is not None,
    }


def _detail_json(request: HttpRequest, case: Case) -> dict[str, Any]:
    found = selectors.case_file(case=case, viewer=request.user)
    return {
        **_case_json(request, case),
        "persons": [
            {"person_id": p.person_id, "role": p.role, "household_group": p.household_group}
            for p in found.persons
        ],
        "assigned": [
            {"user_id": a.user_id, "username": a.user.get_username(), "since": a.assigned_at}
            for a in found.assignments
        ],
        "notes": [_note_json(n) for n in found.notes],
        "documents": [_document_json(d) for d in found.documents],
        "tasks": [_task_json(t) for t in found.tasks],
        "consents": [_consent_json(c) for c in found.consents],
        "referrals": [_referral_json(r) for r in found.referrals],
        "transfers": [_transfer_json(t) for t in found.transfers],
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
            for d in found.deadlines
        ],
        "history": [
            {
                "kind": e.kind,
                "version": e.version,
                "transition": e.transition,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor.get_username() if e.actor else None,
                "occurred_at": e.occurred_at,
                "detail": e.detail,
            }
            for e in found.history
        ],
        # Those a procedure app records itself are posted to its own endpoints.
        "transitions": [
            {**t, "label": translate("transition", t["label"])}
            for t in workflow.transitions_available(case, generic_only=True)
        ],
    }


# --- Input -------------------------------------------------------------------------------------


class CaseIn(Schema):
    procedure: str
    person_id: str
    person_role: str = "principal_applicant"
    household_group: str = "1"
    priority: str = "normal"
    vulnerabilities: list[str] = []
    data: dict[str, Any] = {}
    opened_on: dt.date | None = None
    restricted: bool = False


class Versioned(Schema):
    """``version`` is the case version the client last read."""

    version: int


class CasePatch(Versioned):
    priority: str | None = None
    vulnerabilities: list[str] | None = None
    data_changes: dict[str, Any] | None = None


class TransitionIn(Versioned):
    transition: str
    data_changes: dict[str, Any] = {}
    override_consent_reason: str = ""
    occurred_on: dt.date | None = None


class PersonIn(Versioned):
    person_id: str
    role: str
    household_group: str = "1"


class AssignIn(Versioned):
    user_ids: list[int]


class BulkCase(Schema):
    id: int
    version: int


class BulkAssignIn(Schema):
    cases: list[BulkCase]
    user_ids: list[int]


class NoteIn(Versioned):
    text: str


class TaskIn(Versioned):
    title: str
    assignee_id: int | None = None
    due_on: dt.date | None = None


class ConsentIn(Versioned):
    person_id: str
    kind: str
    given_on: dt.date
    scope: str = ""
    recipient_agency_id: int | None = None


class ReferralIn(Versioned):
    to_agency_id: int
    to_unit_id: int | None = None
    service: str
    can_change: bool = False
    override_consent_reason: str = ""


class TransferIn(Versioned):
    to_unit_id: int
    reason: str
    override_consent_reason: str = ""


class DecisionIn(Versioned):
    note: str = ""


# --- Cases -------------------------------------------------------------------------------------


@router.post("", response={201: dict[str, Any]}, summary="Open a case for a person of the index")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    case = services.case_create(
        actor=acting_user(request.user),
        procedure_code=payload.procedure,
        person_id=payload.person_id,
        person_role=payload.person_role,
        household_group=payload.household_group,
        priority=payload.priority,
        vulnerabilities=payload.vulnerabilities,
        data=payload.data,
        opened_on=payload.opened_on,
        restricted=payload.restricted,
    )
    return Status(201, _detail_json(request, case))


@router.get("", summary="List or search the cases you may see")
def list_cases(
    request: HttpRequest,
    q: str = "",
    procedure: str = "",
    state: str = "",
    priority: str = "",
    person_id: str = "",
    open_only: bool = False,
    page: int = 1,
) -> dict[str, Any]:
    with audit_reads_at_end():
        result = selectors.case_page(
            actor=request.user,
            filters=selectors.CaseFilters(
                q=q,
                procedure=procedure,
                state=state,
                priority=priority,
                person_id=person_id,
                open_only=open_only,
            ),
            page=page,
            per_page=50,
        )
        return {
            "count": result.paginator.count,
            "page": result.number,
            "pages": result.paginator.num_pages,
            "results": [_case_json(request, c) for c in result.object_list],
        }


@router.get(
    "/queue",
    summary="Your work queue: open cases, most urgent and soonest due first",
    description=f"The first `limit` cases (default {selectors.QUEUE_LENGTH}, at most "
    f"{selectors.QUEUE_LENGTH_MAX}).",
)
def queue(
    request: HttpRequest,
    unit_wide: bool = False,
    due_before: dt.date | None = None,
    limit: int = selectors.QUEUE_LENGTH,
) -> dict[str, Any]:
    with audit_reads_at_end():
        cases = selectors.work_queue(
            actor=request.user, unit_wide=unit_wide, due_before=due_before, limit=limit
        )
        return {
            "results": [{**_case_json(request, c), "next_due_on": c.nearest_due_on} for c in cases]
        }


@router.get("/notifications", summary="Your notifications about cases")
def notifications(request: HttpRequest, unread_only: bool = False) -> dict[str, Any]:
    found = selectors.notifications_for(actor=request.user, unread_only=unread_only)
    return {"results": [_notification_json(n) for n in found]}


@router.post("/notifications/{notification_id}/read", summary="Mark a notification read")
def read_notification(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    n = services.notification_mark_read(
        actor=acting_user(request.user), notification_id=notification_id
    )
    return _notification_json(n)


@router.post("/assign", summary="Assign users to many cases at once (all or nothing)")
def assign_bulk(request: HttpRequest, payload: BulkAssignIn) -> dict[str, Any]:
    cases = services.cases_assign_bulk(
        actor=acting_user(request.user),
        cases=[(c.id, c.version) for c in payload.cases],
        user_ids=payload.user_ids,
    )
    return {"results": [{"id": c.pk, "version": c.version} for c in cases]}


@router.get("/{case_id}", summary="One case with its persons, work, hand-offs and history")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    with audit_reads_at_end():
        return _detail_json(request, access_case_by_id(request.user, case_id))


@router.patch("/{case_id}", summary="Change priority, vulnerability flags or case data")
def update_case(request: HttpRequest, case_id: int, payload: CasePatch) -> dict[str, Any]:
    case = services.case_update(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        priority=payload.priority,
        vulnerabilities=payload.vulnerabilities,
        data_changes=payload.data_changes,
    )
    return _case_json(request, case)


@router.post("/{case_id}/transitions", summary="Move the case along its procedure")
def transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> dict[str, Any]:
    case = services.case_transition(
        actor=acting_user(request.user),
        case_id=case_id,
        transition=payload.transition,
        expected_version=payload.version,
        data_changes=payload.data_changes,
        override_consent_reason=payload.override_consent_reason,
        occurred_on=payload.occurred_on,
    )
    return _case_json(request, case)


@router.post("/{case_id}/persons", response={201: dict[str, Any]}, summary="Add a person")
def add_person(request: HttpRequest, case_id: int, payload: PersonIn) -> Status[dict[str, Any]]:
    link = services.case_person_add(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        person_id=payload.person_id,
        role=payload.role,
        household_group=payload.household_group,
    )
    return Status(
        201,
        {
            "person_id": link.person_id,
            "role": link.role,
            "household_group": link.household_group,
            "version": link.case.version,
        },
    )


@router.delete("/{case_id}/persons/{person_id}", summary="Remove a person from the case")
def remove_person(
    request: HttpRequest, case_id: int, person_id: str, version: int
) -> dict[str, Any]:
    services.case_person_remove(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=version,
        person_id=person_id,
    )
    return {"removed": person_id}


@router.post("/{case_id}/assignments", summary="Assign users of the owning agency")
def assign(request: HttpRequest, case_id: int, payload: AssignIn) -> dict[str, Any]:
    case = services.case_assign(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        user_ids=payload.user_ids,
    )
    return {"id": case.pk, "version": case.version}


@router.delete("/{case_id}/assignments/{user_id}", summary="End a user's assignment")
def unassign(request: HttpRequest, case_id: int, user_id: int, version: int) -> dict[str, Any]:
    case = services.case_unassign(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=version,
        user_id=user_id,
    )
    return {"id": case.pk, "version": case.version}


@router.post("/{case_id}/notes", response={201: dict[str, Any]}, summary="Add a note")
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    note = services.case_note_add(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        text=payload.text,
    )
    return Status(201, _note_json(note))


@router.post("/{case_id}/documents", response={201: dict[str, Any]}, summary="Upload a document")
def upload_document(
    request: HttpRequest,
    case_id: int,
    version: Form[int],
    kind: Form[str],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    document = services.case_document_add(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=version,
        kind=kind,
        upload=file,
        original_name=file.name or "",
        content_type=file.content_type or "",
    )
    return Status(201, _document_json(document))


@router.get("/documents/{document_id}", summary="Download a document (audited)")
def download_document(request: HttpRequest, document_id: int) -> FileResponse:
    document = access_case_document_by_id(request.user, document_id)
    response = FileResponse(
        default_storage.open(document.storage_name, "rb"),
        as_attachment=True,
        filename=document.original_name,
        # Served as bytes, never rendered by the browser as what the uploader claimed.
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/{case_id}/tasks", response={201: dict[str, Any]}, summary="Add a task")
def add_task(request: HttpRequest, case_id: int, payload: TaskIn) -> Status[dict[str, Any]]:
    task = services.case_task_add(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        title=payload.title,
        assignee_id=payload.assignee_id,
        due_on=payload.due_on,
    )
    return Status(201, _task_json(task))


@router.post("/{case_id}/tasks/{task_id}/done", summary="Mark a task done")
def complete_task(
    request: HttpRequest, case_id: int, task_id: int, payload: Versioned
) -> dict[str, Any]:
    task = services.case_task_complete(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        task_id=task_id,
    )
    return _task_json(task)


@router.post("/{case_id}/consents", response={201: dict[str, Any]}, summary="Record consent")
def record_consent(
    request: HttpRequest, case_id: int, payload: ConsentIn
) -> Status[dict[str, Any]]:
    consent = consents.consent_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        person_id=payload.person_id,
        kind=payload.kind,
        given_on=payload.given_on,
        scope=payload.scope,
        recipient_agency_id=payload.recipient_agency_id,
    )
    return Status(201, _consent_json(consent))


@router.post("/{case_id}/consents/{consent_id}/withdraw", summary="Record a withdrawal")
def withdraw_consent(
    request: HttpRequest, case_id: int, consent_id: int, payload: Versioned
) -> dict[str, Any]:
    consent = consents.consent_withdraw(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        consent_id=consent_id,
    )
    return _consent_json(consent)


# --- Hand-offs ---------------------------------------------------------------------------------


@router.post("/{case_id}/referrals", response={201: dict[str, Any]}, summary="Refer the case")
def submit_referral(
    request: HttpRequest, case_id: int, payload: ReferralIn
) -> Status[dict[str, Any]]:
    referral = handoffs.referral_submit(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        to_agency_id=payload.to_agency_id,
        to_unit_id=payload.to_unit_id,
        service=payload.service,
        can_change=payload.can_change,
        override_consent_reason=payload.override_consent_reason,
    )
    return Status(201, _referral_json(referral))


@router.post("/referrals/{referral_id}/accept", summary="Accept a referral (recipient)")
def accept_referral(request: HttpRequest, referral_id: int, payload: DecisionIn) -> dict[str, Any]:
    referral = handoffs.referral_accept(
        actor=acting_user(request.user),
        referral_id=referral_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _referral_json(referral)


@router.post("/referrals/{referral_id}/reject", summary="Reject a referral (recipient)")
def reject_referral(request: HttpRequest, referral_id: int, payload: DecisionIn) -> dict[str, Any]:
    referral = handoffs.referral_reject(
        actor=acting_user(request.user),
        referral_id=referral_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _referral_json(referral)


@router.post("/referrals/{referral_id}/complete", summary="Report the service done (recipient)")
def complete_referral(request: HttpRequest, referral_id: int, payload: Versioned) -> dict[str, Any]:
    referral = handoffs.referral_complete(
        actor=acting_user(request.user),
        referral_id=referral_id,
        expected_version=payload.version,
    )
    return _referral_json(referral)


@router.post("/referrals/{referral_id}/revoke", summary="Revoke a referral (referring side)")
def revoke_referral(request: HttpRequest, referral_id: int, payload: Versioned) -> dict[str, Any]:
    referral = handoffs.referral_revoke(
        actor=acting_user(request.user),
        referral_id=referral_id,
        expected_version=payload.version,
    )
    return _referral_json(referral)


@router.post("/{case_id}/transfers", response={201: dict[str, Any]}, summary="Request a transfer")
def request_transfer(
    request: HttpRequest, case_id: int, payload: TransferIn
) -> Status[dict[str, Any]]:
    transfer = handoffs.transfer_request(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        to_unit_id=payload.to_unit_id,
        reason=payload.reason,
        override_consent_reason=payload.override_consent_reason,
    )
    return Status(201, _transfer_json(transfer))


@router.post("/transfers/{transfer_id}/accept", summary="Accept a transfer (take the case over)")
def accept_transfer(request: HttpRequest, transfer_id: int, payload: DecisionIn) -> dict[str, Any]:
    transfer = handoffs.transfer_accept(
        actor=acting_user(request.user),
        transfer_id=transfer_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _transfer_json(transfer)


@router.post("/transfers/{transfer_id}/reject", summary="Decline a transfer")
def reject_transfer(request: HttpRequest, transfer_id: int, payload: DecisionIn) -> dict[str, Any]:
    transfer = handoffs.transfer_reject(
        actor=acting_user(request.user),
        transfer_id=transfer_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _transfer_json(transfer)
