"""JSON API of the asylum app: the LFIP steps that need more than the generic transition.

The same services, access rules and audit as the pages. A write names the case version the
client last read (``version``): a stale one is answered 409; refused transition guards 422
with every failure; invalid values 422 with the field errors (handlers in ``ura.web.api``).
The generic transitions (start_screening, start_assessment, submit, approve…) stay at
``/api/v1/cases/{id}/transitions``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ura.apps.accounts.selectors import acting_user
from ura.apps.asylum import selectors, services
from ura.apps.cases.access import access_case_by_id

if TYPE_CHECKING:
    from ura.apps.asylum.models import ReportingRecord
    from ura.apps.cases.models import Case

router = Router(tags=["asylum"])


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "state": case.state,
        "version": case.version,
        "data": case.data,
    }


def _reporting_json(entry: ReportingRecord) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "due_on": entry.due_on,
        "status": entry.status,
        "excuse": entry.excuse,
        "recorded_at": entry.recorded_at,
    }


class Versioned(Schema):
    version: int


class RegisterIn(Versioned):
    foreigner_id: str
    province: str
    reporting_frequency: str
    reporting_place: str
    nationality: str
    languages: list[str]
    applicant_name: str
    date_of_birth: str = ""


class ScreeningIn(Versioned):
    inadmissibility_grounds: list[str] = []
    accelerated_grounds: list[str] = []
    notes: str = ""


class ModalityIn(Versioned):
    modality: str
    reason: str = ""


class GroundIn(Versioned):
    ground: str


class ScheduleIn(Versioned):
    date: dt.date
    time: dt.time | None = None
    place: str
    language: str
    interpreter_needed: bool = False
    interpreter: str = ""
    lawyer: str = ""
    guardian: str = ""


class RescheduleIn(Versioned):
    date: dt.date
    time: dt.time | None = None
    reason: str
    place: str = ""


class InterviewRecordIn(Versioned):
    held_on: dt.date
    language: str
    record: str
    duration_minutes: int
    interpreter: str = ""
    lawyer_present: bool = False
    guardian_present: bool = False
    applicant_confirmed: bool = False


class AssessmentIn(Versioned):
    sections: dict[str, list[str]] = {}
    convention_grounds: list[str] | None = None
    serious_harm: list[str] | None = None
    credibility_finding: str | None = None
    exclusion_clause: str | None = None


class CitationIn(Versioned):
    title: str
    publisher: str
    date: dt.date
    url: str
    passage: str
    anchor: str = ""


class InformationRequestIn(Versioned):
    subject: str
    addressee: str
    due_on: dt.date | None = None


class InformationReceivedIn(Versioned):
    summary: str
    received: bool = True


class NotificationIn(Versioned):
    notified_on: dt.date
    method: str


class AppealIn(Versioned):
    court: str
    lodged_on: dt.date


class AppealDecisionIn(Versioned):
    outcome: str
    decided_on: dt.date


class FinalIn(Versioned):
    final_on: dt.date


class ReportingIn(Versioned):
    due_on: dt.date
    status: str
    excuse: str = ""


class WithdrawIn(Versioned):
    kind: str
    ground: str
    notes: str = ""


# --- Registration and screening ----------------------------------------------------------------


@router.post("/cases/{case_id}/register", summary="Register the application (foreigner ID, …)")
def register(request: HttpRequest, case_id: int, payload: RegisterIn) -> dict[str, Any]:
    fields = payload.dict(exclude={"version"})
    case = services.application_register(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **fields,
    )
    return _case_json(case)


@router.post("/cases/{case_id}/screening", summary="Record screening findings (Art. 72, 79)")
def screening(request: HttpRequest, case_id: int, payload: ScreeningIn) -> dict[str, Any]:
    case = services.screening_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        inadmissibility_grounds=payload.inadmissibility_grounds,
        accelerated_grounds=payload.accelerated_grounds,
        notes=payload.notes,
    )
    return _case_json(case)


@router.get("/cases/{case_id}/triage", summary="The processing modality triage proposes")
def triage(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    return selectors.triage_proposal(case).as_data()


@router.post("/cases/{case_id}/modality", summary="Accept or override the proposed modality")
def modality(request: HttpRequest, case_id: int, payload: ModalityIn) -> dict[str, Any]:
    case = services.modality_decide(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        modality=payload.modality,
        reason=payload.reason,
    )
    return _case_json(case)


@router.post("/cases/{case_id}/inadmissibility", summary="Assess on an Art. 72 ground")
def inadmissibility(request: HttpRequest, case_id: int, payload: GroundIn) -> dict[str, Any]:
    case = services.inadmissibility_assess(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        ground=payload.ground,
    )
    return _case_json(case)


# --- Interview ---------------------------------------------------------------------------------


@router.post("/cases/{case_id}/interview", summary="Schedule the personal interview")
def schedule_interview(request: HttpRequest, case_id: int, payload: ScheduleIn) -> dict[str, Any]:
    case = services.interview_schedule(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.post("/cases/{case_id}/interview/reschedule", summary="Reschedule the interview")
def reschedule_interview(
    request: HttpRequest, case_id: int, payload: RescheduleIn
) -> dict[str, Any]:
    case = services.interview_reschedule(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.post("/cases/{case_id}/interview/record", summary="Record the interview held")
def record_interview(
    request: HttpRequest, case_id: int, payload: InterviewRecordIn
) -> dict[str, Any]:
    case = services.interview_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


# --- Assessment --------------------------------------------------------------------------------


@router.post("/cases/{case_id}/assessment", summary="Write parts of the structured assessment")
def assessment(request: HttpRequest, case_id: int, payload: AssessmentIn) -> dict[str, Any]:
    case = services.assessment_update(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        sections=payload.sections,
        convention_grounds=payload.convention_grounds,
        serious_harm=payload.serious_harm,
        credibility_finding=payload.credibility_finding,
        exclusion_clause=payload.exclusion_clause,
    )
    return _case_json(case)


@router.post(
    "/cases/{case_id}/citations", response={201: dict[str, Any]}, summary="Cite a COI passage"
)
def add_citation(request: HttpRequest, case_id: int, payload: CitationIn) -> Status[dict[str, Any]]:
    case = services.citation_add(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return Status(201, _case_json(case))


@router.delete("/cases/{case_id}/citations/{passage_hash}", summary="Remove a cited passage")
def remove_citation(
    request: HttpRequest, case_id: int, passage_hash: str, version: int
) -> dict[str, Any]:
    case = services.citation_remove(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=version,
        passage_hash=passage_hash,
    )
    return _case_json(case)


@router.post("/cases/{case_id}/information-request", summary="Request information")
def request_information(
    request: HttpRequest, case_id: int, payload: InformationRequestIn
) -> dict[str, Any]:
    case = services.information_request(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.post("/cases/{case_id}/information-received", summary="Record the information received")
def receive_information(
    request: HttpRequest, case_id: int, payload: InformationReceivedIn
) -> dict[str, Any]:
    case = services.information_receive(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


# --- Notification, appeal ----------------------------------------------------------------------


@router.post("/cases/{case_id}/notification", summary="Record the approved decision notified")
def notify(request: HttpRequest, case_id: int, payload: NotificationIn) -> dict[str, Any]:
    case = services.decision_notify(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.post("/cases/{case_id}/appeal", summary="Record the appeal lodged (Art. 80)")
def lodge_appeal(request: HttpRequest, case_id: int, payload: AppealIn) -> dict[str, Any]:
    case = services.appeal_lodge(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.post("/cases/{case_id}/appeal/decision", summary="Record the court's decision")
def appeal_decision(
    request: HttpRequest, case_id: int, payload: AppealDecisionIn
) -> dict[str, Any]:
    case = services.appeal_decision_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.post("/cases/{case_id}/appeal/reexamine", summary="Examine again after annulment")
def reexamine(request: HttpRequest, case_id: int, payload: Versioned) -> dict[str, Any]:
    case = services.appeal_reexamine(
        actor=acting_user(request.user), case_id=case_id, expected_version=payload.version
    )
    return _case_json(case)


@router.post("/cases/{case_id}/finalise", summary="Close as final negative (removal track)")
def finalise(request: HttpRequest, case_id: int, payload: FinalIn) -> dict[str, Any]:
    case = services.negative_finalise(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        final_on=payload.final_on,
    )
    return _case_json(case)


# --- Reporting duty, withdrawal ----------------------------------------------------------------


@router.get("/cases/{case_id}/reporting", summary="The applicant's latest reporting days")
def reporting(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    return {
        "consecutive_missed": selectors.consecutive_missed(case_id=case.pk),
        "results": [_reporting_json(r) for r in selectors.reporting_history(case=case)],
    }


@router.post(
    "/cases/{case_id}/reporting", response={201: dict[str, Any]}, summary="Record a reporting day"
)
def record_reporting(
    request: HttpRequest, case_id: int, payload: ReportingIn
) -> Status[dict[str, Any]]:
    entry = services.reporting_record(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return Status(201, _reporting_json(entry))


@router.post("/cases/{case_id}/withdraw", summary="Withdraw the application (Art. 77)")
def withdraw(request: HttpRequest, case_id: int, payload: WithdrawIn) -> dict[str, Any]:
    case = services.application_withdraw(
        actor=acting_user(request.user),
        case_id=case_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return _case_json(case)


@router.get("/missed-reporting", summary="Applicants who missed reporting 3 consecutive times")
def missed_reporting(request: HttpRequest) -> dict[str, Any]:
    found = selectors.missed_reporting(actor=request.user)
    return {
        "results": [
            {
                "id": m.case.pk,
                "reference": m.case.reference,
                "state": m.case.state,
                "consecutive_missed": m.consecutive_missed,
                "last_missed_on": m.last_missed_on,
            }
            for m in found
        ]
    }


# --- Queues and backlog ------------------------------------------------------------------------


@router.get("/queue", summary="Open cases in a stage, oldest first")
def queue(
    request: HttpRequest,
    state: str = "",
    modality: str = "",
    unit_id: int | None = None,
    nationality: str = "",
    page: int = 1,
) -> dict[str, Any]:
    result = selectors.stage_queue(
        actor=request.user,
        filters=selectors.QueueFilters(
            state=state, modality=modality, unit_id=unit_id, nationality=nationality
        ),
        page=page,
    )
    return {
        "count": result.paginator.count,
        "page": result.number,
        "pages": result.paginator.num_pages,
        "results": [
            {
                "id": c.pk,
                "reference": c.reference,
                "state": c.state,
                "opened_on": c.opened_on,
                "modality": c.data.get("modality"),
                "nationality": c.data.get("applicant", {}).get("nationality"),
                "owning_unit_id": c.owning_unit_id,
            }
            for c in result.object_list
        ],
    }


@router.get("/backlog", summary="Caseload, throughput and the time to clear the backlog")
def backlog(request: HttpRequest) -> dict[str, Any]:
    return selectors.backlog_as_data(selectors.backlog(actor=request.user))
