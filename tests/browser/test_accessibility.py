"""axe-core finds no serious or critical accessibility problem on the main pages, in a
left-to-right and a right-to-left language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_record, make_user
from ura.apps.accounts.models import RoleCode, Scope
from ura.apps.people.linking import (
    LineageChange,
    RunOutcome,
    ScoredPair,
    run_start,
    run_store_and_publish,
)
from ura.apps.people.models import ReviewPair
from ura.apps.people.services import person_name_keys_refresh

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def _violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol rather than added as a <script> element: the
    # page's CSP (script-src 'self') stays in force while axe runs.
    page.evaluate(axe_source)
    result: dict[str, Any] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def _readable(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} serious/critical accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(node['target'])}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


def _check(page: Page, url: str, axe_source: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"{url} answered {response.status}"
    violations = _violations(page, axe_source)
    assert not violations, _readable(url, violations)


def test_login_page(page: Page, live_server: LiveServer, axe_source: str) -> None:
    """The sign-in page has no serious or critical violation."""
    _check(page, f"{live_server.url}/accounts/login/", axe_source)


def test_main_pages_of_a_caseworker(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """Home, person list, person record, the registration form and a form with errors have no
    serious or critical violation, and nothing on them breaks the CSP (no inline style or
    script, from Ura or from htmx)."""
    user = make_user(role=RoleCode.CASEWORKER)
    record = make_record(owner=user, family_name="Gashi", given_names="Besa")
    make_record(owner=user, family_name="Aydin", given_names="Murat")
    base = live_server.url
    sign_in(page, base, user, PASSWORD)
    for path in ("/", "/people/", f"/people/{record.pk}/", "/people/new", "/no-such-page"):
        if path == "/no-such-page":
            response = page.goto(base + path)
            assert response is not None
            assert response.status == 404
            violations = _violations(page, axe_source)
            assert not violations, _readable(path, violations)
            continue
        _check(page, base + path, axe_source)
    # The form again after the server refused an empty submission, with its error messages
    # (form.submit() skips the browser's own checks of required fields).
    page.goto(f"{base}/people/new")
    with page.expect_navigation():
        page.evaluate("() => document.querySelector('form.record-form').submit()")
    assert page.locator(".errors").count() > 0
    violations = _violations(page, axe_source)
    assert not violations, _readable("/people/new (with errors)", violations)
    assert not csp_violations, csp_violations


def test_right_to_left_home_page(page: Page, live_server: LiveServer, axe_source: str) -> None:
    """In Arabic the page is right-to-left, the navigation starts at the right, and axe finds
    no serious or critical violation."""
    user = make_user(role=RoleCode.CASEWORKER)
    base = live_server.url
    sign_in(page, base, user, PASSWORD)
    page.select_option("#language-select", "ar")
    with page.expect_navigation():
        page.locator(".language-form button").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    assert brand is not None
    assert tools is not None
    assert brand["x"] > tools["x"], "in RTL the brand sits at the right, the tools at the left"
    violations = _violations(page, axe_source)
    assert not violations, _readable("/ (Arabic)", violations)


def test_person_index_pages_of_a_data_steward(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    """Search, the person 360° view, the review queue and a review pair, the runs page and
    the source pages have no serious or critical violation and keep the CSP."""
    steward = make_user(role=RoleCode.DATA_STEWARD, scope=Scope.ALL)
    a = make_record(owner=steward, family_name="Al-Hassan", given_names="Ahmad")
    b = make_record(owner=steward, family_name="الحسن", given_names="أحمد")
    person_name_keys_refresh([a, b])
    run = run_start(
        actor=steward, mode="full", engine="duckdb", threshold=0.9, review_band=(0.5, 0.9)
    )
    evidence = [{"comparison": "Family name", "description": "same skeleton", "weight": 6.0}]
    run_store_and_publish(
        actor=steward,
        run=run,
        outcome=RunOutcome(
            model_json="{}",
            person_of={a.pk: "PBROWSERTEST", b.pk: "PBROWSERTEST"},
            weakest={a.pk: 0.97, b.pk: 0.97},
            pairs=[ScoredPair(a.pk, b.pk, 0.97, 7.0, evidence)],
            review=[ScoredPair(a.pk, b.pk, 0.7, 1.0, evidence)],
            lineage=[LineageChange("new", "PBROWSERTEST", [], 2)],
        ),
    )
    base = live_server.url
    sign_in(page, base, steward, PASSWORD)
    pair = ReviewPair.objects.get()
    for path in (
        "/people/index/?name=Ahmed+Hasan",
        "/people/index/PBROWSERTEST/",
        "/people/review/",
        f"/people/review/{pair.pk}/",
        "/people/runs/",
        "/sources/",
    ):
        _check(page, base + path, axe_source)
    assert page.locator("main").inner_text().strip()
    assert not csp_violations, csp_violations
