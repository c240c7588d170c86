"""Decision documents: templates filled with a case's structured data, rendered to PDF.

A decision is drafted in two steps, both pure:

1. :func:`render_decision_text` fills the template ``templates/decisions/<procedure>/
   <outcome>.<language>.j2`` with a :class:`DecisionContext`. The result is plain text in a
   small block markup (below) that the web app shows for preview and editing.
2. :func:`render_pdf` typesets that text (possibly edited) on A4 with the vendored DejaVu
   fonts, so Turkish, Albanian and Cyrillic letters print correctly; Arabic (a name, a
   quoted COI passage) is shaped and reads right to left within its line (``bidi``).

Templates run in Jinja2's immutable sandbox, since administrators write them: attribute
tricks (``{{ ''.__class__ }}``) raise :class:`DocumentError`, and a variable the context lacks
is never printed as empty: every missing name is collected in one pass and reported together.

The block markup, one block per line start (docs/decision-templates.md has the full guide):

- ``# text``: centred heading; ``## text``: section heading;
- ``- text``: list item; ``> text``: quoted passage (cited country-of-origin information);
- ``---`` on its own line: the rest of the document is the signature block, one column per
  group of lines separated by a blank line;
- a blank line ends a paragraph; consecutive lines join into one paragraph;
- ``\\`` at the start of a line keeps the line literal (no block marker);
- inline: ``**bold**``; ``[n]`` marks a citation and must name a cited source's number.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import io
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, NoReturn, NotRequired, TypedDict

import jinja2
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing as jinja_missing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from ura.casework.bidi import paragraph

__all__ = [
    "LANGUAGES",
    "Appeal",
    "Applicant",
    "Assessment",
    "Authority",
    "Block",
    "Citation",
    "DecisionContext",
    "DocumentError",
    "Signatory",
    "TemplateKey",
    "UnknownTemplateError",
    "available_templates",
    "format_date",
    "parse_blocks",
    "render_decision_text",
    "render_pdf",
    "render_template_source",
]

_PACKAGE_DIR: Final = Path(__file__).parent
_TEMPLATE_DIR: Final = _PACKAGE_DIR / "templates"
_FONT_DIR: Final = _PACKAGE_DIR / "fonts"

LANGUAGES: Final = ("en", "sq", "tr")

# Month names in the genitive-free form used in dates ("28 Kasım 2026", "28 nëntor 2026"):
# a table rather than the C library's locales, which servers rarely have installed.
_MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "tr": (
        "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran",
        "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık",
    ),
    "sq": (
        "janar", "shkurt", "mars", "prill", "maj", "qershor",
        "korrik", "gusht", "shtator", "tetor", "nëntor", "dhjetor",
    ),
}  # fmt: skip

_PAGE_LABEL: Final = {"en": "Page {page} of {pages}", "tr": "Sayfa {page} / {pages}",
                      "sq": "Faqja {page} nga {pages}"}  # fmt: skip
_DRAFT_MARK: Final = {"en": "DRAFT — not a decision", "tr": "TASLAK — karar değildir",
                      "sq": "PROJEKT — nuk është vendim"}  # fmt: skip
_SUBJECT: Final = {"en": "Decision {reference}", "tr": "Karar {reference}",
                   "sq": "Vendim {reference}"}  # fmt: skip


class DocumentError(ValueError):
    """A decision document cannot be produced from this template and context.

    Attributes:
        missing: Every variable the template needs and the context lacks, as dotted paths
            (``applicant.nationality``, ``citations[1].url``), in order of first use.
    """

    def __init__(self, message: str, *, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing: tuple[str, ...] = tuple(missing)


class UnknownTemplateError(DocumentError, LookupError):
    """No template exists for the requested procedure, outcome and language."""


class TemplateKey(NamedTuple):
    """Names one decision template: ``decisions/<procedure>/<outcome>.<language>.j2``."""

    procedure: str
    outcome: str
    language: str


# The context a template receives. Dates are ``datetime.date``; a date of birth known only
# partly (a year) may be given as text and is printed as given.


class Authority(TypedDict):
    name: str  # e.g. "T.C. Ankara Valiliği"
    unit: str  # e.g. "İl Göç İdaresi Müdürlüğü"
    place: str  # where the decision is signed, e.g. "Ankara"


class Applicant(TypedDict):
    name: str
    identification_number: str  # foreigner identification number (99-prefixed in Türkiye)
    nationality: str
    date_of_birth: dt.date | str


class Assessment(TypedDict, total=False):
    """Paragraphs per part of the assessment; each template names the parts it requires."""

    material_facts: list[str]
    credibility: list[str]
    well_founded_fear: list[str]
    convention_ground: list[str]
    serious_harm: list[str]
    internal_protection: list[str]
    exclusion: list[str]
    admissibility: list[str]
    withdrawal: list[str]
    indicators: list[str]


class Citation(TypedDict):
    number: int
    title: str
    publisher: str
    date: dt.date | str
    url: str
    passage: str
    # The whole reference in one format (source, title, date, URL, accessed, anchor, quote):
    # the asylum templates print it (ura.apps.asylum.decisions.reference).
    reference: NotRequired[str]


class Appeal(TypedDict):
    court: str
    deadline_days: int  # from the procedure's versioned rules, never from a template


class Signatory(TypedDict):
    name: str
    title: str


class DecisionContext(TypedDict):
    """Everything a decision template may use; ``outcome_details`` varies per outcome."""

    authority: Authority
    reference: str
    decided_on: dt.date
    applicant: Applicant
    facts: list[str]
    assessment: Assessment
    citations: list[Citation]
    outcome_details: Mapping[str, Any]
    appeal: NotRequired[Appeal]
    drafter: Signatory
    approver: Signatory


def format_date(value: dt.date | str, language: str) -> str:
    """Write a date the way a decision in ``language`` writes it.

    Args:
        value: A date, or text (a partly known date) returned unchanged.
        language: ``en``, ``tr`` or ``sq``.

    Returns:
        For example ``28 November 2026``, ``28 Kasım 2026`` or ``28 nëntor 2026``.

    Raises:
        DocumentError: The language has no month names.
    """
    if isinstance(value, str):
        return value
    try:
        months = _MONTHS[language]
    except KeyError:
        raise DocumentError(f"no month names for language {language!r}") from None
    return f"{value.day} {months[value.month - 1]} {value.year}"


# --- Template rendering -------------------------------------------------------------------


@dataclass
class _RenderState:
    paths: dict[int, str]
    missing: list[str] = field(default_factory=list)


_render_state: contextvars.ContextVar[_RenderState | None] = contextvars.ContextVar(
    "ura_document_render_state", default=None
)


class _CollectingUndefined(jinja2.Undefined):
    """A strict undefined that, while a render is collecting, records the name and goes on.

    Outside a collecting render it behaves as ``jinja2.StrictUndefined``: printing, iterating,
    testing or comparing it raises. Rendering once and listing every missing name spares the
    drafter a fix-and-retry loop. Unsafe attributes (the sandbox's SecurityError) always
    raise at once.
    """

    __slots__ = ()

    def _record(self) -> bool:
        state = _render_state.get()
        if state is None or issubclass(self._undefined_exception, SecurityError):
            return False
        name = self._undefined_name
        if self._undefined_obj is jinja_missing:
            path = str(name) if name is not None else (self._undefined_hint or "?")
        else:
            parent = state.paths.get(id(self._undefined_obj), type(self._undefined_obj).__name__)
            path = f"{parent}[{name}]" if isinstance(name, int) else f"{parent}.{name}"
        if path not in state.missing:
            state.missing.append(path)
        return True

    def _record_or_fail(self) -> None:
        if not self._record():
            super()._fail_with_undefined_error()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Arithmetic, calls and the like stop the render; the name is still reported.
        self._record()
        super()._fail_with_undefined_error(*args, **kwargs)

    # jinja2.Undefined binds these to its own method; rebind them to the recording one.
    __add__ = __radd__ = __sub__ = __rsub__ = _fail_with_undefined_error
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _fail_with_undefined_error
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail_with_undefined_error
    __pos__ = __neg__ = __call__ = __pow__ = __rpow__ = _fail_with_undefined_error
    __lt__ = __le__ = __gt__ = __ge__ = _fail_with_undefined_error
    __int__ = __float__ = __complex__ = _fail_with_undefined_error

    def __str__(self) -> str:
        self._record_or_fail()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._record_or_fail()
        return iter(())

    def __len__(self) -> int:
        self._record_or_fail()
        return 0

    def __bool__(self) -> bool:
        self._record_or_fail()
        return False

    def __contains__(self, item: object) -> bool:
        self._record_or_fail()
        return False

    def __eq__(self, other: object) -> bool:
        self._record_or_fail()
        return False

    def __ne__(self, other: object) -> bool:
        self._record_or_fail()
        return True

    def __hash__(self) -> int:
        return id(self)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        self._record_or_fail()
        return self

    def __getitem__(self, key: object) -> Any:
        self._record_or_fail()
        return self


def _index_paths(value: object, path: str, paths: dict[int, str]) -> None:
    if isinstance(value, Mapping):
        paths[id(value)] = path
        for key, item in value.items():
            _index_paths(item, f"{path}.{key}" if path else str(key), paths)
    elif isinstance(value, list | tuple):
        paths[id(value)] = path
        for index, item in enumerate(value):
            _index_paths(item, f"{path}[{index}]", paths)


def _one_line(value: object) -> object:
    # A value never starts a new block: its line breaks become spaces, so case data cannot
    # inject headings or a signature separator into the document's structure.
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, Mapping):
        return {key: _one_line(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_one_line(item) for item in value]
    return value


@jinja2.pass_context
def _date_filter(context: jinja2.runtime.Context, value: object) -> str:
    if isinstance(value, jinja2.Undefined):
        return str(value)
    if not isinstance(value, dt.date | str):
        raise DocumentError(f"not a date: {value!r}")
    return format_date(value, str(context.get("language", "en")))


def _make_environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(_TEMPLATE_DIR),
        undefined=_CollectingUndefined,
        # The output is the block markup, never HTML: render_pdf escapes it for reportlab.
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["date"] = _date_filter
    return environment


_ENVIRONMENT: Final = _make_environment()
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CITATION_MARK = re.compile(r"\[(\d{1,3})\]")


def available_templates() -> list[TemplateKey]:
    """List the decision templates shipped with Ura.

    Returns:
        One key per ``decisions/<procedure>/<outcome>.<language>.j2`` file, sorted. Files
        whose names start with ``_`` are shared layouts, not decisions, and are left out.
    """
    keys = []
    for path in (_TEMPLATE_DIR / "decisions").glob("*/*.j2"):
        outcome, _, language = path.stem.rpartition(".")
        if outcome and not outcome.startswith("_"):
            keys.append(TemplateKey(path.parent.name, outcome, language))
    return sorted(keys)


def render_decision_text(
    procedure: str, outcome: str, language: str, context: Mapping[str, Any]
) -> str:
    """Fill a decision template with a case's data.

    Args:
        procedure: ``asylum`` or ``trafficking``.
        outcome: e.g. ``refugee``, ``rejected``, ``identified_victim``.
        language: ``tr``, ``en`` or ``sq``.
        context: A :class:`DecisionContext` (any mapping with its keys).

    Returns:
        The decision in the block markup, ready for preview, editing and :func:`render_pdf`.

    Raises:
        UnknownTemplateError: No template for this procedure, outcome and language.
        DocumentError: Variables are missing (all listed in ``missing``), a citation marker
            names no cited source, or the template is invalid or unsafe.
    """
    key = TemplateKey(procedure, outcome, language)
    if not all(_NAME.fullmatch(part) for part in key) or key not in available_templates():
        known = ", ".join("/".join(k) for k in available_templates())
        raise UnknownTemplateError(
            f"no decision template for {procedure}/{outcome} in {language!r}; known: {known}"
        )
    try:
        template = _ENVIRONMENT.get_template(f"decisions/{procedure}/{outcome}.{language}.j2")
    except TemplateError as error:
        raise DocumentError(f"template {'/'.join(key)} is invalid: {error}") from error
    return _render(template, language, context)


def render_template_source(source: str, *, language: str, context: Mapping[str, Any]) -> str:
    """Fill a template given as text, e.g. an administrator's edit before it is saved.

    The text may ``{% extends %}`` the shipped layouts (``decisions/asylum/_base.en.j2``).

    Args:
        source: Template text in Jinja2 syntax producing the block markup.
        language: Language of the decision, used for dates.
        context: A :class:`DecisionContext`.

    Returns:
        The filled text, as :func:`render_decision_text` returns it.

    Raises:
        DocumentError: Syntax errors, unsafe attribute access, missing variables or
            citation markers without a source.
    """
    try:
        template = _ENVIRONMENT.from_string(source)
    except TemplateError as error:
        raise DocumentError(f"template is invalid: {error}") from error
    return _render(template, language, context)


def _render(template: jinja2.Template, language: str, context: Mapping[str, Any]) -> str:
    variables = {key: _one_line(value) for key, value in context.items()}
    variables["language"] = language
    state = _RenderState(paths={})
    _index_paths(variables, "", state.paths)
    token = _render_state.set(state)
    try:
        text = template.render(variables)
    except SecurityError as error:
        raise DocumentError(f"template refused by the sandbox: {error}") from error
    except (TemplateError, TypeError, ValueError) as error:
        if not state.missing:
            raise DocumentError(f"template failed: {error}") from error
        text = ""
    finally:
        _render_state.reset(token)
    if state.missing:
        raise DocumentError("missing variables: " + ", ".join(state.missing), missing=state.missing)
    text = _tidy(text)
    _check_citations(text, context)
    return text


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def _check_citations(text: str, context: Mapping[str, Any]) -> None:
    citations = context.get("citations") or ()
    cited = {str(citation.get("number")) for citation in citations}
    # The words of a cited source are not the drafter's markers: a COI report quoted with its
    # own footnote numbers ("... on arrival.[12]") names no source of the decision.
    for citation in citations:
        for key in ("reference", "passage"):
            quoted = " ".join(str(citation.get(key) or "").split())
            if quoted:
                text = text.replace(quoted, " ")
    unknown = sorted({m for m in _CITATION_MARK.findall(text) if m not in cited}, key=int)
    if unknown:
        marks = ", ".join(f"[{number}]" for number in unknown)
        raise DocumentError(f"citation markers without a cited source: {marks}")


# --- Block markup -------------------------------------------------------------------------

BlockKind = Literal["heading", "subheading", "paragraph", "item", "quote", "signature"]


@dataclass(frozen=True)
class Block:
    """One block of a decision's text.

    Attributes:
        kind: What the block is (see the module docstring for its marker).
        lines: The block's text; one entry except for a signature column.
    """

    kind: BlockKind
    lines: tuple[str, ...]


_MARKERS: Final[tuple[tuple[str, BlockKind], ...]] = (
    ("## ", "subheading"),
    ("# ", "heading"),
    ("- ", "item"),
    ("> ", "quote"),
)


def parse_blocks(text: str) -> list[Block]:
    """Split decision text in the block markup into blocks.

    Args:
        text: Text as :func:`render_decision_text` returns it, possibly edited.

    Returns:
        The blocks in order; signature columns come last.
    """
    blocks: list[Block] = []
    kind: BlockKind | None = None
    current: list[str] = []

    def flush() -> None:
        nonlocal kind
        if kind is not None and current:
            joined = " ".join(current)
            blocks.append(Block(kind, (joined,)))
        current.clear()
        kind = None

    lines = text.splitlines()
    for index, raw in enumerate(lines):
        line = raw.strip()
        if line == "---":
            flush()
            blocks.extend(_signature(lines[index + 1 :]))
            return blocks
        if not line:
            flush()
            continue
        if line.startswith("\\"):
            if kind is None:
                kind = "paragraph"
            current.append(line[1:])
            continue
        for marker, marked_kind in _MARKERS:
            if line.startswith(marker) or line == marker.strip():
                flush()
                kind = marked_kind
                current.append(line[len(marker) :].strip())
                if marked_kind in ("heading", "subheading"):
                    flush()
                break
        else:
            if kind is None:
                kind = "paragraph"
            current.append(line)
    flush()
    return blocks


def _signature(lines: Sequence[str]) -> list[Block]:
    columns: list[Block] = []
    column: list[str] = []
    for raw in [*lines, ""]:
        line = raw.strip()
        if line:
            column.append(line.removeprefix("\\"))
        elif column:
            columns.append(Block("signature", tuple(column)))
            column = []
    return columns


# --- PDF ----------------------------------------------------------------------------------

_FONT: Final = "UraSans"
_FONT_BOLD: Final = "UraSans-Bold"
_font_lock = threading.Lock()


def _register_fonts() -> None:
    with _font_lock:
        if _FONT in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(_FONT, str(_FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(_FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            _FONT, normal=_FONT, bold=_FONT_BOLD, italic=_FONT, boldItalic=_FONT_BOLD
        )


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=_FONT, fontSize=10, leading=14, spaceAfter=6)
    return {
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=_FONT_BOLD, fontSize=12, leading=16,
            alignment=TA_CENTER, spaceAfter=2,
        ),
        "subheading": ParagraphStyle(
            "subheading", parent=body, fontName=_FONT_BOLD, fontSize=10.5, spaceBefore=8,
            spaceAfter=4,
        ),
        "paragraph": body,
        "item": ParagraphStyle("item", parent=body, leftIndent=6 * mm, bulletIndent=1 * mm,
                               spaceAfter=2),
        "quote": ParagraphStyle(
            "quote", parent=body, fontSize=9, leading=12.5, leftIndent=10 * mm,
            rightIndent=6 * mm, textColor=colors.HexColor("#333333"),
        ),
        "signature": ParagraphStyle("signature", parent=body, leading=15),
    }  # fmt: skip


def _inline(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)


def _flowables(blocks: Sequence[Block]) -> list[Any]:
    styles = _styles()
    story: list[Any] = []
    signature: list[Any] = []
    for block in blocks:
        if block.kind == "signature":
            signature.append(
                paragraph("<br/>".join(map(_inline, block.lines)), styles["signature"])
            )
        elif block.kind == "item":
            story.append(paragraph(_inline(block.lines[0]), styles["item"], bulletText="•"))
        else:
            story.append(paragraph(_inline(block.lines[0]), styles[block.kind]))
    if signature:
        rows = [signature[i : i + 2] for i in range(0, len(signature), 2)]
        rows[-1] += [""] * (2 - len(rows[-1]))
        table = Table(rows, colWidths=["50%", "50%"])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 12)]))  # fmt: skip
        story += [Spacer(1, 10 * mm), table]
    return story


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type information
    """Defers each page until the page count is known, to print "page x of y"."""

    def __init__(self, *args: Any, page_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_label = page_label
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802  # reportlab's name
        # ReportLab's own "page x of y" recipe: keep the page's state, start a fresh page.
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self.setFont(_FONT, 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawCentredString(
                A4[0] / 2, 10 * mm, self._page_label.format(page=number, pages=total)
            )
            super().showPage()
        super().save()


def render_pdf(text: str, *, title: str, reference: str, language: str, draft: bool) -> bytes:
    """Typeset decision text on A4.

    The output is deterministic (reportlab's invariant mode: no timestamps or random ids),
    so identical input gives identical bytes and the checksum can be stored with the decision.

    Args:
        text: The decision in the block markup (from :func:`render_decision_text`).
        title: Document title, shown in the header and in the PDF metadata.
        reference: The decision's reference number, shown on every page.
        language: ``tr``, ``en`` or ``sq``: page labels, draft mark and metadata language.
        draft: Mark every page "DRAFT — not a decision" (in ``language``), diagonally and
            in the header; for drafts awaiting the second person's approval.

    Returns:
        The PDF file's bytes.

    Raises:
        DocumentError: The language is not supported.
    """
    if language not in LANGUAGES:
        raise DocumentError(f"unsupported language {language!r}; known: {', '.join(LANGUAGES)}")
    _register_fonts()
    mark = _DRAFT_MARK[language]

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFont(_FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(doc.leftMargin, height - 12 * mm, title)
        canvas.drawRightString(width - doc.rightMargin, height - 12 * mm, reference)
        if draft:
            canvas.setFillColor(colors.HexColor("#b00020"))
            canvas.setFont(_FONT_BOLD, 9)
            canvas.drawCentredString(width / 2, height - 17 * mm, mark)
            canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.15))
            canvas.setFont(_FONT_BOLD, 44)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, mark)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=title,
        subject=_SUBJECT[language].format(reference=reference),
        author="",
        creator="Ura",
        lang=language,
        displayDocTitle=True,
        invariant=1,
    )
    canvasmaker = functools.partial(_NumberedCanvas, page_label=_PAGE_LABEL[language])
    document.build(
        _flowables(parse_blocks(text)),
        onFirstPage=decorate,
        onLaterPages=decorate,
        canvasmaker=canvasmaker,
    )
    return buffer.getvalue()
