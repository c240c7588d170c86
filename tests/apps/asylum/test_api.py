"""The asylum steps through /api/v1/asylum: registration, screening and triage, interview,
assessment with cited passages, decision, notification, appeal, reporting and withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.asylum.conftest import API, CASES, post, step, transition, version
from tests.apps.cases.factories import make_case, make_person
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.asylum.models import ReportingRecord
from ura.apps.cases.models import Case, CaseEvent
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REGISTRATION: dict[str, Any] = {
    "foreigner_id": "99123456789",
    "province": "06",
    "reporting_frequency": "weekly",
    "reporting_place": "Ankara PDMM",
    "nationality": "afg",
    "languages": ["fa", "ps"],
    "applicant_name": "Amina Haddad",
    "date_of_birth": "1990-04-02",
}
PASSAGE = {
    "title": "Afghanistan: Country Focus",
    "publisher": "EUAA",
    "date": "2024-05-01",
    "url": "https://euaa.europa.eu/coi/afghanistan-2024",
    "passage": "Persons perceived as opposing the de facto authorities face arrest.",
    "anchor": "p12",
}


def _open(client: Client, owner: User, **extra: Any) -> int:
    body = post(
        client, f"{CASES}/", {"procedure": "asylum", "person_id": make_person(owner=owner), **extra}
    )
    assert body.status_code == 201, body.content
    case_id: int = body.json()["id"]
    return case_id


def _case(case_id: int) -> Case:
    return Case.objects.get(pk=case_id)


def _registered(client: Client, owner: User, **extra: Any) -> int:
    case_id = _open(client, owner, **extra)
    assert step(client, case_id, "register", REGISTRATION).status_code == 200
    return case_id


@pytest.mark.parametrize(
    "value", ["12345678901", "9912345678", "991234567890", "99-123456789", "9912345678a", ""]
)
def test_a_foreigner_id_other_than_11_digits_from_99_is_refused(
    worker: User, worker_client: Client, value: str
) -> None:
    case_id = _open(worker_client, worker)
    response = step(worker_client, case_id, "register", {**REGISTRATION, "foreigner_id": value})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["foreigner_id"]
    assert _case(case_id).state == "request_made"


def test_registration_stores_the_foreigner_id_province_and_reporting_duty(
    worker: User, worker_client: Client
) -> None:
    case_id = _open(worker_client, worker)
    response = step(
        worker_client, case_id, "register", {**REGISTRATION, "foreigner_id": "991 2345 6789"}
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert response.json()["state"] == "registered"
    assert data["foreigner_id"] == "99123456789"
    assert data["assigned_province"] == "06"
    assert data["reporting"] == {"frequency": "weekly", "place": "Ankara PDMM"}
    assert data["applicant"]["nationality"] == "AFG"
    assert data["applicant"]["languages"] == ["fa", "ps"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("province", "82"), ("reporting_frequency", "daily"), ("nationality", "Afghan")],
)
def test_registration_refuses_values_outside_the_lists(
    worker: User, worker_client: Client, field: str, value: str
) -> None:
    case_id = _open(worker_client, worker)
    response = step(worker_client, case_id, "register", {**REGISTRATION, field: value})
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_screening_findings_feed_triage_and_the_caseworker_accepts_or_overrides(
    worker: User, worker_client: Client
) -> None:
    """An accelerated ground found at screening makes triage propose the accelerated
    procedure; accepting stores the proposal and its rule; an override needs a reason."""
    case_id = _registered(worker_client, worker)
    assert transition(worker_client, case_id, "start_screening").status_code == 200
    found = step(
        worker_client,
        case_id,
        "screening",
        {"accelerated_grounds": ["only_to_delay_removal"], "inadmissibility_grounds": []},
    )
    assert found.status_code == 200, found.content
    proposal = worker_client.get(f"{API}/cases/{case_id}/triage").json()
    assert (proposal["proposed"], proposal["rule"]) == ("accelerated", "accelerated_grounds")
    assert proposal["reference"] == "LFIP Art. 79(1)"

    override = step(worker_client, case_id, "modality", {"modality": "regular"})
    assert override.status_code == 422
    assert "reason" in override.json()["errors"]

    accepted = step(worker_client, case_id, "modality", {"modality": "accelerated"})
    assert accepted.status_code == 200
    data = accepted.json()["data"]
    assert data["modality"] == "accelerated"
    assert data["triage"]["proposed"] == "accelerated"
    assert data["triage"]["rule"] == "accelerated_grounds"
    assert data["modality_overridden"] is False
    assert "Accelerated ground found at screening" in data["modality_reason"]

    changed = step(
        worker_client, case_id, "modality", {"modality": "regular", "reason": "Claim is complex."}
    )
    assert changed.json()["data"]["modality"] == "regular"
    assert changed.json()["data"]["modality_overridden"] is True
    assert changed.json()["data"]["modality_reason"] == "Claim is complex."


def test_an_unaccompanied_child_is_prioritised_and_interviewed_with_a_guardian(
    worker: User, worker_client: Client
) -> None:
    case_id = _registered(worker_client, worker, vulnerabilities=["unaccompanied_child"])
    transition(worker_client, case_id, "start_screening")
    proposal = worker_client.get(f"{API}/cases/{case_id}/triage").json()
    assert (proposal["proposed"], proposal["rule"]) == ("prioritised", "special_needs")
    step(worker_client, case_id, "modality", {"modality": "prioritised"})

    schedule: dict[str, Any] = {
        "date": TODAY.isoformat(),
        "time": "10:30",
        "place": "Ankara PDMM, room 3",
        "language": "fa",
        "interpreter_needed": True,
        "interpreter": "M. Rahimi",
    }
    no_guardian = step(worker_client, case_id, "interview", schedule)
    assert no_guardian.status_code == 422
    assert "guardian" in no_guardian.json()["errors"]
    scheduled = step(worker_client, case_id, "interview", {**schedule, "guardian": "S. Yılmaz"})
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["state"] == "interview_scheduled"
    assert scheduled.json()["data"]["interview"]["guardian"] == "S. Yılmaz"

    record = {
        "held_on": TODAY.isoformat(),
        "language": "fa",
        "record": "The applicant left Herat in 2024 after threats.",
        "duration_minutes": 95,
        "interpreter": "M. Rahimi",
        "applicant_confirmed": True,
    }
    without = step(worker_client, case_id, "interview/record", record)
    assert without.status_code == 422
    assert "guardian_present" in without.json()["errors"]
    held = step(worker_client, case_id, "interview/record", {**record, "guardian_present": True})
    assert held.status_code == 200
    assert held.json()["state"] == "interviewed"
    assert held.json()["data"]["interview"]["duration_minutes"] == 95


def test_an_interview_is_rescheduled_with_a_reason(worker: User, worker_client: Client) -> None:
    case = make_case(
        owner=worker,
        state="interview_scheduled",
        assigned=(worker,),
        data={"interview": {"date": TODAY.isoformat(), "language": "ar"}},
    )
    later = (TODAY + dt.timedelta(days=7)).isoformat()
    no_reason = step(worker_client, case.pk, "interview/reschedule", {"date": later, "reason": ""})
    assert no_reason.status_code == 422
    moved = step(
        worker_client, case.pk, "interview/reschedule", {"date": later, "reason": "No interpreter"}
    )
    assert moved.status_code == 200
    interview = moved.json()["data"]["interview"]
    assert interview["date"] == later
    assert interview["previous_dates"] == [TODAY.isoformat()]
    assert moved.json()["state"] == "interview_scheduled"


def test_the_assessment_and_its_citations(worker: User, worker_client: Client) -> None:
    """Sections are lists of paragraphs; a cited passage carries its source and a hash of
    its text, is cited once, and can be removed."""
    case = make_case(owner=worker, state="interviewed", assigned=(worker,))
    early = step(worker_client, case.pk, "assessment", {"sections": {"material_facts": ["x"]}})
    assert early.status_code == 422  # the assessment is written in the assessment stage
    transition(worker_client, case.pk, "start_assessment")

    written = step(
        worker_client,
        case.pk,
        "assessment",
        {
            "sections": {
                "material_facts": ["The applicant was a journalist in Herat.", "  "],
                "credibility_internal": ["The account was detailed and consistent."],
            },
            "convention_grounds": ["political_opinion"],
            "credibility_finding": "accepted",
        },
    )
    assert written.status_code == 200, written.content
    assessment = written.json()["data"]["assessment"]
    assert assessment["material_facts"] == ["The applicant was a journalist in Herat."]
    assert assessment["convention_grounds"] == ["political_opinion"]
    unknown = step(worker_client, case.pk, "assessment", {"sections": {"colour": ["red"]}})
    assert unknown.status_code == 422
    bad_ground = step(worker_client, case.pk, "assessment", {"convention_grounds": ["wealth"]})
    assert bad_ground.status_code == 422

    cited = step(worker_client, case.pk, "citations", PASSAGE)
    assert cited.status_code == 201, cited.content
    (citation,) = cited.json()["data"]["assessment"]["citations"]
    assert set(citation) == {
        "title",
        "publisher",
        "date",
        "url",
        "passage",
        "anchor",
        "passage_hash",
    }
    assert len(citation["passage_hash"]) == 64
    again = step(
        worker_client, case.pk, "citations", {**PASSAGE, "passage": PASSAGE["passage"] + "  "}
    )
    assert again.status_code == 422
    not_web = step(worker_client, case.pk, "citations", {**PASSAGE, "url": "javascript:alert(1)"})
    assert not_web.status_code == 422

    removed = worker_client.delete(
        f"{API}/cases/{case.pk}/citations/{citation['passage_hash']}"
        f"?version={version(worker_client, case.pk)}"
    )
    assert removed.status_code == 200
    assert "citations" not in removed.json()["data"]["assessment"]


def test_information_requested_pauses_and_received_resumes(
    worker: User, worker_client: Client
) -> None:
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    asked = step(
        worker_client,
        case.pk,
        "information-request",
        {"subject": "Identity documents", "addressee": "Applicant"},
    )
    assert asked.json()["state"] == "information_requested"
    answered = step(
        worker_client, case.pk, "information-received", {"summary": "Passport copy received"}
    )
    assert answered.json()["state"] == "assessment"
    assert answered.json()["data"]["information_request"]["outcome"] == "received"


def test_an_application_from_registration_to_an_annulled_decision_examined_again(
    worker: User, worker_client: Client, supervisor_client: Client
) -> None:
    """The whole path: registration, screening, interview, assessment with a cited passage,
    a rejection drafted from the template with the facts and the citation, approved by a
    supervisor, notified with the appeal window from the procedure's rules, appealed,
    annulled, and examined again."""
    case_id = _registered(worker_client, worker)
    transition(worker_client, case_id, "start_screening")
    step(worker_client, case_id, "modality", {"modality": "regular"})
    step(
        worker_client,
        case_id,
        "interview",
        {"date": TODAY.isoformat(), "place": "Ankara PDMM", "language": "fa"},
    )
    step(
        worker_client,
        case_id,
        "interview/record",
        {"held_on": TODAY.isoformat(), "language": "fa", "record": "…", "duration_minutes": 60},
    )
    transition(worker_client, case_id, "start_assessment")
    step(
        worker_client,
        case_id,
        "assessment",
        {
            "sections": {
                "material_facts": ["The applicant ran a shop in Kabul."],
                "credibility_internal": ["Consistent."],
                "well_founded_fear": ["No individual risk was shown [1]."],
            }
        },
    )
    step(worker_client, case_id, "citations", PASSAGE)

    drafted = post(
        worker_client,
        f"{CASES}/decisions/",
        {
            "case_id": case_id,
            "version": version(worker_client, case_id),
            "outcome": "rejected",
            "language": "en",
            "reasons": "No well-founded fear.",
        },
    )
    assert drafted.status_code == 201, drafted.content
    text = drafted.json()["text"]
    assert "Amina Haddad" in text
    assert "99123456789" in text
    assert "[1] EUAA: Afghanistan: Country Focus, 1 May 2024, https://" in text
    assert "Administrative Court of Ankara within 30 days" in text
    decision_id = drafted.json()["id"]
    submitted = post(
        worker_client,
        f"{CASES}/decisions/{decision_id}/submit",
        {"version": version(worker_client, case_id)},
    )
    assert submitted.status_code == 200, submitted.content
    approved = post(
        supervisor_client,
        f"{CASES}/decisions/{decision_id}/approve",
        {"version": version(worker_client, case_id)},
    )
    assert approved.status_code == 200, approved.content
    assert _case(case_id).state == "decision_approved"

    notified = step(
        worker_client,
        case_id,
        "notification",
        {"notified_on": TODAY.isoformat(), "method": "in_person"},
    )
    assert notified.status_code == 200, notified.content
    assert notified.json()["state"] == "negative_decision_notified"
    window = _case(case_id).deadlines.filter(code="appeal_window_regular").values("due_on").first()
    assert window is not None

    lodged = step(
        worker_client,
        case_id,
        "appeal",
        {"court": "Ankara 1. İdare Mahkemesi", "lodged_on": TODAY.isoformat()},
    )
    assert lodged.json()["state"] == "appeal_lodged"
    premature = step(worker_client, case_id, "appeal/reexamine", {})
    assert premature.status_code == 422
    judged = step(
        worker_client,
        case_id,
        "appeal/decision",
        {"outcome": "annulled", "decided_on": TODAY.isoformat()},
    )
    assert judged.json()["state"] == "appeal_decided"
    final = step(worker_client, case_id, "finalise", {"final_on": TODAY.isoformat()})
    assert final.status_code == 422  # an annulled decision is examined again, not finalised
    again = step(worker_client, case_id, "appeal/reexamine", {})
    assert again.status_code == 200
    assert again.json()["state"] == "assessment"
    assert "outcome" not in again.json()["data"]["decision"]
    transitions = list(
        CaseEvent.objects.filter(case_id=case_id, kind="transition").values_list(
            "transition", flat=True
        )
    )
    assert transitions[-4:] == [
        "notify_negative_decision",
        "lodge_appeal",
        "record_appeal_decision",
        "reopen_after_annulment",
    ]


def test_a_grant_is_notified_as_positive(worker: User, worker_client: Client) -> None:
    case = make_case(
        owner=worker,
        state="decision_approved",
        assigned=(worker,),
        data={"decision": {"outcome": "subsidiary_protection"}},
    )
    future = step(
        worker_client,
        case.pk,
        "notification",
        {"notified_on": (TODAY + dt.timedelta(days=1)).isoformat(), "method": "post"},
    )
    assert future.status_code == 422
    notified = step(
        worker_client, case.pk, "notification", {"notified_on": TODAY.isoformat(), "method": "post"}
    )
    assert notified.json()["state"] == "protection_granted"


def test_missed_reporting_three_times_leads_to_implicit_withdrawal_by_a_supervisor(
    worker: User, worker_client: Client, supervisor: User, supervisor_client: Client
) -> None:
    """LFIP Art. 77(1): three consecutive misses without excuse. An excused day breaks the
    run; the case then appears among the applicants who missed reporting, and only a
    supervisor withdraws the application implicitly."""
    case_id = _registered(worker_client, worker)
    days = [TODAY - dt.timedelta(weeks=w) for w in range(6, 0, -1)]
    for day, status in zip(
        days, ["missed", "missed", "excused", "missed", "missed", "attended"], strict=True
    ):
        extra = {"excuse": "Hospital"} if status == "excused" else {}
        recorded = step(
            worker_client,
            case_id,
            "reporting",
            {"due_on": day.isoformat(), "status": status, **extra},
        )
        assert recorded.status_code == 201, recorded.content
    duplicate = step(
        worker_client, case_id, "reporting", {"due_on": days[0].isoformat(), "status": "missed"}
    )
    assert duplicate.status_code == 422
    assert worker_client.get(f"{API}/cases/{case_id}/reporting").json()["consecutive_missed"] == 0
    assert worker_client.get(f"{API}/missed-reporting").json()["results"] == []

    early = step(
        supervisor_client,
        case_id,
        "withdraw",
        {"kind": "implicit", "ground": "missed_reporting"},
    )
    assert early.status_code == 422

    for w in (3, 2, 1):
        day = TODAY - dt.timedelta(days=w)
        step(worker_client, case_id, "reporting", {"due_on": day.isoformat(), "status": "missed"})
    assert _case(case_id).data["reporting"]["consecutive_missed"] == 3
    (listed,) = supervisor_client.get(f"{API}/missed-reporting").json()["results"]
    assert (listed["id"], listed["consecutive_missed"]) == (case_id, 3)
    assert ReportingRecord.objects.filter(case_id=case_id).count() == 9

    by_worker = step(
        worker_client, case_id, "withdraw", {"kind": "implicit", "ground": "missed_reporting"}
    )
    assert by_worker.status_code == 403
    withdrawn = step(
        supervisor_client,
        case_id,
        "withdraw",
        {"kind": "implicit", "ground": "missed_reporting"},
    )
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["state"] == "withdrawn"
    assert withdrawn.json()["data"]["withdrawal"]["kind"] == "implicit"
    assert supervisor_client.get(f"{API}/missed-reporting").json()["results"] == []
    # The excuse stays in the reporting record; the audit trail names the data paths only.
    audit = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case_id), action=AuditAction.UPDATE
    )
    assert not any("Hospital" in str(e.detail) for e in audit)


def test_an_explicit_withdrawal_is_the_applicants_request(
    worker: User, worker_client: Client
) -> None:
    case = make_case(owner=worker, state="screening", assigned=(worker,))
    wrong = step(worker_client, case.pk, "withdraw", {"kind": "explicit", "ground": "absconded"})
    assert wrong.status_code == 422
    done = step(
        worker_client, case.pk, "withdraw", {"kind": "explicit", "ground": "applicant_request"}
    )
    assert done.json()["state"] == "withdrawn"


def test_a_case_outside_the_users_unit_does_not_exist_for_them(
    worker: User, worker_client: Client
) -> None:
    stranger = make_user(role=RoleCode.CASEWORKER)
    case_id = _open(worker_client, worker)
    response = post(
        login(Client(), stranger),
        f"{API}/cases/{case_id}/register",
        {"version": _case(case_id).version, **REGISTRATION},
    )
    assert response.status_code == 404
    assert _case(case_id).state == "request_made"
