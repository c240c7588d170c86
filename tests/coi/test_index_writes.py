"""The index's write side: when a document was added ("new since"), one writer at a time,
a failed write leaves nothing, and an index of another schema is refused until rebuilt."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy

from ura.coi.extract import Passage
from ura.coi.index import (
    Filters,
    IndexBusyError,
    IndexSchemaError,
    SearchDocument,
    Sort,
    TantivyBackend,
)

T0 = dt.datetime(2026, 3, 1, 12, 0, 0, 900_000, tzinfo=dt.UTC)


def _doc(doc_id: str, text: str, added: dt.datetime | None) -> SearchDocument:
    return SearchDocument(doc_id, f"Report {doc_id}", "en", [Passage("¶1", text)], added=added)


def test_added_is_kept_and_returned_with_hits() -> None:
    backend = TantivyBackend()
    backend.add([_doc("a", "detention of returnees", T0), _doc("b", "detention", None)])

    hits = {h.doc_id: h for h in backend.search("detention", sort=Sort.NEWEST).hits}

    assert hits["a"].added == T0
    assert hits["b"].added is None


def test_added_after_keeps_documents_added_strictly_later_to_the_microsecond() -> None:
    backend = TantivyBackend()
    backend.add(
        [
            _doc("old", "forced recruitment", T0 - dt.timedelta(days=3)),
            _doc("same", "forced recruitment", T0),
            _doc("new", "forced recruitment", T0 + dt.timedelta(microseconds=1)),
            _doc("undated", "forced recruitment", None),
        ]
    )

    def found(after: dt.datetime | None) -> set[str]:
        results = backend.search("recruitment", Filters(added_after=after), limit=10)
        return {h.doc_id for h in results.hits}

    assert found(None) == {"old", "same", "new", "undated"}
    assert found(T0) == {"new"}
    assert found(T0 - dt.timedelta(microseconds=1)) == {"same", "new"}
    assert found(T0 - dt.timedelta(days=30)) == {"old", "same", "new"}
    # a naive moment is taken as UTC; another time zone is converted
    assert found(T0.replace(tzinfo=None)) == {"new"}
    plus_three = dt.timezone(dt.timedelta(hours=3))
    assert found(T0.astimezone(plus_three) - dt.timedelta(microseconds=1)) == {"same", "new"}


def test_added_after_combines_with_facet_counts() -> None:
    backend = TantivyBackend()
    backend.add(
        [
            SearchDocument("a", "A", "en", [Passage("¶1", "curfew")], ("SY",), added=T0),
            SearchDocument(
                "b", "B", "en", [Passage("¶1", "curfew")], ("AF",), added=T0 + dt.timedelta(1)
            ),
        ]
    )

    results = backend.search("curfew", Filters(added_after=T0))

    assert results.total == 1
    assert results.facets["country"] == {"AF": 1}


def test_a_busy_writer_lock_is_waited_for(tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path, lock_timeout=10)
    # Another process's writer, as the CLI's would be: a second index object on the folder.
    other = tantivy.Index(backend._schema, path=str(tmp_path), reuse=True)
    held = other.writer(15_000_000)
    released = threading.Timer(0.5, held.wait_merging_threads)
    released.start()
    try:
        assert backend.add([_doc("a", "blood feud", T0)]) == 1
    finally:
        released.join()
    assert backend.search("feud").total == 1


def test_a_lock_held_too_long_is_a_clear_error(tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path, lock_timeout=0.3)
    other = tantivy.Index(backend._schema, path=str(tmp_path), reuse=True)
    held = other.writer(15_000_000)
    try:
        with pytest.raises(IndexBusyError, match="another process is writing"):
            backend.add([_doc("a", "blood feud", T0)])
    finally:
        held.wait_merging_threads()
    assert backend.add([_doc("a", "blood feud", T0)]) == 1  # free again


def test_writers_of_one_backend_in_threads_take_turns(tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path, lock_timeout=0)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            backend.add([_doc(f"d{n}", "military service", T0)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert backend.count() == 6


def test_a_failed_write_adds_nothing_and_releases_the_lock(tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path, lock_timeout=0)
    backend.add([_doc("a", "trafficking", T0)])

    def documents() -> Iterator[SearchDocument]:
        yield _doc("b", "trafficking", T0)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.add(documents())

    assert backend.count() == 1
    assert backend.add([_doc("c", "trafficking", T0)]) == 1  # the lock was released


def test_an_index_of_another_schema_is_refused_until_reset(tmp_path: Path) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True)
    old = tantivy.Index(builder.build(), path=str(tmp_path), reuse=True)
    writer = old.writer(15_000_000)
    writer.commit()
    writer.wait_merging_threads()

    with pytest.raises(IndexSchemaError, match="reindex"):
        TantivyBackend(tmp_path)

    rebuilt = TantivyBackend(tmp_path, reset=True)
    rebuilt.rebuild([_doc("a", "health care", T0)])
    assert TantivyBackend(tmp_path).search("health").total == 1
