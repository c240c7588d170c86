"""Near-duplicate detection on import."""

from __future__ import annotations

from tests.coi.conftest import udhr_passages
from ura.coi.duplicates import DuplicateIndex, Signature, signature, similarity


def _texts(stem: str) -> list[str]:
    return [p.text for p in udhr_passages(stem)]


def test_an_edited_copy_is_found_and_an_unrelated_document_is_not() -> None:
    """An edited English UDHR matches the original; other translations do not."""
    index = DuplicateIndex()
    for stem in ("eng", "fra", "tur", "srp_latn"):
        index.add(stem, signature(_texts(stem)))
    edited = _texts("eng")
    edited[10] = "This paragraph was rewritten entirely by a later edition of the document."
    del edited[20:24]
    edited.insert(5, "An inserted editorial note about the translation.")
    candidates = index.candidates(signature(edited))
    assert [c.doc_id for c in candidates] == ["eng"]
    assert 0.7 < candidates[0].similarity < 1.0
    unrelated = "Security situation in Idlib: shelling continued and returns from Lebanon rose."
    assert index.candidates(signature(unrelated)) == []
    assert index.candidates(signature(_texts("als"))) == []


def test_identical_text_is_similarity_one_and_formatting_does_not_matter() -> None:
    """Casing, diacritics and spacing do not change the signature."""
    a = signature("Geçici koruma altındaki Suriyeliler  kayıt oldu.")
    b = signature("GEÇİCİ KORUMA ALTINDAKİ SURİYELİLER kayit oldu")
    assert similarity(a, b) == 1.0
    assert Signature.from_bytes(a.to_bytes()) == a


def test_remove_and_exclude() -> None:
    """A document does not match itself on re-import; removed documents are forgotten."""
    index = DuplicateIndex()
    sig = signature(_texts("eng"))
    index.add("eng", sig)
    assert index.candidates(sig, exclude="eng") == []
    index.remove("eng")
    assert index.candidates(sig) == []
    assert len(index) == 0
