"""axe-core finds no serious or critical accessibility problem on the COI library's pages
(in English and in Arabic, right to left), the search works from the keyboard alone, and
nothing on them breaks the Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _check
from tests.factories import PASSWORD, make_unit, make_user
from ura.apps.accounts.models import RoleCode
from ura.apps.coi import search, services
from ura.apps.coi.models import Document, ImportRejection, Source, SourceType

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from ura.apps.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _coi_in_tmp(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The search index and the stored files in the test's own directory."""
    settings.URA_COI_INDEX_DIR = tmp_path / "coi-index"
    settings.MEDIA_ROOT = tmp_path / "media"
    search.reset_backend()
    yield
    search.reset_backend()


def _library() -> tuple[User, User, Document]:
    unit = make_unit()
    steward = make_user(role=RoleCode.DATA_STEWARD, unit=unit)
    reader = make_user(role=RoleCode.CASEWORKER, unit=unit)
    Source.objects.create(
        name="UNHCR", source_type=SourceType.INTERNATIONAL, mandate="Protects refugees."
    )
    first = None
    for n, (title, text, countries) in enumerate(
        [
            ("Syria: security situation", "Arbitrary detention of returnees in Damascus.", ["SY"]),
            (
                "Syrian refugees in Lebanon",
                "Refugees face detention and deportation.",
                ["SY", "LB"],
            ),
            ("Afghanistan: women", "Women may not travel without a mahram.", ["AF"]),
        ]
    ):
        outcome = services.document_import(
            actor=steward,
            data=f"# Situation\n\n{text}\n\nParagraph {n}.".encode(),
            filename=f"doc-{n}.txt",
            metadata=services.DocumentMetadata(
                title=title,
                sources=["UNHCR"],
                document_type="report",
                language="en",
                countries=countries,
                topics=["detention"],
                published=dt.date(2024, 1 + n, 1),
            ),
        )
        assert outcome.document is not None
        first = first or outcome.document
    services.document_import(
        actor=steward,
        data=b"%PDF-1.4 broken",
        filename="broken.pdf",
        metadata=services.DocumentMetadata(
            title="Broken",
            sources=["UNHCR"],
            document_type="report",
            language="en",
            countries=["IQ"],
        ),
    )
    assert ImportRejection.objects.exists()
    assert first is not None
    return steward, reader, first


def test_the_coi_pages(
    page: Page, live_server: LiveServer, axe_source: str, csp_violations: list[str]
) -> None:
    steward, _reader, document = _library()
    base = live_server.url
    sign_in(page, base, steward, PASSWORD)
    batch = ImportRejection.objects.get().batch_id
    source = Source.objects.get(name="UNHCR")
    pages = [
        ("/coi/", "3 documents found"),
        ("/coi/?q=detention&country=SY&sort=newest", "2 documents found"),
        ("/coi/?q=%28detention", "The query has a mistake"),
        (f"/coi/documents/{document.pk}/", "Arbitrary detention"),
        (f"/coi/documents/{document.pk}/edit/", "Syria: security situation"),
        ("/coi/sources/", "UNHCR"),
        (f"/coi/sources/{source.pk}/", "Protects refugees."),
        ("/coi/sources/new/", "Describe a new source"),
        ("/coi/countries/", "Syria"),
        ("/coi/countries/SY/", "Key documents"),
        ("/coi/saved/", "No saved search yet"),
        ("/coi/import/", "Add a document to the library"),
        ("/coi/imports/", "COI imports"),
        (f"/coi/imports/{batch}/", "Rejected files"),
        ("/coi/duplicates/", "Near-duplicates to review"),
    ]
    for path, shown in pages:
        _check(page, base + path, axe_source)
        assert shown in page.locator("main").inner_text(), f"{path} does not show {shown!r}"
    # Arabic, right to left
    page.goto(base + "/coi/")
    page.select_option("#language-select", "ar")
    page.click(".language-form button")
    page.wait_for_load_state()
    for path in ("/coi/?q=detention", f"/coi/documents/{document.pk}/", "/coi/countries/SY/"):
        _check(page, base + path, axe_source)
        assert page.locator("html").get_attribute("dir") == "rtl"
    assert not csp_violations, csp_violations


def test_searching_filtering_and_saving_from_the_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    _steward, reader, _document = _library()
    base = live_server.url
    sign_in(page, base, reader, PASSWORD)
    page.goto(base + "/coi/")
    page.focus("#id_q")
    page.keyboard.type("detention")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "2 documents found" in page.locator("main").inner_text()
    lebanon = page.locator('input[name="country"][value="LB"]')
    lebanon.focus()
    page.keyboard.press("Space")
    assert lebanon.is_checked()
    page.locator(".coi-facets button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 document found" in page.locator("main").inner_text()
    assert "country=LB" in page.url
    page.focus("#save-name")
    page.keyboard.type("Lebanon detention")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Lebanon detention" in page.locator("main").inner_text()
    assert page.url.endswith("/coi/saved/")
