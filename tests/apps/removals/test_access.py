"""Need-to-know on removal cases: an officer of another agency cannot see or touch them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.removals.conftest import API, World, apprehension, open_case, post
from tests.conftest import login
from ura.apps.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["outsider", "outsider_boss"])
def test_another_agencys_officer_cannot_see_the_case(world: World, who: str) -> None:
    case_id = open_case(world.worker)
    other = login(Client(), getattr(world, who))
    assert other.get(f"{API}/cases/{case_id}").status_code == 404
    response = post(
        other,
        f"{API}/cases/{case_id}/steps/record_apprehension",
        {
            "version": 1,
            "data": apprehension(timezone.localdate()),
        },
    )
    assert response.status_code == 404
    assert other.get(f"/removals/cases/{case_id}/").status_code == 404
    assert other.get(f"/removals/cases/{case_id}/steps/record_apprehension").status_code == 404
    listed = other.get(f"{API}/cases").json()["results"]
    assert case_id not in {row["id"] for row in listed}
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_id=str(case_id), actor_id=getattr(world, who).pk
    ).exists()


def test_the_own_agency_sees_it(world: World) -> None:
    case_id = open_case(world.worker)
    boss = login(Client(), world.boss)
    assert boss.get(f"{API}/cases/{case_id}").status_code == 200
    listed = boss.get(f"{API}/cases").json()["results"]
    assert case_id in {row["id"] for row in listed}
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, object_id=str(case_id), actor_id=world.boss.pk
    ).exists()


def test_a_first_responder_sees_only_the_cases_they_opened(world: World) -> None:
    case_id = open_case(world.worker)
    responder = login(Client(), world.responder)
    assert responder.get(f"{API}/cases/{case_id}").status_code == 404
