"""Shared fixtures: the UDHR in thirteen languages (shared/data/udhr, MIT) as COI documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ura.coi.extract import Passage, extract
from ura.coi.index import SearchDocument, TantivyBackend

# A copy of shared/data/udhr (MIT, LICENSE-repo-MIT.txt beside the files), kept with the
# tests so that they run from any clone.
UDHR = Path(__file__).resolve().parent / "data" / "udhr"

# file stem -> ISO 639-1 code of the text
UDHR_LANGUAGES = {
    "eng": "en", "tur": "tr", "arb": "ar", "pes_1": "fa", "fra": "fr", "rus": "ru",
    "als": "sq", "srp_cyrl": "sr", "srp_latn": "sr", "kmr": "ku", "ckb": "ku", "pbu": "ps",
    "ukr": "uk",
}  # fmt: skip


def udhr_passages(stem: str) -> list[Passage]:
    """The extracted passages of one UDHR translation."""
    return extract((UDHR / f"{stem}.html").read_bytes(), media_type="text/html")


@pytest.fixture(scope="session")
def udhr_index() -> TantivyBackend:
    """An in-memory index of every UDHR translation, one document per language."""
    backend = TantivyBackend()
    documents = []
    for number, (stem, language) in enumerate(UDHR_LANGUAGES.items()):
        passages = udhr_passages(stem)
        documents.append(
            SearchDocument(
                doc_id=stem,
                title=passages[0].text,
                language=language,
                passages=passages,
                published=dt.date(1948, 12, 10) + dt.timedelta(days=number),
            )
        )
    backend.add(documents)
    return backend
