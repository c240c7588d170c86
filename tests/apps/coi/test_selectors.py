"""The COI read side: search with facets (counted over all matching documents, labelled in
the interface language), any / all / none and "only this country", title-only search,
pages, query mistakes named by position, withdrawn documents never found, country
overviews; and the permission every read needs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.apps.coi.library import add_document
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode, User
from ura.apps.coi import selectors
from ura.apps.coi.models import DocumentStatus, DocumentType
from ura.apps.coi.selectors import SearchParams
from ura.coi import FacetFilter, Sort

pytestmark = pytest.mark.django_db


@pytest.fixture
def library() -> dict[str, int]:
    docs = {
        "syria": add_document(
            "Syria: security situation",
            "Arbitrary detention of returnees continued in Damascus.",
            countries=("SY",),
            topics=("detention", "return"),
            published=dt.date(2024, 3, 1),
        ),
        "syria_lebanon": add_document(
            "Syrian refugees in Lebanon",
            "Refugees from Syria face detention and deportation.",
            countries=("SY", "LB"),
            sources=("Human Rights Watch",),
            topics=("detention",),
            published=dt.date(2025, 1, 10),
        ),
        "afghanistan": add_document(
            "Afghanistan: women and girls",
            "Women may not travel without a mahram; detention of protesters.",
            countries=("AF",),
            topics=("women",),
            document_type=DocumentType.QUERY_RESPONSE,
            published=None,
        ),
        "iran_fa": add_document(
            "گزارش ایران",
            "بازداشت معترضان در تهران ادامه دارد.",
            countries=("IR",),
            language="fa",
            document_type=DocumentType.NEWS,
            published=dt.date(2023, 5, 5),
        ),
    }
    return {name: d.pk for name, d in docs.items()}


def _ids(page: selectors.SearchPage) -> set[int]:
    return {hit.document.pk for hit in page.hits}


def _search(actor: User, query: str = "", **params: object) -> selectors.SearchPage:
    return selectors.search(actor=actor, params=SearchParams(query=query, **params))  # type: ignore[arg-type]


def test_hits_carry_the_database_document_and_highlighted_passages(
    reader: User, library: dict[str, int]
) -> None:
    page = _search(reader, "detention")
    assert _ids(page) == {library["syria"], library["syria_lebanon"], library["afghanistan"]}
    hit = next(h for h in page.hits if h.document.pk == library["syria"])
    assert hit.document.title == "Syria: security situation"
    assert [s.name for s in hit.sources] == ["UNHCR"]
    assert hit.countries == [("SY", "Syria")]
    assert hit.highlights[0].anchor == "¶1"
    assert "<mark>detention</mark>" in hit.highlights[0].html


def test_facets_count_the_matching_documents_with_labels(
    reader: User, library: dict[str, int]
) -> None:
    page = _search(reader, "detention")
    facets = {f.name: {v.value: (v.label, v.count) for v in f.values} for f in page.facets}
    assert facets["country"] == {
        "SY": ("Syria", 2),
        "LB": ("Lebanon", 1),
        "AF": ("Afghanistan", 1),
    }
    assert facets["topic"] == {
        "detention": ("Detention and prisons", 2),
        "return": ("Return and reintegration", 1),
        "women": ("Women", 1),
    }
    assert facets["source"] == {
        "UNHCR": ("UNHCR", 2),
        "Human Rights Watch": ("Human Rights Watch", 1),
    }
    assert facets["type"] == {"report": ("Report", 2), "query_response": ("Query response", 1)}
    assert facets["language"] == {"en": ("English", 3)}
    assert {y.value: y.count for y in page.years} == {"2024": 1, "2025": 1}


def test_facet_labels_follow_the_interface_language(reader: User, library: dict[str, int]) -> None:
    with translation.override("tr"):
        page = _search(reader, "")
    countries = {v.value: v.label for v in page.facets[0].values}
    languages = {v.value: v.label for v in page.facets[4].values}
    assert countries["SY"] == "Suriye"
    assert languages["fa"] == "Farsça"


def test_any_all_none_and_only_this_country(reader: User, library: dict[str, int]) -> None:
    def countries(**wanted: tuple[str, ...]) -> set[int]:
        return _ids(_search(reader, facets={"country": FacetFilter(**wanted)}))

    assert countries(any=("LB", "AF")) == {library["syria_lebanon"], library["afghanistan"]}
    assert countries(all=("SY", "LB")) == {library["syria_lebanon"]}
    assert countries(none=("SY",)) == {library["afghanistan"], library["iran_fa"]}
    assert _ids(_search(reader, only_country="SY")) == {library["syria"]}


def _counts(page: selectors.SearchPage, name: str) -> dict[str, tuple[int, str]]:
    facet = next(f for f in page.facets if f.name == name)
    return {v.value: (v.count, v.mode) for v in facet.values}


def test_any_and_none_counts_ignore_their_own_choice(reader: User, library: dict[str, int]) -> None:
    """Beside "any of" values: how many documents each would bring in; beside "none of"
    values: how many each keeps out; "all of": how many would remain. Other facets count
    within the results."""
    any_lebanon = _search(reader, facets={"country": FacetFilter(any=("LB",))})
    assert any_lebanon.total == 1
    assert _counts(any_lebanon, "country") == {
        "LB": (1, "any"),
        "SY": (2, ""),
        "AF": (1, ""),
        "IR": (1, ""),
    }
    assert _counts(any_lebanon, "topic") == {"detention": (1, "")}
    none_syria = _search(reader, facets={"country": FacetFilter(none=("SY",))})
    assert none_syria.total == 2
    country = none_syria.facets[0]
    assert country.mode == "none"
    assert country.values[0].value == "SY"  # chosen values first
    assert _counts(none_syria, "country")["SY"] == (2, "none")
    all_of = _search(reader, facets={"country": FacetFilter(all=("SY",))})
    assert _counts(all_of, "country") == {"SY": (2, "all"), "LB": (1, "")}


def test_chosen_values_stay_listed_even_when_none_match(
    reader: User, library: dict[str, int]
) -> None:
    page = _search(reader, "women", facets={"topic": FacetFilter(all=("return",))})
    assert page.total == 0
    assert _counts(page, "topic") == {"return": (0, "all")}


def test_publication_dates_and_sort(reader: User, library: dict[str, int]) -> None:
    page = _search(reader, published_from=dt.date(2024, 1, 1), published_to=dt.date(2024, 12, 31))
    assert _ids(page) == {library["syria"]}
    newest = [h.document.pk for h in _search(reader, sort=Sort.NEWEST).hits]
    assert newest == [
        library["syria_lebanon"],
        library["syria"],
        library["iran_fa"],
        library["afghanistan"],  # undated last
    ]
    oldest = [h.document.pk for h in _search(reader, sort=Sort.OLDEST).hits]
    assert oldest[:3] == [library["iran_fa"], library["syria"], library["syria_lebanon"]]


def test_title_only(reader: User, library: dict[str, int]) -> None:
    assert _ids(_search(reader, "refugees")) == {library["syria_lebanon"]}
    assert _ids(_search(reader, "Damascus")) == {library["syria"]}
    assert _ids(_search(reader, "Damascus", title_only=True)) == set()
    assert _ids(_search(reader, "security OR women", title_only=True)) == {
        library["syria"],
        library["afghanistan"],
    }


def test_persian_text_is_found(reader: User, library: dict[str, int]) -> None:
    assert _ids(_search(reader, "بازداشت")) == {library["iran_fa"]}


def test_a_query_mistake_names_its_position(reader: User, library: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as error:
        _search(reader, "(Kabul OR Herat")
    message = error.value.message_dict["query"][0]
    assert "character 1" in message
    assert "missing" in message
    with pytest.raises(ValidationError) as error:
        _search(reader, "Kabul OR")
    assert "character 9" in error.value.message_dict["query"][0]


def test_pages(reader: User) -> None:
    for n in range(5):
        add_document(f"Report {n}", f"Paragraph about prisons number {n}.")
    first = _search(reader, "prisons", per_page=2)
    assert first.total == 5
    assert first.page.paginator.num_pages == 3
    assert len(first.hits) == 2
    seen = set()
    for number in (1, 2, 3):
        seen |= _ids(_search(reader, "prisons", per_page=2, page=number))
    assert len(seen) == 5
    past_the_end = _search(reader, "prisons", per_page=2, page=9)
    assert past_the_end.page.number == 3
    assert len(past_the_end.hits) == 1


def test_withdrawn_documents_are_never_found(reader: User, library: dict[str, int]) -> None:
    from ura.apps.coi.models import Document

    Document.objects.filter(pk=library["syria"]).update(status=DocumentStatus.WITHDRAWN)
    # even while the index still has it (its update failed), the database decides
    assert library["syria"] not in _ids(_search(reader, "detention"))


def test_reading_needs_the_permission(library: dict[str, int]) -> None:
    nobody = make_user(role=RoleCode.FIRST_RESPONDER)
    with pytest.raises(PermissionDenied):
        _search(nobody, "detention")
    with pytest.raises(PermissionDenied):
        selectors.document_get(actor=nobody, document_id=library["syria"])
    with pytest.raises(PermissionDenied):
        selectors.country_overview(actor=nobody, code="SY")


def test_managers_only_see_imports(reader: User, steward: User) -> None:
    with pytest.raises(PermissionDenied):
        selectors.import_batches(actor=reader)
    with pytest.raises(PermissionDenied):
        selectors.duplicates_to_review(actor=reader)
    assert list(selectors.import_batches(actor=steward)) == []


def test_country_overview(reader: User, library: dict[str, int]) -> None:
    from ura.apps.coi.models import Document

    Document.objects.filter(pk=library["syria"]).update(is_key=True)
    overview = selectors.country_overview(actor=reader, code="sy")
    assert (overview.code, overview.name, overview.total) == ("SY", "Syria", 2)
    assert [d.pk for d in overview.key_documents] == [library["syria"]]
    assert [d.pk for d in overview.recent] == [library["syria_lebanon"], library["syria"]]
    assert [(t.code, n) for t, n in overview.topics] == [("detention", 2), ("return", 1)]
    assert selectors.countries_with_documents(actor=reader) == [
        ("AF", "Afghanistan", 1),
        ("IR", "Iran", 1),
        ("LB", "Lebanon", 1),
        ("SY", "Syria", 2),
    ]


def test_params_round_trip_through_json() -> None:
    params = SearchParams(
        query="women",
        title_only=True,
        facets={"country": FacetFilter(any=("AF",), none=("IR",)), "topic": FacetFilter()},
        only_country="AF",
        published_from=dt.date(2024, 1, 1),
        sort=Sort.NEWEST,
    )
    again = SearchParams.from_json("women", params.as_json())
    assert again.as_json() == params.as_json()
    assert again.facet("country") == FacetFilter(any=("AF",), none=("IR",))
    with pytest.raises(ValidationError):
        SearchParams.from_json("", {"published_from": "yesterday"})
