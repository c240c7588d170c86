"""The demo's AVRR cases: every stage, made through the services, partners abroad seeing
only what was shared, re-running adds none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from ura.apps.cases.models import Case, CaseDeadline, CaseEvent
from ura.web.demo import demo_extracts_load, demo_load
from ura.web.demo_returns import STAGES, demo_returns_load


@pytest.mark.django_db
def test_demo_returns_span_the_procedure(tmp_path: Path) -> None:
    users = {u.username: u for u, _, _ in demo_load()}
    demo_extracts_load(tmp_path, persons=300)
    logins = demo_returns_load(users)
    partners = [user for user, _role, _agency in logins]
    assert {p.username for p in partners} == {"io.erbil", "ngo.reintegration"}
    avrr = Case.objects.filter(procedure_code="avrr")
    assert avrr.count() == len(STAGES)
    states = set(avrr.values_list("state", flat=True))
    assert states >= {
        "counselling",
        "eligible",
        "application_lodged",
        "pre_departure",
        "departed",
        "arrived",
        "reintegration",
        "monitoring",
        "closed",
        "withdrawn",
        "not_eligible",
    }
    assert not CaseEvent.objects.filter(occurred_on__gt=timezone.localdate()).exists()
    arrived = avrr.get(state="arrived")
    plan = CaseDeadline.objects.get(case=arrived, code="reintegration_plan")
    assert plan.status in ("open", "due_soon")
    erbil = Client()
    erbil.force_login(next(p for p in partners if p.username == "io.erbil"))
    seen = erbil.get("/api/v1/returns/cases").json()["results"]
    assert seen
    one = erbil.get(f"/api/v1/returns/cases/{seen[0]['id']}").json()
    assert one["owner_view"] is False
    assert one["medical"] is None
    assert one["counselling_sessions"] is None
    assert demo_returns_load(users) == logins
    assert Case.objects.filter(procedure_code="avrr").count() == len(STAGES)
