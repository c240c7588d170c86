"""The COI pages: search with facets, query mistakes, title-only search and pages; the
document page with its passages under their anchors and the original file; sources;
countries; the managers' pages; who may open what; every page in English and Turkish."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from tests.apps.coi.conftest import IndexedBlock
from tests.apps.coi.library import add_document
from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.coi.models import (
    Document,
    DuplicateReview,
    ImportBatch,
    ImportOrigin,
    ImportRejection,
    SavedSearch,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def library() -> dict[str, Document]:
    return {
        "syria": add_document(
            "Syria: security situation",
            "Arbitrary detention of returnees continued in Damascus.",
            "Checkpoints are manned by several armed groups.",
            countries=("SY",),
            topics=("detention",),
            published=dt.date(2024, 3, 1),
            is_key=True,
        ),
        "lebanon": add_document(
            "Syrian refugees in Lebanon",
            "Refugees from Syria face detention and deportation.",
            countries=("SY", "LB"),
            sources=("Human Rights Watch",),
            topics=("detention",),
            published=dt.date(2025, 1, 10),
        ),
        "afghanistan": add_document(
            "Afghanistan: women",
            "Women may not travel without a mahram.",
            countries=("AF",),
            published=dt.date(2023, 2, 2),
        ),
    }


@pytest.fixture
def reader_client(reader: User) -> Client:
    return login(Client(), reader)


@pytest.fixture
def steward_client(steward: User) -> Client:
    return login(Client(), steward)


def _text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_menu_offers_the_library_to_its_readers(
    reader_client: Client, library: dict[str, Document]
) -> None:
    assert 'href="/coi/"' in reader_client.get("/").content.decode()
    outsider = login(Client(), make_user(role=RoleCode.FIRST_RESPONDER))
    assert 'href="/coi/"' not in outsider.get("/").content.decode()


def test_search_shows_hits_with_passages_linked_to_their_anchors(
    reader_client: Client, library: dict[str, Document]
) -> None:
    response = reader_client.get("/coi/", {"q": "detention"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 documents found" in _text(response)
    syria = library["syria"].pk
    assert f'href="/coi/documents/{syria}/#%C2%B61"' in html
    assert "<mark>detention</mark>" in html
    assert "Afghanistan: women" not in html


def test_facets_count_on_the_page(reader_client: Client, library: dict[str, Document]) -> None:
    text = _text(reader_client.get("/coi/", {"q": "detention"}))
    assert "Syria (2)" in text
    assert "Lebanon (1)" in text
    assert "UNHCR (1)" in text
    assert "Human Rights Watch (1)" in text
    assert "Detention and prisons (2)" in text
    assert "Afghanistan (" not in text
    filtered = reader_client.get("/coi/", {"q": "detention", "country": "LB"})
    assert "1 document found" in _text(filtered)
    # "any of" counts ignore their own choice: the other countries stay offered
    assert "Syria (2)" in _text(filtered)
    html = filtered.content.decode()
    assert re.search(r'name="country" value="LB" checked', html)
    excluded = reader_client.get(
        "/coi/", {"q": "detention", "country": "LB", "country_mode": "none"}
    )
    assert "Syria: security situation" in excluded.content.decode()
    assert "Syrian refugees in Lebanon" not in excluded.content.decode()
    only = reader_client.get("/coi/", {"only_country": "SY"})
    assert "1 document found" in _text(only)


def test_a_query_mistake_is_shown_with_its_position(
    reader_client: Client, library: dict[str, Document]
) -> None:
    response = reader_client.get("/coi/", {"q": '"forced return'})
    assert response.status_code == 200
    text = _text(response)
    assert "The query has a mistake at character 1" in text
    assert "closing" in text
    html = response.content.decode()
    assert 'value="&quot;forced return"' in html  # kept to correct
    assert 'id="query-error"' in html
    assert 'aria-describedby="query-error query-help"' in html
    with_filters = reader_client.get("/coi/", {"q": "(Kabul", "country": "AF"}).content.decode()
    assert '<input type="hidden" name="country" value="AF">' in with_filters


def test_other_mistakes_in_the_url_are_named(
    reader_client: Client, library: dict[str, Document]
) -> None:
    text = _text(
        reader_client.get("/coi/", {"q": "detention", "sort": "best", "only_country": "QQ"})
    )
    assert "Order: Select a valid choice." in text
    assert "Only about this country: Unknown country code." in text
    dates = _text(
        reader_client.get("/coi/", {"published_from": "2025-01-01", "published_to": "2024-01-01"})
    )
    assert "The end of the period is before its start." in dates


def test_title_only(reader_client: Client, library: dict[str, Document]) -> None:
    assert "1 document found" in _text(reader_client.get("/coi/", {"q": "Damascus"}))
    none = reader_client.get("/coi/", {"q": "Damascus", "title_only": "on"})
    assert "0 documents found" in _text(none)


def test_pagination(reader_client: Client) -> None:
    for n in range(23):
        add_document(f"Prison report {n}", f"Conditions in prisons, report number {n}.")
    first = reader_client.get("/coi/", {"q": "prisons", "sort": "newest"})
    html = first.content.decode()
    assert "23 documents found" in _text(first)
    assert "Page 1 of 2" in _text(first)
    assert 'href="?q=prisons&amp;sort=newest&amp;page=2"' in html
    second = reader_client.get("/coi/", {"q": "prisons", "sort": "newest", "page": "2"})
    assert html.count('class="coi-hit"') == 20
    assert second.content.decode().count('class="coi-hit"') == 3
    assert '<ol class="coi-hits" start="21">' in second.content.decode()


def test_the_document_page_lists_passages_under_their_anchors(
    reader_client: Client, library: dict[str, Document]
) -> None:
    document = library["syria"]
    response = reader_client.get(f"/coi/documents/{document.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<li id="¶1">' in html
    assert '<li id="¶2">' in html
    assert "Checkpoints are manned" in html
    edition = document.editions.get()
    assert edition.checksum in html
    assert f"/coi/documents/{document.pk}/editions/1/file" in html
    assert "UNHCR" in html
    assert 'href="/coi/countries/SY/"' in html
    # readers get no management forms
    assert "Import a new edition" not in html


def test_the_original_file_is_an_attachment_of_its_media_type(
    reader_client: Client, library: dict[str, Document]
) -> None:
    document = library["syria"]
    response = reader_client.get(f"/coi/documents/{document.pk}/editions/1/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="syria-security-situation.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"Arbitrary detention")
    assert reader_client.get(f"/coi/documents/{document.pk}/editions/9/file").status_code == 404


def test_withdrawn_documents_say_so(reader_client: Client, library: dict[str, Document]) -> None:
    document = library["syria"]
    Document.objects.filter(pk=document.pk).update(
        status="withdrawn", withdrawn_reason="Superseded"
    )
    page = _text(reader_client.get(f"/coi/documents/{document.pk}/"))
    assert "This document was withdrawn" in page
    assert "Superseded" in page
    assert "Syria: security situation" not in _text(reader_client.get("/coi/", {"q": "detention"}))


def test_the_country_page(reader_client: Client, library: dict[str, Document]) -> None:
    response = reader_client.get("/coi/countries/SY/")
    assert response.status_code == 200
    text = _text(response)
    assert "2 documents in the library" in text
    assert "Key documents" in text
    html = response.content.decode()
    key_section = html.split('id="key-heading"')[1].split("</section>")[0]
    assert "Syria: security situation" in key_section
    assert "Syrian refugees in Lebanon" not in key_section
    assert 'href="/coi/?country=SY"' in html
    assert 'href="/coi/?only_country=SY"' in html
    assert "Detention" in text
    assert reader_client.get("/coi/countries/sy/").status_code == 302
    assert reader_client.get("/coi/countries/ZZZ/").status_code == 404
    index = _text(reader_client.get("/coi/countries/"))
    assert "Syria 2 documents" in index
    assert "Lebanon 1 document" in index


def test_sources(reader_client: Client, library: dict[str, Document]) -> None:
    source = library["syria"].sources.get()
    source.mandate = "Protects refugees."
    source.save()
    listing = reader_client.get("/coi/sources/")
    assert listing.status_code == 200
    assert f'href="/coi/sources/{source.pk}/"' in listing.content.decode()
    page = reader_client.get(f"/coi/sources/{source.pk}/")
    text = _text(page)
    assert "Protects refugees." in text
    assert "2 documents in the library" in text
    assert "Syria: security situation" in text
    assert "Edit the description" not in text


def test_reading_needs_the_permission(library: dict[str, Document]) -> None:
    outsider = login(Client(), make_user(role=RoleCode.FIRST_RESPONDER))
    document = library["syria"]
    for url in (
        "/coi/",
        f"/coi/documents/{document.pk}/",
        f"/coi/documents/{document.pk}/editions/1/file",
        "/coi/sources/",
        "/coi/countries/",
        "/coi/countries/SY/",
        "/coi/saved/",
    ):
        assert outsider.get(url).status_code == 403, url
    assert Client().get("/coi/").status_code == 302  # to the sign-in page


def test_managing_is_for_managers(reader_client: Client, library: dict[str, Document]) -> None:
    source = library["syria"].sources.get()
    batch = ImportBatch.objects.create(origin=ImportOrigin.CLI)
    for url in (
        "/coi/import/",
        "/coi/imports/",
        f"/coi/imports/{batch.pk}/",
        "/coi/duplicates/",
        "/coi/sources/new/",
        f"/coi/sources/{source.pk}/edit/",
    ):
        assert reader_client.get(url).status_code == 403, url
    document = library["lebanon"]
    response = reader_client.post(
        f"/coi/documents/{document.pk}/duplicate-review", {"decision": "confirmed"}
    )
    assert response.status_code == 403


def test_an_import_page_lists_rejections_and_serves_the_rejected_file(
    steward_client: Client, library: dict[str, Document]
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    batch = ImportBatch.objects.create(
        origin=ImportOrigin.CLI, label="folder 2025-06", files_total=2, rejected=1, imported=1
    )
    name = default_storage.save("coi/rejected/broken.pdf", ContentFile(b"%PDF-broken"))
    rejection = ImportRejection.objects.create(
        batch=batch, filename="broken.pdf", reason="Not a readable PDF.", storage_name=name
    )
    library["syria"].editions.update(batch=batch)
    page = steward_client.get(f"/coi/imports/{batch.pk}/")
    assert page.status_code == 200
    text = _text(page)
    assert "Not a readable PDF." in text
    assert "Syria: security situation" in text
    assert f"/coi/rejections/{rejection.pk}/file" in page.content.decode()
    listing = _text(steward_client.get("/coi/imports/"))
    assert "folder 2025-06" in listing
    download = steward_client.get(f"/coi/rejections/{rejection.pk}/file")
    assert download["Content-Disposition"] == 'attachment; filename="broken.pdf"'
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == b"%PDF-broken"  # type: ignore[attr-defined]


def test_near_duplicates_are_listed_for_review(
    steward_client: Client, library: dict[str, Document]
) -> None:
    duplicate = library["lebanon"]
    Document.objects.filter(pk=duplicate.pk).update(
        near_duplicate_of=library["syria"],
        duplicate_similarity=0.82,
        duplicate_review=DuplicateReview.PENDING,
    )
    text = _text(steward_client.get("/coi/duplicates/"))
    assert "Syrian refugees in Lebanon" in text
    assert "0.82" in text
    page = steward_client.get(f"/coi/documents/{duplicate.pk}/").content.decode()
    assert "Possible duplicate" in page
    assert f'action="/coi/documents/{duplicate.pk}/duplicate-review"' in page


@pytest.mark.parametrize("language", ["en", "tr"])
def test_every_page_renders(
    language: str, steward: User, reader: User, library: dict[str, Document]
) -> None:
    document = library["syria"]
    source = document.sources.get()
    batch = ImportBatch.objects.create(origin=ImportOrigin.UI, started_by=steward)
    Document.objects.filter(pk=library["lebanon"].pk).update(
        near_duplicate_of=document, duplicate_similarity=0.7, duplicate_review="pending"
    )
    for user in (steward, reader):
        saved = SavedSearch.objects.create(owner=user, name="Mine", query="detention")
        client = login(Client(), user)
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        urls = [
            "/coi/",
            "/coi/?q=detention&country=SY&sort=oldest&published_from=2020-01-01",
            "/coi/?q=%28broken",
            f"/coi/documents/{document.pk}/",
            f"/coi/documents/{library['lebanon'].pk}/",
            "/coi/sources/",
            f"/coi/sources/{source.pk}/",
            "/coi/countries/",
            "/coi/countries/SY/",
            "/coi/countries/XK/",
            "/coi/saved/",
            f"/coi/saved/{saved.pk}/",
        ]
        if user is steward:
            urls += [
                "/coi/import/",
                "/coi/imports/",
                f"/coi/imports/{batch.pk}/",
                "/coi/duplicates/",
                "/coi/sources/new/",
                f"/coi/sources/{source.pk}/edit/",
            ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert f'<html lang="{language}"' in response.content.decode(), url
    if language == "tr":  # the reader's client, in Turkish: country names from CLDR
        assert "<h1>Suriye</h1>" in client.get("/coi/countries/SY/").content.decode()


# --- the managers' write pages ---------------------------------------------------------------


def _upload(name: str, text: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _import_form(source_id: int, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Iraq: returns to Sinjar",
        "title_translated": "",
        "sources": [source_id],
        "document_type": "report",
        "country": "IQ",
        "other_countries": ["SY", "IQ"],
        "language": "en",
        "published": "2025-04-01",
        "url": "https://example.org/iraq",
        "accessed_on": "2025-04-02",
    }
    data.update(extra)
    return data


def test_a_manager_imports_one_document(
    steward_client: Client, library: dict[str, Document], indexed: IndexedBlock
) -> None:
    source = library["syria"].sources.get()
    text = "# Returns\n\nFamilies returned to Sinjar in 2024.\n\nMany found their homes destroyed."
    with indexed():
        response = steward_client.post(
            "/coi/import/", {**_import_form(source.pk), "file": _upload("sinjar.txt", text)}
        )
    assert response.status_code == 302, _text(response)
    document = Document.objects.get(title="Iraq: returns to Sinjar")
    assert response["Location"] == f"/coi/documents/{document.pk}/"
    assert [c.country for c in document.countries.all()] == ["IQ", "SY"]
    page = steward_client.get(response["Location"]).content.decode()
    assert "Families returned to Sinjar" in page
    assert 'id="§returns¶1"' in page
    assert "1 document found" in _text(steward_client.get("/coi/", {"q": "Sinjar"}))
    batch = document.editions.get().batch
    assert batch is not None
    assert batch.origin == ImportOrigin.UI
    assert batch.started_by is not None
    assert batch.started_by.username != "coi-librarian"
    assert batch.imported == 1


def test_an_unreadable_file_is_kept_with_its_reason(
    steward_client: Client, library: dict[str, Document]
) -> None:
    source = library["syria"].sources.get()
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = SimpleUploadedFile(
        "report.pdf", b"%PDF-1.4 not really", content_type="application/pdf"
    )
    response = steward_client.post(
        "/coi/import/", {**_import_form(source.pk), "file": broken}, follow=True
    )
    assert response.status_code == 200
    rejection = ImportRejection.objects.get()
    assert rejection.filename == "report.pdf"
    text = _text(response)
    assert "The file was not imported" in text
    assert rejection.reason in text
    assert not Document.objects.filter(title="Iraq: returns to Sinjar").exists()


def test_import_form_errors_are_shown_and_nothing_is_stored(
    steward_client: Client, library: dict[str, Document]
) -> None:
    source = library["syria"].sources.get()
    batches = ImportBatch.objects.count()
    response = steward_client.post(
        "/coi/import/",
        {
            **_import_form(source.pk, title="", published="2999-01-01"),
            "file": _upload("a.txt", "Text."),
        },
    )
    assert response.status_code == 200
    assert "This field is required." in _text(response)
    assert ImportBatch.objects.count() == batches


def test_a_manager_describes_and_edits_a_source(steward_client: Client) -> None:
    from ura.apps.coi.models import Source

    response = steward_client.post(
        "/coi/sources/new/",
        {
            "name": "Amnesty International",
            "acronym": "AI",
            "source_type": "ngo",
            "url": "https://www.amnesty.org",
            "mandate": "Human rights research and campaigning.",
            "reviewed_on": "2025-01-01",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Amnesty International")
    assert response["Location"] == f"/coi/sources/{source.pk}/"
    edit = steward_client.get(f"/coi/sources/{source.pk}/edit/")
    assert 'value="Amnesty International"' in edit.content.decode()
    response = steward_client.post(
        f"/coi/sources/{source.pk}/edit/",
        {
            "name": "Amnesty International",
            "acronym": "AI",
            "source_type": "ngo",
            "method": "Interviews and open sources.",
            "version": source.version,
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.method == "Interviews and open sources."
    stale = steward_client.post(
        f"/coi/sources/{source.pk}/edit/",
        {"name": "Amnesty", "source_type": "ngo", "version": 1},
    )
    assert stale.status_code == 200
    assert "Someone else changed this" in _text(stale)
    source.refresh_from_db()
    assert source.name == "Amnesty International"


def test_a_manager_reviews_a_near_duplicate(
    steward_client: Client, library: dict[str, Document]
) -> None:
    duplicate = library["lebanon"]
    Document.objects.filter(pk=duplicate.pk).update(
        near_duplicate_of=library["syria"],
        duplicate_similarity=0.9,
        duplicate_review=DuplicateReview.PENDING,
    )
    response = steward_client.post(
        f"/coi/documents/{duplicate.pk}/duplicate-review",
        {"decision": "not_duplicate", "next": "duplicates"},
    )
    assert response["Location"] == "/coi/duplicates/"
    duplicate.refresh_from_db()
    assert duplicate.duplicate_review == DuplicateReview.NOT_DUPLICATE
    assert duplicate.status == "active"


def test_a_manager_imports_a_new_edition(
    steward_client: Client, library: dict[str, Document]
) -> None:
    document = library["afghanistan"]
    response = steward_client.post(
        f"/coi/documents/{document.pk}/editions/new",
        {
            "file": _upload("women-v2.txt", "Women may not travel without a mahram since 2022."),
            "note": "Corrected date",
        },
        follow=True,
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.edition == 2
    html = response.content.decode()
    assert "Corrected date" in html
    assert "since 2022" in html


def test_a_manager_edits_the_metadata_and_marks_a_key_document(
    steward_client: Client, library: dict[str, Document]
) -> None:
    document = library["afghanistan"]
    form = steward_client.get(f"/coi/documents/{document.pk}/edit/")
    assert form.status_code == 200
    assert 'value="Afghanistan: women"' in form.content.decode()
    source = document.sources.get()
    response = steward_client.post(
        f"/coi/documents/{document.pk}/edit/",
        {
            **_import_form(source.pk, title="Afghanistan: women and girls"),
            "country": "AF",
            "other_countries": [],
            "is_key": "on",
            "version": document.version,
        },
    )
    assert response.status_code == 302, _text(response)
    document.refresh_from_db()
    assert document.title == "Afghanistan: women and girls"
    assert document.is_key
    country = steward_client.get("/coi/countries/AF/").content.decode()
    assert "Afghanistan: women and girls" in country.split('id="key-heading"')[1]
    stale = steward_client.post(
        f"/coi/documents/{document.pk}/edit/",
        {**_import_form(source.pk, title="Stale"), "country": "AF", "version": 1},
    )
    assert "Someone else changed this" in _text(stale)
    document.refresh_from_db()
    assert document.title == "Afghanistan: women and girls"


def test_a_manager_withdraws_a_document(
    steward_client: Client,
    reader_client: Client,
    library: dict[str, Document],
    indexed: IndexedBlock,
) -> None:
    document = library["afghanistan"]
    with indexed():  # the withdrawn document leaves the index when the write commits
        with_reason = steward_client.post(
            f"/coi/documents/{document.pk}/withdraw", {"reason": "Superseded by the 2025 report"}
        )
    assert with_reason.status_code == 302
    document.refresh_from_db()
    assert document.status == "withdrawn"
    assert "0 documents found" in _text(reader_client.get("/coi/", {"q": "mahram"}))
    page = _text(reader_client.get(f"/coi/documents/{document.pk}/"))
    assert "Superseded by the 2025 report" in page
    for url in (f"/coi/documents/{document.pk}/edit/", f"/coi/documents/{document.pk}/withdraw"):
        assert reader_client.post(url, {"reason": "x"}).status_code == 403


def test_each_passage_offers_the_clip_form_to_who_may_cite(
    reader: User, reader_client: Client, library: dict[str, Document]
) -> None:
    from tests.apps.cases.factories import make_case

    document = library["syria"]
    before = reader_client.get(f"/coi/documents/{document.pk}/").content.decode()
    assert 'action="/coi/clip"' not in before  # no case to cite into
    case = make_case(owner=reader, state="assessment", assigned=(reader,))
    html = reader_client.get(f"/coi/documents/{document.pk}/").content.decode()
    assert html.count('action="/coi/clip"') == 2  # one per passage
    passage = document.editions.get().passages.get(anchor="¶2")
    assert f'<input type="hidden" name="passage" value="{passage.pk}">' in html
    assert f'value="{case.pk}:{case.version}">{case.reference}</option>' in html
    Document.objects.filter(pk=document.pk).update(status="withdrawn")
    withdrawn = reader_client.get(f"/coi/documents/{document.pk}/").content.decode()
    assert 'action="/coi/clip"' not in withdrawn


def test_an_index_to_rebuild_is_said_plainly(
    reader: User, reader_client: Client, library: dict[str, Document], monkeypatch: Any
) -> None:
    from ura.apps.coi import search
    from ura.coi.index import IndexSchemaError

    saved = SavedSearch.objects.create(owner=reader, name="Mine", query="detention")

    def older_schema() -> None:
        raise IndexSchemaError("older schema")

    monkeypatch.setattr(search, "backend", older_schema)
    response = reader_client.get("/coi/", {"q": "detention"})
    assert response.status_code == 503
    assert "ura coi reindex" in _text(response)
    assert reader_client.get(f"/coi/documents/{library['syria'].pk}/").status_code == 200
    assert "cannot run" in _text(reader_client.get("/coi/saved/"))
    assert reader_client.get(f"/coi/saved/{saved.pk}/").status_code == 302
    api = reader_client.get("/api/v1/coi/search", {"q": "detention"})
    assert api.status_code == 503
    assert "ura coi reindex" in api.json()["detail"]


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    steward_client: Client, library: dict[str, Document], monkeypatch: Any
) -> None:
    from ura.apps.coi import services

    monkeypatch.setattr(services, "FILE_MAX_BYTES", 10)
    source = library["syria"].sources.get()
    batches = ImportBatch.objects.count()
    response = steward_client.post(
        "/coi/import/",
        {**_import_form(source.pk), "file": _upload("big.txt", "More than ten bytes of text.")},
    )
    assert response.status_code == 200
    assert "The file is larger than 0 MB." in _text(response)
    assert ImportBatch.objects.count() == batches
