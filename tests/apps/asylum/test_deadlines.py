"""The LFIP deadline rules on real cases through the API, steps recorded on the days they
happened: a period ending on a Turkish public holiday or a weekend moves to the next working
day of the engine's calendar, and a request for information pauses the regular decision
period (the paused days are added)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.apps.asylum.conftest import CASES, post, transition
from tests.apps.cases.factories import make_person
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.asylum import services as asylum
from ura.apps.cases import services as cases
from ura.apps.cases import workflow
from ura.apps.cases.models import Case, CaseDeadline, CaseEvent
from ura.casework.calendar import WorkingCalendar

pytestmark = pytest.mark.django_db

CALENDAR = WorkingCalendar.from_config({"country": "TR"})
REGISTERED = dt.date(2026, 4, 28)  # a Tuesday
REGISTRATION = {
    "foreigner_id": "99123456789",
    "assigned_province": "06",
    "reporting.frequency": "weekly",
}


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _open(client: Client, owner: User) -> int:
    response = post(
        client,
        f"{CASES}/",
        {"procedure": "asylum", "person_id": make_person(owner=owner), "opened_on": "2026-04-27"},
    )
    assert response.status_code == 201, response.content
    case_id: int = response.json()["id"]
    return case_id


def _step(
    client: Client, case_id: int, code: str, on: str, data: dict[str, Any] | None = None
) -> None:
    owner = workflow.transition_owner("asylum", code)
    if owner is None:
        response = transition(client, case_id, code, data, occurred_on=on)
        assert response.status_code == 200, response.content
        return
    # A step the asylum app records itself, as its services record it (the deadlines are
    # what this module tests, not the app's forms).
    cases.case_transition(
        actor=User.objects.get(pk=int(client.session["_auth_user_id"])),
        case_id=case_id,
        transition=code,
        expected_version=Case.objects.get(pk=case_id).version,
        data_changes=data or {},
        occurred_on=dt.date.fromisoformat(on),
        recorded_by=owner,
    )


def _deadlines(client: Client, case_id: int) -> dict[str, dict[str, Any]]:
    body = client.get(f"{CASES}/{case_id}").json()
    return {d["code"]: d for d in body["deadlines"]}


def test_the_calendar_knows_the_days_these_tests_cross() -> None:
    assert workflow.registry().get("asylum", 1).jurisdiction == "TR"
    assert CALENDAR.holiday_name(_day("2026-05-01"))  # Labour and Solidarity Day, a Friday
    assert not CALENDAR.is_working_day(_day("2026-05-02"))  # Saturday
    assert CALENDAR.holiday_name(_day("2026-05-27"))  # Kurban Bayramı (Eid al-Adha)
    assert not CALENDAR.is_working_day(_day("2026-11-07"))  # Saturday
    assert CALENDAR.is_working_day(_day("2026-10-28"))


def test_accelerated_periods_roll_over_a_holiday_and_a_weekend(
    worker: User, worker_client: Client
) -> None:
    """LFIP Art. 79: interview within 3 days of registration — registered on Tuesday
    28 April, the third day is Friday 1 May (a public holiday), then a weekend: due Monday
    4 May. Decision within 5 days of the interview — held Friday 22 May, the fifth day is
    27 May, in the Kurban Bayramı holidays, then a weekend: due Monday 1 June."""
    case_id = _open(worker_client, worker)
    _step(
        worker_client,
        case_id,
        "register",
        "2026-04-28",
        {**REGISTRATION, "modality": "accelerated"},
    )
    interview = _deadlines(worker_client, case_id)["interview_accelerated"]
    assert interview["started_on"] == "2026-04-28"
    assert interview["due_on"] == "2026-05-04"
    assert interview["legal_reference"] == "LFIP Art. 79"
    assert "interview_regular" not in _deadlines(worker_client, case_id)

    _step(worker_client, case_id, "start_screening", "2026-04-29")
    _step(
        worker_client,
        case_id,
        "schedule_interview",
        "2026-04-29",
        {"interview.date": "2026-05-22", "interview.language": "ar"},
    )
    _step(worker_client, case_id, "hold_interview", "2026-05-22", {"interview.record": "…"})
    found = _deadlines(worker_client, case_id)
    assert found["interview_accelerated"]["status"] == "met_late"
    assert found["interview_accelerated"]["met_on"] == "2026-05-22"
    assert found["decision_accelerated"]["started_on"] == "2026-05-22"
    assert found["decision_accelerated"]["due_on"] == "2026-06-01"


def test_a_request_for_information_pauses_the_regular_decision_period(
    worker: User, worker_client: Client
) -> None:
    """LFIP Art. 78: six months from registration — 28 October. Ten days waiting for
    information (1 to 11 June) are added: 7 November, a Saturday, so Monday 9 November."""
    case_id = _open(worker_client, worker)
    _step(worker_client, case_id, "register", "2026-04-28", REGISTRATION)
    decision = _deadlines(worker_client, case_id)["decision_regular"]
    assert (decision["due_on"], decision["binding"]) == ("2026-10-28", False)
    interview = _deadlines(worker_client, case_id)["interview_regular"]
    assert interview["due_on"] == "2026-06-01"  # 30 days: 28 May, Kurban Bayramı, a weekend

    _step(worker_client, case_id, "start_screening", "2026-04-29")
    _step(
        worker_client,
        case_id,
        "schedule_interview",
        "2026-04-30",
        {"modality": "regular", "interview.date": "2026-05-05", "interview.language": "fa"},
    )
    _step(worker_client, case_id, "hold_interview", "2026-05-05", {"interview.record": "…"})
    assert _deadlines(worker_client, case_id)["interview_regular"]["status"] == "met"
    _step(worker_client, case_id, "start_assessment", "2026-05-06")
    _step(
        worker_client,
        case_id,
        "request_information",
        "2026-06-01",
        {"information_request.subject": "Passport", "information_request.addressee": "Applicant"},
    )
    paused = _deadlines(worker_client, case_id)["decision_regular"]
    assert (paused["status"], paused["due_on"]) == ("paused", None)

    _step(worker_client, case_id, "receive_information", "2026-06-11")
    resumed = _deadlines(worker_client, case_id)["decision_regular"]
    assert resumed["due_on"] == "2026-11-09"


def test_a_supervisor_records_steps_of_others_only_in_order(worker: User, supervisor: User) -> None:
    """A step cannot be dated before the case's latest recorded step (the history stays in
    order, so the deadlines computed from it are right)."""
    client = login(Client(), worker)
    case_id = _open(client, worker)
    _step(client, case_id, "register", "2026-04-28", REGISTRATION)
    early = transition(client, case_id, "start_screening", occurred_on="2026-04-27")
    assert early.status_code == 422


def test_the_interview_record_dates_the_step_on_the_day_it_was_held(worker: User) -> None:
    """Steps entered later carry the day they happened: the interview counts as held on
    ``held_on``, so its deadline is met on that day, not on the day of typing."""
    opened = dt.date(2026, 3, 2)
    case = cases.case_create(
        actor=worker,
        procedure_code="asylum",
        person_id=make_person(owner=worker),
        opened_on=opened,
    )
    case = asylum.application_register(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        foreigner_id="99123456789",
        province="34",
        reporting_frequency="weekly",
        reporting_place="Istanbul PMM",
        nationality="AFG",
        languages=["fa"],
        applicant_name="Test Applicant",
        occurred_on=opened,
    )
    case = cases.case_transition(
        actor=worker,
        case_id=case.pk,
        transition="start_screening",
        expected_version=case.version,
        occurred_on=dt.date(2026, 3, 3),
    )
    case = asylum.modality_decide(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        modality="regular",
        reason="Regular processing",
        occurred_on=dt.date(2026, 3, 3),
    )
    case = asylum.interview_schedule(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        date=dt.date(2026, 3, 20),
        time=None,
        place="Istanbul PMM, room 2",
        language="Dari",
        interpreter_needed=True,
        occurred_on=dt.date(2026, 3, 5),
    )
    asylum.interview_record(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        held_on=dt.date(2026, 3, 20),
        language="Dari",
        record="The applicant described the threats received.",
        duration_minutes=95,
    )
    held = CaseEvent.objects.get(case_id=case.pk, transition="hold_interview")
    assert held.occurred_on == dt.date(2026, 3, 20)
    interview = CaseDeadline.objects.get(case_id=case.pk, code="interview_regular")
    assert (interview.met_on, interview.status) == (dt.date(2026, 3, 20), "met")
