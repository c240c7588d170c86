"""The statistics pages walked in Chromium by the people who use them, each in their own
browser profile: an analyst opens the catalogue and a table, filters it, sees its chart drawn
by the vendored Vega (no console error, nothing fetched from anywhere but Ura), downloads it
as CSV, XLSX and SDMX; a second analyst reviews and publishes it; a caseworker then sees only
the published table, downloads it and never an unprotected figure; and an analyst's text of
the migration profile goes through review before the caseworker reads it."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.apps.statistics import conftest as statistics_world
from tests.apps.statistics.conftest import END, START, TABLES, World
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_unit, make_user
from ura.apps.accounts.models import RoleCode
from ura.apps.statistics.models import StatTable, TableStatus
from ura.apps.statistics.services import (
    frame_from_bytes,
    profile_build,
    table_publish,
    table_review,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route
    from pytest_django.live_server_helper import LiveServer

    from ura.apps.accounts.models import User
    from ura.apps.statistics.models import ProfileRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANTS = "migr_asyappctza"
# The statistics tests' small known world (asylum and trafficking cases with their events)
# and its two analysts, as fixtures of this module too.
world = statistics_world.world
analyst = statistics_world.analyst
second_analyst = statistics_world.second_analyst


class Visitors:
    """One browser profile per person. Every request that leaves Ura's own server is refused
    and recorded, and so is every console error or uncaught exception of a page."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.contexts: list[BrowserContext] = []
        self.outside: list[str] = []
        self.errors: list[str] = []

    def _guard(self, route: Route) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def sign_in(self, user: User) -> Page:
        context = self.browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="en-GB", accept_downloads=True
        )
        self.contexts.append(context)
        context.route("**/*", self._guard)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        sign_in(page, self.base, user, PASSWORD)
        return page


@pytest.fixture
def visitors(browser: Browser, live_server: LiveServer) -> Iterator[Visitors]:
    found = Visitors(browser, live_server.url)
    yield found
    for context in found.contexts:
        context.close()


@pytest.fixture
def run(world: World, analyst: User) -> ProfileRun:
    """The analyst's profile run over 2025 (the world's four tables, drafts)."""
    return profile_build(actor=analyst, start=START, end=END, table_ids=TABLES)


