"""Extraction of PDF, DOCX, HTML and text into passages with stable anchors."""

from __future__ import annotations

import io

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.coi.conftest import udhr_passages
from ura.coi.extract import ExtractionError, Passage, extract, passage_hash


def _pdf(pages: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for lines in pages:
        y = 800
        for line in lines:
            if line:
                pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _docx(blocks: list[tuple[str, str]]) -> bytes:
    document = docx.Document()
    for style, text in blocks:
        if style == "h":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Province"
    table.rows[0].cells[1].text = "Idlib"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _anchors(passages: list[Passage]) -> dict[str, str]:
    return {p.anchor: p.text for p in passages}


def test_pdf_paragraphs_per_page() -> None:
    """Each page numbers its own paragraphs; a sentence end closes a paragraph."""
    data = _pdf(
        [
            ["Security situation in the north.", "Checkpoints are frequent and", "arbitrary."],
            ["Returns from Lebanon increased."],
        ]
    )
    passages = extract(data, filename="report.pdf")
    assert _anchors(passages) == {
        "p1¶1": "Security situation in the north.",
        "p1¶2": "Checkpoints are frequent and arbitrary.",
        "p2¶1": "Returns from Lebanon increased.",
    }
    assert passages[2].page == 2


def test_docx_headings_open_sections() -> None:
    """Heading styles open sections; paragraphs and table cells are numbered within them."""
    data = _docx(
        [("p", "Summary first."), ("h", "Security"), ("p", "Shelling continued."), ("p", "Two")]
    )
    anchors = _anchors(extract(data, filename="coi.docx"))
    assert anchors == {
        "¶1": "Summary first.",
        "§security": "Security",
        "§security¶1": "Shelling continued.",
        "§security¶2": "Two",
        "§security¶3": "Province",
        "§security¶4": "Idlib",
    }


def test_html_blocks_and_dropped_parts() -> None:
    """Headings, paragraphs and list items; script, style and nav are dropped."""
    html = """<html><head><title>x</title><style>p {}</style></head><body>
      <nav><a>Home</a></nav><h1>Report</h1><p>Intro <b>bold</b> text.</p>
      <script>alert(1)</script><h2>Returns</h2><ul><li>One</li><li>Two</li></ul>
      <h2>Returns</h2><p>Again</p></body></html>"""
    anchors = _anchors(extract(html.encode(), media_type="text/html"))
    assert anchors == {
        "§report": "Report",
        "§report¶1": "Intro bold text.",
        "§returns": "Returns",
        "§returns¶1": "One",
        "§returns¶2": "Two",
        "§returns-2": "Returns",
        "§returns-2¶1": "Again",
    }


def test_udhr_html_articles() -> None:
    """The UDHR's articles become sections with numbered paragraphs."""
    anchors = _anchors(udhr_passages("eng"))
    assert anchors["§article-3¶1"] == (
        "Everyone has the right to life, liberty and the security of person."
    )
    assert len(anchors) == len(udhr_passages("eng"))  # anchors are unique


def test_anchors_survive_an_insertion_in_another_section() -> None:
    """Inserting a paragraph in one section renumbers only that section."""
    before = "# Security\n\nShelling.\n\nCheckpoints.\n\n# Returns\n\nFrom Lebanon.\n\nFrom Iraq.\n"
    after = before.replace("Shelling.\n", "Shelling.\n\nNEW paragraph.\n")
    old = _anchors(extract(before.encode(), filename="a.txt"))
    new = _anchors(extract(after.encode(), filename="a.txt"))
    assert old["§returns¶1"] == new["§returns¶1"] == "From Lebanon."
    assert old["§returns¶2"] == new["§returns¶2"] == "From Iraq."
    assert old["§security¶1"] == new["§security¶1"]
    assert new["§security¶3"] == old["§security¶2"] == "Checkpoints."


def test_passage_hash_ignores_reflow_not_words() -> None:
    """Whitespace differences keep the hash; a changed letter does not."""
    assert passage_hash("a  b\nc") == passage_hash("a b c")
    assert passage_hash("a b c") != passage_hash("a b C")


def test_bad_files_raise_extraction_error() -> None:
    """Each kind of bad input has a clear reason."""
    with pytest.raises(ExtractionError, match="not a DOCX"):
        extract(b"PK\x03\x04 not really a zip", filename="x.docx")
    with pytest.raises(ExtractionError, match="unreadable PDF"):
        extract(b"%PDF-1.4 garbage", filename="x.pdf")
    with pytest.raises(ExtractionError, match="no text"):
        extract(b"<html><script>x</script></html>", media_type="text/html")
    with pytest.raises(ExtractionError, match="no text layer"):
        extract(_pdf([[""]]), filename="scan.pdf")
    with pytest.raises(ExtractionError, match="not UTF-8"):
        extract(b"\xff\xfe\xfa", filename="x.txt")
    with pytest.raises(ExtractionError, match="unsupported media type"):
        extract(b"x", media_type="image/png")


def test_encrypted_pdf_is_refused() -> None:
    """A PDF that needs a password cannot be extracted."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf([["Secret text."]]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionError, match="encrypted"):
        extract(buffer.getvalue(), filename="locked.pdf")
