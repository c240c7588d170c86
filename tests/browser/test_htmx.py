"""The person search updates the results in place (htmx), under the strict CSP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_record, make_user
from ura.apps.accounts.models import RoleCode

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_swaps_results_without_reloading_the_page(
    page: Page, live_server: LiveServer
) -> None:
    """Searching replaces only the results region: the page (and a marker set on it) stays,
    the address shows the query, and the browser reports no CSP violation."""
    console_errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", collect)
    user = make_user(role=RoleCode.CASEWORKER)
    make_record(owner=user, family_name="Demir", given_names="Zeynep")
    make_record(owner=user, family_name="Krasniqi", given_names="Drita")
    base = live_server.url
    sign_in(page, base, user, PASSWORD)
    page.goto(f"{base}/people/")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.locator("#results tbody tr").count() == 2

    page.evaluate("() => { window.uraMarker = 'same page'; }")
    page.get_by_label("Name").fill("Krasniqi")
    with page.expect_response(
        lambda r: "/people/?" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_role("button", name="Search").click()
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")

    assert page.evaluate("() => window.uraMarker") == "same page"
    assert "Krasniqi" in page.locator("#results").inner_text()
    assert "Demir" not in page.locator("#results").inner_text()
    assert "q=Krasniqi" in page.url
    # The new count is announced through the live region, outside the swapped table.
    assert page.locator("#results-status").inner_text() == "1 record you may see"
    assert page.locator("#results #results-status").count() == 0
    assert page.locator("h1").count() == 1, "the fragment, not a whole page, was swapped in"
    assert not console_errors, console_errors
    # No snapshot of the list is kept in the browser's storage (historyCacheSize: 0).
    assert page.evaluate("() => window.localStorage.getItem('htmx-history-cache')") in (None, "[]")
