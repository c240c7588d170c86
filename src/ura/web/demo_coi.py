"""The demo's COI library: several hundred synthetic documents over the main countries of
origin of the seed context, so that search, facets, country pages and clipping feel real.

The documents come from :mod:`ura.synth.coi` (a fixed seed: the same library every time; each
one states that it is synthetic and holds no real country information). They are imported by
the demo's data steward through the library's own services, as a folder import would: the
sources are described first, then every file is imported with its metadata in one import
batch (origin "demo"), its text extracted into passages, near-duplicates flagged for review,
each write audited, and the search index written a hundred documents per commit. The newest
country guidance (else report) on each country is marked as a key document, and two
documents get a corrected second edition, so that the editions and the citation check have
something to show. Running it again adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable

from django.utils import timezone

from ura.apps.accounts.models import User
from ura.apps.coi import search, services
from ura.apps.coi.models import Document, DocumentType, ImportOrigin, Source
from ura.synth.coi import CoiDocument, Section, documents, sources

#: How many documents the demo library holds.
DEMO_COI_DOCUMENTS = 400
_SEED = 20261129
_STEWARD = "steward.ankara"
_SOURCES_REVIEWED = dt.date(2026, 11, 2)


def sources_ensure(steward: User) -> None:
    """Describe every source the synthetic documents name (those missing), as ``steward``."""
    known = set(Source.objects.values_list("name", flat=True))
    for source in sources():
        if source.name in known:
            continue
        services.source_create(
            actor=steward,
            name=source.name,
            source_type=source.source_type,
            acronym=source.acronym,
            url=source.url,
            mandate=source.mandate,
            method=source.method,
            coverage=source.coverage,
            rhythm=source.rhythm,
            reliability_notes=source.reliability_notes,
            reviewed_on=min(_SOURCES_REVIEWED, timezone.localdate()),
        )


def _metadata(doc: CoiDocument, today: dt.date) -> services.DocumentMetadata:
    # The library refuses dates in the future: a demo run on a clock behind the synthetic
    # calendar (which ends in November 2026) keeps every document, dated today at the latest.
    return services.DocumentMetadata(
        title=doc.title,
        title_translated=doc.title_translated,
        sources=list(doc.sources),
        document_type=doc.document_type,
        language=doc.language,
        countries=list(doc.countries),
        topics=list(doc.topics),
        published=min(doc.published, today),
        url=doc.url,
        accessed_on=min(doc.accessed, today),
    )


def _corrected(doc: CoiDocument) -> CoiDocument:
    """The document with its first body paragraph corrected and a paragraph added at the end
    of its first headed section: what a source's re-issue looks like."""
    sections = list(doc.sections)
    first = next(i for i, s in enumerate(sections) if s.heading and s.paragraphs)
    section = sections[first]
    paragraphs = list(section.paragraphs)
    paragraphs[0] = paragraphs[0].replace(". ", ". [Corrected] ", 1)
    paragraphs.append(
        "Correction: figures in this section were revised after the source updated its data."
    )
    sections[first] = Section(section.heading, tuple(paragraphs))
    return dataclasses.replace(doc, sections=tuple(sections))


def demo_coi_load(
    *,
    count: int = DEMO_COI_DOCUMENTS,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Import the demo COI library if the library is empty; return the documents added.

    Needs the demo's users (``ura.web.demo.demo_load``): the data steward imports.
    """
    if Document.objects.exists():
        return 0
    say = progress or (lambda message: None)
    steward = User.objects.get(username=_STEWARD)
    today = timezone.localdate()
    say("Describing the COI sources…")
    sources_ensure(steward)
    batch = services.import_batch_start(
        actor=steward, origin=ImportOrigin.DEMO, label="Demo COI library (synthetic documents)"
    )
    imported: dict[int, tuple[Document, CoiDocument]] = {}
    started = time.monotonic()
    with search.batched():
        for doc in documents(count, _SEED):
            outcome = services.document_import(
                actor=steward,
                data=doc.render(),
                filename=doc.filename,
                metadata=_metadata(doc, today),
                batch=batch,
                origin=ImportOrigin.DEMO,
            )
            if outcome.document is not None:
                imported[outcome.document.pk] = (outcome.document, doc)
            if doc.number % 50 == 49:
                say(f"Importing the COI library… {doc.number + 1} of {count}")
        _key_documents(steward, list(imported.values()), today)
        for document, doc in list(imported.values())[3:5]:
            corrected = _corrected(doc)
            services.document_new_edition(
                actor=steward,
                document_id=document.pk,
                data=corrected.render(),
                filename=corrected.filename,
                note="Re-issued by the source with corrected figures",
                batch=batch,
            )
    services.import_batch_finish(actor=steward, batch=batch)
    say(f"COI library imported in {time.monotonic() - started:.0f} s")
    return len(imported)


def _key_documents(
    steward: User, imported: list[tuple[Document, CoiDocument]], today: dt.date
) -> None:
    """Mark the newest country guidance (else report) on each country as a key document."""
    preference = {DocumentType.COUNTRY_GUIDANCE.value: 0, DocumentType.REPORT.value: 1}
    best: dict[str, tuple[int, dt.date, Document, CoiDocument]] = {}
    for document, doc in imported:
        rank = preference.get(doc.document_type)
        if rank is None:
            continue
        country = doc.countries[0]
        current = best.get(country)
        if current is None or (rank, -doc.published.toordinal()) < (
            current[0],
            -current[1].toordinal(),
        ):
            best[country] = (rank, doc.published, document, doc)
    for _, _, document, doc in best.values():
        document.refresh_from_db(fields=["version"])
        services.document_update(
            actor=steward,
            document_id=document.pk,
            expected_version=document.version,
            metadata=_metadata(doc, today),
            is_key=True,
        )
