"""The migration profile as PDF (reportlab): title page, contents, sections, flagged tables,
charts, source notes and a legend of the flag symbols.

Charts are drawn with reportlab's graphics from the data of the same Vega-Lite specs the pages
embed (Vega needs a browser; ``vl-convert`` is not available offline): lines over time, bars
by citizenship and the tile grid of provinces. Text is set in DejaVu Sans, the fonts that
``ura.casework`` ships for decision PDFs, so Turkish and Albanian letters print. Arabic is
shaped and put in reading order by ``ura.casework.bidi`` (arabic-reshaper and python-bidi): a
report in Arabic (``locale="ar"``) is set right to left — paragraphs right-aligned, tables'
columns mirrored, the page header swapped — and an Arabic name in another language's report
reads right to left inside its line.
"""

from __future__ import annotations

import contextvars
import io
import math
import threading
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Final

from babel.numbers import format_decimal
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from ura.casework import bidi
from ura.stats.outputs.charts import NUTS1_REGIONS
from ura.stats.outputs.tabular import FLAG_SYMBOLS, NOT_AVAILABLE
from ura.stats.profile.highlights import Translate, gettext_noop, untranslated
from ura.stats.profile.report import (
    ChartBlock,
    DataGapList,
    Heading,
    HighlightList,
    Report,
    SourceNote,
    TableBlock,
    TextBlock,
)

_FONT: Final = "UraStatsSans"
_FONT_BOLD: Final = "UraStatsSans-Bold"
_font_lock = threading.Lock()
_PALETTE: Final = (
    "#1f5f99", "#d9822b", "#3a8f4a", "#b03a48", "#6b4c9a", "#8c6d31", "#2a9d9d", "#7f7f7f",
    "#c9a227", "#4f6d8f", "#a0522d", "#5c946e",
)  # fmt: skip

CONTENTS: Final = gettext_noop("Contents")
DRAFT: Final = gettext_noop("Draft: not for publication")
NOT_WRITTEN: Final = gettext_noop("Not yet written.")
NOT_PUBLISHED: Final = gettext_noop("Not yet published.")
LEGEND_TITLE: Final = gettext_noop("Symbols used in the tables")
NOT_AVAILABLE_TEXT: Final = gettext_noop("not available (suppressed or no figure)")
NO_GAPS: Final = gettext_noop("Every data item of the report could be filled.")
MORE_ROWS: Final = gettext_noop("%(count)s smaller row(s) not shown; the full table is published.")
PERIOD_LINE: Final = gettext_noop("Reference period: %(period)s")
EDITION_LINE: Final = gettext_noop("Edition: %(edition)s. Data as of %(date)s.")
PAGE: Final = gettext_noop("Page %(page)s")
UNIT_LINE: Final = gettext_noop("Unit: %(unit)s.")
#: The units of the shared long format (SDMX CL_UNIT), in words.
UNIT_NAMES: Final = {
    "PER": gettext_noop("persons"),
    "NR": gettext_noop("number"),
    "PC": gettext_noop("percent"),
    "PER_THS_RES": gettext_noop("per 1,000 residents"),
}
FLAG_MEANINGS: Final = {
    "c": gettext_noop("confidential: suppressed to protect persons"),
    "r": gettext_noop("rounded (controlled rounding): totals may differ from sums"),
    "p": gettext_noop("provisional"),
    "e": gettext_noop("estimated"),
}
assert set(FLAG_MEANINGS) == set(FLAG_SYMBOLS)  # noqa: S101  # the outputs' legend, same symbols


