"""The COI library's search index, kept in step with the database.

The relational database is the system of record; the index (:mod:`ura.coi.index`, tantivy by
default, in ``settings.URA_COI_INDEX_DIR``) holds what search needs and is rebuilt from the
database by :func:`reindex` (``ura coi reindex``).

The backend interface (:class:`ura.coi.SearchBackend`) is what the rest of the app uses:

* ``add(documents)`` indexes :class:`ura.coi.SearchDocument` values, replacing any with the
  same id; ``delete(doc_ids)`` removes them; ``rebuild(documents)`` replaces the whole index;
* ``search(query, filters, sort, limit, offset)`` returns a page of hits (document id, title,
  score, publication date, date added, highlighted passages with their anchors), the total
  and the facet counts (``country``, ``topic``, ``source``, ``type``, ``language``,
  ``year``), with :class:`ura.coi.Filters` for any/all/none per facet, "only this
  country", publication dates and ``added_after`` (what is new since a saved search ran);
* ``count()``: documents in the index.

What a document becomes in the index is :func:`search_document`: the passages of its current
edition, its countries (alpha-2), topic codes, source names, type, language, dates and URL.
Withdrawn documents are not in the index.

**Writes follow the database.** Services call :func:`index_after_commit` with the ids of the
documents they changed; the index is updated when the transaction commits
(``transaction.on_commit``), so a rolled-back import never reaches search. Inside
:func:`batched` (a folder import) the ids are collected and indexed a hundred at a time, one
index commit each instead of one per document. If the index cannot be updated (another
process held its writer lock for too long, a full disk) the database write stands: the
failure is logged with the document ids only, and ``ura coi reindex`` repairs the index.

**One writer.** tantivy lets one writer hold an index directory. The backend serialises the
writes of this process (a ``threading.Lock``), and waits up to :data:`LOCK_TIMEOUT` seconds
for another process's writer (the CLI importing while the web app runs) before giving up
with :class:`ura.coi.index.IndexBusyError`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from ura.apps.coi.models import Document, DocumentStatus, Passage
from ura.coi.extract import Passage as TextPassage
from ura.coi.index import IndexSchemaError, SearchBackend, SearchDocument, TantivyBackend

__all__ = [
    "BATCH_SIZE",
    "LOCK_TIMEOUT",
    "backend",
    "batched",
    "index_after_commit",
    "index_documents",
    "reindex",
    "reset_backend",
    "search_document",
    "search_documents",
]

logger = logging.getLogger(__name__)

#: Seconds to wait for another process's index writer before giving up.
LOCK_TIMEOUT = 30.0
#: Documents indexed per index commit by :func:`batched` and :func:`reindex`.
BATCH_SIZE = 100

Progress = Callable[[int, int], None]

_state = threading.Lock()
_current: tuple[Path, TantivyBackend] | None = None
_pending: ContextVar[set[int] | None] = ContextVar("ura_coi_pending_index", default=None)


def _index_dir() -> Path:
    return Path(settings.URA_COI_INDEX_DIR)


def backend() -> SearchBackend:
    """The process's search backend on ``settings.URA_COI_INDEX_DIR`` (opened on first use,
    and again if the setting changed, as tests do).

    Raises:
        IndexSchemaError: the directory holds an index of an older schema; ``ura coi
            reindex`` rebuilds it.
    """
    global _current
    path = _index_dir()
    with _state:
        if _current is None or _current[0] != path:
            _current = (path, TantivyBackend(path, lock_timeout=LOCK_TIMEOUT))
        return _current[1]


def reset_backend() -> None:
    """Forget the process's backend; the next :func:`backend` call opens the index again."""
    global _current
    with _state:
        _current = None


# --- What a document is in the index --------------------------------------------------------


def _title(document: Document) -> str:
    # The translated title is searchable too (title-only search finds a Persian report by
    # its English title); the pages show the titles from the database.
    if document.title_translated and document.title_translated != document.title:
        return f"{document.title} — {document.title_translated}"
    return document.title


def search_document(
    document: Document, passages: Sequence[Passage] | None = None
) -> SearchDocument:
    """What the index holds of ``document``.

    Args:
        document: a document, ideally with ``sources``, ``topics`` and ``countries``
            prefetched (see :func:`search_documents`).
        passages: the passages of its current edition in order, if already loaded.

    Returns:
        ``doc_id`` the primary key; ``title`` with the translated title after a dash; the
        passages of the current edition (anchor and text); ``countries`` alpha-2 codes in
        the document's order; ``topics`` codes; ``sources`` names; ``document_type`` and
        ``language`` codes; ``published``, ``url``, and ``added`` (``added_at``).
    """
    if passages is None:
        passages = list(
            Passage.objects.filter(
                edition__document=document, edition__number=document.edition
            ).order_by("position")
        )
    return SearchDocument(
        doc_id=str(document.pk),
        title=_title(document),
        language=document.language,
        passages=[TextPassage(p.anchor, p.text) for p in passages],
        countries=tuple(c.country for c in document.countries.all()),
        topics=tuple(t.code for t in document.topics.all()),
        sources=tuple(s.name for s in document.sources.all()),
        document_type=document.document_type,
        published=document.published,
        url=document.url,
        added=document.added_at,
    )


