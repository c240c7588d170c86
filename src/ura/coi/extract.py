"""Text extraction: PDF, HTML, DOCX and plain text to passages with stable anchors.

A passage is a paragraph, list item, heading or table cell. Its anchor comes from the
document's structure, never from byte offsets, so that editing one part of a document leaves
the anchors of the rest alone:

* ``§{section}¶{n}``: the n-th paragraph (from 1) under the heading whose slug is
  ``section`` (HTML, DOCX, plain text with ``#`` headings); the heading itself is
  ``§{section}``. A paragraph inserted in one section renumbers only that section.
  A heading text used twice gets ``-2``, ``-3`` on its later uses.
* ``¶{n}``: a paragraph before the first heading, or in a document without headings.
* ``p{page}¶{n}``: the n-th paragraph of a PDF page (from 1); PDFs carry no reliable heading
  structure, and page numbers are how readers cite them anyway.

Each passage also has a hash (:func:`passage_hash`, SHA-256 of its text with Unicode and
whitespace normalised) that a citation keeps, so that a changed passage is noticed.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ura.linkage.names import normalise

__all__ = [
    "ExtractionError",
    "Passage",
    "extract",
    "extract_docx",
    "extract_html",
    "extract_pdf",
    "extract_text",
    "file_checksum",
    "passage_hash",
]


class ExtractionError(ValueError):
    """A file that yields no passages: unreadable, encrypted, of the wrong type or empty."""


@dataclass(frozen=True, slots=True)
class Passage:
    """One citable piece of a document.

    Attributes:
        anchor: structural address, stable across re-imports (see the module docstring).
        text: the passage text, whitespace collapsed.
        page: PDF page number (from 1), None for other formats.
        section: slug of the heading the passage sits under, None if none.
    """

    anchor: str
    text: str
    page: int | None = None
    section: str | None = None

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of the normalised text, see :func:`passage_hash`."""
        return passage_hash(self.text)


def passage_hash(text: str) -> str:
    """SHA-256 (hex) of a passage text after NFC and whitespace collapsing, so that a
    re-extraction that only reflows lines gives the same hash, and any change of words,
    letters, case or punctuation gives another."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_checksum(data: bytes) -> str:
    """SHA-256 (hex) of a file's bytes, stored with the document."""
    return hashlib.sha256(data).hexdigest()


_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "htm": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
    "md": "text/plain",
}


def extract(
    data: bytes, *, media_type: str | None = None, filename: str | None = None
) -> list[Passage]:
    """Extract the passages of a file, choosing the format from ``media_type``, else the
    file name's extension, else the first bytes.

    Args:
        data: the file's bytes.
        media_type: e.g. ``"application/pdf"``, ``"text/html"``.
        filename: used for its extension when no media type is given.

    Returns:
        The passages in document order, with unique anchors.

    Raises:
        ExtractionError: the format is unknown or the file cannot be read or has no text.
    """
    kind = _kind(data, media_type, filename)
    if kind == "pdf":
        return extract_pdf(data)
    if kind == "docx":
        return extract_docx(data)
    if kind == "html":
        return extract_html(_decode(data))
    return extract_text(_decode(data))


def _kind(data: bytes, media_type: str | None, filename: str | None) -> str:
    if media_type:
        mt = media_type.split(";", 1)[0].strip().lower()
        for kind, known in _MEDIA_TYPES.items():
            if mt == known:
                return "html" if kind == "htm" else kind
        if mt.startswith("text/"):
            return "txt"
        raise ExtractionError(f"unsupported media type {media_type!r}")
    if filename and "." in filename:
        ext = filename.rsplit(".", 1)[1].lower()
        if ext in _MEDIA_TYPES:
            return {"htm": "html", "md": "txt"}.get(ext, ext)
    head = data[:512].lstrip().lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "txt"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"not UTF-8 text (byte {exc.start})") from exc


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _slug(heading: str) -> str:
    return "-".join(normalise(heading).split())[:60] or "section"


class _Builder:
    """Numbers passages per section as they arrive in document order."""

    def __init__(self) -> None:
        self.passages: list[Passage] = []
        self._section: str | None = None
        self._count = 0
        self._slugs: dict[str, int] = {}

    def heading(self, text: str) -> None:
        text = _clean(text)
        if not text:
            return
        slug = _slug(text)
        uses = self._slugs.get(slug, 0) + 1
        self._slugs[slug] = uses
        self._section = slug if uses == 1 else f"{slug}-{uses}"
        self._count = 0
        self.passages.append(Passage(f"§{self._section}", text, None, self._section))

    def paragraph(self, text: str) -> None:
        text = _clean(text)
        if not text:
            return
        self._count += 1
        prefix = f"§{self._section}" if self._section is not None else ""
        self.passages.append(Passage(f"{prefix}¶{self._count}", text, None, self._section))

    def result(self) -> list[Passage]:
        if not self.passages:
            raise ExtractionError("no text found")
        return self.passages


