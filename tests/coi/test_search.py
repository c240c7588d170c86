"""Search on a small synthetic corpus: facets, filters, sorting and the query syntax."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ura.coi.extract import Passage
from ura.coi.index import FacetFilter, Filters, SearchDocument, Sort, TantivyBackend
from ura.coi.query import QuerySyntaxError


def _doc(
    doc_id: str,
    title: str,
    *paragraphs: str,
    countries: tuple[str, ...] = ("SY",),
    topics: tuple[str, ...] = (),
    source: str = "UNHCR",
    kind: str = "report",
    language: str = "en",
    published: dt.date | None = dt.date(2024, 1, 1),
) -> SearchDocument:
    passages = [Passage(f"¶{n}", text) for n, text in enumerate(paragraphs, start=1)]
    return SearchDocument(
        doc_id, title, language, passages, countries, topics, (source,), kind, published
    )


CORPUS = [
    _doc(
        "a",
        "Syria: security situation",
        "Forced return of refugees from Lebanon continued.",
        "Women face arbitrary detention at checkpoints.",
        countries=("SY",),
        topics=("security", "return"),
        published=dt.date(2023, 5, 1),
    ),
    _doc(
        "b",
        "Syria and Türkiye: returns",
        "Return was forced in some cases, and refugees were detained.",
        countries=("SY", "TR"),
        topics=("return",),
        source="HRW",
        published=dt.date(2024, 2, 1),
    ),
    _doc(
        "c",
        "Afghanistan: women and girls",
        "The Taliban restrict women's education in Kabul and Herat.",
        countries=("AF",),
        topics=("women", "education"),
        source="UNAMA",
        published=dt.date(2022, 9, 1),
    ),
    _doc(
        "d",
        "Afghanistan: returnees from Iran",
        "Deportations from Iran; the returnees reached Herat.",
        countries=("AF", "IR"),
        topics=("return",),
        kind="news",
        published=None,
    ),
    _doc(
        "e",
        "Türkiye: temporary protection",
        "Geçici koruma altındaki Suriyeliler.",
        countries=("TR",),
        topics=("protection",),
        language="tr",
        published=dt.date(2021, 6, 1),
    ),
]


@pytest.fixture(scope="module")
def index() -> TantivyBackend:
    backend = TantivyBackend()
    backend.add(CORPUS)
    return backend


def _ids(index: TantivyBackend, query: str, filters: Filters | None = None) -> set[str]:
    return {hit.doc_id for hit in index.search(query, filters, limit=50).hits}


def test_facet_counts_count_documents(index: TantivyBackend) -> None:
    """Counts are per document, for every matching document, whatever the page size."""
    results = index.search("", limit=1)
    assert results.total == 5
    assert len(results.hits) == 1
    assert results.facets["country"] == {"SY": 2, "TR": 2, "AF": 2, "IR": 1}
    assert results.facets["topic"]["return"] == 3
    assert results.facets["source"] == {"UNHCR": 3, "HRW": 1, "UNAMA": 1}
    assert results.facets["type"] == {"report": 4, "news": 1}
    assert results.facets["language"] == {"en": 4, "tr": 1}
    assert results.facets["year"] == {"2023": 1, "2024": 1, "2022": 1, "2021": 1}


def test_facet_counts_follow_the_query(index: TantivyBackend) -> None:
    """A query narrows the counts to its matches."""
    results = index.search("return*")
    assert results.facets["country"] == {"SY": 2, "TR": 1, "AF": 1, "IR": 1}


def test_country_any_all_none_and_only(index: TantivyBackend) -> None:
    """any = at least one, all = every one, none = not one; only = no other country."""
    assert _ids(index, "", Filters(country=FacetFilter(any=("SY", "IR")))) == {"a", "b", "d"}
    assert _ids(index, "", Filters(country=FacetFilter(all=("SY", "TR")))) == {"b"}
    assert _ids(index, "", Filters(country=FacetFilter(none=("SY",)))) == {"c", "d", "e"}
    assert _ids(index, "", Filters(only_country="SY")) == {"a"}
    assert _ids(index, "", Filters(only_country="tr")) == {"e"}


def test_other_facets_filter(index: TantivyBackend) -> None:
    """Topic, source, type and language filters, combined."""
    assert _ids(index, "", Filters(topic=FacetFilter(all=("return", "security")))) == {"a"}
    assert _ids(index, "", Filters(source=FacetFilter(none=("UNHCR",)))) == {"b", "c"}
    assert _ids(index, "", Filters(document_type=FacetFilter(any=("news",)))) == {"d"}
    assert _ids(index, "", Filters(language=FacetFilter(any=("tur",)))) == {"e"}
    filters = Filters(topic=FacetFilter(any=("return",)), country=FacetFilter(any=("AF",)))
    assert _ids(index, "", filters) == {"d"}


def test_date_range_is_inclusive_and_skips_undated(index: TantivyBackend) -> None:
    """From and to are inclusive; documents without a date fall outside any range."""
    filters = Filters(published_from=dt.date(2022, 9, 1), published_to=dt.date(2023, 5, 1))
    assert _ids(index, "", filters) == {"a", "c"}
    assert _ids(index, "", Filters(published_from=dt.date(2024, 1, 1))) == {"b"}


def test_sort_by_date(index: TantivyBackend) -> None:
    """Newest or oldest first, undated documents last; offset pages through both."""
    newest = [h.doc_id for h in index.search("", sort=Sort.NEWEST, limit=10).hits]
    assert newest == ["b", "a", "c", "e", "d"]
    oldest = [h.doc_id for h in index.search("", sort=Sort.OLDEST, limit=10).hits]
    assert oldest == ["e", "c", "a", "b", "d"]
    page = index.search("", sort=Sort.NEWEST, limit=2, offset=3)
    assert [h.doc_id for h in page.hits] == ["e", "d"]
    assert page.total == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("refugees Lebanon", {"a"}),  # implicit AND
        ("refugees AND Lebanon", {"a"}),
        ("Lebanon OR Kabul", {"a", "c"}),
        ("Herat NOT Taliban", {"d"}),
        ("Herat -Taliban", {"d"}),
        ("NOT Syria", {"c", "d", "e"}),
        ('"forced return"', {"a"}),  # in order, adjacent
        ('"return forced"~2', {"a", "b"}),  # within two positions, either order
        ('"forced refugees"~1', set()),  # "forced return of refugees" is 2 apart
        ('"forced refugees"~2', {"a"}),
        ("(Lebanon OR Iran) returnees", {"d"}),
        ("deport*", {"d"}),
        ("wom?n", {"a", "c"}),
        ("title:women", {"c"}),
        ("women", {"a", "c"}),
        ('title:"security situation"', {"a"}),
        ("title:(Iran OR Türkiye)", {"b", "d", "e"}),
        ("refugee", {"a", "b"}),  # stemmed: refugees
        ("continues", {"a"}),  # stemmed: continued
        ("altında", {"e"}),  # Turkish stemming: altındaki
        ("women's", {"c"}),  # a word with an apostrophe is a phrase of its parts
        ("", {"a", "b", "c", "d", "e"}),
    ],
)
def test_query_syntax(index: TantivyBackend, query: str, expected: set[str]) -> None:
    """Each operator of the documented syntax."""
    assert _ids(index, query) == expected


def test_passages_do_not_join_into_phrases(index: TantivyBackend) -> None:
    """A phrase never spans two passages: 'continued. Women' are in different paragraphs."""
    assert _ids(index, '"continued women"') == set()
    assert _ids(index, '"continued women"~100') == set()
    assert _ids(index, "continued women") == {"a"}


def test_highlights_point_at_the_matching_passage(index: TantivyBackend) -> None:
    """The highlight is the passage with the match, anchored and marked."""
    results = {h.doc_id: h for h in index.search("checkpoints").hits}
    (highlight,) = results["a"].highlights
    assert highlight.anchor == "¶2"
    assert [highlight.fragment[s:e] for s, e in highlight.marks] == ["checkpoints"]
    assert highlight.html.endswith("<mark>checkpoints</mark>.")


def test_malformed_query_raises(index: TantivyBackend) -> None:
    """Syntax errors surface with a position."""
    with pytest.raises(QuerySyntaxError) as error:
        index.search("(Kabul OR Herat")
    assert error.value.position == 0


def test_add_replaces_delete_removes_rebuild_replaces_all(tmp_path: Path) -> None:
    """The index on disk: re-adding an id replaces it; delete and rebuild."""
    backend = TantivyBackend(tmp_path / "coi")
    backend.add(CORPUS)
    backend.add([_doc("a", "Syria: replaced", "Nothing about refugees.")])
    assert backend.count() == 5
    assert _ids(backend, "Lebanon") == set()
    backend.delete(["a", "missing"])
    assert backend.count() == 4
    reopened = TantivyBackend(tmp_path / "coi")
    assert reopened.count() == 4
    assert reopened.rebuild(CORPUS[:2]) == 2
    assert reopened.count() == 2
    assert _ids(reopened, "Lebanon") == {"a"}


def test_a_prefix_wildcard_finds_what_the_word_finds_when_the_stemmer_cuts_shorter() -> None:
    # Turkish's stemmer indexes "gözaltı" as "gozal" and "gözaltına" as "gozalt": a wildcard
    # on the typed prefix alone ("gozalti.*") would find neither.
    backend = TantivyBackend()
    backend.add(
        [
            _doc("t1", "Gazeteciler", "Gazeteciler gözaltına alındı.", language="tr"),
            _doc("t2", "Kadınlar", "Gözaltı süresi uzatıldı.", language="tr"),
            _doc("t3", "Sağlık", "Hastaneler kapandı.", language="tr"),
        ]
    )
    found = _ids(backend, "gözaltı*")
    assert found == {"t1", "t2"}
    assert _ids(backend, "gözaltı") <= found
    marked = backend.search("gözaltı*").hits[0].highlights[0].html
    assert "<mark>" in marked