def _register_fonts() -> None:
    with _font_lock:
        if _FONT in pdfmetrics.getRegisteredFontNames():
            return
        fonts = resources.files("ura.casework") / "fonts"
        pdfmetrics.registerFont(TTFont(_FONT, str(fonts / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            _FONT, normal=_FONT, bold=_FONT_BOLD, italic=_FONT, boldItalic=_FONT_BOLD
        )


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=_FONT, fontSize=9.5, leading=13, spaceAfter=5)
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=_FONT_BOLD, fontSize=24, leading=30, spaceAfter=12
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=18),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=_FONT_BOLD, fontSize=15, leading=20, spaceBefore=6,
            spaceAfter=8, textColor=colors.HexColor("#1f3d5c"),
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=_FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8,
            spaceAfter=4,
        ),
        "item": ParagraphStyle(
            "item", parent=body, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=3
        ),
        "missing": ParagraphStyle(
            "missing", parent=body, textColor=colors.HexColor("#9a3b00")
        ),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=7.5, leading=10, textColor=colors.HexColor("#444444")
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
        "draft": ParagraphStyle(
            "draft", parent=body, fontName=_FONT_BOLD, textColor=colors.HexColor("#b00020")
        ),
        "toc1": ParagraphStyle("toc1", parent=body, fontSize=10.5, leading=16),
    }  # fmt: skip


#: Whether the report being rendered is in a right-to-left language (set by render_pdf).
_rtl: contextvars.ContextVar[bool] = contextvars.ContextVar("profile_pdf_rtl", default=False)


