"""A small library for the page, API, selector and saved-search tests: plain-text documents
imported through ``ura.apps.coi.services.document_import`` (extraction, passages, indexing
after commit), as a COI researcher would add them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.test import TestCase
from django.utils.text import slugify

from tests.apps.coi.conftest import make_source
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.coi import services
from ura.apps.coi.models import Document, DocumentType

LIBRARIAN = "coi-librarian"


def librarian() -> User:
    """The data steward who imports the test documents."""
    found = User.objects.filter(username=LIBRARIAN).first()
    return found or make_user(role=RoleCode.DATA_STEWARD, username=LIBRARIAN)


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
) -> Document:
    """Import a text file of ``paragraphs`` (passages ``¶1``, ``¶2``…) with this metadata,
    indexed as after its transaction commits; ``is_key`` marks it a key document."""
    for name in sources:
        make_source(name)
    metadata = services.DocumentMetadata(
        title=title,
        sources=list(sources),
        document_type=document_type,
        language=language,
        countries=list(countries),
        topics=list(topics),
        published=published,
        url=f"https://example.org/coi/{slugify(title) or 'document'}",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = services.document_import(
            actor=librarian(),
            data="\n\n".join(paragraphs).encode(),
            filename=f"{slugify(title) or 'document'}.txt",
            metadata=metadata,
        )
    assert outcome.document is not None, outcome.rejection
    if is_key:
        Document.objects.filter(pk=outcome.document.pk).update(is_key=True)
        outcome.document.refresh_from_db()
    return outcome.document
