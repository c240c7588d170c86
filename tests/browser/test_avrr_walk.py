"""An assisted voluntary return walked in the browser by the people who would work on it, each
in their own browser profile: the return counsellor counsels, screens and lodges the
application; the supervisor approves it; the counsellor prepares the departure and refers the
returnee to the partner organisation at destination; the partner accepts, sees only what the
person agreed to share, and records the reception, the reintegration plan, assistance and a
monitoring visit with the sustainability survey."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_case_walks import Sessions, _done, _open_case, _person_for
from tests.factories import make_agency, make_unit, make_user
from ura.apps.accounts.models import AgencyKind, RoleCode, Scope

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sessions(browser: Browser, live_server: LiveServer) -> Iterator[Sessions]:
    found = Sessions(browser, live_server.url)
    yield found
    for context in found.contexts:
        context.close()


def _action(page: Page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def _record(page: Page, case_url: str) -> None:
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url(case_url)
    _done(page, "Recorded.")


def test_an_avrr_case_from_counselling_to_reintegration_monitoring(
    sessions: Sessions, live_server: LiveServer
) -> None:
    base = live_server.url
    today = timezone.localdate().isoformat()
    directorate = make_unit(agency=make_agency(kind=AgencyKind.MIGRATION_PROVINCIAL))
    counsellor = make_user(role=RoleCode.CASEWORKER, unit=directorate)
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=directorate)
    mission = make_agency(kind=AgencyKind.INTERNATIONAL_ORGANISATION, country="IQ")
    partner = make_user(role=RoleCode.PARTNER_NGO, scope=Scope.OWN, unit=make_unit(agency=mission))
    person_id, record = _person_for(counsellor)

    # The counsellor opens the case (search before create) and records a session.
    page = sessions.sign_in(counsellor)
    generic_url = _open_case(page, base, record, person_id, "avrr")
    case_id = int(generic_url.rstrip("/").rsplit("/", 1)[1])
    case_url = f"{base}/returns/cases/{case_id}/"
    page.locator("section#step-record_counselling").get_by_role(
        "link", name="Go to the form"
    ).click()
    expect(page.get_by_label("Held on")).to_have_value(today)
    page.get_by_label("Language of the session").fill("Arabic")
    page.get_by_label("Interpreter").fill("Staff interpreter")
    page.get_by_label("Return options and what AVRR offers").check()
    page.get_by_label("Reintegration opportunities at home").check()
    page.get_by_label("Outcome").select_option("wishes_to_return")
    _record(page, case_url)
    expect(page.locator("main")).to_contain_text("Staff interpreter")

    _action(page, "Eligibility and vulnerability screening")
    page.get_by_label("Eligible for assisted voluntary return").select_option("yes")
    page.get_by_label("Basis").fill("Iraqi national; no protection claim pending.")
    _record(page, case_url)

    _action(page, "Application and declaration of voluntariness")
    page.get_by_label("Country of return (ISO alpha-3)").fill("IRQ")
    page.get_by_label("Place of return").fill("Erbil")
    page.get_by_label("The person signed the declaration of voluntariness").check()
    page.get_by_label("Travel (documents, booking, escort, movements)").check()
    page.get_by_label("Reintegration intentions, skills and needs").check()
    page.get_by_label("Partner organisation at destination").select_option(str(mission.pk))
    page.get_by_label("Contact at destination").fill("Uncle's shop, phone +964 750 111 2222")
    page.get_by_label("Reintegration intentions and skills").fill("Mechanic; wants a workshop.")
    _record(page, case_url)

    # The supervisor approves, in their own session (four eyes).
    boss = sessions.sign_in(supervisor)
    boss.goto(case_url)
    _action(boss, "Approve the application")
    _record(boss, case_url)

    # Pre-departure: the travel document, the checklist, the referral.
    page.goto(case_url)
    _action(page, "Request a travel document")
    page.get_by_label("Consulate").fill("Consulate General of Iraq, Istanbul")
    page.get_by_label("Country (ISO alpha-3)").fill("IRQ")
    _record(page, case_url)
    page.get_by_label("Valid until").fill("2099-01-01")
    page.get_by_role("button", name="Record the answer").click()
    page.wait_for_url(case_url)
    _done(page, "Recorded.")
    _action(page, "Pre-departure checklist")
    page.get_by_label("Carrier").fill("Turkish Airlines")
    page.get_by_label("Planned departure").fill(today)
    page.get_by_label("Reinstallation allowance").fill("400")
    page.get_by_label("Currency (ISO 4217)").fill("EUR")
    page.get_by_label("Escort", exact=True).select_option("none")
    _record(page, case_url)
    expect(page.locator("#travel")).to_contain_text("complete")
    _action(page, "Refer to the partner organisation at destination")
    page.get_by_label("Partner organisation").select_option(str(mission.pk))
    _record(page, case_url)

    # The partner accepts, and sees only what the person agreed to share.
    abroad = sessions.sign_in(partner)
    abroad.goto(f"{base}/returns/referrals/")
    abroad.get_by_role("link", name=abroad.locator("tbody th a").first.inner_text()).click()
    abroad.get_by_label("Answer").select_option("yes")
    abroad.get_by_role("button", name="Answer").click()
    abroad.wait_for_url(case_url)
    main = abroad.locator("main")
    expect(main).to_contain_text("Mechanic; wants a workshop.")
    expect(main).to_contain_text("Turkish Airlines")
    expect(main).not_to_contain_text("+964")
    expect(main).not_to_contain_text("no protection claim pending")

    # Departure and arrival.
    page.goto(case_url)
    for kind, place in (("departure", "IST"), ("arrival", "EBL")):
        _action(page, "Departure, transit or arrival")
        page.get_by_label("Movement").select_option(kind)
        page.get_by_label("Place (airport, border crossing)").fill(place)
        if kind == "arrival":
            page.get_by_label("Arrival confirmed by").fill("IOM Erbil")
        _record(page, case_url)
    expect(page.locator("main")).to_contain_text("Reintegration assessment and plan")

    # Reception, plan, assistance, delivery and monitoring, by the partner.
    abroad.goto(case_url)
    _action(abroad, "Reception on arrival")
    abroad.get_by_label("Received by (organisation)").fill("IOM Erbil")
    _record(abroad, case_url)
    _action(abroad, "Reintegration assessment and plan")
    abroad.get_by_label("Income and employment").check()
    abroad.get_by_label("The plan's goals").fill("Open a repair workshop.")
    _record(abroad, case_url)
    _action(abroad, "Add reintegration assistance")
    abroad.get_by_label("Level").select_option("individual")
    abroad.get_by_label("Assistance", exact=True).select_option("business")
    abroad.get_by_label("Description").fill("Tools and first stock")
    abroad.get_by_label("Provider").select_option(str(mission.pk))
    _record(abroad, case_url)
    abroad.locator("#assistance").get_by_role("button", name="Delivered").click()
    abroad.wait_for_url(case_url)
    _done(abroad, "Recorded.")
    expect(abroad.locator("#assistance")).to_contain_text(today)
    _action(abroad, "Monitoring visit (sustainability survey)")
    abroad.get_by_label("Economic: Work or a regular source of income").select_option("4")
    abroad.get_by_label("Social: Adequate housing").select_option("4")
    abroad.get_by_label("Psychosocial: Feels physically safe").select_option("5")
    _record(abroad, case_url)
    expect(abroad.locator("#monitoring")).to_contain_text("0.833")
