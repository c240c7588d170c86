"""Reads of the COI library: search with facets, documents and their passages, sources,
country overviews, imports and near-duplicates to review.

COI is published information about countries, not about persons: reading it is not audited
record by record (writes are, in :mod:`ura.apps.coi.services`). Every read still requires
``coi.view_document``; import records and near-duplicate reviews require
``coi.manage_library``. Search runs on the index (:mod:`ura.apps.coi.search`); every hit is
then read from the database, the system of record, and a document that is not (or no longer)
in the library there is never shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ura.apps.coi import roles
from ura.apps.coi import search as index
from ura.apps.coi.countries import country_name, is_country, language_name
from ura.apps.coi.models import (
    Document,
    DocumentCountry,
    DocumentStatus,
    DocumentType,
    DuplicateReview,
    Edition,
    ImportBatch,
    ImportRejection,
    Passage,
    Source,
    Topic,
)
from ura.coi import FacetFilter, Filters, Highlight, QuerySyntaxError, Sort, parse_query
from ura.coi.index import IndexSchemaError, SearchBackend
from ura.coi.query import And, Node, Not, Or, Phrase, Term, Wildcard

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.utils.functional import Promise

    Actor = AbstractUser | AnonymousUser


#: The filterable facets: name (as in the index and in URLs) → heading on the page.
FACETS: dict[str, Promise] = {
    "country": gettext_lazy("Country"),
    "topic": gettext_lazy("Topic"),
    "source": gettext_lazy("Source"),
    "type": gettext_lazy("Document type"),
    "language": gettext_lazy("Language"),
}
MODES = ("any", "all", "none")
PER_PAGE = 20
MAX_PER_PAGE = 100
#: Values shown of a facet before "more" (selected values are always shown).
FACET_SHOWN = 12


def _require(actor: Actor, permission: str) -> None:
    if not actor.is_authenticated or not actor.has_perm(permission):
        if permission == roles.MANAGE:
            raise PermissionDenied(_("You may not manage the COI library."))
        raise PermissionDenied(_("You may not read the COI library."))


def can_manage(actor: Actor) -> bool:
    """Whether the actor may add, edit and withdraw documents and describe sources."""
    return bool(actor.is_authenticated and actor.has_perm(roles.MANAGE))


# --- search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    """A search as a caseworker asked for it: the query, the filters, order and page.

    ``facets`` maps a facet name of :data:`FACETS` to its any / all / none values.
    Saved searches keep it as :meth:`as_json` (without the page).
    """

    query: str = ""
    title_only: bool = False
    facets: Mapping[str, FacetFilter] = field(default_factory=dict)
    only_country: str = ""
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = PER_PAGE
    added_after: dt.datetime | None = None
    """Only documents added to the library after this moment (what a saved search shows as
    new); never saved with the search."""

    def facet(self, name: str) -> FacetFilter:
        return self.facets.get(name) or FacetFilter()

    def filters(self, *, added_after: dt.datetime | None = None) -> Filters:
        """The index filters these parameters ask for (``added_after``, if given, instead of
        the parameters' own)."""
        return Filters(
            country=self.facet("country"),
            only_country=self.only_country.upper() or None,
            topic=self.facet("topic"),
            source=self.facet("source"),
            document_type=self.facet("type"),
            language=self.facet("language"),
            published_from=self.published_from,
            published_to=self.published_to,
            added_after=added_after or self.added_after,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.only_country
            or self.published_from
            or self.published_to
            or any(f.any or f.all or f.none for f in self.facets.values())
        )

    def as_json(self) -> dict[str, Any]:
        """The parameters as JSON-compatible values, without the page (saved searches)."""
        data: dict[str, Any] = {"sort": self.sort.value}
        if self.title_only:
            data["title_only"] = True
        for name in FACETS:
            wanted = self.facet(name)
            modes = {m: list(getattr(wanted, m)) for m in MODES if getattr(wanted, m)}
            if modes:
                data[name] = modes
        if self.only_country:
            data["only_country"] = self.only_country.upper()
        if self.published_from:
            data["published_from"] = self.published_from.isoformat()
        if self.published_to:
            data["published_to"] = self.published_to.isoformat()
        return data

    @classmethod
    def from_json(cls, query: str, data: Mapping[str, Any]) -> SearchParams:
        """Parameters from :meth:`as_json` (a saved search); unknown keys are ignored.

        Raises:
            ValidationError: a value of the wrong kind (a bad date, an unknown order).
        """
        facets: dict[str, FacetFilter] = {}
        for name in FACETS:
            modes = data.get(name) or {}
            if not isinstance(modes, Mapping):
                raise ValidationError({name: _("Expected any / all / none lists.")})
            facets[name] = FacetFilter(
                **{m: tuple(str(v) for v in modes.get(m) or ()) for m in MODES}
            )
        try:
            sort = Sort(data.get("sort") or Sort.RELEVANCE.value)
        except ValueError:
            raise ValidationError({"sort": _("Unknown order.")}) from None
        return cls(
            query=query,
            title_only=bool(data.get("title_only")),
            facets=facets,
            only_country=str(data.get("only_country") or "").upper(),
            published_from=_date(data.get("published_from"), "published_from"),
            published_to=_date(data.get("published_to"), "published_to"),
            sort=sort,
        )


def _date(value: Any, name: str) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")}) from None


@dataclass(frozen=True)
class ResultHit:
    """One document found, as the database has it, with its highlighted passages."""

    document: Document
    score: float
    highlights: tuple[Highlight, ...]
    sources: list[Source]
    countries: list[tuple[str, str]]
    """(code, name) of each country, the primary first."""


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of matching documents that have it, and how
    the current search uses it (``"any"``, ``"all"``, ``"none"`` or ``""``)."""

    value: str
    label: str
    count: int
    mode: str = ""


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    mode: str
    """The facet's mode in the current search (any when nothing is chosen)."""
    values: list[FacetValue]

    @property
    def shown(self) -> list[FacetValue]:
        return self.values[:FACET_SHOWN]

    @property
    def more(self) -> list[FacetValue]:
        return self.values[FACET_SHOWN:]


@dataclass(frozen=True)
class SearchPage:
    """A page of results with the facet counts of all matching documents."""

    params: SearchParams
    total: int
    hits: list[ResultHit]
    facets: list[Facet]
    years: list[FacetValue]
    page: Page[int]


def _with_fields(node: Node, fields: tuple[str, ...]) -> Node:
    """The query tree with every word, phrase and wildcard searched in ``fields``."""
    if isinstance(node, Term | Phrase | Wildcard):
        return replace(node, fields=fields)
    if isinstance(node, And):
        return And(tuple(_with_fields(item, fields) for item in node.items))
    if isinstance(node, Or):
        return Or(tuple(_with_fields(item, fields) for item in node.items))
    if isinstance(node, Not):
        return Not(_with_fields(node.item, fields))
    return node


def parse(query: str, *, title_only: bool = False) -> Node:
    """The query tree of what the user typed.

    Raises:
        ValidationError: on ``query``, naming the character where the query goes wrong.
    """
    try:
        node = parse_query(query)
    except QuerySyntaxError as error:
        raise ValidationError(
            {
                "query": _("The query has a mistake at character %(position)d: %(reason)s.")
                % {"position": error.position + 1, "reason": error.reason}
            }
        ) from None
    return _with_fields(node, ("title",)) if title_only else node


class SearchUnavailableError(RuntimeError):
    """The search index cannot be opened (it was written by an older Ura and must be rebuilt
    with ``ura coi reindex``); the library's pages other than search still work."""


def _backend() -> SearchBackend:
    try:
        return index.backend()
    except IndexSchemaError as error:
        raise SearchUnavailableError(
            _(
                "The COI search index must be rebuilt before search works again; "
                "ask an administrator to run “ura coi reindex”."
            )
        ) from error


def search(*, actor: Actor, params: SearchParams) -> SearchPage:
    """Search the library.

    Args:
        actor: the user searching (needs ``coi.view_document``).
        params: query, filters, order and page.

    Returns:
        The page of hits (documents from the database, withdrawn ones never), the total,
        facet counts over all matching documents with their labels, and the Django page.

    Raises:
        PermissionDenied: the actor may not read the library.
        ValidationError: a malformed query (the message names the position).
        SearchUnavailableError: the index must be rebuilt.
    """
    _require(actor, roles.VIEW)
    node = parse(params.query, title_only=params.title_only)
    per_page = max(1, min(params.per_page, MAX_PER_PAGE))
    number = max(1, params.page)
    backend = _backend()
    filters = params.filters()
    results = backend.search(
        node, filters, params.sort, limit=per_page, offset=(number - 1) * per_page
    )
    last = max(1, math.ceil(results.total / per_page))
    if number > last:  # a page past the end (results changed): show the last one
        number = last
        results = backend.search(
            node, filters, params.sort, limit=per_page, offset=(number - 1) * per_page
        )
    page = Paginator(range(results.total), per_page).page(number)
    hits = _enrich(results.hits)
    counts = dict(results.facets)
    counts.update(_own_filter_counts(backend, node, params))
    facets, years = _facets(params, counts)
    return SearchPage(
        params=replace(params, page=number, per_page=per_page),
        total=results.total,
        hits=hits,
        facets=facets,
        years=years,
        page=page,
    )


def _own_filter_counts(
    backend: SearchBackend, node: Node, params: SearchParams
) -> dict[str, dict[str, int]]:
    """The counts of each facet used with "any of" or "none of", as if that facet's own
    choice were not made (the other filters stay): beside "any of" values they say how many
    documents each value brings in, beside "none of" values how many it keeps out. Counted
    within the results, those values would show only what is already chosen, or 0.
    "All of" counts stay within the results: how many would remain with one more value."""
    counts: dict[str, dict[str, int]] = {}
    for name in FACETS:
        wanted = params.facet(name)
        if not (wanted.any or wanted.none):
            continue
        without = replace(params, facets={**params.facets, name: FacetFilter(all=wanted.all)})
        counts[name] = backend.search(node, without.filters(), limit=1).facets.get(name, {})
    return counts


def count_added_since(*, actor: Actor, params: SearchParams, since: dt.datetime) -> int:
    """How many documents matching ``params`` entered the library after ``since``."""
    _require(actor, roles.VIEW)
    node = parse(params.query, title_only=params.title_only)
    return _backend().search(node, params.filters(added_after=since), limit=1).total


def _documents(ids: Iterable[int]) -> dict[int, Document]:
    return {
        d.pk: d
        for d in Document.objects.filter(pk__in=list(ids), status=DocumentStatus.ACTIVE)
        .prefetch_related("sources", "countries", "topics")
        .order_by()
    }


def _countries(document: Document) -> list[tuple[str, str]]:
    return [(c.country, country_name(c.country)) for c in document.countries.all()]


def _enrich(hits: Sequence[Any]) -> list[ResultHit]:
    ids = [int(h.doc_id) for h in hits if str(h.doc_id).isdigit()]
    documents = _documents(ids)
    out = []
    for hit in hits:
        document = documents.get(int(hit.doc_id)) if str(hit.doc_id).isdigit() else None
        if document is None:  # withdrawn or deleted since it was indexed
            continue
        out.append(
            ResultHit(
                document=document,
                score=hit.score,
                highlights=hit.highlights,
                sources=list(document.sources.all()),
                countries=_countries(document),
            )
        )
    return out


def facet_labels(name: str, values: Iterable[str]) -> dict[str, str]:
    """Labels of a facet's values in the interface language: country and language names,
    topic labels, source names, document type names; years as they are."""
    wanted = list(values)
    if name == "country":
        return {v: country_name(v) for v in wanted}
    if name == "language":
        return {v: language_name(v) for v in wanted}
    if name == "type":
        types = dict(DocumentType.choices)
        return {v: str(types.get(v, v)) for v in wanted}
    if name == "topic":
        # thesaurus labels are translated through gettext (ura.apps.coi.thesaurus)
        topics = dict(Topic.objects.filter(code__in=wanted).values_list("code", "label"))
        return {v: _(topics[v]) if topics.get(v) else v for v in wanted}
    if name == "source":
        return _source_labels(wanted)
    return {v: v for v in wanted}


def _source_labels(values: list[str]) -> dict[str, str]:
    """The index names sources by name (see ``search.search_document``); older entries or
    another backend may use the id: both are labelled with the source's name."""
    ids = [int(v) for v in values if v.isdigit()]
    found = Source.objects.filter(Q(name__in=values) | Q(pk__in=ids)).only("pk", "name")
    labels: dict[str, str] = {}
    for source in found:
        labels[source.name] = source.name
        labels[str(source.pk)] = source.name
    return {v: labels.get(v, v) for v in values}


def _facets(
    params: SearchParams, counts: Mapping[str, Mapping[str, int]]
) -> tuple[list[Facet], list[FacetValue]]:
    facets = []
    for name, heading in FACETS.items():
        wanted = params.facet(name)
        mode_of = {v: m for m in MODES for v in getattr(wanted, m)}
        found = dict(counts.get(name) or {})
        for value in mode_of:  # chosen values stay on the page (to unchoose), even at 0
            found.setdefault(value, 0)
        labels = facet_labels(name, found)
        values = sorted(
            (FacetValue(v, labels[v], n, mode_of.get(v, "")) for v, n in found.items()),
            key=lambda fv: (not fv.mode, -fv.count, fv.label.casefold()),
        )
        mode = next((m for m in MODES if getattr(wanted, m)), "any")
        facets.append(Facet(name, str(heading), mode, values))
    years = sorted(
        (FacetValue(y, y, n) for y, n in (counts.get("year") or {}).items()),
        key=lambda fv: fv.value,
        reverse=True,
    )
    return facets, years


# --- documents, passages, editions ---------------------------------------------------------


def document_get(*, actor: Actor, document_id: int) -> Document:
    """One document with its sources, countries and topics. Withdrawn documents are shown
    (a decision may cite one; the page says it was withdrawn); search never finds them.

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: no such document.
    """
    _require(actor, roles.VIEW)
    document = (
        Document.objects.filter(pk=document_id)
        .select_related("near_duplicate_of", "added_by")
        .prefetch_related("sources", "countries", "topics")
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


def countries_of(document: Document) -> list[tuple[str, str]]:
    """(code, name) of the document's countries, the primary first."""
    return _countries(document)


def current_edition(document: Document) -> Edition | None:
    return document.editions.filter(number=document.edition).first()


def current_passages(document: Document) -> list[Passage]:
    """The passages of the document's current edition, in order."""
    return list(
        Passage.objects.filter(edition__document=document, edition__number=document.edition)
    )


def editions(document: Document) -> list[Edition]:
    """Every edition of the document, the newest first."""
    return list(document.editions.select_related("imported_by").order_by("-number"))


def edition_get(*, actor: Actor, document_id: int, number: int) -> Edition:
    """One edition of a document (for downloading its file).

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: no such document or edition.
    """
    _require(actor, roles.VIEW)
    edition = (
        Edition.objects.filter(document_id=document_id, number=number)
        .select_related("document")
        .first()
    )
    if edition is None:
        raise Http404("No such edition.")
    return edition


def passage_get(*, actor: Actor, passage_id: int) -> Passage:
    """One passage with its edition and document.

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: no such passage.
    """
    _require(actor, roles.VIEW)
    passage = (
        Passage.objects.filter(pk=passage_id).select_related("edition", "edition__document").first()
    )
    if passage is None:
        raise Http404("No such passage.")
    return passage


def active_documents() -> QuerySet[Document]:
    return Document.objects.filter(status=DocumentStatus.ACTIVE)


# --- sources -------------------------------------------------------------------------------


def sources(*, actor: Actor) -> QuerySet[Source]:
    """Every source with ``documents``: how many of its documents are in the library."""
    _require(actor, roles.VIEW)
    return Source.objects.annotate(
        documents_count=Count("documents", filter=Q(documents__status=DocumentStatus.ACTIVE))
    ).order_by("name")


def source_get(*, actor: Actor, source_id: int) -> Source:
    """One source.

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: no such source.
    """
    _require(actor, roles.VIEW)
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise Http404("No such source.")
    return source


def source_documents(*, actor: Actor, source: Source) -> QuerySet[Document]:
    """The source's documents in the library, the newest first."""
    _require(actor, roles.VIEW)
    return (
        active_documents()
        .filter(sources=source)
        .prefetch_related("countries")
        .order_by("-published", "-pk")
    )


def topics_in_use() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True).order_by("label")


# --- countries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryOverview:
    """What the library holds about one country."""

    code: str
    name: str
    total: int
    key_documents: list[Document]
    recent: list[Document]
    topics: list[tuple[Topic, int]]
    """The topics with most documents about the country, with their counts."""


def country_overview(*, actor: Actor, code: str, limit: int = 10) -> CountryOverview:
    """Key documents, recent additions and the topics with most material about a country.

    Raises:
        PermissionDenied: the actor may not read the library.
        Http404: not an ISO 3166-1 alpha-2 country code.
    """
    _require(actor, roles.VIEW)
    code = code.upper()
    if not is_country(code):
        raise Http404("No such country.")
    documents = active_documents().filter(countries__country=code)
    with_related = documents.prefetch_related("sources", "countries")
    topics = (
        Topic.objects.filter(
            documents__status=DocumentStatus.ACTIVE, documents__countries__country=code
        )
        .annotate(n=Count("documents", distinct=True))
        .order_by("-n", "label")[:limit]
    )
    return CountryOverview(
        code=code,
        name=country_name(code),
        total=documents.count(),
        key_documents=list(with_related.filter(is_key=True).order_by("-published", "-pk")[:limit]),
        recent=list(with_related.order_by("-added_at", "-pk")[:limit]),
        topics=[(topic, topic.n) for topic in topics],
    )


def countries_with_documents(*, actor: Actor) -> list[tuple[str, str, int]]:
    """Every country the library has documents about: (code, name, documents), by name."""
    _require(actor, roles.VIEW)
    rows = (
        DocumentCountry.objects.filter(document__status=DocumentStatus.ACTIVE)
        .values("country")
        .annotate(n=Count("document", distinct=True))
        .order_by()
    )
    out = [(r["country"], country_name(r["country"]), int(r["n"])) for r in rows]
    return sorted(out, key=lambda row: row[1].casefold())


# --- imports and duplicates (managers) -----------------------------------------------------


def import_batches(*, actor: Actor) -> QuerySet[ImportBatch]:
    """Every import, the newest first.

    Raises:
        PermissionDenied: the actor may not manage the library.
    """
    _require(actor, roles.MANAGE)
    return ImportBatch.objects.select_related("started_by", "job").order_by("-pk")


def import_batch_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    """One import.

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such import.
    """
    batch = import_batches(actor=actor).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def batch_editions(batch: ImportBatch) -> list[Edition]:
    """The editions (new documents and new editions) an import brought."""
    return list(batch.editions.select_related("document").order_by("pk"))


def rejection_get(*, actor: Actor, rejection_id: int) -> ImportRejection:
    """One rejected file or metadata row.

    Raises:
        PermissionDenied: the actor may not manage the library.
        Http404: no such rejection.
    """
    _require(actor, roles.MANAGE)
    rejection = ImportRejection.objects.filter(pk=rejection_id).select_related("batch").first()
    if rejection is None:
        raise Http404("No such rejection.")
    return rejection


def duplicates_to_review(*, actor: Actor) -> QuerySet[Document]:
    """Documents flagged on import as near-duplicates and not yet reviewed.

    Raises:
        PermissionDenied: the actor may not manage the library.
    """
    _require(actor, roles.MANAGE)
    return (
        Document.objects.filter(duplicate_review=DuplicateReview.PENDING)
        .exclude(status=DocumentStatus.WITHDRAWN)
        .select_related("near_duplicate_of")
        .order_by("-added_at", "-pk")
    )
