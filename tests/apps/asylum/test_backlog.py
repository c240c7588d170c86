"""Backlog figures on a small known caseload: exact counts for a supervisor (their agency's
cases), the same figures for an analyst with every count from 1 to 4 suppressed and its
complement, and the stage queues oldest first with their filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.cases.factories import make_case
from tests.conftest import login
from tests.factories import make_unit, make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases.models import Case, CaseDeadline, CaseEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
API = "/api/v1/asylum"


def _cases(owner: User, n: int, *, state: str, age_days: int, **data: Any) -> list[Case]:
    made = [make_case(owner=owner, state=state, data=data) for _ in range(n)]
    Case.objects.filter(pk__in=[c.pk for c in made]).update(
        opened_on=TODAY - dt.timedelta(days=age_days)
    )
    return made


def _approved(case: Case, on: dt.date) -> None:
    CaseEvent.objects.create(
        case=case,
        version=case.version,
        kind="transition",
        transition="approve_decision",
        occurred_on=on,
        detail={"emits": ["decision_approved"]},
    )


def _deadline(case: Case, code: str, status: str, instance: int = 1) -> None:
    CaseDeadline.objects.create(
        case=case, code=code, instance=instance, label=code, status=status, computed_on=TODAY
    )


@pytest.fixture
def caseload(unit: Unit) -> dict[str, Any]:
    """16 open asylum cases of the agency in two units, plus cases no figure may count."""
    second = make_unit(agency=unit.agency)
    first_worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    second_worker = make_user(role=RoleCode.CASEWORKER, unit=second)
    afg = {"applicant": {"nationality": "AFG"}}
    assessing = _cases(first_worker, 6, state="assessment", age_days=10, modality="regular", **afg)
    registered = _cases(
        first_worker, 3, state="registered", age_days=60, applicant={"nationality": "SYR"}
    )
    waiting = _cases(
        second_worker, 7, state="interview_scheduled", age_days=400, modality="accelerated", **afg
    )
    closed = _cases(first_worker, 1, state="withdrawn", age_days=100, **afg)
    Case.objects.filter(pk=closed[0].pk).update(closed_at=timezone.now())
    # Invisible to the agency's figures: a restricted case, another agency's, another procedure's.
    make_case(owner=first_worker, state="assessment", restricted=True, data=afg)
    stranger = make_user(role=RoleCode.CASEWORKER)
    _cases(stranger, 2, state="assessment", age_days=5, **afg)
    make_case(owner=first_worker, procedure="trafficking", state="identified")

    for case in assessing[:5]:
        _approved(case, MONDAY - dt.timedelta(days=3))  # last week: 5
    for case in assessing[5:] + registered[:1]:
        _approved(case, MONDAY - dt.timedelta(days=10))  # two weeks ago: 2
    _approved(closed[0], TODAY)  # this week: 1
    for case in assessing:
        _deadline(case, "decision_regular", "met")
    for case in registered[:2]:
        _deadline(case, "decision_regular", "met_late")
    _deadline(waiting[0], "decision_accelerated", "met")
    _deadline(waiting[1], "interview_accelerated", "met_late")  # not a decision deadline
    return {"second": second, "assessing": assessing, "waiting": waiting}


def _counts(cells: list[dict[str, Any]]) -> dict[str, int | None]:
    return {c["key"]: c["count"] for c in cells}


def test_a_supervisor_sees_the_agencys_figures_exactly(
    supervisor: User, caseload: dict[str, Any], unit: Unit
) -> None:
    body = login(Client(), supervisor).get(f"{API}/backlog").json()
    assert body["suppressed_small_cells"] is False
    assert body["open_total"] == 16
    assert _counts(body["by_stage"]) == {"registered": 3, "interview_scheduled": 7, "assessment": 6}
    assert [c["count"] for c in body["by_age"]] == [6, 3, 0, 0, 7]
    assert _counts(body["by_nationality"]) == {"AFG": 13, "SYR": 3}
    assert _counts(body["by_office"]) == {str(unit.pk): 9, str(caseload["second"].pk): 7}
    assert _counts(body["by_modality"]) == {"accelerated": 7, "regular": 6, "": 3}
    weeks = [c["count"] for c in body["throughput_per_week"]]
    assert len(weeks) == 12
    assert weeks[-3:] == [2, 5, 1]
    assert sum(weeks) == 8
    week = body["throughput_per_week"][-1]
    assert week["label"] == f"{MONDAY.isocalendar().year}-W{MONDAY.isocalendar().week:02d}"
    assert body["decisions_within_deadline"] == {"met": 7, "met_late": 2, "share_met": 7 / 9}
    # Pace: the last 8 full weeks (this week is incomplete) decided 7, i.e. 0.875 a week.
    assert body["weekly_pace"] == pytest.approx(0.875)
    assert body["weeks_to_clear"] == pytest.approx(16 / 0.875)


def test_an_analyst_sees_aggregates_with_small_cells_suppressed(
    caseload: dict[str, Any], unit: Unit
) -> None:
    """Counts 1-4 are suppressed; where one cell of a breakdown with a shown total would be
    the only one suppressed, the next smallest goes too, so it cannot be subtracted out."""
    analyst = make_user(role=RoleCode.ANALYST, unit=unit)
    client = login(Client(), analyst)
    body = client.get(f"{API}/backlog").json()
    assert body["suppressed_small_cells"] is True
    assert body["open_total"] == 16
    assert _counts(body["by_stage"]) == {
        "registered": None,
        "interview_scheduled": 7,
        "assessment": None,
    }
    assert [c["count"] for c in body["by_age"]] == [None, None, 0, 0, 7]
    assert _counts(body["by_nationality"]) == {"AFG": None, "SYR": None}
    assert _counts(body["by_office"]) == {str(unit.pk): 9, str(caseload["second"].pk): 7}
    assert _counts(body["by_modality"]) == {"accelerated": 7, "regular": None, "": None}
    assert [c["count"] for c in body["throughput_per_week"]][-3:] == [None, None, None]
    assert body["decisions_within_deadline"] == {"met": 7, "met_late": None, "share_met": None}
    # An analyst sees no case: the queues and the case list are closed to them.
    assert client.get(f"{API}/queue?state=assessment").status_code == 403
    assert client.get(f"/api/v1/cases/{caseload['assessing'][0].pk}").status_code == 404


def test_backlog_figures_need_the_permission(worker: User, caseload: dict[str, Any]) -> None:
    assert login(Client(), worker).get(f"{API}/backlog").status_code == 403


def test_the_projection_says_it_cannot_project_without_decisions(supervisor: User) -> None:
    make_case(owner=supervisor, state="assessment")
    body = login(Client(), supervisor).get(f"{API}/backlog").json()
    assert body["open_total"] == 1
    assert body["weekly_pace"] == 0
    assert body["weeks_to_clear"] is None


def test_a_stage_queue_is_oldest_first_and_filtered(
    supervisor: User, caseload: dict[str, Any]
) -> None:
    client = login(Client(), supervisor)
    oldest = caseload["waiting"][3]
    Case.objects.filter(pk=oldest.pk).update(opened_on=TODAY - dt.timedelta(days=900))
    body = client.get(f"{API}/queue?state=interview_scheduled").json()
    assert body["count"] == 7
    assert body["results"][0]["id"] == oldest.pk
    assert [r["opened_on"] for r in body["results"]] == sorted(
        r["opened_on"] for r in body["results"]
    )
    assert client.get(f"{API}/queue?state=assessment&modality=accelerated").json()["count"] == 0
    assert client.get(f"{API}/queue?nationality=syr").json()["count"] == 3
    assert client.get(f"{API}/queue?modality=none").json()["count"] == 3
    second = caseload["second"].pk
    assert client.get(f"{API}/queue?unit_id={second}").json()["count"] == 7


def test_the_figures_cost_the_same_queries_for_more_cases(
    supervisor: User, worker: User, django_assert_max_num_queries: Any
) -> None:
    """Counted by the database: ten times the cases, not one query more."""
    client = login(Client(), supervisor)
    _cases(worker, 3, state="assessment", age_days=3, modality="regular")
    client.get(f"{API}/backlog")  # warm the session and permission caches
    with django_assert_max_num_queries(40) as few:
        client.get(f"{API}/backlog")
    _cases(worker, 30, state="registered", age_days=200, applicant={"nationality": "IRQ"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{API}/backlog").json()["open_total"] == 33


def test_decided_cases_are_not_the_backlog(unit: Unit) -> None:
    """Status holders, notified refusals and appeals are open cases but not applications
    waiting for a decision: they count neither in the backlog nor in the time to clear."""
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    _cases(worker, 2, state="assessment", age_days=30)
    _cases(worker, 1, state="decision_drafted", age_days=30)
    for state in ("decision_approved", "protection_granted", "appeal_lodged"):
        _cases(worker, 1, state=state, age_days=30)
    body = login(Client(), supervisor).get(f"{API}/backlog").json()
    assert body["open_total"] == 3
