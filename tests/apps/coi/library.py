"""A small library for the page, API, selector and saved-search tests: documents written
straight to the tables with a stored file and indexed, until they can be imported through
``ura.apps.coi.services.document_import``."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.apps.coi.conftest import make_source
from ura.apps.coi import search
from ura.apps.coi.models import (
    Document,
    DocumentCountry,
    DocumentType,
    Edition,
    Passage,
    Topic,
)
from ura.coi.extract import file_checksum, passage_hash

_seq = itertools.count(1)


def topic(code: str, label: str | None = None) -> Topic:
    found, _ = Topic.objects.get_or_create(code=code, defaults={"label": label or code.title()})
    return found


def add_document(
    title: str,
    *paragraphs: str,
    countries: Sequence[str] = ("SY",),
    sources: Sequence[str] = ("UNHCR",),
    topics: Sequence[str] = (),
    document_type: str = DocumentType.REPORT,
    language: str = "en",
    published: dt.date | None = dt.date(2025, 6, 1),
    is_key: bool = False,
    index: bool = True,
) -> Document:
    """A document with one edition (a stored text file) and its passages, indexed."""
    text = "\n\n".join(paragraphs)
    data = text.encode()
    document = Document.objects.create(
        title=title,
        document_type=document_type,
        language=language,
        published=published,
        is_key=is_key,
        url=f"https://example.org/coi/{next(_seq)}",
        signature=b"",
    )
    document.sources.add(*(make_source(name) for name in sources))
    document.topics.add(*(topic(code) for code in topics))
    for position, country in enumerate(countries):
        DocumentCountry.objects.create(document=document, country=country, position=position)
    storage_name = default_storage.save(f"coi/test/{document.pk}.txt", ContentFile(data))
    edition = Edition.objects.create(
        document=document,
        number=1,
        storage_name=storage_name,
        filename=f"report-{document.pk}.txt",
        media_type="text/plain",
        size=len(data),
        checksum=file_checksum(data),
    )
    Passage.objects.bulk_create(
        Passage(
            edition=edition,
            position=position,
            anchor=f"¶{position + 1}",
            text=paragraph,
            text_hash=passage_hash(paragraph),
        )
        for position, paragraph in enumerate(paragraphs)
    )
    if index:
        assert search.index_documents([document.pk])
    return document
