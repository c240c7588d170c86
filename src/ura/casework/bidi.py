"""Arabic (and other right-to-left) text in reportlab PDFs: letters joined, lines in reading
order.

reportlab lays text out left to right, one code point after another: Arabic would print as
isolated letters in reverse order. Its own right-to-left support needs ``rlbidi``, which
ReportLab does not publish on PyPI, so Ura does the two steps with maintained libraries
(docs/decisions/0024-arabic-in-pdfs.md):

1. **shaping** with arabic-reshaper: each letter becomes the contextual form (initial,
   medial, final, isolated; lam-alef ligatures) from the Arabic Presentation Forms that the
   vendored DejaVu Sans has; diacritics are kept;
2. **reordering** with python-bidi (the Unicode Bidirectional Algorithm): after reportlab has
   broken a paragraph into lines in logical order, each line is put in visual order, so a
   paragraph of several lines reads top to bottom and each line right to left, with numbers
   and Latin words inside it left to right. Its ``bidi.algorithm`` implementation is used
   because it also mirrors brackets (rule L4), which the Rust-backed ``bidi.get_display``
   leaves to the renderer — and reportlab is no such renderer.

:class:`BidiParagraph` is a reportlab ``Paragraph`` that does both; :func:`visual` does it
for one line of text drawn directly (chart labels, page headers). Text without a
right-to-left letter is left exactly as it was, so Latin-script PDFs are unchanged byte for
byte.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

Direction = Literal["L", "R"]

#: Languages written right to left among those Ura may print.
RTL_LANGUAGES: Final = frozenset({"ar", "fa", "ur", "he", "ckb", "ps"})
#: Hebrew, Arabic, Syriac, Thaana, NKo … and the Arabic presentation forms.
_RTL: Final = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
#: Directional marks and isolates: they steer the algorithm and have no glyph of their own.
_CONTROLS: Final = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def is_rtl_language(language: str) -> bool:
    """Whether ``language`` (``ar``, ``ar-SY``, ``ar_SY``) is written right to left."""
    return re.split("[-_]", language or "")[0].lower() in RTL_LANGUAGES


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter."""
    return bool(_RTL.search(text))


#: Diacritics (harakat) are kept, and moved before their letter so that after the reversal
#: to visual order each follows its letter and prints over it.
_RESHAPER: Final = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "shift_harakat_position": True}
)


def shape(text: str) -> str:
    """Arabic letters in their joined (contextual) forms; other text unchanged."""
    return str(_RESHAPER.reshape(text)) if has_rtl(text) else text


def reorder(line: str, base: Direction = "R") -> str:
    """One line in visual (left-to-right drawing) order, without the directional marks."""
    if not has_rtl(line):
        return _CONTROLS.sub("", line)
    return _CONTROLS.sub("", str(get_display(line, base_dir=base)))


def visual(text: str, base: Direction = "R") -> str:
    """One line of text ready to be drawn left to right: shaped, then reordered."""
    return reorder(shape(text), base) if has_rtl(text) else _CONTROLS.sub("", text)


def rtl_style(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` for a right-to-left paragraph: right-aligned (centred stays centred), the
    indents swapped."""
    return ParagraphStyle(
        f"{style.name}-rtl",
        parent=style,
        alignment=style.alignment if style.alignment == TA_CENTER else TA_RIGHT,
        leftIndent=style.rightIndent,
        rightIndent=style.leftIndent,
    )


class BidiParagraph(Paragraph):  # type: ignore[misc]  # reportlab has no type information
    """A reportlab paragraph whose Arabic is shaped and whose lines are reordered after line
    breaking (the paragraph markup — ``<br/>``, ``<b>`` — is kept).

    ``base`` is the paragraph's direction: ``"R"`` in a right-to-left document, ``"L"`` for an
    Arabic name or quotation inside a left-to-right one.
    """

    def __init__(self, text: str, style: ParagraphStyle, *args: Any, base: Direction = "R",
                 **kwargs: Any) -> None:  # fmt: skip
        self.base: Direction = base
        super().__init__(shape(text), style, *args, **kwargs)

    def breakLines(self, width: Any) -> Any:  # noqa: N802  # reportlab's name
        lines = super().breakLines(width)
        if lines.kind == 0:  # one style: each line is (extra space, words)
            lines.lines = [
                (extra, reorder(" ".join(words), self.base).split(" "))
                for extra, words in lines.lines
            ]
        else:  # several styles: each line is a list of fragments
            for line in lines.lines:
                texts = [f for f in line.words if getattr(f, "text", "")]
                if not any(has_rtl(f.text) for f in texts):
                    continue
                for fragment in texts:
                    fragment.text = reorder(fragment.text, self.base)
                if self.base == "R" and len(texts) > 1:
                    # Runs of different styles follow each other right to left.
                    ids = {id(f) for f in texts}
                    order = iter(reversed(texts))
                    line.words = [next(order) if id(f) in ids else f for f in line.words]
        return lines


def paragraph(text: str, style: ParagraphStyle, *args: Any, rtl: bool = False,
              **kwargs: Any) -> Paragraph:  # fmt: skip
    """A paragraph for a document that is right to left (``rtl``) or left to right: Arabic is
    shaped and reordered either way; a plain Latin paragraph in a left-to-right document is
    reportlab's own."""
    if rtl:
        return BidiParagraph(text, rtl_style(style), *args, base="R", **kwargs)
    if has_rtl(text):
        return BidiParagraph(text, style, *args, base="L", **kwargs)
    return Paragraph(text, style, *args, **kwargs)
