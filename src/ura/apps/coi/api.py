"""JSON API of the COI library: search, documents and their passages, sources, country
overviews, saved searches, and importing one document (managers).

The same selectors, services and permissions as the pages: reading needs
``coi.view_document`` (403 otherwise), importing ``coi.manage_library``. A malformed query
is answered 422 with the position of the mistake under ``errors.query``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ura.apps.accounts.selectors import acting_user
from ura.apps.coi import clipping, saved, selectors, services
from ura.apps.coi.models import ImportOrigin
from ura.coi import FacetFilter, Sort

if TYPE_CHECKING:
    from ura.apps.coi.models import Document, Passage, SavedSearch, Source

router = Router(tags=["coi"])


# --- shapes ----------------------------------------------------------------------------------


def _source_json(source: Source, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": source.pk,
        "name": source.name,
        "acronym": source.acronym,
        "type": source.source_type,
    }
    if full:
        data.update(
            url=source.url,
            mandate=source.mandate,
            method=source.method,
            coverage=source.coverage,
            rhythm=source.rhythm,
            reliability_notes=source.reliability_notes,
            reviewed_on=source.reviewed_on,
            version=source.version,
        )
    return data


def _document_json(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "title_translated": document.title_translated,
        "sources": [_source_json(s) for s in document.sources.all()],
        "type": document.document_type,
        "countries": [
            {"code": code, "name": name} for code, name in selectors.countries_of(document)
        ],
        "topics": [{"code": t.code, "label": _(t.label)} for t in document.topics.all()],
        "language": document.language,
        "published": document.published,
        "url": document.url,
        "accessed_on": document.accessed_on,
        "added_at": document.added_at,
        "edition": document.edition,
        "status": document.status,
        "is_key": document.is_key,
    }


def _passage_json(passage: Passage) -> dict[str, Any]:
    return {
        "id": passage.pk,
        "anchor": passage.anchor,
        "text": passage.text,
        "hash": passage.text_hash,
    }


def _results_json(results: selectors.SearchPage) -> dict[str, Any]:
    return {
        "total": results.total,
        "page": results.page.number,
        "pages": results.page.paginator.num_pages,
        "per_page": results.params.per_page,
        "hits": [
            {
                **_document_json(hit.document),
                "score": hit.score,
                "highlights": [
                    {
                        "anchor": h.anchor,
                        "fragment": h.fragment,
                        "marks": [list(m) for m in h.marks],
                        "html": h.html,
                    }
                    for h in hit.highlights
                ],
            }
            for hit in results.hits
        ],
        "facets": {
            facet.name: [
                {"value": v.value, "label": v.label, "count": v.count, "chosen": v.mode}
                for v in facet.values
            ]
            for facet in results.facets
        },
        "years": [{"value": y.value, "count": y.count} for y in results.years],
    }


def _saved_json(search: SavedSearch) -> dict[str, Any]:
    return {
        "id": search.pk,
        "name": search.name,
        "query": search.query,
        "params": search.params,
        "created_at": search.created_at,
        "last_run_at": search.last_run_at,
        "last_total": search.last_total,
    }


# --- search ----------------------------------------------------------------------------------


def _facet(request: HttpRequest, name: str) -> FacetFilter:
    values = request.GET
    return FacetFilter(
        any=tuple(values.getlist(name)),
        all=tuple(values.getlist(f"{name}_all")),
        none=tuple(values.getlist(f"{name}_none")),
    )


@router.get(
    "/search",
    response={200: dict[str, Any], 503: dict[str, Any]},
    summary="Search the library (facets: country, topic, source, type, language)",
)
def search(
    request: HttpRequest,
    q: str = "",
    title_only: bool = False,
    only_country: str = "",
    published_from: dt.date | None = None,
    published_to: dt.date | None = None,
    sort: Sort = Sort.RELEVANCE,
    page: int = 1,
    per_page: int = selectors.PER_PAGE,
) -> dict[str, Any] | Status[dict[str, Any]]:
    """Facets are repeated parameters read from the URL (not listed below):
    ``country=SY&country=IQ`` keeps documents about either (any); ``country_all=…``
    about all of them; ``country_none=…`` about none of them; the same for ``topic``,
    ``source``, ``type`` and ``language``. ``only_country`` keeps documents about that
    country alone. ``sort`` is ``relevance``, ``newest`` or ``oldest``."""
    params = selectors.SearchParams(
        query=q,
        title_only=title_only,
        facets={name: _facet(request, name) for name in selectors.FACETS},
        only_country=only_country.strip().upper(),
        published_from=published_from,
        published_to=published_to,
        sort=sort,
        page=max(1, page),
        per_page=max(1, min(per_page, selectors.MAX_PER_PAGE)),
    )
    try:
        return _results_json(selectors.search(actor=request.user, params=params))
    except selectors.SearchUnavailableError as error:
        return Status(503, {"detail": str(error)})


# --- documents -------------------------------------------------------------------------------


@router.get("/documents/{document_id}", summary="One document with its editions")
def document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    doc = selectors.document_get(actor=request.user, document_id=document_id)
    return {
        **_document_json(doc),
        "withdrawn_reason": doc.withdrawn_reason,
        "near_duplicate_of": doc.near_duplicate_of_id,
        "duplicate_review": doc.duplicate_review,
        "editions": [
            {
                "number": e.number,
                "filename": e.filename,
                "media_type": e.media_type,
                "size": e.size,
                "checksum": e.checksum,
                "note": e.note,
                "imported_at": e.imported_at,
            }
            for e in selectors.editions(doc)
        ],
    }


@router.get(
    "/documents/{document_id}/passages",
    summary="The passages of the current edition (or of ?edition=N) with their anchors",
)
def passages(request: HttpRequest, document_id: int, edition: int | None = None) -> dict[str, Any]:
    doc = selectors.document_get(actor=request.user, document_id=document_id)
    if edition is None or edition == doc.edition:
        number, rows = doc.edition, selectors.current_passages(doc)
    else:
        chosen = selectors.edition_get(actor=request.user, document_id=doc.pk, number=edition)
        number, rows = chosen.number, list(chosen.passages.all())
    return {"document": doc.pk, "edition": number, "passages": [_passage_json(p) for p in rows]}


@router.post(
    "/documents",
    response={201: dict[str, Any], 422: dict[str, Any]},
    summary="Import one document with its metadata (managers; multipart)",
)
def import_document(
    request: HttpRequest,
    file: File[UploadedFile],
    title: Form[str],
    sources: Form[list[str]],
    document_type: Form[str],
    language: Form[str],
    countries: Form[list[str]],
    topics: Form[list[str]] | None = None,
    title_translated: Form[str] = "",
    published: Form[dt.date | None] = None,
    url: Form[str] = "",
    accessed_on: Form[dt.date | None] = None,
) -> Status[dict[str, Any]]:
    """Sources by id, name or acronym; countries ISO 3166-1 alpha-2, the primary first;
    topics by code. A file that cannot be read (or is already in the library) is answered
    422 with the reason and the rejection's id: it is kept on the import's page."""
    if file.size is not None and file.size > services.FILE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB.")
                % {"mb": services.FILE_MAX_BYTES >> 20}
            }
        )
    metadata = services.DocumentMetadata(
        title=title,
        title_translated=title_translated,
        sources=_split(sources),
        document_type=document_type,
        language=language,
        countries=_split(countries),
        topics=_split(topics or []),
        published=published,
        url=url,
        accessed_on=accessed_on,
    )
    outcome = services.document_import(
        actor=acting_user(request.user),
        data=file.read(),
        filename=file.name or "",
        metadata=metadata,
        origin=ImportOrigin.API,
    )
    if outcome.document is None:
        rejection = outcome.rejection
        return Status(
            422,
            {
                "detail": "The file was not imported.",
                "reason": rejection.reason if rejection else "",
                "rejection": rejection.pk if rejection else None,
                "import": rejection.batch_id if rejection else None,
            },
        )
    body = _document_json(outcome.document)
    if outcome.near_duplicate is not None:
        body["near_duplicate_of"] = outcome.document.near_duplicate_of_id
        body["duplicate_similarity"] = outcome.document.duplicate_similarity
    return Status(201, body)


def _split(values: list[str]) -> list[str]:
    """Repeated form fields, or one comma-separated field."""
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


# --- sources and countries -------------------------------------------------------------------


@router.get("/sources", summary="The sources with their descriptions")
def sources(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {**_source_json(s, full=True), "documents": s.documents_count}  # type: ignore[attr-defined]
        for s in selectors.sources(actor=request.user)
    ]


@router.get("/countries/{code}", summary="Key documents, recent additions and main topics")
def country(request: HttpRequest, code: str) -> dict[str, Any]:
    overview = selectors.country_overview(actor=request.user, code=code)
    return {
        "code": overview.code,
        "name": overview.name,
        "documents": overview.total,
        "key_documents": [_document_json(d) for d in overview.key_documents],
        "recent": [_document_json(d) for d in overview.recent],
        "topics": [
            {"code": topic.code, "label": _(topic.label), "documents": n}
            for topic, n in overview.topics
        ],
    }


# --- saved searches --------------------------------------------------------------------------


class SavedSearchIn(Schema):
    name: str
    query: str = ""
    params: dict[str, Any] = {}
    """As a saved search keeps them: ``{"country": {"any": ["SY"]}, "sort": "newest",
    "title_only": true, "only_country": "SY", "published_from": "2024-01-01"}``."""


class RenameIn(Schema):
    name: str


@router.get("/saved-searches", summary="Your saved searches, with what is new since each ran")
def saved_list(request: HttpRequest) -> list[dict[str, Any]]:
    """``new_since_last_run`` is null for a saved query that no longer parses."""
    return [
        {**_saved_json(row.saved), "new_since_last_run": row.new}
        for row in saved.saved_searches_with_news(actor=request.user)
    ]


@router.post("/saved-searches", response={201: dict[str, Any]}, summary="Save a search")
def saved_create(request: HttpRequest, payload: SavedSearchIn) -> Status[dict[str, Any]]:
    params = selectors.SearchParams.from_json(payload.query, payload.params)
    created = saved.saved_search_save(actor=request.user, name=payload.name, params=params)
    return Status(201, {**_saved_json(created), "new_since_last_run": 0})


@router.get("/saved-searches/{saved_id}", summary="One of your saved searches")
def saved_get(request: HttpRequest, saved_id: int) -> dict[str, Any]:
    return _saved_json(saved.saved_search_get(actor=request.user, saved_id=saved_id))


@router.post(
    "/saved-searches/{saved_id}/run",
    response={200: dict[str, Any], 503: dict[str, Any]},
    summary="Run a saved search (counts as a run)",
)
def saved_run(
    request: HttpRequest, saved_id: int, page: int = 1
) -> dict[str, Any] | Status[dict[str, Any]]:
    """Page 1 is a run: it says how many matching documents were added since the previous
    run (``new_since_previous_run``, with up to 20 of them in ``new_documents``) and moves
    the mark; later pages of the results leave it (``new_since_previous_run`` is null)."""
    try:
        run = saved.saved_search_run(actor=request.user, saved_id=saved_id, page=max(1, page))
    except selectors.SearchUnavailableError as error:
        return Status(503, {"detail": str(error)})
    return {
        **_saved_json(run.saved),
        "previous_run_at": run.previous_run,
        "new_since_previous_run": run.new,
        "new_documents": [_document_json(hit.document) for hit in run.new_hits],
        "results": _results_json(run.results),
    }


@router.patch("/saved-searches/{saved_id}", summary="Rename a saved search")
def saved_rename(request: HttpRequest, saved_id: int, payload: RenameIn) -> dict[str, Any]:
    return _saved_json(
        saved.saved_search_rename(actor=request.user, saved_id=saved_id, name=payload.name)
    )


@router.delete("/saved-searches/{saved_id}", response={204: None}, summary="Delete one")
def saved_delete(request: HttpRequest, saved_id: int) -> Status[None]:
    saved.saved_search_delete(actor=request.user, saved_id=saved_id)
    return Status(204, None)


# --- clipping passages into cases ----------------------------------------------------------


class ClippingIn(Schema):
    """A passage to cite in an asylum case: the case ``version`` last read (409 if it changed
    since), optionally only part of the passage (``quote``, copied exactly), and a note that
    stays in the case (never in the decision)."""

    passage: int
    case: int
    version: int
    quote: str | None = None
    note: str = ""


@router.get("/clip-targets", summary="The asylum cases you may cite passages in")
def clip_targets(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"case": case.pk, "reference": case.reference, "version": case.version}
        for case in clipping.clip_targets(acting_user(request.user))
    ]


@router.post(
    "/clippings",
    response={201: dict[str, Any]},
    summary="Clip a passage (or part of it) into an asylum case's assessment",
)
def clip(request: HttpRequest, payload: ClippingIn) -> Status[dict[str, Any]]:
    case = clipping.clip_passage(
        actor=acting_user(request.user),
        case_id=payload.case,
        expected_version=payload.version,
        passage_id=payload.passage,
        quote=payload.quote or None,
        note=payload.note,
    )
    citations = case.data["assessment"]["citations"]
    return Status(
        201,
        {
            "case": case.pk,
            "reference": case.reference,
            "version": case.version,
            "number": len(citations),
            "citation": citations[-1],
        },
    )