def search_documents(ids: Iterable[int] | None = None) -> Iterator[SearchDocument]:
    """The index entries of the active documents (of ``ids``, or all), loaded
    :data:`BATCH_SIZE` at a time with their passages, countries, topics and sources."""
    documents = Document.objects.filter(status=DocumentStatus.ACTIVE).order_by("pk")
    if ids is not None:
        documents = documents.filter(pk__in=list(ids))
    last = 0
    while True:
        chunk = list(
            documents.filter(pk__gt=last)
            .prefetch_related("countries", "topics", "sources")
            .only(
                "pk",
                "title",
                "title_translated",
                "language",
                "document_type",
                "published",
                "url",
                "added_at",
                "edition",
            )[:BATCH_SIZE]
        )
        if not chunk:
            return
        last = chunk[-1].pk
        by_document: dict[int, list[Passage]] = {d.pk: [] for d in chunk}
        current = Passage.objects.filter(
            edition__document_id__in=list(by_document),
            edition__number=F("edition__document__edition"),
        ).order_by("edition__document_id", "position")
        for passage in current.values("edition__document_id", "anchor", "text"):
            by_document[passage["edition__document_id"]].append(
                Passage(anchor=passage["anchor"], text=passage["text"])
            )
        for document in chunk:
            yield search_document(document, by_document[document.pk])


# --- Keeping the index in step ----------------------------------------------------------------


def index_documents(ids: Iterable[int]) -> bool:
    """Bring the index in line with the database for these documents now: active ones are
    (re)indexed, withdrawn or deleted ones removed.

    Returns:
        True when the index was updated; False when it could not be (logged with the ids,
        ``ura coi reindex`` repairs it). Never raises: the database write stands.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return True
    try:
        index = backend()
        entries = list(search_documents(wanted))
        indexed = {int(e.doc_id) for e in entries}
        gone = [str(i) for i in wanted if i not in indexed]
        if gone:
            index.delete(gone)
        if entries:
            index.add(entries)
    except Exception as exc:
        # Ids and the error's type only: never the document's text.
        logger.error(
            "COI search index not updated for documents %s (%s); run `ura coi reindex`",
            ",".join(map(str, wanted)),
            type(exc).__name__,
        )
        return False
    return True


def _flush(pending: set[int]) -> None:
    ids = sorted(pending)
    pending.clear()
    index_documents(ids)


def _committed(ids: Sequence[int]) -> None:
    pending = _pending.get()
    if pending is None:
        index_documents(ids)
        return
    pending.update(ids)
    if len(pending) >= BATCH_SIZE:
        _flush(pending)


def index_after_commit(ids: Iterable[int]) -> None:
    """Update the index for these documents once the current transaction commits (at once
    outside a transaction); nothing happens if it rolls back."""
    wanted = tuple(sorted(set(ids)))
    if wanted:
        transaction.on_commit(lambda: _committed(wanted))


@contextmanager
def batched() -> Iterator[None]:
    """Collect the index updates of the transactions committed inside the block and write
    them :data:`BATCH_SIZE` documents per index commit (the rest when the block ends, also
    when it raises: what the database committed is indexed)."""
    if _pending.get() is not None:  # nested: the outermost block flushes
        yield
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        if pending:
            _flush(pending)


def reindex(progress: Progress | None = None) -> int:
    """Rebuild the whole index from the database (the active documents' current editions).

    Searches keep seeing the old index until the new one is committed. An index of an older
    schema is replaced.

    Args:
        progress: called as ``progress(done, total)`` as documents are read.

    Returns:
        How many documents were indexed.

    Raises:
        ura.coi.index.IndexBusyError: another process held the index's writer too long.
    """
    global _current
    total = Document.objects.filter(status=DocumentStatus.ACTIVE).count()
    try:
        index = backend()
    except IndexSchemaError:
        path = _index_dir()
        logger.warning("COI search index in %s has an older schema: rebuilding it", path)
        fresh = TantivyBackend(path, lock_timeout=LOCK_TIMEOUT, reset=True)
        with _state:
            _current = (path, fresh)
        index = fresh

    def counted() -> Iterator[SearchDocument]:
        if progress is not None:
            progress(0, total)
        for done, entry in enumerate(search_documents(), start=1):
            yield entry
            if progress is not None and (done % BATCH_SIZE == 0 or done == total):
                progress(done, max(total, done))

    return index.rebuild(counted())
