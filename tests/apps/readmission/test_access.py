"""Need-to-know on readmission requests: a caseworker of another agency sees none of them
(404 everywhere, audited), an analyst sees figures only, and each permission of the app is
held by the roles that need it."""

from __future__ import annotations

import pytest

from tests.apps.readmission.conftest import API, World, as_user, detail, drafted, post, send
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_another_agency_sees_no_request(world: World) -> None:
    worker = as_user(world.worker)
    case_id = drafted(worker, world.worker)
    outsider = as_user(world.outsider)
    assert outsider.get(f"{API}/requests/{case_id}").status_code == 404
    assert outsider.get(f"{API}/requests/{case_id}/form.pdf").status_code == 404
    version = detail(worker, case_id)["version"]
    for url, payload in [
        (f"{API}/requests/{case_id}/send", {"version": version}),
        (
            f"{API}/requests/{case_id}/steps/withdraw",
            {"version": version, "values": {"withdrawal.reason": "x"}},
        ),
        (f"{API}/requests/{case_id}/deemed-consent", {"version": version}),
    ]:
        assert post(outsider, url, payload).status_code in (403, 404), url
    assert outsider.get(f"{API}/requests").json() == []
    assert AuditEvent.objects.filter(
        actor_id=world.outsider.pk, action=AuditAction.ACCESS_DENIED
    ).exists()
    assert detail(worker, case_id)["state"] == "drafted"


def test_an_analyst_sees_figures_but_no_request(world: World) -> None:
    worker = as_user(world.worker)
    case_id = drafted(worker, world.worker)
    analyst = as_user(world.analyst)
    assert analyst.get(f"{API}/requests").status_code == 403
    assert analyst.get(f"{API}/requests/{case_id}").status_code in (403, 404)
    assert analyst.get(f"{API}/agreements").status_code == 403
    assert analyst.get(f"{API}/dashboard").status_code == 200
    assert worker.get(f"{API}/dashboard").status_code == 403


def test_only_supervisors_send_and_apply_deemed_consent(world: World) -> None:
    """The caseworker drafts and records but may not send the request abroad."""
    worker, boss = as_user(world.worker), as_user(world.boss)
    case_id = drafted(worker, world.worker)
    assert send(worker, case_id).status_code == 403
    assert AuditEvent.objects.filter(
        actor_id=world.worker.pk,
        action=AuditAction.ACCESS_DENIED,
        detail__attempted="readmission.send_request",
    ).exists()
    assert send(boss, case_id).status_code == 200
    assert post(worker, f"{API}/deemed-consent").status_code == 403


def test_reading_a_request_is_audited(world: World) -> None:
    worker = as_user(world.worker)
    case_id = drafted(worker, world.worker)
    before = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(case_id)).count()
    detail(worker, case_id)
    after = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(case_id)).count()
    assert after == before + 1


def test_a_case_of_another_procedure_is_not_a_request(world: World) -> None:
    from tests.apps.cases.factories import make_case

    case = make_case(owner=world.worker, assigned=(world.worker,))
    worker = as_user(world.worker)
    assert worker.get(f"{API}/requests/{case.pk}").status_code == 404
    response = post(
        worker,
        f"{API}/requests/{case.pk}/steps/withdraw",
        {"version": case.version, "values": {"withdrawal.reason": "x"}},
    )
    assert response.status_code == 404
