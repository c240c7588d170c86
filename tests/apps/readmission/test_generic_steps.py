"""The case engine's generic step form and API do not record the readmission steps (sending
makes the request's PDF, deemed consent checks the agreement), nor change the request's data
(its agreement sets the deadlines): only the readmission app's services do."""

from __future__ import annotations

import json

import pytest

from tests.apps.readmission.conftest import World, as_user, detail, drafted, ok, post, send
from ura.apps.cases import services as case_services
from ura.apps.cases import workflow
from ura.apps.cases.models import Case, CaseDocument
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.readmission import services as readmission
from ura.apps.returns import services as returns

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def _generic(client: object, case_id: int, transition: str, **data: object) -> object:
    version = detail(client, case_id)["version"]  # type: ignore[arg-type]
    return post(
        client,  # type: ignore[arg-type]
        f"{CASES}/{case_id}/transitions",
        {"version": version, "transition": transition, "data_changes": data},
    )


def test_the_generic_endpoint_does_not_send_a_request(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    before = detail(worker, case_id)
    refused = _generic(boss, case_id, "send_request", **{"request.sent_on": "2026-04-30"})
    assert refused.status_code == 422, refused.content  # type: ignore[attr-defined]
    (message,) = refused.json()["errors"]["transition"]  # type: ignore[attr-defined]
    assert "readmission request's page" in message
    after = detail(worker, case_id)
    assert (after["state"], after["version"]) == (before["state"], before["version"])
    assert not CaseDocument.objects.filter(case_id=case_id).exists()
    assert AuditEvent.objects.filter(
        actor_id=world.boss.pk,
        action=AuditAction.ACCESS_DENIED,
        object_id=str(case_id),
        detail__outcome="recorded_by_procedure_app",
    ).exists()
    # The app's own endpoint sends it, with its PDF.
    assert ok(send(boss, case_id))["state"] != before["state"]
    assert CaseDocument.objects.filter(case_id=case_id).exists()


def test_deemed_consent_is_not_applied_through_the_generic_endpoint(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    ok(send(boss, case_id))
    state = detail(worker, case_id)["state"]
    refused = _generic(boss, case_id, "apply_deemed_consent")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert detail(worker, case_id)["state"] == state


def test_the_generic_update_does_not_change_the_request(world: World) -> None:
    worker = as_user(world.worker)
    case_id = drafted(worker, world.worker)
    agreement = Case.objects.get(pk=case_id).data["request"]["agreement"]
    for changes in (
        {"request.agreement": "tr-pk-2010"},
        {"request": {"agreement": "tr-pk-2010"}},  # the parent replaces its children
        {"reply.deemed_on": "2026-05-01"},
    ):
        version = detail(worker, case_id)["version"]
        refused = worker.patch(
            f"{CASES}/{case_id}",
            json.dumps({"version": version, "data_changes": changes}),
            "application/json",
        )
        assert refused.status_code == 422, refused.content
        assert "readmission request's page" in refused.json()["errors"]["data_changes"][0]
    assert Case.objects.get(pk=case_id).data["request"]["agreement"] == agreement
    # Data no app owns still changes through the generic update.
    version = detail(worker, case_id)["version"]
    changed = worker.patch(
        f"{CASES}/{case_id}",
        json.dumps({"version": version, "data_changes": {"remarks.interpreter": "Dari"}}),
        "application/json",
    )
    assert changed.status_code == 200, changed.content


def test_the_case_page_offers_no_generic_form_for_an_app_step(world: World) -> None:
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    page = boss.get(f"/cases/{case_id}/").content.decode()
    assert 'value="send_request"' not in page
    api = boss.get(f"{CASES}/{case_id}").json()
    assert "send_request" not in [t["code"] for t in api["transitions"]]
    version = detail(worker, case_id)["version"]
    posted = boss.post(
        f"/cases/{case_id}/transition",
        {"transition": "send_request", "t-send_request-version": version},
    )
    assert posted.status_code == 422
    assert "readmission request&#x27;s page" in posted.content.decode()
    assert detail(worker, case_id)["version"] == version


def test_only_the_owning_apps_recorder_passes(world: World) -> None:
    worker = as_user(world.worker)
    case_id = drafted(worker, world.worker)
    version = detail(worker, case_id)["version"]
    for recorder in (None, returns.OWNER):  # none, or another app's
        with pytest.raises(workflow.AppOwnedError):
            case_services.case_transition(
                actor=world.boss,
                case_id=case_id,
                transition="send_request",
                expected_version=version,
                recorded_by=recorder,
            )
    assert readmission.OWNER is workflow.transition_owner("readmission", "send_request")


def test_an_app_cannot_declare_a_step_its_procedure_lacks() -> None:
    with pytest.raises(ValueError, match="no transition"):
        workflow.register_app_steps(readmission.OWNER, transitions=["launch_rocket"])
