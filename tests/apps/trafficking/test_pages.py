"""The trafficking pages: the case page links its steps here, lists show pseudonyms, a stale
version is refused, services and the HTCDS download work from the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.apps.trafficking.conftest import (
    API,
    RISK,
    World,
    consent,
    detail,
    open_case,
    refer,
    screen,
    step,
)
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_case_page_sends_each_step_to_its_trafficking_page(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    page = client.get(f"/cases/{case_id}/").content.decode()
    assert f"/trafficking/cases/{case_id}/screening" in page
    screen(client, case_id)
    page = client.get(f"/cases/{case_id}/").content.decode()
    assert f"/trafficking/cases/{case_id}/steps/assess_risk" in page


def test_a_stale_version_is_refused_with_409(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    screen(client, case_id)
    stale = detail(client, case_id)["version"] - 1
    response = client.post(
        f"{API}/cases/{case_id}/steps/assess_risk",
        {"version": stale, "data": RISK},
        "application/json",
    )
    assert response.status_code == 409
    assert detail(client, case_id)["state"] == "presumed_victim"


def test_the_home_page_lists_pseudonyms_and_waiting_referrals(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, person = open_case(world.worker)
    screen(client, case_id)
    step(client, case_id, "assess_risk", RISK)
    consent(client, case_id, person)
    refer(client, case_id, world.ngo)
    reference = detail(client, case_id)["reference"]
    home = client.get("/trafficking/")
    assert f"Person T-{reference}".encode() in home.content
    ngo_home = login(Client(), world.ngo_worker).get("/trafficking/")
    assert b"wait" in ngo_home.content
    assert login(Client(), world.outsider).get(f"/trafficking/cases/{case_id}/").status_code == 404


def test_the_home_page_names_each_state_by_its_label(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, _person = open_case(world.worker)
    screen(client, case_id)
    home = client.get("/trafficking/").content.decode()
    assert "<td>Presumed victim identified</td>" in home
    assert "<td>presumed_victim</td>" not in home


def test_the_referrals_page_names_the_services_requested(world: World) -> None:
    client = login(Client(), world.worker)
    case_id, person = open_case(world.worker)
    screen(client, case_id)
    step(client, case_id, "assess_risk", RISK)
    consent(client, case_id, person)
    assert refer(client, case_id, world.ngo).status_code == 200
    page = login(Client(), world.ngo_worker).get("/trafficking/referrals/").content.decode()
    assert "<dd>Accommodation (shelter), Psychosocial support</dd>" in page
    assert "accommodation, psychosocial" not in page


def test_services_and_the_htcds_download_from_the_pages(world: World) -> None:
    world.ngo.agency.name = "@SUM(1+1) shelter"
    world.ngo.agency.save()
    client = login(Client(), world.worker)
    case_id, person = open_case(world.worker)
    screen(client, case_id)
    step(client, case_id, "assess_risk", RISK)
    consent(client, case_id, person)
    refer(client, case_id, world.ngo)
    url = f"/trafficking/cases/{case_id}/services"
    assert client.get(url).status_code == 200
    posted = client.post(
        url,
        {
            "version": detail(client, case_id)["version"],
            "kind": "interpretation",
            "provider": world.police.agency_id,
            "started_on": "2026-01-07",
        },
    )
    assert posted.status_code == 302, posted.content
    assert [s["kind"] for s in detail(client, case_id)["services"]] == ["interpretation"]
    download = client.get(f"/trafficking/cases/{case_id}/htcds.csv")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert "'@SUM(1+1) shelter" in download.content.decode()
    assert "Interpretation" in download.content.decode()
    assert client.get(f"/trafficking/cases/{case_id}/steps/no_such_step").status_code == 404
