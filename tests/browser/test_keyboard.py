"""Ura can be used with the keyboard alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user
from ura.apps.accounts.models import RoleCode

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? (e.id || e.className || e.tagName) : ''; }"
        )
    )


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(
    page: Page, live_server: LiveServer
) -> None:
    """On a signed-in page the first Tab reaches the skip link, which then shows on screen;
    Enter on it puts focus on the main region, past the navigation."""
    user = make_user(role=RoleCode.CASEWORKER)
    sign_in(page, live_server.url, user, PASSWORD)
    page.goto(f"{live_server.url}/people/")
    page.keyboard.press("Tab")
    assert _focused(page) == "skip-link"
    skip = page.locator(".skip-link")
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert _focused(page) == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_sign_in_with_the_keyboard_only(page: Page, live_server: LiveServer) -> None:
    """The user name field has focus on arrival; Tab leads to the password and then the sign-in
    button, and Enter signs in."""
    user = make_user(role=RoleCode.CASEWORKER)
    page.goto(f"{live_server.url}/accounts/login/")
    assert _focused(page) == "id_username"
    page.keyboard.type(user.get_username())
    page.keyboard.press("Tab")
    assert _focused(page) == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Sign in"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
