"""The synthetic COI library: reproducible, multilingual, valid metadata, readable files that
the search finds in their inflected forms."""

# ruff: noqa: RUF001 -- Arabic, Persian and Cyrillic letters are text here, not look-alikes

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ura.apps.coi.models import DocumentType, SourceType
from ura.coi.index import Filters, TantivyBackend
from ura.synth.coi import (
    FIRST_PUBLISHED,
    LAST_ACCESSED,
    LAST_PUBLISHED,
    METADATA_COLUMNS,
    CoiDocument,
    countries,
    document,
    documents,
    sources,
    topic_codes,
    write_library,
)

THESAURUS = Path(__file__).resolve().parents[2] / "src/ura/apps/coi/data/topics.yaml"
SAMPLE = 600


@pytest.fixture(scope="module")
def library() -> list[CoiDocument]:
    return list(documents(SAMPLE, seed=7))


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    """Two writes with one seed give byte-identical files in every format; another seed
    gives other documents."""
    first = write_library(tmp_path / "a", 40, seed=11)
    write_library(tmp_path / "b", 40, seed=11)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert {d.file_format for d in first.documents} == {"txt", "html", "pdf", "docx"}
    other = write_library(tmp_path / "c", 40, seed=12)
    assert [d.title for d in other.documents] != [d.title for d in first.documents]


def test_documents_are_independent_of_order() -> None:
    """A slice of the library is the same documents as drawing them one by one."""
    assert list(documents(5, seed=3, start=20)) == [document(n, seed=3) for n in range(20, 25)]
    with pytest.raises(ValueError, match="start at 0"):
        document(-1)


def test_languages_share_and_scripts(library: list[CoiDocument]) -> None:
    """Mostly English, the rest in Turkish, French, Russian, Arabic and Persian; no PDF of
    Arabic script; translated titles for the others only; RTL pages say so."""
    share = Counter(d.language for d in library)
    assert set(share) == {"en", "tr", "fr", "ru", "ar", "fa"}
    assert 0.6 < share["en"] / SAMPLE < 0.8
    assert all(share[lang] / SAMPLE > 0.02 for lang in share)
    for doc in library:
        assert (doc.title_translated == "") == (doc.language == "en"), doc.number
        if doc.language in ("ar", "fa"):
            assert doc.file_format != "pdf"
    persian = next(d for d in library if d.language == "fa")
    assert '<html lang="fa" dir="rtl">' in persian.html()
    assert re.search(r"[\u0600-\u06ff]", persian.text())
    russian = next(d for d in library if d.language == "ru")
    assert re.search(r"[а-я]", russian.text())
    with pytest.raises(ValueError, match="Arabic script"):
        persian.pdf()


def test_every_document_says_it_is_synthetic(library: list[CoiDocument]) -> None:
    """The last section of every document states that it holds no real information."""
    notes = {d.language: d.sections[-1].paragraphs[-1] for d in library}
    assert "synthetic" in notes["en"]
    assert all(d.sections[-1].paragraphs[-1] == notes[d.language] for d in library)


def _thesaurus_codes() -> set[str]:
    codes: set[str] = set()

    def walk(items: list[dict[str, object]]) -> None:
        for item in items:
            codes.add(str(item["code"]))
            walk(item.get("narrower", []))  # type: ignore[arg-type]

    walk(yaml.safe_load(THESAURUS.read_text(encoding="utf-8"))["topics"])
    return codes


def test_topics_are_thesaurus_codes(library: list[CoiDocument]) -> None:
    """Every topic the generator can give is a code of the coi app's thesaurus, and every
    document has at least one."""
    assert topic_codes() <= _thesaurus_codes()
    assert all(d.topics for d in library)
    used = Counter(t for d in library for t in d.topics)
    assert len(used) >= 20
    assert used["security-situation"] > used["blood-feuds"] > 0