def _download(page: Page, name: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def _cells(page: Page) -> list[str]:
    """The figures of the page's cross-table (without their flags)."""
    cells = page.locator("section[aria-labelledby='cells-h'] td.num").all_inner_texts()
    return [c.split()[0] for c in cells]


def _is_multiple_of_5(value: str) -> bool:
    return value == ":" or int(float(value.replace(",", ""))) % 5 == 0


def test_an_analysts_table_from_catalogue_to_publication_and_a_caseworkers_view(
    visitors: Visitors,
    run: ProfileRun,
    analyst: User,
    second_analyst: User,
    tmp_path: Path,
) -> None:
    base = visitors.base
    table = StatTable.objects.get(run=run, definition_id=APPLICANTS)
    raw = frame_from_bytes(table.raw)
    # Rounding to base 5 protects this table: the unprotected counts are not all multiples.
    assert not all(int(v) % 5 == 0 for v in raw["OBS_VALUE"])

    page = visitors.sign_in(analyst)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Migration statistics")
    row = page.get_by_role("row").filter(has_text=APPLICANTS)
    expect(row).to_contain_text("Draft")
    row.get_by_role("link").click()
    page.wait_for_url(f"{base}/statistics/tables/{table.pk}/")
    # The chart is drawn by the vendored Vega from the page's JSON block.
    chart = page.locator(".vega-chart").first
    expect(chart).to_have_attribute("data-chart", "rendered")
    expect(chart.locator("svg")).to_have_count(1)
    # Filter: sex by citizenship in March 2025.
    page.get_by_label("Rows").select_option("SEX")
    page.get_by_label("Columns").select_option("CITIZEN")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*rows=SEX.*cols=CITIZEN.*"))
    page.locator("select[name=TIME_PERIOD]").select_option("2025-03")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*TIME_PERIOD=2025-03.*"))
    expect(page.get_by_role("columnheader", name="SEX \\ CITIZEN")).to_be_visible()
    assert all(_is_multiple_of_5(c) for c in _cells(page))
    expect(page.locator(".vega-chart").first).to_have_attribute("data-chart", "rendered")

    # Downloads: the protected cells in each format.
    with _download(page, "CSV", tmp_path).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert {"TIME_PERIOD", "CITIZEN", "SEX", "OBS_VALUE"} <= set(rows[0])
    assert all(_is_multiple_of_5(r["OBS_VALUE"] or ":") for r in rows)
    workbook = load_workbook(_download(page, "XLSX", tmp_path), read_only=True)
    assert workbook.sheetnames
    assert any(
        APPLICANTS.upper() in str(cell) or "CITIZEN" in str(cell)
        for sheet in workbook.worksheets
        for line in sheet.iter_rows(values_only=True)
        for cell in line
        if cell is not None
    )
    with zipfile.ZipFile(_download(page, "SDMX-ML (structure and data, zip)", tmp_path)) as sdmx:
        names = sdmx.namelist()
        assert len(names) >= 2
        xml = "".join(sdmx.read(n).decode("utf-8") for n in names)
    assert "OBS_VALUE" in xml
    assert APPLICANTS.upper() in xml
    sdmx_csv = _download(page, "SDMX-CSV", tmp_path).read_text(encoding="utf-8")
    assert sdmx_csv.splitlines()[0].startswith("STRUCTURE")
    # The builder may not review their own table.
    expect(page.get_by_role("button", name="Mark reviewed")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Another analyst than the one who built")

    # The second analyst reviews, then publishes.
    reviewer = visitors.sign_in(second_analyst)
    reviewer.goto(f"{base}/statistics/tables/{table.pk}/")
    reviewer.get_by_role("button", name="Mark reviewed").click()
    expect(reviewer.locator(".message.success")).to_contain_text("The table is reviewed")
    reviewer.get_by_role("button", name="Publish").click()
    expect(reviewer.locator(".message.success")).to_contain_text("The table is published.")
    table.refresh_from_db()
    assert table.status == TableStatus.PUBLISHED

    # A caseworker sees the published table only, protected, and downloads it.
    caseworker = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    reader = visitors.sign_in(caseworker)
    reader.goto(f"{base}/statistics/")
    catalogue = reader.locator("main table")
    expect(catalogue).to_contain_text(APPLICANTS)
    for other in TABLES:
        if other != APPLICANTS:
            expect(catalogue).not_to_contain_text(other)
    draft = StatTable.objects.get(run=run, definition_id="crim_thb_vexp")
    assert reader.request.get(f"{base}/statistics/tables/{draft.pk}/").status == 404
    reader.goto(f"{base}/statistics/tables/{table.pk}/")
    expect(reader.locator(".vega-chart").first).to_have_attribute("data-chart", "rendered")
    expect(reader.get_by_role("link", name=re.compile("Unprotected"))).to_have_count(0)
    assert all(_is_multiple_of_5(c) for c in _cells(reader))
    refused = reader.request.get(f"{base}/statistics/tables/{table.pk}/unprotected.csv")
    assert refused.status == 403
    (tmp_path / "reader").mkdir()
    with _download(reader, "CSV", tmp_path / "reader").open(encoding="utf-8") as handle:
        published = list(csv.DictReader(handle))
    assert [r["OBS_VALUE"] for r in published] == [r["OBS_VALUE"] for r in rows]

    assert not visitors.outside, f"requests outside Ura: {visitors.outside}"
    assert not visitors.errors, f"console errors: {visitors.errors}"


def test_a_profile_text_is_reviewed_and_published_before_a_caseworker_reads_it(
    visitors: Visitors,
    run: ProfileRun,
    analyst: User,
    second_analyst: User,
) -> None:
    base = visitors.base
    # The recognition rate is published after the decisions it is a share of.
    decisions = run.tables.get(definition_id="migr_asydcfsta")
    for table in [decisions, *StatTable.objects.filter(run=run, frequency="A")]:
        table_review(actor=second_analyst, table_id=table.pk)
        table_publish(actor=second_analyst, table_id=table.pk)
    profile_url = f"{base}/statistics/runs/{run.pk}/profile/"
    finding = "Applications doubled in Istanbul."

    page = visitors.sign_in(analyst)
    page.goto(profile_url)
    texts = page.locator("section[aria-labelledby='profile-texts-h']")
    texts.get_by_role("link", name="Key findings", exact=True).click()
    page.get_by_label("Text").fill(finding)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{profile_url}#slot-key_findings")
    expect(page.locator(".message.success")).to_contain_text("saved as a draft")
    expect(page.locator("#slot-key_findings")).to_contain_text("Draft")
    page.locator("#slot-key_findings").get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("You wrote this version")
    expect(page.get_by_role("button", name="Mark version 1 reviewed")).to_have_count(0)

    caseworker = make_user(role=RoleCode.CASEWORKER, unit=make_unit())
    reader = visitors.sign_in(caseworker)
    reader.goto(profile_url)
    findings = reader.locator("h3", has_text=re.compile("^Key findings$")).locator(
        "xpath=following-sibling::*[1]"
    )
    expect(findings).to_have_text("Not yet published.")
    expect(reader.locator("main")).not_to_contain_text(finding)

    reviewer = visitors.sign_in(second_analyst)
    reviewer.goto(f"{base}/statistics/runs/{run.pk}/profile/texts/key_findings")
    reviewer.get_by_role("button", name="Mark version 1 reviewed").click()
    expect(reviewer.locator("#text-status")).to_have_text("Reviewed")
    reviewer.get_by_role("button", name="Publish version 1").click()
    expect(reviewer.locator("#text-status")).to_have_text("Published")
    expect(reviewer.locator("main")).to_contain_text("The text is published.")

    reader.reload()
    expect(findings).to_have_text(finding)
    # The analyst edits the published text: a new draft the caseworker does not see.
    page.get_by_label("Text").fill("Applications tripled.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{profile_url}#slot-key_findings")
    expect(page.locator("#slot-key_findings")).to_contain_text("Draft")
    reader.reload()
    expect(findings).to_have_text(finding)
    expect(reader.locator("main")).not_to_contain_text("Applications tripled.")

    assert not visitors.outside, f"requests outside Ura: {visitors.outside}"
    assert not visitors.errors, f"console errors: {visitors.errors}"