# --- plain text ---------------------------------------------------------------------------

_HEADING_LINE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def extract_text(text: str | bytes) -> list[Passage]:
    """Passages of plain text: paragraphs are separated by blank lines; a line starting with
    ``#`` (Markdown) is a heading.

    Raises:
        ExtractionError: the text is not UTF-8 or has no words.
    """
    if isinstance(text, bytes):
        text = _decode(text)
    builder = _Builder()
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        heading = _HEADING_LINE.match(line)
        if heading or not line.strip():
            builder.paragraph(" ".join(block))
            block = []
            if heading:
                builder.heading(heading.group(1))
        else:
            block.append(line)
    return builder.result()


# --- HTML ---------------------------------------------------------------------------------

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {
        "p", "li", "div", "section", "article", "header", "footer", "main", "blockquote",
        "td", "th", "tr", "table", "ul", "ol", "dl", "dd", "dt", "pre", "figcaption",
        "caption", "br", "hr", "body", "aside", "address", "figure",
    }
)  # fmt: skip
_DROPPED = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg", "form"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "source", "area"})


class _HtmlPassages(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = _Builder()
        self._buffer: list[str] = []
        self._dropped = 0  # depth inside script/style/nav/...
        self._in_heading = False

    def _flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer = []
        if self._in_heading:
            self.builder.heading(text)
        else:
            self.builder.paragraph(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            if tag not in _VOID:
                self._dropped += 1
            return
        if self._dropped:
            return
        if tag in _HEADINGS:
            self._flush()
            self._in_heading = True
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped = max(0, self._dropped - 1)
            return
        if self._dropped:
            return
        if tag in _HEADINGS:
            self._flush()
            self._in_heading = False
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            self._buffer.append(data)


def extract_html(html: str | bytes) -> list[Passage]:
    """Passages of an HTML page: headings (h1-h6) open sections; paragraphs, list items,
    table cells and other blocks are passages; script, style, nav, forms and the head are
    dropped.

    Raises:
        ExtractionError: the page is not UTF-8 or has no text.
    """
    if isinstance(html, bytes):
        html = _decode(html)
    parser = _HtmlPassages()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.builder.result()


# --- DOCX ---------------------------------------------------------------------------------


def extract_docx(data: bytes) -> list[Passage]:
    """Passages of a Word (DOCX) file: paragraphs styled ``Title`` or ``Heading n`` open
    sections; other paragraphs and each table cell's paragraphs are passages, in body order.

    Raises:
        ExtractionError: the bytes are not a DOCX file or it has no text.
    """

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"not a DOCX file ({type(exc).__name__})") from exc
    except Exception as exc:  # python-docx's PackageNotFoundError and kin
        raise ExtractionError(f"not a DOCX file ({type(exc).__name__})") from exc
    builder = _Builder()

    def paragraph(p: Paragraph) -> None:
        style = (p.style.name if p.style is not None else "") or ""
        if style == "Title" or style.startswith("Heading"):
            builder.heading(p.text)
        else:
            builder.paragraph(p.text)

    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph(Paragraph(child, document))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        paragraph(p)
    return builder.result()


# --- PDF ----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?:;…»”\"')\]]$")


def extract_pdf(data: bytes) -> list[Passage]:
    """Passages of a PDF, page by page: paragraphs are separated by blank lines, or, where
    the text layer has none, end at a line ending a sentence. Words hyphenated across lines
    are joined.

    Raises:
        ExtractionError: not a PDF, encrypted, or no text layer (a scan needs OCR first).
    """

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF: a password is needed")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractionError(f"unreadable PDF: {exc}") from exc
    except Exception as exc:  # pypdf raises assorted errors (and DependencyError) on bad files
        raise ExtractionError(f"unreadable PDF ({type(exc).__name__}): {exc}") from exc
    passages: list[Passage] = []
    for number, text in enumerate(pages, start=1):
        for n, para in enumerate(_pdf_paragraphs(text.splitlines()), start=1):
            passages.append(Passage(f"p{number}¶{n}", para, number, None))
    if not passages:
        raise ExtractionError("no text layer in the PDF (a scanned document needs OCR)")
    return passages


def _pdf_paragraphs(lines: Iterable[str]) -> list[str]:
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = _clean(raw)
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        if _SENTENCE_END.search(line):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
