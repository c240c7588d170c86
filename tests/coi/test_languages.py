# ruff: noqa: RUF001  -- Arabic, Cyrillic and Turkish letters in test data
"""Language-aware search over the real UDHR translations: stemming, scripts, casing."""

from __future__ import annotations

import pytest

from tests.coi.conftest import udhr_passages
from ura.coi.analysis import analyse, analyse_word, language_code, words
from ura.coi.index import TantivyBackend


def _found(index: TantivyBackend, query: str) -> set[str]:
    return {hit.doc_id for hit in index.search(query, limit=20).hits}


def _words_of(stem: str) -> set[str]:
    return {w.casefold() for p in udhr_passages(stem) for _, _, w in words(p.text)}


@pytest.mark.parametrize(
    ("stem", "query"),
    [
        ("eng", "marrying"),  # text: marry, marriage
        ("eng", "nationalities"),  # text: nationality
        ("tur", "haklarımız"),  # text: hakları, haklarına
        ("fra", "mariages"),  # text: mariage
        ("fra", "nationalités"),  # text: nationalité
        ("rus", "браком"),  # text: брак, брака
        ("arb", "كرامة"),  # text: كرامته, الكرامة
        ("pes_1", "کشورها"),  # text: کشور, کشورهای
        ("srp_latn", "slobodama"),  # text: slobode, slobodu
    ],
)
def test_stemming_finds_inflected_forms(udhr_index: TantivyBackend, stem: str, query: str) -> None:
    """A word form absent from a translation finds it through the language's stemmer."""
    assert query.casefold() not in _words_of(stem)
    assert stem in _found(udhr_index, query)


def test_persian_with_and_without_zwnj(udhr_index: TantivyBackend) -> None:
    """خانواده‌اش (with a zero-width non-joiner, as in the text) and خانوادهاش find the same."""
    assert "خانواده\u200cاش" in " ".join(p.text for p in udhr_passages("pes_1"))
    assert "خانوادهاش" not in _words_of("pes_1")
    with_zwnj = _found(udhr_index, "خانواده\u200cاش")
    assert "pes_1" in with_zwnj
    assert _found(udhr_index, "خانوادهاش") == with_zwnj


def test_serbian_cyrillic_query_finds_latin_text_and_back(udhr_index: TantivyBackend) -> None:
    """Either script of Serbian finds both translations."""
    assert "слободама" not in _words_of("srp_cyrl")
    assert {"srp_cyrl", "srp_latn"} <= _found(udhr_index, "слободама")
    assert {"srp_cyrl", "srp_latn"} <= _found(udhr_index, "slobodama")
    assert {"srp_cyrl", "srp_latn"} <= _found(udhr_index, '"opšta deklaracija"')


def test_turkish_dotted_and_dotless_i(udhr_index: TantivyBackend) -> None:
    """İNSAN, insan and INSAN (typed on a non-Turkish keyboard) all find the Turkish text."""
    assert analyse("İNSAN", "tr") == analyse("insan", "tr") == analyse("INSAN", "tr")
    assert analyse("HAKLARI", "tr") == analyse("hakları", "tr")
    assert "tur" in _found(udhr_index, "İNSAN HAKLARI")
    # the text writes İnsanlık; capitals, dotless ı or a plain i all find it
    assert "tur" in _found(udhr_index, "İNSANLIK")
    assert "tur" in _found(udhr_index, "insanlik")
    assert "tur" in _found(udhr_index, "hurriyet")  # hürriyet without the diacritic


def test_arabic_letter_variants_and_diacritics(udhr_index: TantivyBackend) -> None:
    """Alef with hamza, ta marbuta and harakat do not matter."""
    assert analyse_word("إعلان", "ar") == analyse_word("اعلان", "ar")
    assert analyse_word("كَرَامَة", "ar") == analyse_word("كرامة", "ar")
    assert "arb" in _found(udhr_index, "الكرامة")


def test_highlight_marks_the_inflected_words(udhr_index: TantivyBackend) -> None:
    """The highlighted passage marks the text's own word forms."""
    hit = next(h for h in udhr_index.search("marrying").hits if h.doc_id == "eng")
    marked = {h.fragment[s:e].casefold() for h in hit.highlights for s, e in h.marks}
    assert marked & {"marry", "marriage"}
    assert "<mark>" in hit.highlights[0].html


@pytest.mark.parametrize(
    ("code", "expected"), [("tur", "tr"), ("srp_cyrl", "sr"), ("sr-Latn", "sr"), ("pes", "fa")]
)
def test_language_codes(code: str, expected: str) -> None:
    """ISO 639-3 and script-tagged codes map to ISO 639-1."""
    assert language_code(code) == expected
