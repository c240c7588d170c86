"""Transitions through the API: the procedure's guards (state, permission, required data,
consent, four-eyes) checked by the engine, every failure listed; state, history, audit and
deadlines written together; the procedure version fixed when the case is opened.

The procedures here are written for the tests (``ura.casework`` parses them like the shipped
ones), so that the tests pin the behaviour of the case layer, not the current law's text.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.cases.factories import make_consent, make_person
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases import workflow
from ura.apps.cases.models import Case, CaseDeadline, CaseEvent
from ura.apps.core.models import AuditAction, AuditEvent
from ura.casework.procedures import ProcedureRegistry, parse_procedure

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"

_PROCEDURE = """
code: asylum
version: {version}
effective_from: {effective}
title: International protection (test)
jurisdiction: TR
legal_basis: Law 6458 (test)
consent_override_permission: cases.override_consent
states:
  - {{code: {initial}, label: Registered, phase: registration}}
  - {{code: interviewed, label: Interviewed, phase: determination}}
  - {{code: decided, label: Decided, phase: decision, terminal: true}}
initial_state: {initial}
transitions:
  - code: interview
    label: Interview held
    from: [{initial}]
    to: interviewed
    permission: cases.change_case
    required: [interview.date]
    emits: [interview_held]
  - code: decide
    label: Decide
    from: [interviewed]
    to: decided
    permission: cases.approve_case
    four_eyes: interview
  - code: share
    label: Share data with a service provider
    from: "*"
    consent: data_sharing
deadlines:
  - code: interview_due
    label: Personal interview
    starts_on: opened
    stops_on: [interview_held]
    duration: 30
    unit: calendar_days
    roll_forward: false
    legal_reference: LFIP Art. 75
    check: true
  - code: decision_due
    label: First-instance decision
    starts_on: interview_held
    duration: 180
    unit: calendar_days
    roll_forward: false
    binding: false
    legal_reference: LFIP Art. 78
