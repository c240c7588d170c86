"""Citations of COI passages that cannot silently change.

A decision quotes a passage: the citation keeps the quoted words themselves, their hash
(:func:`ura.coi.extract.passage_hash`) and the passage anchor. When the source document is
re-imported (a corrected edition, a new extraction), :func:`verify` tells whether the quoted
words are still there unchanged at the same anchor, moved to another anchor, or changed or
gone, so that a reviewer sees it instead of the decision pointing at different words.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from ura.coi.extract import Passage, passage_hash

__all__ = [
    "Citation",
    "Verification",
    "VerificationStatus",
    "cite",
    "format_reference",
    "verify",
]

_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "tr": (
        "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
        "Ekim", "Kasım", "Aralık",
    ),
}  # fmt: skip
_WORDS = {
    "en": {"accessed": "accessed", "undated": "undated", "at": "at"},
    "tr": {"accessed": "erişim tarihi", "undated": "tarihsiz", "at": "bölüm"},
}


def _canonical(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True, slots=True)
class Citation:
    """A quoted passage of a COI document, as a decision keeps it.

    Attributes:
        doc_id: the document's id in Ura.
        source: who published it (e.g. ``"UNHCR"``).
        title: the document title.
        published: publication date, if known.
        url: where it was published.
        accessed: when the caseworker consulted it.
        anchor: the passage anchor (``§article-3¶1``, ``p12¶4``).
        quoted_text: the words quoted (the whole passage or part of it).
        text_hash: :func:`ura.coi.extract.passage_hash` of ``quoted_text``.
    """

    doc_id: str
    source: str
    title: str
    published: dt.date | None
    url: str
    accessed: dt.date
    anchor: str
    quoted_text: str
    text_hash: str

    def reference(self, language: str = "en") -> str:
        """The formatted reference, ecoi.net style: source, title, date, URL, accessed,
        anchor, then the quote.

        Args:
            language: ``"en"`` or ``"tr"`` (others fall back to English).

        Returns:
            e.g. ``UNHCR: Country Report, 3 March 2024, https://… (accessed 5 May 2024),
            at §security¶2: "…"``.
        """
        return format_reference(
            source=self.source,
            title=self.title,
            published=self.published,
            url=self.url,
            accessed=self.accessed,
            anchor=self.anchor,
            quoted_text=self.quoted_text,
            language=language,
        )


def format_reference(
    *,
    source: str,
    title: str,
    published: dt.date | None,
    url: str,
    accessed: dt.date | None,
    anchor: str,
    quoted_text: str,
    language: str = "en",
) -> str:
    """The reference format of :meth:`Citation.reference`, for a citation that may lack
    parts: a passage pasted by hand into a case before the library existed has no date
    accessed and perhaps no anchor. A part that is missing is left out, never invented.

    Args:
        source, title, published, url, accessed, anchor, quoted_text: as in
            :class:`Citation`; ``accessed`` None and ``anchor`` ``""`` leave those parts out.
        language: ``"en"`` or ``"tr"`` (others fall back to English).

    Returns:
        e.g. ``UNHCR: Country Report, 3 March 2024, https://…: "…"`` without accessed date
        and anchor.
    """
    lang = language if language in _MONTHS else "en"
    words = _WORDS[lang]
    parts = [f"{source}: {title}", _date(published, lang) if published else words["undated"]]
    when = f"({words['accessed']}: {_date(accessed, lang)})" if accessed else ""
    if url or when:
        parts.append(" ".join(part for part in (url, when) if part))
    where = f", {words['at']} {anchor}" if anchor else ""
    return f'{", ".join(parts)}{where}: "{_canonical(quoted_text)}"'


def _date(day: dt.date, language: str) -> str:
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def cite(
    passage: Passage,
    *,
    doc_id: str,
    source: str,
    title: str,
    published: dt.date | None,
    url: str,
    accessed: dt.date,
    quote: str | None = None,
) -> Citation:
    """A citation of a passage, or of part of it.

    Args:
        passage: the passage cited.
        doc_id, source, title, published, url, accessed: the document's metadata.
        quote: the words quoted, if only part of the passage; None quotes all of it.

    Returns:
        The citation with the quote's hash.

    Raises:
        ValueError: ``quote`` is not in the passage.
    """
    quoted = _canonical(passage.text if quote is None else quote)
    if quoted not in _canonical(passage.text):
        raise ValueError(f"the quote is not in passage {passage.anchor}")
    return Citation(
        doc_id,
        source,
        title,
        published,
        url,
        accessed,
        passage.anchor,
        quoted,
        passage_hash(quoted),
    )


class VerificationStatus(Enum):
    """What became of a quoted passage after a re-import."""

    UNCHANGED = "unchanged"  # the quoted words are at the same anchor
    MOVED = "moved"  # the quoted words are there, at another anchor
    CHANGED = "changed"  # the quoted words are nowhere in the document any more


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`.

    Attributes:
        status: see :class:`VerificationStatus`.
        anchor: where the quote is now (MOVED), or the cited anchor.
        current_text: the passage now at the cited anchor (None if the anchor is gone).
    """

    status: VerificationStatus
    anchor: str
    current_text: str | None


def verify(citation: Citation, current_passages: Sequence[Passage]) -> Verification:
    """Check a citation against the passages of the document as it is now.

    Args:
        citation: the citation kept with a decision.
        current_passages: the re-extracted passages.

    Returns:
        UNCHANGED when the quote is in the passage at the same anchor, MOVED when it is in
        another passage (the first, in document order), otherwise CHANGED.

    Raises:
        ValueError: the citation's own quote no longer matches its hash (it was edited).
    """
    if passage_hash(citation.quoted_text) != citation.text_hash:
        raise ValueError("the citation's quoted text does not match its hash")
    quote = _canonical(citation.quoted_text)
    at_anchor = next((p for p in current_passages if p.anchor == citation.anchor), None)
    current_text = at_anchor.text if at_anchor is not None else None
    if at_anchor is not None and _contains(at_anchor, quote, citation.text_hash):
        return Verification(VerificationStatus.UNCHANGED, citation.anchor, current_text)
    for passage in current_passages:
        if _contains(passage, quote, citation.text_hash):
            return Verification(VerificationStatus.MOVED, passage.anchor, current_text)
    return Verification(VerificationStatus.CHANGED, citation.anchor, current_text)


def _contains(passage: Passage, quote: str, text_hash: str) -> bool:
    return passage.hash == text_hash or quote in _canonical(passage.text)