def test_metadata_file_is_valid(tmp_path: Path) -> None:
    """metadata.csv has the import's columns, one row per file written, and values the
    coi app accepts: known types, sources, alpha-2 countries, dates in range."""
    written = write_library(tmp_path, 80, seed=5)
    with written.metadata_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == METADATA_COLUMNS
        rows = list(reader)
    assert [r["file"] for r in rows] == [d.filename for d in written.documents]
    assert {p.name for p in tmp_path.iterdir()} == {r["file"] for r in rows} | {"metadata.csv"}
    names = {s.name: s for s in sources()}
    main = set(countries())
    for row in rows:
        assert row["type"] in DocumentType.values
        assert row["title"].strip()
        for name in row["sources"].split(";"):
            assert row["language"] in names[name].languages
            assert row["type"] in names[name].document_types
        codes = row["countries"].split(";")
        assert codes[0] in main
        assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
        published = dt.date.fromisoformat(row["published"])
        accessed = dt.date.fromisoformat(row["accessed"])
        assert FIRST_PUBLISHED <= published <= LAST_PUBLISHED
        assert published <= accessed <= LAST_ACCESSED
        assert row["url"].startswith("https://")
        assert ".example.org/" in row["url"]
    assert {s.source_type for s in sources()} <= set(SourceType.values)
    assert len({s.name for s in sources()}) == len(sources())


def test_seed_context_countries_are_covered(library: list[CoiDocument]) -> None:
    """The main countries of origin of the seed context, Kosovo's region included."""
    covered = {d.countries[0] for d in library}
    assert covered == {"SY", "AF", "IQ", "IR", "PK", "SO", "UA", "XK", "RS", "AL", "MK", "BA"}
    assert Counter(d.document_type for d in library).keys() == set(DocumentType.values)


@pytest.mark.parametrize("file_format", ["txt", "html", "pdf", "docx"])
def test_extraction_reads_every_format(library: list[CoiDocument], file_format: str) -> None:
    """Each rendered file yields passages holding every paragraph of the document (the
    page navigation of HTML dropped); text, HTML and DOCX keep section anchors."""
    sample = [d for d in library if d.file_format == file_format][:6]
    assert sample
    for doc in sample:
        passages = doc.extracted()
        text = " ".join(" ".join(p.text for p in passages).split())
        for section in doc.sections:
            for paragraph in section.paragraphs:
                assert " ".join(paragraph.split()) in text, (doc.number, paragraph)
        assert "Countries | Search" not in text
        if file_format != "pdf":
            body = [p.text for p in passages if "¶" in p.anchor]
            assert body == [p for s in doc.sections for p in s.paragraphs]
            assert any(p.anchor.startswith("§") for p in passages)
        else:
            assert all(p.anchor.startswith("p") for p in passages)


# A base form a caseworker types, and inflected forms the documents use instead.
INFLECTED = [
    ("en", "incident", r"\bincidents\b"),
    ("tr", "olay", r"\bolay(lar|ların|larda)\b"),
    ("tr", "belge", r"\bbelge(ler|lerin)\b"),
    ("fr", "réfugié", r"\bréfugiés\b"),
    ("ru", "беженцы", r"беженцев|беженцам"),
    ("ru", "задержание", r"задержани(й|ям)"),
    ("ar", "لاجئ", r"اللاجئين|لاجئون"),
    ("fa", "پناهجو", "پناهجویان|پناه\u200cجویان"),
]


@pytest.fixture(scope="module")
def index(library: list[CoiDocument]) -> TantivyBackend:
    backend = TantivyBackend()
    backend.add(d.search_document() for d in library)
    return backend


@pytest.mark.parametrize(("language", "query", "inflected"), INFLECTED)
def test_search_finds_inflected_forms(
    library: list[CoiDocument],
    index: TantivyBackend,
    language: str,
    query: str,
    inflected: str,
) -> None:
    """Every document of the language written with an inflected form is found by the base
    form, including documents where the base form itself never occurs."""
    expected = {
        d.key for d in library if d.language == language and re.search(inflected, d.text().lower())
    }
    assert expected, f"no {language} document uses {inflected}"
    found = {h.doc_id for h in index.search(query, limit=SAMPLE).hits}
    assert expected <= found


def test_country_filter_and_highlights(index: TantivyBackend, library: list[CoiDocument]) -> None:
    """The index built from the corpus filters by country and marks the matched words."""
    results = index.search("checkpoints", Filters(only_country="SY"), limit=5)
    expected = [d for d in library if d.countries == ("SY",) and "checkpoints" in d.text().lower()]
    assert results.total == len(expected) > 0
    marked = [
        h.fragment[s:e].lower() for hit in results.hits for h in hit.highlights for s, e in h.marks
    ]
    assert marked
    assert set(marked) <= {"checkpoints", "checkpoint"}
