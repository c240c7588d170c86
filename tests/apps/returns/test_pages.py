"""The returns pages: the list, the case page and its panel on the generic case page, the
action forms (posted as a browser does), and the partner's referrals page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.apps.returns.conftest import (
    TODAY,
    World,
    act,
    application,
    detail,
    ok,
    open_case,
    to_eligible,
    to_pre_departure,
)
from tests.conftest import login
from ura.apps.returns.models import CounsellingSession

pytestmark = pytest.mark.django_db


def test_the_counsellor_records_a_session_through_the_page(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    home = client.get("/returns/")
    assert home.status_code == 200
    assert str(detail(client, case_id)["reference"]) in home.content.decode()
    page = client.get(f"/returns/cases/{case_id}/actions/counselling")
    assert page.status_code == 200
    assert "Interpreter" in page.content.decode()
    version = detail(client, case_id)["version"]
    bad = client.post(
        f"/returns/cases/{case_id}/actions/counselling",
        {"version": version, "held_on": TODAY, "language": "Farsi", "outcome": "considering"},
    )
    assert bad.status_code == 200  # the form again, with the error on the topics
    assert not CounsellingSession.objects.filter(case_id=case_id).exists()
    response = client.post(
        f"/returns/cases/{case_id}/actions/counselling",
        {
            "version": version,
            "held_on": TODAY,
            "language": "Farsi",
            "interpreter": "",
            "topics": ["return_options", "risks"],
            "outcome": "considering",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/returns/cases/{case_id}/"
    session = CounsellingSession.objects.get(case_id=case_id)
    assert session.counsellor == world.counsellor
    case_page = client.get(f"/returns/cases/{case_id}/").content.decode()
    assert "Farsi" in case_page


def test_the_generic_case_page_shows_the_panel_and_links_the_steps(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    page = client.get(f"/cases/{case_id}/").content.decode()
    assert "Voluntary return" in page
    assert f"/returns/cases/{case_id}/actions/counselling" in page


def test_a_guard_refusal_shows_on_the_form(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    version = detail(client, case_id)["version"]
    response = client.post(
        f"/returns/cases/{case_id}/actions/screening",
        {"version": version, "screened_on": TODAY, "eligible": "yes", "basis": "ok"},
    )
    assert response.status_code == 200
    assert "Information is missing" in response.content.decode()


def test_the_partner_answers_a_referral_on_the_page(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, ["travel"])
    ok(act(client, case_id, "refer-partner", {"to_agency_id": world.iom.agency_id}))
    partner = login(Client(), world.partner)
    listing = partner.get("/returns/referrals/").content.decode()
    assert f"/returns/cases/{case_id}/" in listing
    page = partner.get(f"/returns/cases/{case_id}/").content.decode()
    assert "Referral waiting for your answer" in page
    assert 'id="partner-view"' in page
    version = detail(partner, case_id)["version"]
    response = partner.post(
        f"/returns/cases/{case_id}/actions/referral-answer",
        {"version": version, "accept": "yes", "note": ""},
    )
    assert response.status_code == 302
    assert detail(partner, case_id)["referrals"][0]["status"] == "accepted"


def test_the_partner_may_not_open_counselling_forms(world: World) -> None:
    client, case_id, _person = to_pre_departure(world, ["travel"])
    ok(act(client, case_id, "refer-partner", {"to_agency_id": world.iom.agency_id}))
    partner = login(Client(), world.partner)
    page = partner.get(f"/returns/cases/{case_id}/").content.decode()
    assert "/actions/counselling" not in page
    assert "/actions/pre-departure" not in page
    assert "/actions/withdraw" not in page


def test_only_a_supervisor_is_offered_the_approval(world: World) -> None:
    client = login(Client(), world.counsellor)
    case_id, _person = open_case(world.counsellor)
    to_eligible(world, client, case_id)
    ok(act(client, case_id, "application", application(world, ["travel"])))
    assert (
        f"/returns/cases/{case_id}/actions/approve"
        not in client.get(f"/returns/cases/{case_id}/").content.decode()
    )
    boss = login(Client(), world.boss)
    page = boss.get(f"/returns/cases/{case_id}/").content.decode()
    assert f"/returns/cases/{case_id}/actions/approve" in page
