"""Arabic in reportlab PDFs: letters in their joined forms, each line in visual order (what a
left-to-right PDF drawing needs), several lines in reading order, Latin text untouched."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from ura.casework import documents
from ura.casework.bidi import (
    BidiParagraph,
    has_rtl,
    is_rtl_language,
    paragraph,
    shape,
    visual,
)

# محمد shaped: meem initial, hah medial, meem medial, dal final.
MOHAMMAD_SHAPED = "\ufee3\ufea4\ufee4\ufeaa"
SENTENCE = (
    "ارتفعت طلبات اللجوء في عام 2025 بنسبة 12٪ مقارنة بالعام السابق، وسجلت مديرية إسطنبول "
    "أكبر زيادة في الطلبات المقدمة من السوريين والأفغان."
)


def _logical(drawn: str) -> str:
    """A right-to-left line drawn left to right, read back: reversed, base letters."""
    return unicodedata.normalize("NFKC", drawn[::-1])


def _presentation_forms(text: str) -> int:
    return sum("\ufb50" <= c <= "\ufeff" for c in text)


def test_a_word_is_shaped_and_reversed_for_drawing() -> None:
    assert shape("محمد") == MOHAMMAD_SHAPED
    assert visual("محمد") == MOHAMMAD_SHAPED[::-1]
    assert _logical(visual("محمد")) == "محمد"


def test_numbers_and_latin_keep_their_direction_inside_arabic() -> None:
    assert visual("عام 2025") == "2025 " + shape("عام")[::-1]
    # An Arabic name in a left-to-right line: only the name's run reads right to left.
    drawn = visual("Applicant محمد أحمدي, born 1990", "L")
    assert drawn == "Applicant " + shape("محمد أحمدي")[::-1] + ", born 1990"
    # Brackets are mirrored inside a right-to-left line.
    assert visual("(محمد)") == "(" + MOHAMMAD_SHAPED[::-1] + ")"


def test_text_without_arabic_is_left_alone() -> None:
    style = ParagraphStyle("body")
    assert type(paragraph("Yabancılar ve Uluslararası Koruma", style)) is Paragraph
    assert visual("Ligji për të huajt 2025") == "Ligji për të huajt 2025"
    assert not has_rtl("Юрий")
    assert is_rtl_language("ar")
    assert is_rtl_language("ar-SY")
    assert not is_rtl_language("tr")


def test_a_long_paragraph_reads_top_to_bottom_each_line_right_to_left() -> None:
    para = paragraph(SENTENCE, ParagraphStyle("body", fontSize=10, leading=12), rtl=True)
    assert isinstance(para, BidiParagraph)
    assert para.style.alignment == TA_RIGHT
    para.wrap(150, 1000)
    lines = [" ".join(words) for _, words in para.blPara.lines]
    assert len(lines) > 2
    # Each line, top to bottom, is the next run of words of the sentence, drawn in visual
    # order: the line's words reversed, each word's letters reversed, numbers kept.
    words = SENTENCE.split()
    position = 0
    for line in lines:
        for count in range(1, len(words) - position + 1):
            chunk = words[position : position + count]
            if line == visual(" ".join(chunk)):
                position += count
                break
        else:
            raise AssertionError(f"line {line!r} is not the next words of the sentence")
    assert position == len(words)
    assert _logical(lines[0]).startswith("ارتفعت طلبات")  # the first line holds the start
    assert "2025" in "".join(lines)
    assert "5202" not in "".join(lines)
    assert all(_presentation_forms(line) for line in lines)


def test_a_decision_pdf_prints_an_arabic_name_and_quote_shaped_in_reading_order() -> None:
    text = (
        "# Decision\n\nThe applicant محمد أحمدي was heard on 3 March 2025.\n\n"
        "> الوضع الأمني في حلب لا يزال خطيراً [1]\n"
    ).replace(" [1]", "")
    pdf = documents.render_pdf(text, title="Decision", reference="TR-1", language="en", draft=False)
    extracted = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # pypdf reads a right-to-left run drawn in visual order back in logical order; before
    # this fix the PDF held the letters unjoined and in logical order, which reads reversed.
    assert _presentation_forms(extracted) > 20
    normal = unicodedata.normalize("NFKC", extracted)
    assert "محمد أحمدي" in normal
    assert "الوضع الأمني في حلب لا يزال خطيرا" in "".join(
        c for c in normal if not unicodedata.combining(c)
    )
    assert "\u064b" in normal  # the diacritic (tanween) is printed, not dropped
    assert "The applicant" in normal


def test_diacritics_follow_their_letter_in_drawing_order() -> None:
    drawn = visual("خطيراً")
    assert drawn.index("\u064b") == drawn.index("\ufe8d") + 1  # fathatan after the alef
