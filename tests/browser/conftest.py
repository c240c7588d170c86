"""Headless Chromium (Debian's package) driven by Playwright, against a live Ura server.

Playwright cannot download browsers here (and offices may have no internet), so the tests use
the system's ``/usr/bin/chromium``. Without it they skip with the reason, unless
``URA_REQUIRE_BROWSER=1`` (CI) turns a missing browser into a failure.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connection

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from ura.apps.accounts.models import User

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# its (synchronous) database calls from the fixtures in that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("URA_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(path: Path, what: str) -> None:
    """Skip (or fail under URA_REQUIRE_BROWSER=1) when a browser-test dependency is missing."""
    if path.is_file():
        return
    reason = f"{what} not found at {path}; run `make browser-deps`"
    if os.environ.get("URA_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _audit_trail_flushable(transactional_db: None) -> Iterator[None]:
    """Let the live-server test's database be emptied afterwards, guard included.

    The live server needs committed data, so these tests are transactional and end with a
    flush. On SQLite a flush is ``DELETE FROM`` each table, which the audit trail's append-only
    trigger refuses (PostgreSQL truncates, which row triggers do not see). The audit events
    are removed here with the trigger briefly dropped, and the trigger is put back as the
    migration created it, for the tests that follow.
    """
    yield
    if connection.vendor != "sqlite":
        return
    guard = importlib.import_module("ura.apps.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for statement in guard.SQLITE_DOWN:
            cursor.execute(statement)
        cursor.execute("DELETE FROM core_auditevent")
        for statement in guard.SQLITE_UP:
            cursor.execute(statement)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require(CHROMIUM, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (own cookies), at a laptop's screen size."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """What the browser refused under the Content-Security-Policy while the test ran."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.fixture(scope="session")
def axe_source() -> str:
    require(AXE, "axe-core")
    return AXE.read_text(encoding="utf-8")


def sign_in(page: Page, base_url: str, user: User, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
