"""Two caseworkers of different agencies, each in their own browser: each works with their own
records and neither can open the other's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_record, make_user
from ura.apps.accounts.models import RoleCode

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_main_pages(page: Page, base: str, own_name: str, own_id: int) -> None:
    page.goto(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Person records").click()
    page.wait_for_url(f"{base}/people/")
    assert page.get_by_role("heading", level=1).inner_text() == "Person records"
    page.get_by_role("link", name=own_name).click()
    page.wait_for_url(f"{base}/people/{own_id}/")
    assert own_name in page.get_by_role("heading", level=1).inner_text()


def test_each_agency_sees_only_its_own_record(browser: Browser, live_server: LiveServer) -> None:
    """Each caseworker finds their agency's record in the list and opens it; the other agency's
    record address gives the plain 404 page, which names neither the person nor the agency."""
    base = live_server.url
    ankara = make_user(role=RoleCode.CASEWORKER)
    pristina = make_user(role=RoleCode.CASEWORKER)
    ankara_record = make_record(owner=ankara, family_name="Yilmazer", given_names="Leyla")
    pristina_record = make_record(owner=pristina, family_name="Berisha", given_names="Arta")
    assert ankara.unit is not None
    assert pristina.unit is not None
    assert ankara.unit.agency_id != pristina.unit.agency_id

    sessions = []
    for user, own, other in (
        (ankara, ankara_record, pristina_record),
        (pristina, pristina_record, ankara_record),
    ):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        sign_in(page, base, user, PASSWORD)
        _open_main_pages(page, base, own.family_name, own.pk)

        page.goto(f"{base}/people/")
        assert other.family_name not in page.content()

        response = page.goto(f"{base}/people/{other.pk}/")
        assert response is not None
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
        body = page.content()
        assert other.family_name not in body
        assert other.given_names not in body
        assert other.owning_agency.name not in body
        sessions.append(context)

    # Both sessions stay apart: the first is still signed in as its own user.
    first = sessions[0].pages[0]
    first.goto(f"{base}/")
    assert ankara.get_username() in first.locator(".who").inner_text()
    for context in sessions:
        context.close()
