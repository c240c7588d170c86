"""A synthetic country of origin information (COI) library: documents that read like COI.

Each document is drawn from its number and the seed alone (``document(number, seed)``), so a
library of any size is reproducible, can be generated in any order or in slices, and never
has to be held in memory at once (the benchmark streams 100,000). The building blocks are in
``data/coi_corpus.yaml``: the main countries of origin of the seed context (Syria,
Afghanistan, Iraq, Iran, Pakistan, Somalia, Ukraine, Kosovo and its region), the publishers
(real public institutions as sources; media names invented), and per language the titles,
headings and template sentences. About seven documents in ten are in English; the rest in
Turkish, French, Russian, Arabic and Persian, with the words written in their inflected forms
(``sığınmacılar``/``sığınmacıların``, ``беженцев``/``беженцам``, ``اللاجئين``/``لاجئون``) so that a
search must stem to find them all.

A document has a type (report, query response, news, country guidance, law, court decision),
countries (ISO 3166-1 alpha-2; Kosovo ``XK``), topic codes of the ``coi`` app's thesaurus,
publication date (2015-2026), a URL under ``example.org`` and the date it was accessed, and
sections of headed paragraphs: security incidents by province, treatment of groups, identity
documents, state protection, return... It renders as text (``#`` headings), HTML, PDF (Latin
and Cyrillic scripts only: reportlab does not shape Arabic script; like most real PDFs it has
no tagged structure, so on extraction a heading runs into the paragraph after it) or DOCX, and
:func:`write_library` writes a folder of files with the ``metadata.csv`` the ``coi`` app's
import reads. Every document ends with a note that it is synthetic and holds no real country
information; every figure in it is drawn at random.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import docx
import yaml
from anyascii import anyascii
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate

import ura.casework
from ura.coi.extract import Passage, extract, extract_text
from ura.coi.index import SearchDocument

__all__ = [
    "DOCUMENT_TYPES",
    "FORMATS",
    "LANGUAGES",
    "LIST_SEPARATOR",
    "METADATA_COLUMNS",
    "CoiDocument",
    "CoiSource",
    "Library",
    "Section",
    "countries",
    "document",
    "documents",
    "sources",
    "topic_codes",
    "write_library",
]

_DATA = Path(__file__).resolve().parent / "data" / "coi_corpus.yaml"
_FONTS = Path(ura.casework.__file__).resolve().parent / "fonts"

#: Columns of the metadata file the ``coi`` app's folder import reads (docs/coi-import.md);
#: several values in one cell (sources, countries, topics) are separated by ``;``.
METADATA_COLUMNS = (
    "file",
    "title",
    "title_translated",
    "sources",
    "type",
    "countries",
    "topics",
    "language",
    "published",
    "url",
    "accessed",
)
LIST_SEPARATOR = ";"
DOCUMENT_TYPES = (
    "report",
    "query_response",
    "news",
    "country_guidance",
    "law",
    "court_decision",
)
LANGUAGES = ("en", "tr", "fr", "ru", "ar", "fa")
FORMATS = ("txt", "html", "pdf", "docx")
#: Publication dates are drawn between these (inclusive); nothing is accessed after the last.
FIRST_PUBLISHED = dt.date(2015, 1, 1)
LAST_PUBLISHED = dt.date(2026, 10, 31)
LAST_ACCESSED = dt.date(2026, 11, 28)

_TYPE_WEIGHTS = {
    "report": 30,
    "query_response": 18,
    "news": 30,
    "country_guidance": 6,
    "law": 5,
    "court_decision": 11,
}
_FORMAT_WEIGHTS = {"txt": 30, "html": 45, "pdf": 15, "docx": 10}
_RTL = frozenset({"ar", "fa"})
_PDF_LANGUAGES = frozenset({"en", "tr", "fr", "ru"})  # scripts reportlab draws unshaped
_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


# --- The building blocks ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoiSource:
    """A publisher of COI, described as the ``coi`` app's Source is (ecoi.net's way)."""

    name: str
    acronym: str
    source_type: str  # the coi app's SourceType values: government, international, ngo...
    url: str
    mandate: str
    method: str
    coverage: str
    rhythm: str
    reliability_notes: str
    languages: tuple[str, ...]
    document_types: tuple[str, ...]

    @property
    def label(self) -> str:
        """The acronym where there is one, else the name."""
        return self.acronym or self.name


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    weight: int
    conflict: bool
    capital: str
    names: dict[str, str]
    in_names: dict[str, str]
    places: tuple[str, ...]
    local_places: dict[str, dict[str, str]]  # language -> English name -> local name
    groups: tuple[tuple[str, str], ...]  # (English plural, topic code)
    actors: tuple[str, ...]
    incidents: tuple[str, ...]
    neighbours: tuple[str, ...]
    hosts: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Title:
    template: str
    english: str  # English rendering for title_translated ("" for English titles)
    kinds: tuple[str, ...]
    conflict_only: bool = False


@dataclass(frozen=True, slots=True)
class _Language:
    code: str
    weight: int
    countries: tuple[str, ...]  # main countries written about; () = all
    months: tuple[str, ...]
    note: str
    slots: dict[str, tuple[str, ...]]
    titles: dict[str, tuple[_Title, ...]]
    headings: dict[str, tuple[str, ...]]
    sentences: dict[str, tuple[str, ...]]
    subjects: tuple[tuple[str, str], ...]  # law subject, its section kind


@dataclass(frozen=True, slots=True)
class _Corpus:
    topics: dict[str, tuple[str, ...]]
    countries: dict[str, _Country]
    neighbour_names: dict[str, dict[str, str]]
    sources: tuple[CoiSource, ...]
    languages: dict[str, _Language]


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (values or ()))


def _domain(name: str, acronym: str) -> str:
    label = acronym or "".join(word[0] for word in re.findall(r"[A-Za-z]+", anyascii(name)))
    return re.sub(r"[^a-z0-9]+", "-", anyascii(label).lower()).strip("-") + ".example.org"


@cache
def _corpus() -> _Corpus:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    countries = {
        code: _Country(
            code=code,
            weight=int(c["weight"]),
            conflict=bool(c["conflict"]),
            capital=str(c["capital"]),
            names={k: str(v) for k, v in c["names"].items()},
            in_names={k: str(v) for k, v in c["in"].items()},
            places=_strings(c["places"]),
            local_places={
                lang: {str(k): str(v) for k, v in mapping.items()}
                for lang, mapping in (c.get("local_places") or {}).items()
            },
            groups=tuple((str(g), str(t)) for g, t in c["groups"]),
            actors=_strings(c["actors"]),
            incidents=_strings(c["incidents"]),
            neighbours=_strings(c.get("neighbours")),
            hosts=_strings(c.get("hosts")),
            kinds=_strings(c["kinds"]),
        )
        for code, c in raw["countries"].items()
    }
    sources = tuple(
        CoiSource(
            name=str(s["name"]),
            acronym=str(s.get("acronym") or ""),
            source_type=str(s["type"]),
            url=f"https://{_domain(str(s['name']), str(s.get('acronym') or ''))}/",
            mandate=str(s["mandate"]),
            method=str(s["method"]),
            coverage=str(s["coverage"]),
            rhythm=str(s["rhythm"]),
            reliability_notes=str(s["reliability"]),
            languages=_strings(s["languages"]),
            document_types=_strings(s["types"]),
        )
        for s in raw["sources"]
    )
    languages = {}
    for code, lang in raw["languages"].items():
        sentences = {k: _strings(v) for k, v in lang["sentences"].items() if k != "subjects"}
        languages[code] = _Language(
            code=code,
            weight=int(lang["weight"]),
            countries=_strings(lang.get("countries")),
            months=_strings(lang["months"]),
            note=str(lang["note"]),
            slots={k: _strings(v) for k, v in (lang.get("slots") or {}).items()},
            titles={
                kind: tuple(
                    _Title(
                        str(t["t"]),
                        str(t.get("en", "")),
                        _strings(t.get("k")),
                        bool(t.get("conflict", False)),
                    )
                    for t in items
                )
                for kind, items in lang["titles"].items()
            },
            headings={k: _strings(v) for k, v in lang["headings"].items()},
            sentences=sentences,
            subjects=tuple((str(a), str(b)) for a, b in lang["sentences"].get("subjects") or ()),
        )
    return _Corpus(
        topics={k: _strings(v) for k, v in raw["topics"].items()},
        countries=countries,
        neighbour_names={
            k: {lk: str(lv) for lk, lv in v.items()} for k, v in raw["neighbours"].items()
        },
        sources=sources,
        languages=languages,
    )


def sources() -> tuple[CoiSource, ...]:
    """Every publisher the synthetic documents name, with its description."""
    return _corpus().sources


def countries() -> tuple[str, ...]:
    """The main countries of origin documents are about (alpha-2), most frequent first."""
    corpus = _corpus()
    return tuple(sorted(corpus.countries, key=lambda c: -corpus.countries[c].weight))


def topic_codes() -> frozenset[str]:
    """Every topic code a synthetic document can carry (each must be in the ``coi`` app's
    thesaurus)."""
    corpus = _corpus()
    codes = {code for codes in corpus.topics.values() for code in codes}
    codes.update(topic for c in corpus.countries.values() for _, topic in c.groups)
    return frozenset(codes)


# --- Documents ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (None before the first heading) and its paragraphs."""

    heading: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoiDocument:
    """One synthetic COI document with the metadata the ``coi`` app keeps.

    Attributes:
        number: its number in the library (with the seed, all it is drawn from).
        file_format: how :meth:`render` writes it: ``txt``, ``html``, ``pdf`` or ``docx``.
    """

    number: int
    title: str
    title_translated: str
    sources: tuple[str, ...]
    document_type: str
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    language: str
    published: dt.date
    url: str
    accessed: dt.date
    sections: tuple[Section, ...]
    file_format: str
    _slug: str = field(repr=False, default="")

    @property
    def key(self) -> str:
        """A stable identifier, e.g. ``coi-000042``."""
        return f"coi-{self.number:06d}"

    @property
    def filename(self) -> str:
        """The file name :func:`write_library` writes it under."""
        return f"{self.number:06d}-{self._slug}.{self.file_format}"

    def text(self) -> str:
        """Plain text: the title and section headings as ``#`` lines, paragraphs apart."""
        out = [f"# {self.title}"]
        for section in self.sections:
            if section.heading:
                out.append(f"## {section.heading}")
            out.extend(section.paragraphs)
        return "\n\n".join(out) + "\n"

    def html(self) -> str:
        """A web page with the site's navigation (which extraction drops) around the text."""
        direction = ' dir="rtl"' if self.language in _RTL else ""
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{self.language}"{direction}>',
            f'<head><meta charset="utf-8"><title>{escape(self.title)}</title></head>',
            "<body>",
            f'<nav><a href="/">{escape(self.sources[0])}</a> | <a href="/countries">'
            'Countries</a> | <a href="/search">Search</a></nav>',
            "<main><article>",
            f"<h1>{escape(self.title)}</h1>",
        ]
        for section in self.sections:
            if section.heading:
                parts.append(f"<h2>{escape(section.heading)}</h2>")
            parts.extend(f"<p>{escape(p)}</p>" for p in section.paragraphs)
        parts += ["</article></main>", "</body>", "</html>", ""]
        return "\n".join(parts)

    def pdf(self) -> bytes:
        """A PDF (A4, DejaVu Sans): byte-identical for the same document.

        Raises:
            ValueError: the document is in Arabic script, which this PDF writer cannot shape.
        """
        if self.language not in _PDF_LANGUAGES:
            raise ValueError(f"no PDF for documents in {self.language!r} (Arabic script)")
        _register_fonts()
        body = ParagraphStyle("body", fontName="CoiSans", fontSize=10, leading=13, spaceAfter=8)
        heading = ParagraphStyle(
            "heading", fontName="CoiSans-Bold", fontSize=12, leading=15, spaceBefore=8
        )
        title = ParagraphStyle("title", fontName="CoiSans-Bold", fontSize=15, leading=19)
        story = [Paragraph(escape(self.title), title)]
        for section in self.sections:
            if section.heading:
                story.append(Paragraph(escape(section.heading), heading))
            story.extend(Paragraph(escape(p), body) for p in section.paragraphs)
        buffer = io.BytesIO()
        SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=self.title,
            author=self.sources[0],
            creator="Ura synthetic COI",
            invariant=1,
        ).build(story)
        return buffer.getvalue()

    def docx(self) -> bytes:
        """A Word file: the title in the Title style, section headings as Heading 1."""
        document = docx.Document()
        document.core_properties.title = self.title
        document.core_properties.author = self.sources[0]
        document.core_properties.created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        document.core_properties.modified = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        document.core_properties.revision = 1
        document.add_heading(self.title, level=0)
        for section in self.sections:
            if section.heading:
                document.add_heading(section.heading, level=1)
            for paragraph in section.paragraphs:
                document.add_paragraph(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        return _fixed_zip(buffer.getvalue())

    def render(self) -> bytes:
        """The file in :attr:`file_format`."""
        if self.file_format == "pdf":
            return self.pdf()
        if self.file_format == "docx":
            return self.docx()
        if self.file_format == "html":
            return self.html().encode("utf-8")
        return self.text().encode("utf-8")

    def passages(self) -> list[Passage]:
        """The passages extraction gives for the plain-text form (fast; no file written)."""
        return extract_text(self.text())

    def extracted(self) -> list[Passage]:
        """The passages of the rendered file, as an import would extract them."""
        return extract(self.render(), filename=self.filename)

    def metadata(self) -> dict[str, str]:
        """The document's row of ``metadata.csv`` (:data:`METADATA_COLUMNS`)."""
        return {
            "file": self.filename,
            "title": self.title,
            "title_translated": self.title_translated,
            "sources": LIST_SEPARATOR.join(self.sources),
            "type": self.document_type,
            "countries": LIST_SEPARATOR.join(self.countries),
            "topics": LIST_SEPARATOR.join(self.topics),
            "language": self.language,
            "published": self.published.isoformat(),
            "url": self.url,
            "accessed": self.accessed.isoformat(),
        }

    def search_document(self, doc_id: str | None = None) -> SearchDocument:
        """The document as the search index takes it (passages of the text form)."""
        return SearchDocument(
            doc_id=doc_id or self.key,
            title=self.title,
            language=self.language,
            passages=self.passages(),
            countries=self.countries,
            topics=self.topics,
            sources=self.sources,
            document_type=self.document_type,
            published=self.published,
            url=self.url,
        )


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps, so the same document gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont("CoiSans", str(_FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("CoiSans-Bold", str(_FONTS / "DejaVuSans-Bold.ttf")))


# --- Drawing one document -------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


class _Slots:
    """Values for template slots: drawn on first use and kept (per paragraph), a capitalised
    slot name giving the value with a capital first letter."""

    def __init__(self, draw: _Draw, fixed: Mapping[str, str]) -> None:
        self._draw = draw
        self._values: dict[str, str] = dict(fixed)

    def __getitem__(self, key: str) -> str:
        if key[0].isupper():
            value = self[key[0].lower() + key[1:]]
            return value[:1].upper() + value[1:]
        if key not in self._values:
            self._values[key] = self._draw.slot(key, self._values)
        return self._values[key]

    def fill(self, template: str) -> str:
        return _SLOT.sub(lambda m: self[m.group(1)], template)


class _Draw:
    """Draws one document's content from its random generator."""

    def __init__(
        self, rng: random.Random, lang: _Language, country: _Country, published: dt.date
    ) -> None:
        self.rng = rng
        self.lang = lang
        self.country = country
        self.published = published
        self.year = published.year - (1 if rng.random() < 0.4 else 0)
        corpus = _corpus()
        self.hosts = country.hosts or tuple(
            corpus.neighbour_names.get(c, {}).get("en") or corpus.countries[c].names["en"]
            for c in country.neighbours
        )
        self.fixed: dict[str, str] = {
            "country": country.names[lang.code],
            "in_country": country.in_names[lang.code],
            "capital": country.capital,
            "year": str(self.year),
        }

    def places(self) -> tuple[str, ...]:
        local = self.country.local_places.get(self.lang.code)
        if local:
            return tuple(local.values())
        return self.country.places

    def english_place(self, place: str) -> str:
        for english, local in self.country.local_places.get(self.lang.code, {}).items():
            if local == place:
                return english
        return place

    def slot(self, key: str, taken: Mapping[str, str]) -> str:
        rng = self.rng
        country = self.country
        if key in ("place", "place2"):
            choices = [
                p for p in self.places() if p not in (taken.get("place"), taken.get("place2"))
            ]
            return rng.choice(choices or list(self.places()))
        if key in ("incident", "incident2", "incident3") and self.lang.code == "en":
            used = {taken.get(k) for k in ("incident", "incident2", "incident3")}
            choices = [i for i in country.incidents if i not in used]
            return rng.choice(choices or list(country.incidents))
        if key == "group" and self.lang.code == "en":
            return rng.choice(country.groups)[0]
        if key == "actor" and self.lang.code == "en":
            return rng.choice(country.actors)
        if key == "host":
            return rng.choice(self.hosts) if self.hosts else "neighbouring countries"
        if key == "month2" and taken.get("month") in self.lang.months:
            after = self.lang.months.index(taken["month"]) + 1
            return rng.choice(self.lang.months[after:] or self.lang.months[-1:])
        if key in ("month", "month2"):
            return rng.choice(self.lang.months)
        if key == "more":
            return str(int(taken.get("n", "100")) + rng.randint(5, 150))
        if key == "year2":
            return str(self.year - rng.randint(1, 3))
        if key == "day":
            return str(rng.randint(1, 28))
        if key == "born":
            return str(rng.randint(1970, 2004))
        if key in self.lang.slots:
            return rng.choice(self.lang.slots[key])
        numbers = {
            "n": (12, 480),
            "n2": (12, 480),
            "small": (2, 9),
            "cas": (2, 60),
            "inj": (3, 120),
            "days": (2, 30),
            "pct": (5, 60),
            "weeks": (1, 4),
            "millions": (2, 16),
        }
        if key in numbers:
            return str(rng.randint(*numbers[key]))
        if key == "weeks2":
            return str(rng.randint(5, 12))
        if key == "amount":
            return rng.choice(("300", "500", "800", "1,000", "1,500", "3,000", "8,000"))
        if key == "age":
            return "18"
        if key == "age2":
            return rng.choice(("27", "35", "42", "60"))
        raise KeyError(f"no value for the template slot {{{key}}} ({self.lang.code})")

    def slots(self, **fixed: str) -> _Slots:
        return _Slots(self, {**self.fixed, **fixed})

    def paragraphs(
        self,
        kinds: Sequence[str],
        count: int,
        fixed: Mapping[str, str],
        low: int = 2,
        high: int = 4,
    ) -> list[str]:
        """Up to ``count`` paragraphs of ``low``-``high`` sentences drawn from the kinds'
        sentences without repeating one (fewer paragraphs when they run out); each paragraph
        draws its own slot values besides ``fixed``."""
        pool = [s for kind in kinds for s in self.lang.sentences[kind]]
        self.rng.shuffle(pool)
        out: list[str] = []
        while pool and len(out) < count:
            k = self.rng.randint(low, high)
            taken, pool = pool[:k], pool[k:]
            slots = self.slots(**fixed)
            out.append(" ".join(slots.fill(s) for s in taken))
        return out

    def paragraph(self, kind: str, slots: _Slots, low: int = 2, high: int = 4) -> str:
        pool = self.lang.sentences[kind]
        k = min(len(pool), self.rng.randint(low, high))
        return " ".join(slots.fill(s) for s in self.rng.sample(pool, k))

    def heading(self, kind: str, slots: _Slots) -> str:
        options = self.lang.headings[kind]
        if not self.country.conflict:  # no "conflict dynamics" in Iran or Kosovo
            options = tuple(o for o in options if "onflict" not in o) or options
        return slots.fill(self.rng.choice(options))

    def section(self, kind: str, **fixed: str) -> Section:
        """A headed section of ``kind``: a paragraph per place for security incidents, else
        one to three paragraphs."""
        rng = self.rng
        if kind == "security":
            places = rng.sample(self.places(), min(len(self.places()), rng.randint(2, 5)))
            pool: list[str] = []
            paragraphs = []
            for place in places:
                if len(pool) < 3:
                    pool = rng.sample(self.lang.sentences[kind], len(self.lang.sentences[kind]))
                k = rng.randint(2, 3)
                taken, pool = pool[:k], pool[k:]
                slots = self.slots(**{**fixed, "place": place})
                paragraphs.append(" ".join(slots.fill(s) for s in taken))
            return Section(self.heading(kind, self.slots(**fixed)), tuple(paragraphs))
        if kind == "group":
            fixed = {**fixed, "group": fixed.get("group") or rng.choice(self.country.groups)[0]}
        paragraphs = self.paragraphs([kind], rng.randint(1, 3), fixed)
        return Section(self.heading(kind, self.slots(**fixed)), tuple(paragraphs))

    def references(self, chosen: Sequence[CoiSource]) -> Section:
        rng = self.rng
        others = [s for s in _corpus().sources if s not in chosen]
        cited = rng.sample(others, rng.randint(3, 6))
        lines = []
        for source in cited:
            day = self.published - dt.timedelta(days=rng.randint(20, 900))
            lines.append(f"{source.name}, {day.day} {self.lang.months[day.month - 1]} {day.year}.")
        return Section(rng.choice(self.lang.headings["sources"]), tuple(lines))

    def note(self) -> Section:
        return Section(self.rng.choice(self.lang.headings["note"]), (self.lang.note,))


def _weighted(rng: random.Random, weights: Mapping[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def document(number: int, seed: int = 2026) -> CoiDocument:
    """The synthetic document ``number`` of the library drawn with ``seed``.

    Args:
        number: its number (from 0); documents are independent of each other.
        seed: the library's seed.

    Returns:
        The document; the same for the same number and seed, on any machine.
    """
    if number < 0:
        raise ValueError("document numbers start at 0")
    corpus = _corpus()
    rng = random.Random(f"ura-coi/{seed}/{number}")  # noqa: S311 (reproducible synthetic data, not security)
    lang = corpus.languages[_weighted(rng, {c: lg.weight for c, lg in corpus.languages.items()})]
    allowed = lang.countries or tuple(corpus.countries)
    country = corpus.countries[_weighted(rng, {c: corpus.countries[c].weight for c in allowed})]
    publishers = {
        kind: [s for s in corpus.sources if lang.code in s.languages and kind in s.document_types]
        for kind in lang.titles
    }
    document_type = _weighted(
        rng, {k: _TYPE_WEIGHTS[k] for k in DOCUMENT_TYPES if publishers.get(k)}
    )
    chosen = [rng.choice(publishers[document_type])]
    if document_type == "report" and rng.random() < 0.08:
        second = [s for s in publishers[document_type] if s not in chosen]
        if second:
            chosen.append(rng.choice(second))
    span = (LAST_PUBLISHED - FIRST_PUBLISHED).days
    published = FIRST_PUBLISHED + dt.timedelta(days=rng.randint(0, span))
    accessed = min(published + dt.timedelta(days=rng.randint(0, 90)), LAST_ACCESSED)
    draw = _Draw(rng, lang, country, published)

    title_spec = rng.choice(
        [t for t in lang.titles[document_type] if country.conflict or not t.conflict_only]
    )
    fixed: dict[str, str] = {}
    if lang.code == "en":
        fixed["group"] = rng.choice(country.groups)[0]
    if document_type == "court_decision":
        fixed.update(
            day=str(published.day),
            month=lang.months[published.month - 1],
            year=str(published.year),
        )
    law_kind = ""
    if document_type == "law":
        fixed["subject"], law_kind = rng.choice(lang.subjects)
    title_slots = draw.slots(**fixed)
    title = title_slots.fill(title_spec.template)
    fixed.update({k.lower(): title_slots[k.lower()] for k in _SLOT.findall(title_spec.template)})
    sections = _sections(draw, document_type, title_spec, fixed)
    if document_type in ("report", "query_response", "country_guidance"):
        sections.append(draw.references(chosen))
    sections.append(draw.note())

    kinds = _kinds_of(sections, draw, title_spec)
    if law_kind:
        kinds.append(law_kind)
    if document_type == "court_decision":
        kinds.append("return")
    topics: list[str] = []
    for kind in kinds:
        topics.extend(corpus.topics.get(kind, ()))
    body = " ".join([title, *(p for s in sections for p in s.paragraphs)])
    body = body.lower()
    topics.extend(topic for group, topic in country.groups if group.lower() in body)
    country_codes = [country.code]
    if country.neighbours and rng.random() < (0.5 if "return" in kinds else 0.15):
        country_codes.append(rng.choice(country.neighbours))
    formats = {
        f: w for f, w in _FORMAT_WEIGHTS.items() if f != "pdf" or lang.code in _PDF_LANGUAGES
    }
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(title).lower()).strip("-")[:60].rstrip("-")
    source = chosen[0]
    return CoiDocument(
        number=number,
        title=title,
        title_translated=_translated(draw, title_spec, title_slots),
        sources=tuple(s.name for s in chosen),
        document_type=document_type,
        countries=tuple(country_codes),
        topics=tuple(dict.fromkeys(topics)),
        language=lang.code,
        published=published,
        url=f"{source.url}{published.year}/{number:06d}-{slug or 'document'}",
        accessed=accessed,
        sections=tuple(sections),
        file_format=_weighted(rng, formats),
        _slug=slug or "document",
    )


def _translated(draw: _Draw, spec: _Title, slots: _Slots) -> str:
    if not spec.english:
        return ""
    english = {
        "country": draw.country.names["en"],
        "place": draw.english_place(slots["place"]) if "{place}" in spec.english else "",
        "month_en": _corpus().languages["en"].months[draw.lang.months.index(slots["month"])]
        if "{month_en}" in spec.english
        else "",
    }
    return _SLOT.sub(lambda m: english.get(m.group(1)) or slots[m.group(1)], spec.english)


def _sections(
    draw: _Draw, document_type: str, title: _Title, fixed: dict[str, str]
) -> list[Section]:
    rng = draw.rng
    lang = draw.lang
    available = [k for k in draw.country.kinds if k in lang.sentences and k in lang.headings]
    if lang.code != "en":
        available = [k for k in lang.sentences if k in lang.headings and k in _BODY_KINDS]
    forced = [k for k in title.kinds if k in available]
    if document_type == "news":
        news_kinds = [k for k in available if k in _NEWS_KINDS]
        kinds = forced or [rng.choice(news_kinds)]
        kinds.append(rng.choice([k for k in news_kinds if k not in kinds] or kinds))
        paragraphs = draw.paragraphs(kinds, rng.randint(3, 5), fixed, 1, 3)
        if lang.code == "en":
            slots = draw.slots(**fixed)
            paragraphs[0] = (
                f"{slots['Place']}, {draw.published.day}"
                f" {lang.months[draw.published.month - 1]} {draw.published.year}"
                f" - {paragraphs[0]}"
            )
        return [Section(None, tuple(paragraphs))]
    if document_type == "law":
        first, *middle, last = lang.sentences["law"]
        provisions = [first, *rng.sample(middle, rng.randint(2, 6)), last]
        return [
            Section(f"Article {number}", (draw.slots(**fixed).fill(text),))
            for number, text in enumerate(provisions, start=1)
        ]
    if document_type == "court_decision":
        # One story: the same applicant, place and dates in every part, facts in order.
        slots = draw.slots(**fixed)
        conclusion = rng.choice(lang.sentences["court_conclusion"])
        assessment = rng.sample(
            lang.sentences["court_assessment"], len(lang.sentences["court_assessment"])
        )
        evidence = [k for k in ("security", "group", "return", "detention") if k in available]
        # the country information the court relies on, in the sources' words
        relied_on = draw.paragraphs([rng.choice(evidence)], 1, {**fixed, "place": slots["place"]})
        return [
            Section(
                rng.choice(lang.headings["court_facts"]),
                (" ".join(slots.fill(s) for s in lang.sentences["court_facts"]),),
            ),
            Section(
                rng.choice(lang.headings["court_assessment"]),
                (
                    *(slots.fill(s) for s in assessment[:2]),
                    *relied_on,
                    *(slots.fill(s) for s in assessment[2:4]),
                ),
            ),
            Section(rng.choice(lang.headings["court_conclusion"]), (slots.fill(conclusion),)),
        ]
    if document_type == "country_guidance":
        return _guidance(draw, fixed)
    extra = [k for k in available if k not in forced and k != "summary"]
    if document_type == "query_response":
        kinds = forced or [rng.choice(extra)]
        intro = "qr_intro" if "qr_intro" in lang.sentences else "summary"
        opening = Section(None, (draw.paragraph(intro, draw.slots(**fixed), 1, 2),))
        return [opening, *(draw.section(k, **fixed) for k in kinds)]
    count = rng.randint(2, 4) if lang.code == "en" else rng.randint(1, 3)
    kinds = forced + rng.sample(extra, min(len(extra), max(0, count - len(forced))))
    if draw.country.conflict and "security" in available and "security" not in kinds:
        kinds.insert(0, "security")
    summary = Section(
        rng.choice(lang.headings["summary"]), (draw.paragraph("summary", draw.slots(**fixed)),)
    )
    return [summary, *(draw.section(k, **fixed) for k in kinds)]


_BODY_KINDS = frozenset(
    {"security", "journalists", "women", "documents", "protection", "return", "humanitarian"}
)
_NEWS_KINDS = frozenset({"security", "return", "group", "humanitarian", "journalists", "women"})


def _guidance(draw: _Draw, fixed: dict[str, str]) -> list[Section]:
    rng = draw.rng
    country = draw.country
    sentences = draw.lang.sentences
    actors = rng.sample(country.actors, min(3, len(country.actors)))
    sections = [
        Section("Summary", (draw.paragraph("summary", draw.slots(**fixed)),)),
        Section(
            "Actors of persecution or serious harm",
            tuple(draw.slots(actor=a).fill(sentences["actors"][0]) for a in actors),
        ),
    ]
    for group, _ in rng.sample(country.groups, min(len(country.groups), rng.randint(2, 3))):
        slots = draw.slots(group=group)
        sections.append(
            Section(
                f"Profile: {group}",
                (
                    " ".join(slots.fill(s) for s in sentences["profile"]),
                    *draw.paragraphs(["group"], 1, {"group": group}),
                ),
            )
        )
    places = rng.sample(country.places, min(len(country.places), rng.randint(3, 6)))
    levels = ("violence_high", "violence_low") if country.conflict else ("violence_none",)
    sections.append(
        Section(
            "Indiscriminate violence",
            tuple(
                draw.slots(place=p).fill(rng.choice(sentences[rng.choice(levels)])) for p in places
            ),
        )
    )
    sections.append(draw.section("ipa"))
    return sections


def _kinds_of(sections: Sequence[Section], draw: _Draw, title: _Title) -> list[str]:
    """The section kinds a document's sections came from, by their headings."""
    headings = {s.heading for s in sections if s.heading}
    kinds = list(title.kinds)
    for kind, options in draw.lang.headings.items():
        for option in options:
            pattern = re.escape(option).replace(r"\{group\}", ".+")
            if any(re.fullmatch(pattern, h) for h in headings):
                kinds.append(kind)
    if any(h.startswith("Profile: ") or h == "Indiscriminate violence" for h in headings):
        kinds += ["security", "ipa"]
    if draw.country.conflict and "security" in kinds:
        kinds.append("conflict")
    return list(dict.fromkeys(kinds))


def documents(count: int, seed: int = 2026, *, start: int = 0) -> Iterator[CoiDocument]:
    """Documents ``start`` to ``start + count - 1`` of the library, drawn one at a time.

    Args:
        count: how many.
        seed: the library's seed.
        start: the first document's number.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    for number in range(start, start + count):
        yield document(number, seed)


# --- Writing a library folder ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Library:
    """A folder written by :func:`write_library`."""

    folder: Path
    metadata_path: Path
    documents: tuple[CoiDocument, ...]


def write_library(out_dir: Path, count: int, seed: int = 2026, *, start: int = 0) -> Library:
    """Write ``count`` documents (each in its own format) and ``metadata.csv`` into
    ``out_dir``, as the ``coi`` app's folder import reads them.

    Args:
        out_dir: the folder (created if missing).
        count: how many documents.
        seed: the library's seed; the same seed gives the same bytes.
        start: the first document's number.

    Returns:
        The folder, the metadata file and the documents written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in documents(count, seed, start=start):
        (out_dir / doc.filename).write_bytes(doc.render())
        written.append(doc)
    metadata_path = out_dir / "metadata.csv"
    with metadata_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=METADATA_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(doc.metadata() for doc in written)
    return Library(out_dir, metadata_path, tuple(written))
