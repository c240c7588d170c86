"""The demo's readmission requests: every state of the procedure, several counterpart
countries under two agreements, each form kept as a PDF, a silent request due for deemed
consent, figures on the dashboard; running it again adds none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from ura.apps.cases.models import Case, CaseDocument, CaseEvent
from ura.web.demo import demo_extracts_load, demo_load
from ura.web.demo_readmission import _REQUESTS, demo_readmission_load


@pytest.mark.django_db
def test_demo_readmission_requests(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    users = {u.username: u for u, _, _ in demo_load()}
    demo_extracts_load(tmp_path, persons=300)
    assert demo_readmission_load(users) == len(_REQUESTS)
    requests = Case.objects.filter(procedure_code="readmission")
    states = set(requests.values_list("state", flat=True))
    assert states >= {
        "drafted",
        "sent",
        "reply_due",
        "accepted",
        "deemed_accepted",
        "rejected",
        "travel_document",
        "transfer_scheduled",
        "transferred",
        "returned_back",
        "closed",
        "withdrawn",
    }
    counterparts = {c.data["request"]["counterpart"] for c in requests}
    assert counterparts >= {"GR", "BG", "DE", "PK"}
    sent = requests.exclude(state="drafted").count()
    assert CaseDocument.objects.filter(kind="readmission_request").count() == sent
    assert not CaseEvent.objects.filter(occurred_on__gt=timezone.localdate()).exists()
    boss = Client()
    boss.force_login(users["supervisor.gaziantep"])
    figures = boss.get("/api/v1/readmission/dashboard", {"since": "2000-01-01"}).json()
    assert {row["code"] for row in figures["counterparts"]} >= {"GR", "BG", "PK"}
    silent = boss.get("/api/v1/readmission/requests?state=reply_due").json()
    due = [
        boss.get(f"/api/v1/readmission/requests/{r['id']}").json()["deemed_consent_possible"]
        for r in silent
    ]
    assert any(due)
    assert demo_readmission_load(users) == 0
