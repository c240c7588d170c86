"""The COI search backend: an interface, and its implementation on tantivy (embedded).

The relational database is the system of record; the index holds what search needs and is
rebuilt from plain :class:`SearchDocument` values (never database objects) by
:meth:`SearchBackend.rebuild`.

**One index entry per document**, its passages in one position stream with a gap of
:data:`PASSAGE_GAP` positions between passages. So boolean queries match documents (``a b``
finds a report with ``a`` on page 2 and ``b`` on page 40, as ecoi.net does), facet counts count
documents, and a phrase or proximity (at most ``~100``) never spans two passages. Highlighted
passages are chosen afterwards, for the returned page of hits only, from the passages stored
with their analysed terms.

**Text is analysed in Python** (:mod:`ura.coi.analysis`) and handed to tantivy pre-tokenised,
one field per analysis language (``text_en``, ``text_tr``, ... ``text_xx``): tantivy's own
analysers cannot do Turkish casing, Arabic-script folding or Serbian script folding, and
stemming stays the same code at index and query time. A query word is analysed once per
language and searched in each language's field.

**One writer at a time.** tantivy lets one ``IndexWriter`` hold an index directory (a lock
file in it). A :class:`TantivyBackend` serialises its own writes with a ``threading.Lock``, and
when another process holds the directory (the CLI importing while the web app runs) it retries
for ``lock_timeout`` seconds before raising :class:`IndexBusyError`. Readers never wait: a
searcher sees the last commit, and other processes' commits within about half a second.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from html import escape
from pathlib import Path
from typing import Any, Protocol

import tantivy

from ura.coi.analysis import ANALYSED_LANGUAGES, analyse_word, field_language, words
from ura.coi.extract import Passage
from ura.coi.query import (
    And,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    Wildcard,
    parse_query,
)

__all__ = [
    "PASSAGE_GAP",
    "FacetFilter",
    "Filters",
    "Highlight",
    "Hit",
    "IndexBusyError",
    "IndexSchemaError",
    "SearchBackend",
    "SearchDocument",
    "SearchResults",
    "Sort",
    "TantivyBackend",
]

PASSAGE_GAP = 1000
TITLE_BOOST = 2.0
FACETS = ("country", "topic", "source", "type", "language", "year")
_FACET_SIZE = 1000
_HIGHLIGHTS = 3
_FRAGMENT_CHARS = 300


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index needs of one COI document.

    Attributes:
        doc_id: the database's identifier, as a string.
        title: the document title.
        language: ISO 639-1 (or -3) code of the original language.
        passages: the extracted passages (:func:`ura.coi.extract.extract`).
        countries: ISO 3166 codes of the countries covered.
        topics, sources: topic and source codes or names.
        document_type: e.g. ``"report"``, ``"news"``, ``"legal"``.
        published: publication date.
        url: where the document was found.
        added: when the document entered the library (what "new since" filters on).
    """

    doc_id: str
    title: str
    language: str
    passages: Sequence[Passage]
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    document_type: str = ""
    published: dt.date | None = None
    url: str = ""
    added: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class FacetFilter:
    """Values of one facet a document must have at least one of (``any``), all of
    (``all``) and none of (``none``). Empty tuples do not filter."""

    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions besides the query. ``only_country`` keeps documents whose *only* country
    is that one; publication dates are inclusive; ``added_after`` keeps documents added to
    the library strictly after that moment (a saved search's last run)."""

    country: FacetFilter = FacetFilter()
    only_country: str | None = None
    topic: FacetFilter = FacetFilter()
    source: FacetFilter = FacetFilter()
    document_type: FacetFilter = FacetFilter()
    language: FacetFilter = FacetFilter()
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    added_after: dt.datetime | None = None


class Sort(Enum):
    """Result order."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True, slots=True)
class Highlight:
    """A passage of a hit with the query's words marked.

    Attributes:
        anchor: the passage anchor (cite it).
        fragment: up to about 300 characters of the passage around the first match.
        marks: ``(start, end)`` character ranges of matched words within ``fragment``.
        html: ``fragment`` HTML-escaped with ``<mark>`` around the matches.
    """

    anchor: str
    fragment: str
    marks: tuple[tuple[int, int], ...]
    html: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching document (``added``: when it entered the library, None if not known)."""

    doc_id: str
    title: str
    score: float
    published: dt.date | None
    highlights: tuple[Highlight, ...]
    added: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits, the total number of matching documents and the facet counts
    (facet name → value → documents) of all matching documents."""

    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class IndexBusyError(RuntimeError):
    """Another process held the index's writer lock for longer than the backend waits."""


class IndexSchemaError(RuntimeError):
    """The index directory holds an index of another schema (an older Ura): rebuild it
    (``ura coi reindex``)."""


class SearchBackend(Protocol):
    """What the ``coi`` app asks of a search engine."""

    def add(self, documents: Iterable[SearchDocument]) -> int:
        """Index documents (replacing any with the same id); returns how many."""
        ...

    def delete(self, doc_ids: Iterable[str]) -> None:
        """Remove documents by id (unknown ids are ignored)."""
        ...

    def search(
        self,
        query: str | Node,
        filters: Filters | None = None,
        sort: Sort = Sort.RELEVANCE,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        """Search; a ``str`` query is parsed with :func:`ura.coi.query.parse_query`."""
        ...

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Replace the whole index by these documents; returns how many."""
        ...

    def count(self) -> int:
        """Documents in the index."""
        ...


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
    for lang in ANALYSED_LANGUAGES:  # pre-tokenised by ura.coi.analysis; tokenizer unused
        builder.add_text_field(f"title_{lang}", tokenizer_name="raw")
        builder.add_text_field(f"text_{lang}", tokenizer_name="raw")
    for name in FACETS:
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    builder.add_integer_field("country_count", indexed=True, fast=True)
    builder.add_date_field("published", stored=True, indexed=True, fast=True)
    # tantivy keeps dates to the second in fast fields: "added since" compares microseconds
    builder.add_date_field("added", stored=True)
    builder.add_integer_field("added_us", indexed=True, fast=True)
    builder.add_bytes_field("passages", stored=True)
    builder.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _pretokenised(
    texts: Iterable[str], language: str
) -> tuple[tantivy.PreTokenizedString, list[str]]:
    """One position stream over several texts, ``PASSAGE_GAP`` positions apart; also the
    space-joined terms of each text (stored for highlighting)."""
    tokens: list[tantivy.Token] = []
    per_text: list[str] = []
    position = 0
    for text in texts:
        terms = []
        for _, _, word in words(text):
            term = analyse_word(word, language)
            if term:
                tokens.append(tantivy.Token(term, position, 0, 0))
                terms.append(term)
                position += 1
        per_text.append(" ".join(terms))
        position += PASSAGE_GAP
    return tantivy.PreTokenizedString("", tokens), per_text


def _as_datetime(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC datetime (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _microseconds(moment: dt.datetime) -> int:
    """Microseconds since the Unix epoch."""
    delta = _utc(moment) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _abandon(writer: tantivy.IndexWriter) -> None:
    """Drop a writer's uncommitted changes and release the directory's lock now (not when
    the garbage collector gets to it: a traceback keeps the writer alive)."""
    writer.rollback()
    writer.wait_merging_threads()


def _lock_busy(error: ValueError) -> bool:
    return "LockBusy" in str(error)


class TantivyBackend:
    """:class:`SearchBackend` on an embedded tantivy index.

    Args:
        path: directory of the index (created if missing); None keeps it in memory.
        heap_size: the writer's memory budget in bytes.
        lock_timeout: seconds to wait for another process's writer before
            :class:`IndexBusyError`.
        reset: start an empty index even if the directory holds one (also one of another
            schema); for a rebuild.

    Raises:
        IndexSchemaError: the directory holds an index of another schema (and not ``reset``).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        heap_size: int = 128_000_000,
        lock_timeout: float = 30.0,
        reset: bool = False,
    ) -> None:
        self._schema = _schema()
        if path is None:
            self._index = tantivy.Index(self._schema)
        else:
            Path(path).mkdir(parents=True, exist_ok=True)
            try:
                self._index = tantivy.Index(self._schema, path=str(path), reuse=not reset)
            except ValueError as exc:
                if "schema does not match" in str(exc):
                    raise IndexSchemaError(
                        f"the search index in {path} was built with another schema;"
                        " rebuild it from the database (ura coi reindex)"
                    ) from exc
                raise
        self._heap_size = heap_size
        self._lock_timeout = lock_timeout
        self._write_lock = threading.Lock()

    # --- writing ------------------------------------------------------------------------

    def add(self, documents: Iterable[SearchDocument]) -> int:
        """Index documents, replacing any already indexed under the same id.

        Args:
            documents: the documents to (re-)index.

        Returns:
            How many were indexed.
        """
        return self._write(documents, replace=True)

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Empty the index and index ``documents`` (from the system of record).

        Returns:
            How many were indexed.
        """
        return self._write(documents, replace=False, clear=True)

    def delete(self, doc_ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        with self._write_lock:
            writer = self._writer()
            try:
                for doc_id in doc_ids:
                    writer.delete_documents_by_term("doc_id", doc_id)
            except BaseException:
                _abandon(writer)
                raise
            self._commit(writer)

    def _write(
        self, documents: Iterable[SearchDocument], *, replace: bool, clear: bool = False
    ) -> int:
        with self._write_lock:
            writer = self._writer()
            count = 0
            try:
                if clear:
                    writer.delete_all_documents()
                for document in documents:
                    if replace:
                        writer.delete_documents_by_term("doc_id", document.doc_id)
                    writer.add_document(self._entry(document))
                    count += 1
            except BaseException:
                _abandon(writer)  # nothing of a failed write becomes visible
                raise
            self._commit(writer)
        return count

    def _writer(self) -> tantivy.IndexWriter:
        """The index's writer, waiting (up to ``lock_timeout``) for another process's."""
        deadline = time.monotonic() + self._lock_timeout
        pause = 0.05
        while True:
            try:
                return self._index.writer(self._heap_size)
            except ValueError as exc:
                if not _lock_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        "another process is writing the COI search index"
                        f" (waited {self._lock_timeout:g} s); try again later"
                    ) from exc
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def _entry(self, document: SearchDocument) -> tantivy.Document:
        lang = field_language(document.language)
        entry = tantivy.Document()
        entry.add_text("doc_id", document.doc_id)
        entry.add_text("title", document.title)
        title, _ = _pretokenised([document.title], lang)
        entry.add_pre_tokenized_text(f"title_{lang}", title)
        body, terms = _pretokenised((p.text for p in document.passages), lang)
        entry.add_pre_tokenized_text(f"text_{lang}", body)
        stored = [[p.anchor, p.text, t] for p, t in zip(document.passages, terms, strict=True)]
        entry.add_bytes("passages", zlib.compress(json.dumps(stored, ensure_ascii=False).encode()))
        countries = sorted({c.strip().upper() for c in document.countries if c.strip()})
        for country in countries:
            entry.add_text("country", country)
        entry.add_integer("country_count", len(countries))
        for topic in document.topics:
            entry.add_text("topic", topic)
        for source in document.sources:
            entry.add_text("source", source)
        if document.document_type:
            entry.add_text("type", document.document_type)
        entry.add_text("language", lang if lang != "xx" else (document.language or "xx"))
        if document.published is not None:
            entry.add_date("published", _as_datetime(document.published))
            entry.add_text("year", str(document.published.year))
        if document.url:
            entry.add_text("url", document.url)
        if document.added is not None:
            entry.add_date("added", _utc(document.added))
            entry.add_integer("added_us", _microseconds(document.added))
        return entry

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        """Documents in the index."""
        return int(self._index.searcher().num_docs)

    def search(
        self,
        query: str | Node,
        filters: Filters | None = None,
        sort: Sort = Sort.RELEVANCE,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        """Search the index.

        Args:
            query: ecoi.net query syntax (see :mod:`ura.coi.query`) or a parsed tree.
            filters: facet and date restrictions.
            sort: by relevance (BM25, title words weigh double) or publication date
                (documents without a date last).
            limit: hits per page.
            offset: hits to skip.

        Returns:
            The page of hits with highlighted passages, the total and the facet counts.

        Raises:
            QuerySyntaxError: a malformed query string.
        """
        node = parse_query(query) if isinstance(query, str) else query
        compiled = self._with_filters(self._compile(node), filters or Filters())
        searcher = self._index.searcher()
        if sort is Sort.RELEVANCE:
            result = searcher.search(compiled, limit, offset=offset)
            total = _count(result)
            addresses = [(float(score), address) for score, address in result.hits]
        else:
            addresses, total = self._by_date(searcher, compiled, sort, limit, offset)
        matcher = _Matcher(node)
        hits = tuple(
            self._hit(searcher.doc(address), score, matcher) for score, address in addresses
        )
        return SearchResults(total, hits, self._facets(searcher, compiled))

    def _by_date(
        self,
        searcher: tantivy.Searcher,
        compiled: tantivy.Query,
        sort: Sort,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[float, tantivy.DocAddress]], int]:
        # tantivy orders by a fast field but cannot say where missing values go: dated
        # documents first (ordered by tantivy), then undated ones in index order.
        order = tantivy.Order.Desc if sort is Sort.NEWEST else tantivy.Order.Asc
        dated_query = _must(compiled, tantivy.Query.exists_query("published"))
        undated_query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (tantivy.Occur.MustNot, tantivy.Query.exists_query("published")),
            ]
        )
        dated = searcher.search(
            dated_query, limit, offset=offset, order_by_field="published", order=order
        )
        n_dated = _count(dated)
        hits = [(0.0, address) for _, address in dated.hits]
        rest = limit - len(hits)
        undated = searcher.search(undated_query, max(rest, 1), offset=max(0, offset - n_dated))
        if rest > 0:
            hits += [(0.0, address) for _, address in undated.hits[:rest]]
        return hits, n_dated + _count(undated)

    def _facets(
        self, searcher: tantivy.Searcher, compiled: tantivy.Query
    ) -> dict[str, dict[str, int]]:
        aggs = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in FACETS}
        raw: dict[str, Any] = searcher.aggregate(compiled, aggs)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}
            for name in FACETS
        }

    def _hit(self, doc: tantivy.Document, score: float, matcher: _Matcher) -> Hit:
        stored = json.loads(zlib.decompress(bytes(doc.get_first("passages") or b"")))
        language = field_language(doc.get_first("language"))
        published = doc.get_first("published")
        added = doc.get_first("added")
        return Hit(
            doc_id=str(doc.get_first("doc_id")),
            title=str(doc.get_first("title")),
            score=score,
            published=published.date() if published is not None else None,
            highlights=matcher.highlights(stored, language),
            added=_utc(added) if added is not None else None,
        )

    # --- query compilation --------------------------------------------------------------

    def _compile(self, node: Node) -> tantivy.Query:
        schema = self._schema
        if isinstance(node, MatchAll):
            return tantivy.Query.all_query()
        if isinstance(node, Term | Phrase | Wildcard):
            leaves: list[tuple[tantivy.Occur, tantivy.Query]] = []
            for name in node.fields:
                for lang in ANALYSED_LANGUAGES:
                    leaf = _leaf(schema, node, f"{name}_{lang}", lang)
                    if leaf is not None:
                        if name == "title":
                            leaf = tantivy.Query.boost_query(leaf, TITLE_BOOST)
                        leaves.append((tantivy.Occur.Should, leaf))
            return tantivy.Query.boolean_query(leaves) if leaves else tantivy.Query.empty_query()
        if isinstance(node, Not):
            return _must_not(tantivy.Query.all_query(), self._compile(node.item))
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._compile(item)) for item in node.items]
            )
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for item in node.items:
            if isinstance(item, Not):
                clauses.append((tantivy.Occur.MustNot, self._compile(item.item)))
            else:
                clauses.append((tantivy.Occur.Must, self._compile(item)))
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _with_filters(self, query: tantivy.Query, filters: Filters) -> tantivy.Query:
        schema = self._schema
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, query)]
        facet_filters = (
            ("country", _upper(filters.country)),
            ("topic", filters.topic),
            ("source", filters.source),
            ("type", filters.document_type),
            ("language", _languages(filters.language)),
        )
        for name, wanted in facet_filters:
            if wanted.any:
                clauses.append(
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.term_set_query(schema, name, list(wanted.any)),
                    )
                )
            clauses.extend(
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, name, value))
                for value in wanted.all
            )
            clauses.extend(
                (tantivy.Occur.MustNot, tantivy.Query.term_query(schema, name, value))
                for value in wanted.none
            )
        if filters.only_country:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_query(schema, "country", filters.only_country.upper()),
                )
            )
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "country_count", 1))
            )
        if filters.published_from or filters.published_to:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        schema,
                        "published",
                        tantivy.FieldType.Date,
                        _as_datetime(filters.published_from) if filters.published_from else None,
                        _as_datetime(filters.published_to) if filters.published_to else None,
                    ),
                )
            )
        if filters.added_after is not None:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        schema,
                        "added_us",
                        tantivy.FieldType.Integer,
                        _microseconds(filters.added_after),
                        None,
                        include_lower=False,
                    ),
                )
            )
        return query if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)


def _count(result: tantivy.SearchResult) -> int:
    # tantivy's stub omits SearchResult.count (set when search(count=True), the default)
    return int(result.count or 0)  # type: ignore[attr-defined]


def _must(query: tantivy.Query, extra: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, extra)])


def _must_not(query: tantivy.Query, excluded: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, excluded)]
    )


def _upper(wanted: FacetFilter) -> FacetFilter:
    return FacetFilter(
        tuple(v.upper() for v in wanted.any),
        tuple(v.upper() for v in wanted.all),
        tuple(v.upper() for v in wanted.none),
    )


def _languages(wanted: FacetFilter) -> FacetFilter:
    def codes(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(field_language(v) if field_language(v) != "xx" else v for v in values)

    return FacetFilter(codes(wanted.any), codes(wanted.all), codes(wanted.none))


def _wildcard_regex(pattern: str, language: str) -> str | None:
    """The regular expression a wildcard pattern matches indexed terms with.

    The index holds stemmed terms, and a stemmer may cut a word shorter than the prefix a user
    types (Turkish ``gözaltı`` is indexed as ``gozal``, ``gözaltına`` as ``gozalt``): a
    pattern that starts with a word and a ``*`` also matches from that word's stem, so
    ``gözaltı*`` finds at least what ``gözaltı`` finds.
    """
    split = [piece for piece in re.split(r"([*?])", pattern) if piece]
    pieces = []
    for number, piece in enumerate(split):
        if piece == "*":
            pieces.append(".*")
        elif piece == "?":
            pieces.append(".")
        else:
            found = [w for _, _, w in words(piece)]
            normalised = "".join(analyse_word(w, language, stemmed=False) for w in found)
            stem = "".join(analyse_word(w, language) for w in found)
            starts_prefix = number == 0 and len(split) > 1 and split[1] == "*"
            if starts_prefix and stem and stem != normalised:
                pieces.append(f"(?:{re.escape(normalised)}|{re.escape(stem)})")
            else:
                pieces.append(re.escape(normalised))
    regex = "".join(pieces)
    return regex if regex.replace(".*", "").replace(".", "") else None


def _leaf(
    schema: tantivy.Schema, node: Term | Phrase | Wildcard, field_name: str, lang: str
) -> tantivy.Query | None:
    if isinstance(node, Term):
        term = analyse_word(node.word, lang)
        return tantivy.Query.term_query(schema, field_name, term) if term else None
    if isinstance(node, Wildcard):
        regex = _wildcard_regex(node.pattern, lang)
        return tantivy.Query.regex_query(schema, field_name, regex) if regex else None
    terms = [t for t in (analyse_word(w, lang) for w in node.words) if t]
    if not terms:
        return None
    if len(terms) == 1:
        return tantivy.Query.term_query(schema, field_name, terms[0])
    return tantivy.Query.phrase_query(schema, field_name, list(terms), slop=node.slop)


class _Matcher:
    """Marks the words of a passage that a query's positive leaves match."""

    def __init__(self, node: Node) -> None:
        self._leaves: list[Term | Phrase | Wildcard] = []
        self._collect(node)
        self._terms: dict[str, frozenset[str]] = {}
        self._regexes: dict[str, re.Pattern[str] | None] = {}

    def _collect(self, node: Node) -> None:
        if isinstance(node, Term | Phrase | Wildcard):
            if "text" in node.fields:
                self._leaves.append(node)
        elif isinstance(node, And | Or):
            for item in node.items:
                self._collect(item)
        # Not: excluded words are not highlighted; MatchAll: nothing to mark

    def _for(self, lang: str) -> tuple[frozenset[str], re.Pattern[str] | None]:
        if lang not in self._terms:
            terms: set[str] = set()
            regexes: list[str] = []
            for leaf in self._leaves:
                if isinstance(leaf, Term):
                    terms.add(analyse_word(leaf.word, lang))
                elif isinstance(leaf, Phrase):
                    terms.update(analyse_word(w, lang) for w in leaf.words)
                elif (regex := _wildcard_regex(leaf.pattern, lang)) is not None:
                    regexes.append(regex)
            terms.discard("")
            self._terms[lang] = frozenset(terms)
            self._regexes[lang] = (
                re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
            )
        return self._terms[lang], self._regexes[lang]

    def _matches(self, term: str, terms: frozenset[str], regex: re.Pattern[str] | None) -> bool:
        return term in terms or (regex is not None and regex.fullmatch(term) is not None)

    def highlights(self, stored: list[list[str]], lang: str) -> tuple[Highlight, ...]:
        terms, regex = self._for(lang)
        ranked: list[tuple[int, int, list[str]]] = []
        for position, (anchor, text, passage_terms) in enumerate(stored):
            found = {t for t in passage_terms.split() if self._matches(t, terms, regex)}
            if found:
                ranked.append((-len(found), position, [anchor, text]))
        if not ranked:
            return tuple(_fragment(anchor, text, []) for anchor, text, _ in stored[:1])
        ranked.sort()
        chosen = sorted(ranked[:_HIGHLIGHTS], key=lambda r: r[1])
        out = []
        for _, _, (anchor, text) in chosen:
            spans = [
                (start, end)
                for start, end, word in words(text)
                if self._matches(analyse_word(word, lang), terms, regex)
            ]
            out.append(_fragment(anchor, text, spans))
        return tuple(out)


def _fragment(anchor: str, text: str, spans: list[tuple[int, int]]) -> Highlight:
    start = 0
    if len(text) > _FRAGMENT_CHARS:
        first = spans[0][0] if spans else 0
        start = max(0, first - _FRAGMENT_CHARS // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + _FRAGMENT_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    fragment = text[start:end]
    marks = tuple((s - start, e - start) for s, e in spans if s >= start and e <= end)
    html: list[str] = []
    cursor = 0
    for s, e in marks:
        html.append(escape(fragment[cursor:s]))
        html.append(f"<mark>{escape(fragment[s:e])}</mark>")
        cursor = e
    html.append(escape(fragment[cursor:]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return Highlight(anchor, fragment, marks, prefix + "".join(html) + suffix)
