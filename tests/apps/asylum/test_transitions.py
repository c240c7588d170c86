"""Every transition of the LFIP procedure: the roles the asylum app grants let a caseworker
and a supervisor walk it; a role without the permission, or missing data, is refused with
every failure listed; four-eyes holds. The generic steps go through
/api/v1/cases/{id}/transitions; the steps the asylum app (or the decision panel) records
itself are refused there, and their guards are checked as the app's services record them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.apps.asylum.conftest import transition
from tests.apps.cases.factories import make_case
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.cases import services, workflow
from ura.apps.cases.models import Case

pytestmark = pytest.mark.django_db

PROCEDURE = workflow.registry().get("asylum", 1)

#: A plausible value for every data path a transition requires.
VALUES: dict[str, Any] = {
    "foreigner_id": "99123456789",
    "assigned_province": "06",
    "reporting.frequency": "weekly",
    "modality": "regular",
    "modality_reason": "Regular procedure.",
    "interview.date": "2026-12-01",
    "interview.language": "fa",
    "interview.reschedule_reason": "Interpreter ill.",
    "interview.record": "The applicant described the events of 2024.",
    "screening.inadmissibility_ground": "safe_third_country",
    "information_request.subject": "Identity documents",
    "information_request.addressee": "Applicant",
    "decision.outcome": "rejected",
    "decision.reasons": "No well-founded fear.",
    "approval.comments": "Cite the sources.",
    "notification.date": "2026-11-02",
    "notification.method": "in_person",
    "appeal.court": "Ankara İdare Mahkemesi",
    "appeal.lodged_on": "2026-11-03",
    "appeal.outcome": "annulled",
    "finality.date": "2026-11-04",
    "withdrawal.kind": "explicit",
    "withdrawal.ground": "applicant_request",
    "detention.ground": "Risk of absconding",
    "detention.place": "Ankara removal centre",
    "cessation.ground": "Re-availed protection",
    "cancellation.ground": "Fraud",
    "closure.reason": "Naturalised",
}

#: Transitions a supervisor performs (approval, detention); the caseworker does the rest.
SUPERVISOR_ONLY = {"approve_decision", "return_for_revision", "order_detention", "end_detention"}


def _first_from(code: str) -> str:
    t = PROCEDURE.transition(code)
    return next(s.code for s in PROCEDURE.states if PROCEDURE.allowed_from(t, s.code))


def _data(code: str) -> dict[str, Any]:
    return {path: VALUES[path] for path in PROCEDURE.transition(code).guards.required}


def _attempt(user: User, case_id: int, code: str, data: dict[str, Any] | None = None) -> Any:
    """Record the step as a user would: through the generic endpoint, or, for a step an app
    records itself, as its services do (with the app's recorder). (status, body)."""
    owner = workflow.transition_owner("asylum", code)
    if owner is None:
        response = transition(login(Client(), user), case_id, code, data)
        return response.status_code, response.json()
    try:
        done = services.case_transition(
            actor=user,
            case_id=case_id,
            transition=code,
            expected_version=Case.objects.get(pk=case_id).version,
            data_changes=data or {},
            recorded_by=owner,
        )
    except workflow.TransitionRefusedError as refused:
        failures = [{"code": f.code, "detail": f.detail} for f in refused.failures]
        return 422, {"failures": failures}
    return 200, {"state": done.state}


@pytest.fixture
def outsider(unit: Unit) -> User:
    """A partner NGO worker assigned to the case: may change it, holds no asylum permission."""
    return make_user(role=RoleCode.PARTNER_NGO, unit=unit)


def test_every_transition_needs_data_in_the_procedure() -> None:
    """Every required path has a test value, so the walk below covers every transition."""
    missing = {
        path for t in PROCEDURE.transitions for path in t.guards.required if path not in VALUES
    }
    assert not missing


@pytest.mark.parametrize("code", [t.code for t in PROCEDURE.transitions])
def test_each_transition_with_its_guards(
    code: str, worker: User, supervisor: User, outsider: User
) -> None:
    """The right role with the required data moves the case; a role without the
    permission and a request without the data are refused, each failure listed."""
    t = PROCEDURE.transition(code)
    case = make_case(owner=worker, state=_first_from(code), assigned=(worker, supervisor, outsider))
    actor = supervisor if code in SUPERVISOR_ONLY else worker

    if workflow.transition_owner("asylum", code) is not None:
        generic = transition(login(Client(), actor), case.pk, code, _data(code))
        assert generic.status_code == 422, generic.content
        assert "not with the generic step form" in generic.json()["errors"]["transition"][0]
        assert Case.objects.get(pk=case.pk).state == case.state

    status, body = _attempt(outsider, case.pk, code, _data(code))
    assert status == 422, body
    assert [f["code"] for f in body["failures"]] == ["permission"]

    if t.guards.required:
        status, body = _attempt(actor, case.pk, code)
        assert status == 422
        (failure,) = body["failures"]
        assert failure["code"] == "required"
        for path in t.guards.required:
            assert path in failure["detail"], (path, failure)

    status, body = _attempt(actor, case.pk, code, _data(code))
    assert status == 200, body
    assert body["state"] == (t.to or case.state)


def test_a_caseworker_may_not_approve_or_detain(worker: User) -> None:
    case = make_case(owner=worker, state="decision_drafted", assigned=(worker,))
    status, body = _attempt(worker, case.pk, "approve_decision")
    assert status == 422
    assert [f["code"] for f in body["failures"]] == ["permission"]


def test_the_drafter_cannot_approve_their_own_decision(worker: User, unit: Unit) -> None:
    """Four-eyes: a supervisor who submitted the decision may not approve it; another may."""
    first = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    second = make_user(role=RoleCode.SUPERVISOR, unit=unit)
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    data = {"decision.outcome": "rejected", "decision.reasons": "Not credible."}
    assert _attempt(first, case.pk, "submit_for_approval", data)[0] == 200

    status, body = _attempt(first, case.pk, "approve_decision")
    assert status == 422
    assert [f["code"] for f in body["failures"]] == ["four_eyes"]
    assert Case.objects.get(pk=case.pk).state == "decision_drafted"

    status, body = _attempt(second, case.pk, "approve_decision")
    assert status == 200
    assert body["state"] == "decision_approved"


def test_the_generic_update_leaves_the_interview_record_alone(worker: User) -> None:
    """The interview record and the assessment are the asylum pages' to write."""
    case = make_case(owner=worker, state="assessment", assigned=(worker,))
    client = login(Client(), worker)
    attempts: list[dict[str, Any]] = [{"interview.record": "Rewritten."}, {"assessment": {}}]
    for changes in attempts:
        refused = client.patch(
            f"/api/v1/cases/{case.pk}",
            json.dumps({"version": case.version, "data_changes": changes}),
            "application/json",
        )
        assert refused.status_code == 422, refused.content
        assert "asylum panel" in refused.json()["errors"]["data_changes"][0]
    assert Case.objects.get(pk=case.pk).version == case.version
