"""Identification screening through the API: the rule's opinion is the engine's, the
screener's conclusion decides, and the guards of identify/screen out hold."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.apps.trafficking.conftest import (
    API,
    TRAFFICKED_TICKS,
    World,
    detail,
    open_case,
    post,
    screen,
)
from tests.conftest import login
from ura.apps.trafficking.models import Screening
from ura.casework.indicators import assess, current_indicator_set

pytestmark = pytest.mark.django_db


def test_the_screening_outcome_is_the_engines_for_a_known_tick_set(world: World) -> None:
    client = login(Client(), world.worker)
    preview = post(
        client,
        f"{API}/indicators/assess",
        {"list_code": "adult_labour", "observed": TRAFFICKED_TICKS},
    ).json()
    in_force = current_indicator_set(timezone.localdate())
    expected = assess(in_force, "adult_labour", TRAFFICKED_TICKS)
    assert preview["outcome"]["code"] == expected.outcome.code == "trafficked"
    assert preview["indicator_set"] == expected.version
    present = {e["code"] for e in preview["elements"] if e["present"]}
    assert (
        present
        == set(expected.present_elements)
        == {
            "deceptive_recruitment",
            "exploitative_conditions",
            "coercion_at_destination",
        }
    )
    # The weak indicator is observed but makes nothing present on its own.
    weak = next(
        e for e in preview["elements"] if e["code"] == "abuse_of_vulnerability_at_destination"
    )
    assert weak["observed"]
    assert not weak["present"]

    case_id, _person = open_case(world.worker)
    response = screen(client, case_id)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "presumed_victim"
    assert body["screening"]["rule_outcome"] == "trafficked"
    assert body["screening"]["indicator_set"] == expected.version
    summary = body["data"]["identification"]["indicators_assessment"]
    assert summary["rule_outcome"] == "trafficked"
    assert summary["screener_conclusion"] == "presumed_victim"
    assert body["data"]["identification"]["basis"]
    stored = Screening.objects.get(case_id=case_id)
    assert stored.screener == world.worker
    assert sorted(stored.observed) == sorted(TRAFFICKED_TICKS)


def test_the_screener_may_depart_from_the_rule_and_screen_out(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    body = screen(client, case_id, conclusion="not_identified").json()
    assert body["state"] == "not_identified"
    assert body["screening"]["rule_outcome"] == "trafficked"
    assert body["screening"]["conclusion"] == "not_identified"
    assert body["data"]["identification"]["conclusion_reason"]


def test_an_undetermined_screening_keeps_the_case_in_screening(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    body = screen(client, case_id, conclusion="undetermined", observed=[]).json()
    assert body["state"] == "screening"
    assert body["screening"]["rule_outcome"] == "not_enough"


def test_screening_refuses_unknown_indicators_and_a_missing_basis(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    wrong_list = screen(client, case_id, observed=["adult_sexual.deceptive_recruitment.s1"])
    assert wrong_list.status_code == 422
    assert screen(client, case_id, basis="  ").status_code == 422
    assert detail(client, case_id)["state"] == "screening"
    assert not Screening.objects.exists()


def test_a_partner_ngo_may_not_screen(world: World) -> None:
    """Screening needs trafficking.identify_victim; the NGO user assigned cannot."""
    case_id, _person = open_case(world.worker, assigned=())
    client = login(Client(), world.ngo_worker)
    # Not assigned, not granted: the case does not exist for them.
    assert client.get(f"{API}/cases/{case_id}").status_code == 404
    response = post(
        client,
        f"{API}/cases/{case_id}/screenings",
        {
            "version": 1,
            "list_code": "adult_labour",
            "observed": [],
            "conclusion": "undetermined",
            "basis": "x",
        },
    )
    assert response.status_code == 404


def test_identifying_does_not_let_a_screener_manage_the_case(world: World) -> None:
    """trafficking.identify_victim is not trafficking.manage_case: a first responder's
    permissions, given to a user who may change the case, do not reach the risk assessment."""
    case_id, _person = open_case(world.worker)
    screen(login(Client(), world.worker), case_id)
    case_client = login(Client(), world.responder)
    # The first responder is not assigned: the restricted case does not exist for them.
    assert case_client.get(f"{API}/cases/{case_id}").status_code == 404


def test_the_screening_page_shows_the_rules_assessment(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    page = client.get(f"/trafficking/cases/{case_id}/screening?list=adult_labour")
    assert page.status_code == 200
    assert b"adult_labour.deceptive_recruitment.s1" in page.content
    version = detail(client, case_id)["version"]
    preview = client.post(
        f"/trafficking/cases/{case_id}/screening",
        {
            "version": version,
            "list_code": "adult_labour",
            "observed": TRAFFICKED_TICKS,
            "preview": "1",
        },
    )
    assert preview.status_code == 200
    assert b"(trafficked)" in preview.content
    saved = client.post(
        f"/trafficking/cases/{case_id}/screening",
        {
            "version": version,
            "list_code": "adult_labour",
            "observed": TRAFFICKED_TICKS,
            "conclusion": "presumed_victim",
            "basis": "Documents withheld, debt bondage.",
            "save": "1",
        },
    )
    assert saved.status_code == 302
    assert detail(client, case_id)["state"] == "presumed_victim"


def test_the_profile_takes_only_known_values(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    for profile in ({"gender": "robot"}, {"citizenship": "XX"}, {"age_band": "young"}):
        assert screen(client, case_id, profile=profile).status_code == 422
    body = screen(
        client, case_id, profile={"gender": "male", "means_of_control": ["debt_bondage"]}
    ).json()
    assert body["data"]["profile"] == {"gender": "male", "means_of_control": ["debt_bondage"]}
