"""The search index follows the database: documents are indexed when their transaction
commits (never when it rolls back), withdrawn ones leave the index, a failed index update
loses nothing in the database, and ``reindex`` rebuilds everything from the database."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tests.apps.coi.conftest import IndexedBlock, make_source, metadata
from ura.apps.accounts.models import User
from ura.apps.coi import search, services
from ura.apps.coi.models import (
    Document,
    DocumentCountry,
    DocumentStatus,
    DocumentType,
    Edition,
    Passage,
    Topic,
)
from ura.coi.extract import passage_hash
from ura.coi.index import Filters, IndexBusyError, TantivyBackend

pytestmark = pytest.mark.django_db


def _document(title: str, *paragraphs: str, countries: tuple[str, ...] = ("SY",)) -> Document:
    """A document with one edition, written straight to the tables (no import pipeline)."""
    document = Document.objects.create(
        title=title,
        document_type=DocumentType.REPORT,
        language="en",
        published=dt.date(2025, 6, 1),
        signature=b"",
    )
    document.sources.add(make_source("UNHCR"))
    for position, country in enumerate(countries):
        DocumentCountry.objects.create(document=document, country=country, position=position)
    edition = Edition.objects.create(
        document=document,
        number=1,
        storage_name=f"coi/test-{document.pk}",
        filename="report.txt",
        media_type="text/plain",
        size=1,
        checksum="0" * 64,
    )
    for position, text in enumerate(paragraphs):
        Passage.objects.create(
            edition=edition,
            position=position,
            anchor=f"¶{position + 1}",
            text=text,
            text_hash=passage_hash(text),
        )
    return document


def _found(query: str, filters: Filters | None = None) -> set[str]:
    return {hit.doc_id for hit in search.backend().search(query, filters, limit=100).hits}


def test_search_document_carries_the_current_edition_and_the_indexing() -> None:
    document = _document("Syria: returns", "Returnees were detained.", countries=("SY", "LB"))
    document.title_translated = "Suriye: geri dönüşler"
    document.save()
    document.topics.add(Topic.objects.get(code="return"))
    second = Edition.objects.create(
        document=document,
        number=2,
        storage_name=f"coi/test-{document.pk}-2",
        filename="report.txt",
        media_type="text/plain",
        size=1,
        checksum="1" * 64,
    )
    Passage.objects.create(
        edition=second, position=0, anchor="¶1", text="Corrected.", text_hash="x"
    )
    Document.objects.filter(pk=document.pk).update(edition=2)
    document.refresh_from_db()

    entry = search.search_document(document)

    assert entry.doc_id == str(document.pk)
    assert entry.title == "Syria: returns — Suriye: geri dönüşler"
    assert [(p.anchor, p.text) for p in entry.passages] == [("¶1", "Corrected.")]
    assert entry.countries == ("SY", "LB")
    assert entry.topics == ("return",)
    assert entry.sources == ("UNHCR",)
    assert entry.document_type == "report"
    assert entry.added == document.added_at
    assert list(search.search_documents([document.pk])) == [entry]


def test_a_document_is_searchable_after_its_transaction_commits(
    indexed: IndexedBlock,
) -> None:
    with indexed():
        document = _document("Blood feuds", "Blood feuds persist in northern Albania.")
        search.index_after_commit([document.pk])
        assert _found("feuds") == set()  # not before the commit

    assert _found("feuds") == {str(document.pk)}


def test_a_rolled_back_document_never_reaches_the_index(indexed: IndexedBlock) -> None:
    with indexed():
        kept = _document("Kept", "Conscription of men aged 18 to 42.")
        search.index_after_commit([kept.pk])

        def failing_import() -> None:
            with transaction.atomic():
                lost = _document("Lost", "Conscription continues.")
                search.index_after_commit([lost.pk])
                raise RuntimeError("the import failed")

        with pytest.raises(RuntimeError):
            failing_import()

    assert _found("conscription") == {str(kept.pk)}


def test_a_withdrawn_document_leaves_the_index(indexed: IndexedBlock) -> None:
    with indexed():
        document = _document("Prisons", "Overcrowding in prisons.")
        search.index_after_commit([document.pk])
    assert _found("prisons") == {str(document.pk)}

    with indexed():
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.WITHDRAWN)
        search.index_after_commit([document.pk])

    assert _found("prisons") == set()


def test_batched_updates_are_written_together_and_flushed_at_the_end(
    indexed: IndexedBlock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BATCH_SIZE", 2)
    calls: list[list[int]] = []
    real = search.index_documents

    def spy(ids: Any) -> bool:
        calls.append(sorted(ids))
        return real(ids)

    monkeypatch.setattr(search, "index_documents", spy)
    ids = []
    with search.batched():
        for n in range(5):
            with indexed():  # one transaction per document, as a folder import does
                document = _document(f"Report {n}", "Internal displacement.")
                ids.append(document.pk)
                search.index_after_commit([document.pk])

    assert calls == [ids[0:2], ids[2:4], ids[4:5]]
    assert _found("displacement") == {str(i) for i in ids}


def test_a_failed_index_update_keeps_the_database_and_logs_only_ids(
    indexed: IndexedBlock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def busy(self: Any, documents: Any) -> int:
        raise IndexBusyError("another process is writing the COI search index")

    monkeypatch.setattr(TantivyBackend, "add", busy)
    with caplog.at_level(logging.ERROR, logger="ura.apps.coi.search"), indexed():
        document = _document("Secret words", "Trafficking in human beings.")
        search.index_after_commit([document.pk])

    assert Document.objects.filter(pk=document.pk).exists()
    [record] = caplog.records
    assert str(document.pk) in record.getMessage()
    assert "IndexBusyError" in record.getMessage()
    assert "Secret" not in record.getMessage()
    assert "Trafficking" not in record.getMessage()
    monkeypatch.undo()
    assert search.reindex() == 1  # the repair
    assert _found("trafficking") == {str(document.pk)}


def test_reindex_rebuilds_from_the_database_with_progress(indexed: IndexedBlock) -> None:
    active = [_document(f"Report {n}", "Health care in Herat.") for n in range(3)]
    withdrawn = _document("Withdrawn", "Health care in Kabul.")
    withdrawn.status = DocumentStatus.WITHDRAWN
    withdrawn.save()
    stale = search.backend()
    stale.add([search.search_document(withdrawn)])  # an entry the database no longer backs

    reports: list[tuple[int, int]] = []
    assert search.reindex(progress=lambda done, total: reports.append((done, total))) == 3

    assert _found("health") == {str(d.pk) for d in active}
    assert reports[0] == (0, 3)
    assert reports[-1] == (3, 3)


def test_reindex_replaces_an_index_of_an_older_schema(coi_index: Path) -> None:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True)
    coi_index.mkdir(parents=True)
    old = tantivy.Index(builder.build(), path=str(coi_index), reuse=True)
    writer = old.writer(15_000_000)
    writer.commit()
    writer.wait_merging_threads()
    document = _document("Judiciary", "Courts lack independence.")

    assert search.reindex() == 1
    assert _found("courts") == {str(document.pk)}


def test_the_backend_follows_the_index_setting(settings: Any, tmp_path: Path) -> None:
    first = search.backend()
    assert search.backend() is first
    settings.URA_COI_INDEX_DIR = tmp_path / "elsewhere"
    assert search.backend() is not first
    assert (tmp_path / "elsewhere").is_dir()


# --- Through the services ----------------------------------------------------------------------


def test_an_imported_document_is_searchable_once_committed_and_a_rolled_back_one_never(
    steward: User, indexed: IndexedBlock
) -> None:
    with indexed():
        kept = services.document_import(
            actor=steward,
            data=b"Forced recruitment by armed groups in Idlib.",
            filename="kept.txt",
            metadata=metadata(),
        ).document
        assert _found("recruitment") == set()

        def import_then_fail() -> None:
            with transaction.atomic():
                services.document_import(
                    actor=steward,
                    data=b"Recruitment of minors continued.",
                    filename="lost.txt",
                    metadata=metadata(),
                )
                raise RuntimeError("the request failed after the import")

        with pytest.raises(RuntimeError):
            import_then_fail()

    assert kept is not None
    assert _found("recruitment") == {str(kept.pk)}
    assert Document.objects.count() == 1
    hit = search.backend().search("recruitment").hits[0]
    assert hit.added == kept.added_at
    assert search.backend().search("recruitment", Filters(added_after=kept.added_at)).total == 0