def _para(text: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph of the report: Arabic shaped and in reading order (ura.casework.bidi)."""
    return bidi.paragraph(text, style, rtl=_rtl.get(), **kwargs)


def _label(text: str) -> str:
    """One line drawn directly (chart labels, page header): shaped and reordered."""
    return bidi.visual(text, "R" if _rtl.get() else "L")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab has no type information
    """Registers each section heading with the table of contents."""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802  # reportlab's name
        if isinstance(flowable, Paragraph) and flowable.style.name in ("h1", "h1-rtl"):
            # Arabic headings are shaped already; the contents line is one line, reordered.
            text = flowable.getPlainText()
            self.notify("TOCEntry", (0, bidi.reorder(text) if _rtl.get() else text, self.page))


def render_pdf(report: Report, *, translate: Translate = untranslated, locale: str = "en") -> bytes:
    """Typeset the report on A4.

    Deterministic (reportlab's invariant mode): the same report gives the same bytes.

    Args:
        report: The report (:func:`~ura.stats.profile.report.build_report`).
        translate: The message translator (Django's ``gettext`` in the app).
        locale: The locale for numbers (``tr``: ``1.234``); a right-to-left language
            (``ar``) sets the report right to left.

    Returns:
        The PDF file's bytes.
    """
    token = _rtl.set(bidi.is_rtl_language(locale))
    try:
        return _render(report, translate, locale)
    finally:
        _rtl.reset(token)


def _render(report: Report, translate: Translate, locale: str) -> bytes:
    _register_fonts()
    rtl = _rtl.get()
    styles = _styles()
    _ = translate
    meta = report.meta
    draft = not (meta.final and report.can_be_final)
    header = f"{_(report.title)} — {meta.country} — {meta.period}"

    def decorate(canvas: Any, doc: Any) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFont(_FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        start, end = doc.leftMargin, width - doc.rightMargin
        if rtl:  # the header reads from the right
            canvas.drawRightString(end, height - 12 * mm, _label(header))
        else:
            canvas.drawString(start, height - 12 * mm, _label(header))
        if draft:
            canvas.setFillColor(colors.HexColor("#b00020"))
            if rtl:
                canvas.drawString(start, height - 12 * mm, _label(_(DRAFT)))
            else:
                canvas.drawRightString(end, height - 12 * mm, _label(_(DRAFT)))
            canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(width / 2, 10 * mm, _label(_(PAGE) % {"page": doc.page}))
        canvas.restoreState()

    buffer = io.BytesIO()
    document = _Document(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
        bottomMargin=18 * mm, title=f"{_(report.title)}: {meta.country} {meta.period}",
        author=_(meta.source), invariant=1,
    )  # fmt: skip
    frame = Frame(
        document.leftMargin, document.bottomMargin, document.width, document.height, id="body"
    )
    document.addPageTemplates(
        [
            PageTemplate(id="title", frames=[frame]),
            PageTemplate(id="body", frames=[frame], onPage=decorate),
        ]
    )
    story: list[Any] = [Spacer(1, 50 * mm), _para(_escape(_(report.title)), styles["title"])]
    story.append(_para(_escape(meta.country), styles["subtitle"]))
    story.append(_para(_escape(_(PERIOD_LINE) % {"period": meta.period}), styles["subtitle"]))
    story.append(Spacer(1, 8 * mm))
    story.append(
        _para(
            _escape(_(EDITION_LINE) % {"edition": meta.edition, "date": meta.reference_date}),
            styles["body"],
        )
    )
    if draft:
        story.append(_para(_escape(_(DRAFT)), styles["draft"]))
    story += [NextPageTemplate("body"), PageBreak()]
    contents = TableOfContents()
    contents.levelStyles = [styles["toc1"]]
    story += [_para(_escape(_(CONTENTS)), styles["h2"]), contents, PageBreak()]
    flags: set[str] = set()
    for section in report.sections:
        for block in section.blocks:
            story += _block(block, section.part, styles, translate, locale)
            if isinstance(block, TableBlock):
                flags |= block.flags
        story.append(Spacer(1, 6 * mm))
    story += _legend(flags, styles, translate)
    document.multiBuild(story)
    return buffer.getvalue()


def _block(
    block: Any, part: str, styles: Mapping[str, ParagraphStyle], _: Translate, locale: str
) -> list[Any]:
    if isinstance(block, Heading):
        prefix = "" if part == "summary" else f"{part}. "
        return [_para(_escape(prefix + _(block.text)), styles["h1"])]
    if isinstance(block, TextBlock):
        out: list[Any] = [_para(_escape(_(block.label)), styles["h2"])]
        if block.missing:
            note = NOT_PUBLISHED if block.unpublished else NOT_WRITTEN
            return [*out, _para(_escape(_(note)), styles["missing"])]
        for paragraph in block.text.split("\n\n"):
            out.append(_para(_escape(paragraph).replace("\n", "<br/>"), styles["body"]))
        return out
    if isinstance(block, HighlightList):
        return [
            _para(_escape(h.text(_, locale)), styles["item"], bulletText="•")
            for h in block.highlights
        ]
    if isinstance(block, TableBlock):
        return _table(block, styles, _, locale)
    if isinstance(block, ChartBlock):
        return [KeepTogether([_para(_escape(_(block.title)), styles["h2"]), _chart(block, locale)])]
    if isinstance(block, SourceNote):
        return [_para(_escape(block.message.text(_)), styles["small"])]
    if isinstance(block, DataGapList):
        if not block.gaps:
            return [_para(_escape(_(NO_GAPS)), styles["body"])]
        return [
            _para(
                _escape(f"{_(gap.section)} — {_(gap.item)}: {gap.reason.text(_)}"),
                styles["item"],
                bulletText="•",
            )
            for gap in block.gaps
        ]
    return []


def _number(value: float, locale: str) -> str:
    pattern = "#,##0" if float(value).is_integer() else "#,##0.0#"
    return format_decimal(value, format=pattern, locale=locale)


def _table(
    block: TableBlock, styles: Mapping[str, ParagraphStyle], _: Translate, locale: str
) -> list[Any]:
    cell = styles["cell"]
    header = [_para("", cell)] + [_para(f"<b>{_escape(c)}</b>", cell) for c in block.columns]
    rows: list[list[Any]] = [header]
    for row in block.rows:
        label = _escape(_(row.label) if row.total else row.label)
        line: list[Any] = [_para(f"<b>{label}</b>" if row.total else label, cell)]
        for value in row.cells:
            shown = NOT_AVAILABLE if value.value is None else _number(value.value, locale)
            flag = f" <font size=6>{value.flags}</font>" if value.flags else ""
            line.append(_para(f"{shown}{flag}", cell))
        rows.append(line)
    first = 55 * mm
    rest = (A4[0] - 40 * mm - first) / max(len(block.columns), 1)
    widths = [first] + [rest] * len(block.columns)
    numbers = ("ALIGN", (1, 0), (-1, -1), "RIGHT")
    if _rtl.get():  # the row labels on the right, the periods read from the right
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
        numbers = ("ALIGN", (0, 0), (-2, -1), "RIGHT")
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        numbers,
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#333333")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f8")]),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if block.rows and block.rows[-1].total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.4, colors.HexColor("#333333")))
    table.setStyle(TableStyle(style))
    unit = _(UNIT_NAMES[block.unit]) if block.unit in UNIT_NAMES else block.unit
    notes = [_(UNIT_LINE) % {"unit": unit}] if block.unit else []
    if block.omitted_rows:
        notes.append(_(MORE_ROWS) % {"count": block.omitted_rows})
    out: list[Any] = [_para(_escape(_(block.title)), styles["h2"]), table]
    if notes:
        out.append(_para(_escape(" ".join(notes)), styles["small"]))
    return out


def _legend(flags: set[str], styles: Mapping[str, ParagraphStyle], _: Translate) -> list[Any]:
    lines = []
    if NOT_AVAILABLE in flags:
        lines.append((NOT_AVAILABLE, _(NOT_AVAILABLE_TEXT)))
    lines += [(symbol, _(FLAG_MEANINGS[symbol])) for symbol in FLAG_MEANINGS if symbol in flags]
    if not lines:
        return []
    out: list[Any] = [_para(_escape(_(LEGEND_TITLE)), styles["h2"])]
    for symbol, meaning in lines:
        out.append(_para(f"<b>{_escape(symbol)}</b> — {_escape(meaning)}", styles["body"]))
    return out


# --- charts ---------------------------------------------------------------------------------


def _string(x: float, y: float, text: str, **kwargs: Any) -> String:
    """A chart label, Arabic shaped and in reading order."""
    return String(x, y, _label(text), **kwargs)


_WIDTH: Final = float(A4[0] - 40 * mm)


def _chart(block: ChartBlock, locale: str) -> Drawing:
    values: Sequence[Mapping[str, Any]] = block.spec.get("data", {}).get("values", [])
    subtitle = block.spec.get("title", {}).get("subtitle", [])
    if block.chart == "time_series":
        drawing = _line_chart(values, locale)
    elif block.chart == "nationality_bar":
        drawing = _bar_chart(values, locale)
    else:
        drawing = _tile_chart(values, locale)
    for n, line in enumerate(subtitle):
        drawing.add(_string(0, -10 - 9 * n, str(line), fontName=_FONT, fontSize=6.5))
    drawing.height += 0  # the subtitle lines hang below the origin
    drawing.translate(0, 10 + 9 * len(subtitle))
    drawing.height += 10 + 9 * len(subtitle)
    return drawing


def _line_chart(values: Sequence[Mapping[str, Any]], locale: str) -> Drawing:
    height = 170.0
    drawing = Drawing(_WIDTH, height + 40)
    periods = sorted({str(v["TIME_PERIOD"]) for v in values})
    series = list(dict.fromkeys(str(v.get("series", "")) for v in values))
    top = _nice(max((float(v["value"]) for v in values), default=1.0))
    left, bottom, plot_w = 48.0, 30.0, _WIDTH - 48.0 - 150.0
    drawing.add(Line(left, bottom, left, bottom + height, strokeWidth=0.5))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeWidth=0.5))
    for tick in range(5):
        y = bottom + height * tick / 4
        drawing.add(Line(left - 3, y, left, y, strokeWidth=0.5))
        label = _number(round(top * tick / 4), locale)
        drawing.add(
            _string(left - 5, y - 2.5, label, fontName=_FONT, fontSize=6.5, textAnchor="end")
        )

    def x(period: str) -> float:
        return left + (plot_w * periods.index(period) / max(len(periods) - 1, 1))

    step = max(1, len(periods) // 12)
    for period in periods[::step]:
        drawing.add(
            _string(
                x(period), bottom - 10, period, fontName=_FONT, fontSize=6.5, textAnchor="middle"
            )
        )
    for n, name in enumerate(series):
        colour = colors.HexColor(_PALETTE[n % len(_PALETTE)])
        points = sorted(
            (x(str(v["TIME_PERIOD"])), bottom + height * float(v["value"]) / top)
            for v in values
            if str(v.get("series", "")) == name
        )
        if len(points) > 1:
            drawing.add(
                PolyLine([c for p in points for c in p], strokeColor=colour, strokeWidth=1.2)
            )
        for px, py in points:
            drawing.add(Rect(px - 1.2, py - 1.2, 2.4, 2.4, fillColor=colour, strokeColor=None))
        if name:
            ly = bottom + height - 10 * n
            drawing.add(Rect(left + plot_w + 10, ly, 8, 4, fillColor=colour, strokeColor=None))
            drawing.add(_string(left + plot_w + 22, ly, name[:44], fontName=_FONT, fontSize=6.5))
    return drawing


def _nice(highest: float) -> float:
    """The axis maximum: the next 1, 2, 2.5 or 5 times a power of ten, in four steps."""
    if highest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(highest / 4))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power * 4 >= highest)
    return float(step * 4)


def _bar_chart(values: Sequence[Mapping[str, Any]], locale: str) -> Drawing:
    bar, gap = 11.0, 3.0
    drawing = Drawing(_WIDTH, len(values) * (bar + gap) + 10)
    top = max((float(v["value"]) for v in values), default=1.0) or 1.0
    left, plot_w = 130.0, _WIDTH - 130.0 - 60.0
    for n, record in enumerate(values):
        y = drawing.height - (n + 1) * (bar + gap)
        width = plot_w * float(record["value"]) / top
        drawing.add(
            _string(
                left - 5,
                y + 3,
                str(record.get("name", ""))[:30],
                fontName=_FONT,
                fontSize=7,
                textAnchor="end",
            )
        )
        drawing.add(
            Rect(left, y, width, bar, fillColor=colors.HexColor(_PALETTE[0]), strokeColor=None)
        )
        label = _number(float(record["value"]), locale) + (
            f" {record['flags']}" if record.get("flags") else ""
        )
        drawing.add(_string(left + width + 4, y + 3, label, fontName=_FONT, fontSize=7))
    return drawing


def _tile_chart(values: Sequence[Mapping[str, Any]], locale: str) -> Drawing:
    columns = len(NUTS1_REGIONS)
    rows = max((int(v["row"]) for v in values), default=1)
    tile_w, tile_h = _WIDTH / columns, 16.0
    drawing = Drawing(_WIDTH, rows * tile_h + 46)
    known = [float(v["value"]) for v in values if v.get("value") is not None]
    top = max(known, default=1.0) or 1.0
    for n, name in enumerate(NUTS1_REGIONS.values()):
        label = _string(
            n * tile_w + 2, drawing.height - 10, name[:16], fontName=_FONT, fontSize=5.5
        )
        drawing.add(label)
    light, dark = colors.HexColor("#deebf7"), colors.HexColor("#08519c")
    for record in values:
        x = int(record["column"]) * tile_w
        y = drawing.height - 18 - int(record["row"]) * tile_h
        value = record.get("value")
        if value is None:
            fill = colors.HexColor("#dddddd")
        else:
            fill = colors.linearlyInterpolatedColor(light, dark, 0, 1, float(value) / top)
        drawing.add(Rect(x, y, tile_w - 1, tile_h - 1, fillColor=fill, strokeColor=colors.white))
        text_colour = (
            colors.white if value is not None and float(value) > 0.6 * top else colors.black
        )
        drawing.add(
            _string(
                x + 1.5,
                y + 8,
                str(record["name"])[:13],
                fontName=_FONT,
                fontSize=5,
                fillColor=text_colour,
            )
        )
        shown = NOT_AVAILABLE if value is None else _number(float(value), locale)
        drawing.add(
            _string(x + 1.5, y + 2, shown, fontName=_FONT, fontSize=5, fillColor=text_colour)
        )
    # The scale: lightest to darkest.
    drawing.add(Rect(0, 2, 60, 6, fillColor=light, strokeColor=None))
    drawing.add(Rect(60, 2, 60, 6, fillColor=dark, strokeColor=None))
    drawing.add(_string(0, 10, "0", fontName=_FONT, fontSize=5.5))
    drawing.add(
        _string(120, 10, _number(top, locale), fontName=_FONT, fontSize=5.5, textAnchor="end")
    )
    return drawing
