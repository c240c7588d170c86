"""The identification decision: drafted by the engine from the trafficking templates with
this app's context, approved by a second person; the document names the person by
pseudonym only."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.apps.trafficking.conftest import (
    RISK,
    World,
    consent,
    detail,
    open_case,
    post,
    refer,
    screen,
    step,
)
from tests.conftest import login
from ura.apps.people.models import PersonRecord
from ura.casework.htcds import read_htcds_json

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/cases/decisions/"


@pytest.mark.parametrize(
    ("conclusion", "outcome", "language", "expected"),
    [
        ("presumed_victim", "identified_victim", "en", "identified as a victim of trafficking"),
        ("presumed_victim", "identified_victim", "sq", "identifikohet si viktimë"),
        ("not_identified", "not_identified", "en", "within 60 days"),
    ],
)
def test_the_decision_is_drafted_and_approved_without_the_name(
    world: World, conclusion: str, outcome: str, language: str, expected: str
) -> None:
    case_id, _person = open_case(world.worker, assigned=(world.boss,))
    client = login(Client(), world.worker)
    screen(client, case_id, conclusion=conclusion)
    drafted = post(
        client,
        DECISIONS,
        {
            "case_id": case_id,
            "version": detail(client, case_id)["version"],
            "outcome": outcome,
            "language": language,
            "reasons": "Indicators of forced labour",
        },
    )
    assert drafted.status_code == 201, drafted.content
    text = drafted.json()["text"]
    assert expected in text
    assert "Person T-" in text
    assert "Deceived about" in text or "deceptive" in text.lower()
    name = PersonRecord.objects.filter(created_by=world.worker).latest("pk").family_name
    assert name not in text
    decision_id = drafted.json()["id"]
    version = detail(client, case_id)["version"]
    assert post(client, f"{DECISIONS}{decision_id}/submit", {"version": version}).status_code == 200
    boss = login(Client(), world.boss)
    version = detail(boss, case_id)["version"]
    approved = post(boss, f"{DECISIONS}{decision_id}/approve", {"version": version})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"


def test_an_approved_identification_makes_the_export_say_identified(world: World) -> None:
    case_id, person = open_case(world.worker, assigned=(world.boss,))
    client = login(Client(), world.worker)
    screen(client, case_id)
    step(client, case_id, "assess_risk", RISK)
    consent(client, case_id, person)
    refer(client, case_id, world.ngo)

    def status() -> object:
        export = client.get(f"/api/v1/trafficking/cases/{case_id}/htcds").content.decode()
        return read_htcds_json(io.StringIO(export))[0]["vic_TraffickingStatus"]

    assert status() == "PossibleVictimOfTrafficking"
    drafted = post(
        client,
        DECISIONS,
        {
            "case_id": case_id,
            "version": detail(client, case_id)["version"],
            "outcome": "identified_victim",
            "language": "en",
            "reasons": "Forced labour",
        },
    ).json()
    post(
        client,
        f"{DECISIONS}{drafted['id']}/submit",
        {"version": detail(client, case_id)["version"]},
    )
    boss = login(Client(), world.boss)
    post(boss, f"{DECISIONS}{drafted['id']}/approve", {"version": detail(boss, case_id)["version"]})
    assert status() == "ActualVictimOfTrafficking"
