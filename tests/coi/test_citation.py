"""Citations keep their words: verify after a re-import."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ura.coi.citation import Citation, VerificationStatus, cite, format_reference, verify
from ura.coi.extract import extract

BEFORE = "# Security\n\nShelling continued in Idlib.\n\n# Returns\n\nReturns from Lebanon rose.\n"


def _citation(quote: str | None = None) -> Citation:
    passages = extract(BEFORE.encode(), filename="r.txt")
    passage = next(p for p in passages if p.anchor == "§returns¶1")
    return cite(
        passage,
        doc_id="42",
        source="UNHCR",
        title="Syria update",
        published=dt.date(2024, 3, 3),
        url="https://example.org/r",
        accessed=dt.date(2024, 5, 5),
        quote=quote,
    )


def test_unchanged_after_an_insertion_elsewhere() -> None:
    """An edit in another section leaves the citation unchanged."""
    edited = BEFORE.replace("Idlib.\n", "Idlib.\n\nAnd Aleppo.\n")
    result = verify(_citation(), extract(edited.encode(), filename="r.txt"))
    assert result.status is VerificationStatus.UNCHANGED
    assert result.anchor == "§returns¶1"


def test_moved_when_the_words_are_at_another_anchor() -> None:
    """The same words under a new paragraph number are reported moved, with the new anchor."""
    edited = BEFORE.replace("# Returns\n\n", "# Returns\n\nA new first paragraph.\n\n")
    result = verify(_citation(), extract(edited.encode(), filename="r.txt"))
    assert result.status is VerificationStatus.MOVED
    assert result.anchor == "§returns¶2"
    assert result.current_text == "A new first paragraph."


def test_changed_when_the_words_changed() -> None:
    """A corrected figure is a change, and the current text is shown."""
    edited = BEFORE.replace("rose", "fell")
    result = verify(_citation(), extract(edited.encode(), filename="r.txt"))
    assert result.status is VerificationStatus.CHANGED
    assert result.current_text == "Returns from Lebanon fell."


def test_partial_quote() -> None:
    """A quote of part of a passage is verified as part."""
    citation = _citation("from Lebanon")
    edited = BEFORE.replace("rose", "fell")
    assert verify(citation, extract(edited.encode(), filename="r.txt")).status is (
        VerificationStatus.UNCHANGED
    )
    with pytest.raises(ValueError, match="not in passage"):
        _citation("from Iraq")


def test_reference_format_en_and_tr() -> None:
    """The reference names source, title, dates, URL, anchor and quote."""
    citation = _citation()
    assert citation.reference("en") == (
        "UNHCR: Syria update, 3 March 2024, https://example.org/r (accessed: 5 May 2024), "
        'at §returns¶1: "Returns from Lebanon rose."'
    )
    assert citation.reference("tr") == (
        "UNHCR: Syria update, 3 Mart 2024, https://example.org/r (erişim tarihi: 5 Mayıs 2024), "
        'bölüm §returns¶1: "Returns from Lebanon rose."'
    )


def test_a_tampered_citation_is_refused() -> None:
    """Editing the stored quote without its hash is detected."""
    citation = _citation()
    tampered = dataclasses.replace(citation, quoted_text="Returns fell.")
    with pytest.raises(ValueError, match="hash"):
        verify(tampered, [])


def test_reference_of_a_citation_without_accessed_date_or_anchor() -> None:
    """A passage pasted by hand has no date accessed and may have no anchor: those parts are
    left out, the rest reads as the full reference does."""
    assert format_reference(
        source="ACCORD",
        title="Iran: Converts",
        published=dt.date(2025, 2, 1),
        url="https://example.org/r",
        accessed=None,
        anchor="",
        quoted_text="Converts  face\nprosecution.",
        language="tr",
    ) == (
        'ACCORD: Iran: Converts, 1 Şubat 2025, https://example.org/r: "Converts face prosecution."'
    )
    assert (
        format_reference(
            source="ACCORD",
            title="Iran: Converts",
            published=None,
            url="",
            accessed=dt.date(2025, 3, 1),
            anchor="p4¶2",
            quoted_text="Converts face prosecution.",
        )
        == "ACCORD: Iran: Converts, undated, (accessed: 1 March 2025), at p4¶2: "
        '"Converts face prosecution."'
    )
