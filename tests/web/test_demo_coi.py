"""The demo's COI library: imported through the library's services, searchable, idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.coi import search
from ura.apps.coi.importing import import_folder
from ura.apps.coi.models import Document, Edition, ImportBatch, ImportOrigin, Source
from ura.apps.core.models import AuditEvent
from ura.synth.coi import sources, write_library
from ura.web.demo import demo_load
from ura.web.demo_coi import demo_coi_load, sources_ensure


@pytest.fixture(autouse=True)
def coi_storage(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The index and the stored files in the test's own directory."""
    settings.URA_COI_INDEX_DIR = tmp_path / "coi-index"
    settings.MEDIA_ROOT = tmp_path / "media"
    search.reset_backend()
    yield
    search.reset_backend()


@pytest.mark.django_db
def test_demo_library_loads_and_is_searchable(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The steward imports every document with its sources in one demo batch; key documents
    and a second edition exist; the index holds what the database holds."""
    demo_load()
    with django_capture_on_commit_callbacks(execute=True):
        added = demo_coi_load(count=24)
    assert added == Document.objects.count() == 24
    assert Source.objects.count() == len(sources())
    batch = ImportBatch.objects.get(origin=ImportOrigin.DEMO)
    assert batch.finished_at is not None
    assert batch.imported == 24
    assert batch.rejected == 0
    assert set(Document.objects.values_list("added_by__username", flat=True)) == {"steward.ankara"}
    assert Document.objects.filter(is_key=True).exists()
    assert Edition.objects.filter(number=2).count() == 2
    assert Document.objects.filter(edition=2).count() == 2
    assert {"en"} < set(Document.objects.values_list("language", flat=True))
    index = search.backend()
    assert index.count() == 24
    results = index.search("synthetic OR synthétique OR sentetik OR синтетический")
    assert results.total >= 1
    corrected = index.search('"Correction figures in this section were revised"')
    assert corrected.total == 2

    # A demo caseworker finds the library through the pages: marked hits, key documents.
    client = Client()
    client.force_login(User.objects.get(username="caseworker.istanbul"))
    page = client.get(reverse("coi:search"), {"q": "security"})
    assert page.status_code == 200
    assert b"<mark>" in page.content
    key = Document.objects.filter(is_key=True).prefetch_related("countries").first()
    assert key is not None
    country = client.get(reverse("coi:country", args=[key.countries.all()[0].country]))
    assert country.status_code == 200
    assert escape(key.title) in country.content.decode()


@pytest.mark.django_db
def test_demo_library_loads_once() -> None:
    """A second run adds no document, source, batch or audit event."""
    demo_load()
    demo_coi_load(count=5)
    counts = [m.objects.count() for m in (Document, Source, ImportBatch, AuditEvent)]
    assert demo_coi_load(count=5) == 0
    assert [m.objects.count() for m in (Document, Source, ImportBatch, AuditEvent)] == counts


@pytest.mark.django_db
def test_synthetic_folder_imports_with_its_metadata_file(
    tmp_path: Path, unit: Unit, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """A folder written by ura.synth.coi.write_library is what the folder import reads:
    every file in every format becomes a document with the metadata of its row."""
    steward = make_user(role=RoleCode.DATA_STEWARD, unit=unit)
    sources_ensure(steward)
    library = write_library(tmp_path / "library", 30, seed=99)
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_folder(
            actor=steward, folder=library.folder, metadata_path=library.metadata_path
        )
    assert (batch.imported, batch.rejected) == (30, 0)
    by_file = {
        e.filename: e.document
        for e in Edition.objects.prefetch_related("document__topics", "document__countries")
    }
    for doc in library.documents:
        document = by_file[doc.filename]
        assert document.title == doc.title
        assert document.language == doc.language
        assert document.document_type == doc.document_type
        assert document.published == doc.published
        assert [c.country for c in document.countries.all()] == list(doc.countries)
        assert {t.code for t in document.topics.all()} == set(doc.topics)
    assert search.backend().count() == 30