"""


@pytest.fixture(autouse=True)
def procedures(monkeypatch: pytest.MonkeyPatch) -> ProcedureRegistry:
    """Version 1 from 2014; version 2 (a renamed first state) for cases opened from
    1 June 2026."""
    registry = ProcedureRegistry(
        [
            parse_procedure(
                _PROCEDURE.format(version=1, effective="2014-04-11", initial="registered")
            ),
            parse_procedure(_PROCEDURE.format(version=2, effective="2026-06-01", initial="lodged")),
        ]
    )
    monkeypatch.setattr(workflow, "registry", lambda: registry)
    # An invented procedure under the asylum code: the asylum app's steps and data are not
    # its own (the engine's refusal of those is tested with the apps themselves).
    monkeypatch.setattr(workflow, "_owned_transitions", {})
    monkeypatch.setattr(workflow, "_owned_data", {})
    return registry


def _post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), "application/json")


def _open(client: Client, owner: User, opened_on: str = "2026-01-05") -> dict[str, Any]:
    response = _post(
        client,
        f"{API}/",
        {"procedure": "asylum", "opened_on": opened_on, "person_id": make_person(owner=owner)},
    )
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _codes(response: Any) -> list[str]:
    assert response.status_code == 422, response.content
    return sorted(f["code"] for f in response.json()["failures"])


@pytest.fixture
def worker(unit: Unit) -> User:
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


@pytest.fixture
def client(worker: User) -> Client:
    return login(Client(), worker)


def test_a_case_keeps_the_procedure_version_in_force_when_it_was_opened(
    worker: User, client: Client
) -> None:
    """A change of the rules applies to new cases only."""
    old = _open(client, worker, "2026-01-05")
    new = _open(client, worker, "2026-07-01")
    assert (old["procedure_version"], old["state"]) == (1, "registered")
    assert (new["procedure_version"], new["state"]) == (2, "lodged")
    assert [t["code"] for t in old["transitions"]] == ["interview", "share"]


def test_opening_computes_the_deadlines_with_their_legal_reference(
    worker: User, client: Client
) -> None:
    case = _open(client, worker, "2026-01-05")
    (deadline,) = case["deadlines"]
    assert (deadline["code"], deadline["instance"], deadline["started_on"]) == (
        "interview_due",
        1,
        "2026-01-05",
    )
    assert (deadline["due_on"], deadline["legal_reference"]) == ("2026-02-04", "LFIP Art. 75")
    assert (deadline["binding"], deadline["check"]) == (True, True)
    assert deadline["status"] in {"open", "due_soon", "overdue"}


def test_every_failed_guard_is_listed(worker: User, client: Client) -> None:
    """A caseworker deciding a registered case: wrong state and missing permission, both."""
    case = _open(client, worker)
    response = _post(
        client, f"{API}/{case['id']}/transitions", {"version": 1, "transition": "decide"}
    )
    assert _codes(response) == ["not_allowed_from_state", "permission"]
    assert Case.objects.get(pk=case["id"]).state == "registered"
    refused = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, object_id=str(case["id"]))
    assert refused.detail["failures"] == ["not_allowed_from_state", "permission"]


def test_an_unknown_transition_is_refused(worker: User, client: Client) -> None:
    case = _open(client, worker)
    response = _post(
        client, f"{API}/{case['id']}/transitions", {"version": 1, "transition": "teleport"}
    )
    assert _codes(response) == ["unknown_transition"]


def test_required_data_may_come_with_the_transition(worker: User, client: Client) -> None:
    """Without the interview date the transition is refused; with it, the state, the data,
    the history, the audit trail and the deadlines change together."""
    case = _open(client, worker)
    url = f"{API}/{case['id']}/transitions"
    assert _codes(_post(client, url, {"version": 1, "transition": "interview"})) == ["required"]
    done = _post(
        client,
        url,
        {"version": 1, "transition": "interview", "data_changes": {"interview.date": "2026-01-20"}},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["state"], body["version"]) == ("interviewed", 2)
    assert body["data"] == {"interview": {"date": "2026-01-20"}}
    event = CaseEvent.objects.get(case_id=case["id"], kind="transition")
    assert (event.transition, event.from_state, event.to_state, event.actor_id) == (
        "interview",
        "registered",
        "interviewed",
        worker.pk,
    )
    audit = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(case["id"])).last()
    assert audit is not None
    assert audit.changes == {"state": {"old": "registered", "new": "interviewed"}}
    codes = set(CaseDeadline.objects.filter(case_id=case["id"]).values_list("code", flat=True))
    assert "decision_due" in codes
    decision = CaseDeadline.objects.get(case_id=case["id"], code="decision_due")
    assert decision.due_on == timezone.localdate() + dt.timedelta(days=180)
    assert decision.binding is False


def test_a_step_recorded_late_counts_from_the_day_it_happened(worker: User, client: Client) -> None:
    """An interview held on 20 January and entered later: the history says 20 January and
    the decision deadline runs from then; a future day, a day before the opening or before
    the latest step is refused and changes nothing."""
    case = _open(client, worker)
    url = f"{API}/{case['id']}/transitions"
    step = {"version": 1, "transition": "interview", "data_changes": {"interview.date": "x"}}
    for bad in ("2026-01-04", (timezone.localdate() + dt.timedelta(days=1)).isoformat()):
        refused = _post(client, url, {**step, "occurred_on": bad})
        assert refused.status_code == 422, refused.content
        assert "occurred_on" in refused.json()["errors"]
    assert Case.objects.get(pk=case["id"]).state == "registered"
    done = _post(client, url, {**step, "occurred_on": "2026-01-20"})
    assert done.status_code == 200, done.content
    event = CaseEvent.objects.get(case_id=case["id"], kind="transition")
    assert event.occurred_on == dt.date(2026, 1, 20)
    assert event.occurred_at.date() == timezone.now().date()
    decision = CaseDeadline.objects.get(case_id=case["id"], code="decision_due")
    assert decision.started_on == dt.date(2026, 1, 20)
    assert decision.due_on == dt.date(2026, 1, 20) + dt.timedelta(days=180)
    make_consent(case=Case.objects.get(pk=case["id"]), kind="data_sharing")
    earlier = {"version": 2, "transition": "share", "occurred_on": "2026-01-19"}
    assert "occurred_on" in _post(client, url, earlier).json()["errors"]


def test_four_eyes_the_one_who_interviewed_may_not_decide(unit: Unit) -> None:
    first = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    second = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    one, two = login(Client(), first), login(Client(), second)
    case = _open(one, first)
    url = f"{API}/{case['id']}/transitions"
    _post(
        one,
        url,
        {"version": 1, "transition": "interview", "data_changes": {"interview.date": "2026-01-20"}},
    )
    assert _codes(_post(one, url, {"version": 2, "transition": "decide"})) == ["four_eyes"]
    decided = _post(two, url, {"version": 2, "transition": "decide"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "decided"
    assert decided.json()["closed_at"] is not None


def test_a_consent_guard_needs_consent_or_an_audited_override(unit: Unit) -> None:
    worker = make_user(role=RoleCode.CASEWORKER, unit=unit)
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    staff, boss = login(Client(), worker), login(Client(), supervisor)
    case = _open(staff, worker)
    url = f"{API}/{case['id']}/transitions"
    assert _codes(_post(staff, url, {"version": 1, "transition": "share"})) == ["consent"]
    # The supervisor holds the override, but an override needs its reason.
    assert _codes(_post(boss, url, {"version": 1, "transition": "share"})) == ["consent"]
    overridden = _post(
        boss,
        url,
        {"version": 1, "transition": "share", "override_consent_reason": "court order 2026/17"},
    )
    assert overridden.status_code == 200, overridden.content
    assert overridden.json()["state"] == "registered"  # an action, not a move
    event = AuditEvent.objects.get(detail__change="consent_override")
    assert event.detail["reason"] == "court order 2026/17"
    # With consent recorded, the caseworker may share too.
    make_consent(case=Case.objects.get(pk=case["id"]), kind="data_sharing")
    shared = _post(staff, url, {"version": 2, "transition": "share"})
    assert shared.status_code == 200, shared.content


def test_a_stale_transition_gets_409(worker: User, client: Client) -> None:
    case = _open(client, worker)
    url = f"{API}/{case['id']}/transitions"
    client.patch(
        f"{API}/{case['id']}", json.dumps({"version": 1, "priority": "high"}), "application/json"
    )
    stale = _post(
        client,
        url,
        {"version": 1, "transition": "interview", "data_changes": {"interview.date": "2026-01-20"}},
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Case.objects.get(pk=case["id"]).state == "registered"


def test_the_work_queue_puts_urgent_then_soonest_due_first(worker: User, client: Client) -> None:
    later = _open(client, worker, "2026-01-20")
    sooner = _open(client, worker, "2026-01-05")
    urgent = _open(client, worker, "2026-01-25")
    client.patch(
        f"{API}/{urgent['id']}",
        json.dumps({"version": 1, "priority": "urgent"}),
        "application/json",
    )
    queue = client.get(f"{API}/queue").json()["results"]
    assert [c["id"] for c in queue] == [urgent["id"], sooner["id"], later["id"]]
    assert queue[1]["next_due_on"] == "2026-02-04"
    due = client.get(f"{API}/queue", {"due_before": "2026-02-10"}).json()["results"]
    assert [c["id"] for c in due] == [sooner["id"]]
