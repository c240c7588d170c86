"""The work queue sorts by each case's nearest running deadline, kept on the case
(``Case.nearest_due_on``) rather than looked up per case: it must stay the earliest due date
of the case's running deadlines through every way a deadline changes — opened, a rule that
starts or stops applying with the case's data, paused, resumed, met — and the queue must show
and sort by it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.cases.factories import make_person
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases import workflow
from ura.apps.cases.models import RUNNING_DEADLINES, Case, CaseDeadline
from ura.casework.procedures import ProcedureRegistry, parse_procedure

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"

_PROCEDURE = """
code: asylum
version: 1
effective_from: 2014-04-11
title: Queue order (test)
jurisdiction: TR
legal_basis: Law 6458 (test)
states:
  - {code: registered, label: Registered, phase: registration}
  - {code: suspended, label: Suspended, phase: registration}
  - {code: interviewed, label: Interviewed, phase: determination}
initial_state: registered
transitions:
  - {code: suspend, label: Suspend, from: [registered], to: suspended, emits: [suspended]}
  - {code: resume, label: Resume, from: [suspended], to: registered, emits: [resumed]}
  - {code: interview, label: Interview, from: [registered], to: interviewed, emits: [held]}
deadlines:
  - code: interview_due
    label: Interview
    starts_on: opened
    stops_on: [held]
    paused_by: [suspended]
    resumed_by: [resumed]
    duration: 30
    unit: calendar_days
    roll_forward: false
    legal_reference: LFIP (test)
  - code: decision_due
    label: Decision
    starts_on: opened
    duration: 180
    unit: calendar_days
    roll_forward: false
    legal_reference: LFIP (test)
  - code: fast_track_due
    label: Fast-track decision
    starts_on: opened
    duration: 10
    unit: calendar_days
    roll_forward: false
    legal_reference: LFIP (test)
    applies_when: {fast_track: true}
"""


@pytest.fixture(autouse=True)
def procedures(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = ProcedureRegistry([parse_procedure(_PROCEDURE)])
    monkeypatch.setattr(workflow, "registry", lambda: registry)
    monkeypatch.setattr(workflow, "_owned_transitions", {})
    monkeypatch.setattr(workflow, "_owned_data", {})


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


def _send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    response = getattr(client, method)(url, json.dumps(payload), "application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def _nearest(case_id: int) -> dt.date | None:
    """The case's kept nearest due date, after checking it against its stored deadlines."""
    kept = Case.objects.get(pk=case_id).nearest_due_on
    running = CaseDeadline.objects.filter(case_id=case_id, status__in=RUNNING_DEADLINES)
    assert kept == min((d.due_on for d in running if d.due_on is not None), default=None)
    return kept


def _due(case_id: int, code: str) -> dt.date | None:
    return CaseDeadline.objects.get(case_id=case_id, code=code).due_on


def test_the_nearest_due_date_follows_every_change_of_the_deadlines(
    worker: User, unit: Unit
) -> None:
    client = login(Client(), worker)
    today = timezone.localdate()
    opened = today - dt.timedelta(days=5)
    case = _send(
        client,
        "post",
        f"{API}/",
        {
            "procedure": "asylum",
            "opened_on": opened.isoformat(),
            "person_id": make_person(owner=worker),
        },
    )
    case_id, url = case["id"], f"{API}/{case['id']}"
    # Opened: the interview (30 days) before the decision (180).
    assert _nearest(case_id) == opened + dt.timedelta(days=30)

    # A rule that starts applying with the case's data, then stops (its deadline cancelled).
    _send(client, "patch", url, {"version": 1, "data_changes": {"fast_track": True}})
    assert _nearest(case_id) == opened + dt.timedelta(days=10)
    _send(client, "patch", url, {"version": 2, "data_changes": {"fast_track": False}})
    assert _nearest(case_id) == opened + dt.timedelta(days=30)

    # Paused: the interview has no due date meanwhile, the decision is the nearest.
    step = {
        "version": 3,
        "transition": "suspend",
        "occurred_on": (today - dt.timedelta(days=3)).isoformat(),
    }
    _send(client, "post", f"{url}/transitions", step)
    assert _due(case_id, "interview_due") is None
    assert _nearest(case_id) == opened + dt.timedelta(days=180)

    # Resumed: the interview is due again, later by the time it was paused.
    step = {
        "version": 4,
        "transition": "resume",
        "occurred_on": (today - dt.timedelta(days=1)).isoformat(),
    }
    _send(client, "post", f"{url}/transitions", step)
    resumed = _due(case_id, "interview_due")
    assert resumed is not None
    assert resumed > opened + dt.timedelta(days=30)
    assert _nearest(case_id) == resumed

    # Met: the interview stops running; the decision is the nearest again.
    _send(client, "post", f"{url}/transitions", {"version": 5, "transition": "interview"})
    assert CaseDeadline.objects.get(case_id=case_id, code="interview_due").status == "met"
    assert _nearest(case_id) == opened + dt.timedelta(days=180)

    # The queue shows it and sorts by it: a case due sooner comes first.
    sooner = _send(
        client,
        "post",
        f"{API}/",
        {
            "procedure": "asylum",
            "opened_on": today.isoformat(),
            "person_id": make_person(owner=worker),
        },
    )
    queue = client.get(f"{API}/queue").json()["results"]
    assert [c["id"] for c in queue] == [sooner["id"], case_id]
    assert queue[1]["next_due_on"] == (opened + dt.timedelta(days=180)).isoformat()
    before = (today + dt.timedelta(days=31)).isoformat()
    due = client.get(f"{API}/queue", {"due_before": before}).json()["results"]
    assert [c["id"] for c in due] == [sooner["id"]]
