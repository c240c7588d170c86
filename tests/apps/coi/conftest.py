"""Fixtures for the COI library's tests, shared by every test module of this folder.

* ``coi_index`` (autouse): the search index lives in the test's own directory, and the
  process's backend is re-opened there (so no test sees another's documents);
* ``coi_media`` (autouse): stored files land in the test's own directory;
* ``steward``: a data steward, who manages the library (``coi.manage_library``);
* ``reader``: a caseworker, who may only read it;
* ``indexed``: run the ``transaction.on_commit`` callbacks (the index updates) of a block;
* ``import_text(actor, text, **metadata)``: import a plain-text document through the
  service, indexed as after a commit; ``metadata(**fields)``: valid
  :class:`~ura.apps.coi.services.DocumentMetadata`; ``make_source(name)``: a source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, Unit, User
from ura.apps.coi import search, services
from ura.apps.coi.models import Document, ImportOrigin, Source, SourceType


@pytest.fixture(autouse=True)
def coi_index(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The search index in ``tmp_path/coi-index``, opened afresh for the test."""
    path = tmp_path / "coi-index"
    settings.URA_COI_INDEX_DIR = path
    search.reset_backend()
    yield path
    search.reset_backend()


@pytest.fixture(autouse=True)
def coi_media(settings: Any, tmp_path: Path) -> Path:
    """Imported files are stored under the test's own directory, never under ./var."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def steward(unit: Unit) -> User:
    """A data steward: reads and manages the COI library."""
    return make_user(role=RoleCode.DATA_STEWARD, unit=unit)


@pytest.fixture
def reader(unit: Unit) -> User:
    """A caseworker: reads the COI library, may not change it."""
    return make_user(role=RoleCode.CASEWORKER, unit=unit)


IndexedBlock = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def indexed(django_capture_on_commit_callbacks: Any) -> IndexedBlock:
    """``with indexed(): ...``: the block's on-commit callbacks (index updates) run at its
    end, as they would when its transaction commits (tests run inside one that never
    does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


_SOURCE_TYPES = {"UNHCR": SourceType.INTERNATIONAL, "Human Rights Watch": SourceType.NGO}


def make_source(name: str = "UNHCR", **fields: Any) -> Source:
    """A source (created once per name)."""
    fields.setdefault("source_type", _SOURCE_TYPES.get(name, SourceType.GOVERNMENT))
    source, _ = Source.objects.get_or_create(name=name, defaults=fields)
    return source


def metadata(**fields: Any) -> services.DocumentMetadata:
    """Valid metadata for a test document, with ``fields`` replaced (UNHCR and Human Rights
    Watch are created when named; other sources must exist)."""
    values: dict[str, Any] = {
        "title": "Syria: security situation",
        "sources": ["UNHCR"],
        "document_type": "report",
        "language": "en",
        "countries": ["SY"],
        "topics": ["security-situation"],
        "published": dt.date(2025, 3, 1),
        "url": "https://www.example.org/report",
        "accessed_on": dt.date(2025, 4, 1),
    }
    values.update(fields)
    for name in values["sources"]:
        if name in _SOURCE_TYPES:  # the usual sources exist; others are the test's business
            make_source(name)
    return services.DocumentMetadata(**values)


def import_text(
    actor: User,
    text: str,
    *,
    filename: str = "report.txt",
    origin: ImportOrigin = ImportOrigin.UI,
    **fields: Any,
) -> Document:
    """Import ``text`` as a plain-text document through ``services.document_import`` and
    index it as its commit would (``fields`` override :func:`metadata`'s values).

    Raises:
        AssertionError: the file was rejected (the reason is in the message).
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = services.document_import(
            actor=actor,
            data=text.encode("utf-8"),
            filename=filename,
            metadata=metadata(**fields),
            origin=origin,
        )
    assert outcome.document is not None, outcome.rejection and outcome.rejection.reason
    return outcome.document
