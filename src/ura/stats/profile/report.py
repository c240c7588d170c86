"""The report model: a migration profile built from a template, protected tables and texts.

:func:`build_report` walks the template's sections and turns each block into report blocks:
analyst texts, highlight lists, cross-tables with flags, charts (Vega-Lite specs of
``ura.stats.outputs.charts``) and source notes. A data item that cannot be filled (table not
given, period missing, every figure confidential) becomes a **data gap**, listed in the
section that holds the ``data_gaps`` block (part D). Renderers: :mod:`.pdf` and :mod:`.html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pandas as pd

from ura.stats.definitions import load_definitions
from ura.stats.outputs import charts
from ura.stats.outputs.meta import SUPPRESSED, OutputError, code_name, protection_text
from ura.stats.outputs.tabular import cell_flags
from ura.stats.profile import highlights as hl
from ura.stats.profile.highlights import (
    Highlight,
    HighlightError,
    HighlightUnavailable,
    Translate,
    gettext_noop,
)
from ura.stats.profile.template import (
    ChartItem,
    DataGapsItem,
    HighlightItem,
    KeyHighlights,
    ProfileTemplate,
    SectionTemplate,
    TableItem,
    TextSlot,
)
from ura.stats.reference.subdivisions import (
    ReferenceDataError,
    SubdivisionTable,
    foreigners_per_thousand,
    load_turkiye_provinces,
)
from ura.stats.reference.unhcr import CITATION, COUNTRY_NOTES

NOT_COMPUTED: Final = gettext_noop("table %(table)s was not computed for this report")
NOT_SHOWN: Final = gettext_noop("%(table)s cannot be shown: %(error)s")
NO_FIGURES: Final = gettext_noop("table %(table)s has no published figures for %(period)s")
SOURCE_URA: Final = gettext_noop(
    "Source: %(source)s, table %(table)s (version %(version)s). Disclosure control: %(protection)s."
)
SOURCE_UNHCR: Final = gettext_noop("Source: %(citation)s")
DEFAULT_SOURCE: Final = gettext_noop("Ura migration statistics")
RECOGNITION_RATE: Final = gettext_noop("First-instance recognition rate")
PERSONS_AND_EVENTS: Final = gettext_noop("Persons and apprehensions")
TOTAL_ROW: Final = gettext_noop("Total")
#: How many periods a cross-table shows across, the latest last.
MAX_PERIODS: Final = 6
#: Highlights in the executive summary.
KEY_HIGHLIGHTS: Final = 8


class ReportError(ValueError):
    """The report cannot be built as asked (a final report lacks a required text)."""


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """Who the report is about and when.

    Attributes:
        country: The country profiled ("Türkiye", "Kosovo").
        period: The reference period, an SDMX code (``2024``); tables must hold it and, for
            the changes, the same period a year before.
        reference_date: The date the data were extracted (ISO text).
        edition: The edition ("2025 edition", "1.0").
        source: The producer named in the source notes.
        final: A final report; refused while a required text is missing.
        published_texts: The texts given are the published ones only: a slot without text
            reads "not yet published" rather than "not yet written".
    """

    country: str
    period: str
    reference_date: str
    edition: str
    source: str = DEFAULT_SOURCE
    final: bool = False
    published_texts: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """A message id with its values, translated when rendered."""

    template: str
    values: Mapping[str, str] = field(default_factory=dict)

    def text(self, translate: Translate = hl.untranslated) -> str:
        return translate(self.template) % dict(self.values)


@dataclass(frozen=True, slots=True)
class DataGap:
    section: str  # the section's title (a message id)
    item: str  # the item's title (a message id)
    reason: Message


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1
    kind: Literal["heading"] = "heading"


@dataclass(frozen=True, slots=True)
class TextBlock:
    slot: str
    label: str
    text: str
    required: bool
    kind: Literal["text"] = "text"
    unpublished: bool = False  # missing because only published texts were given

    @property
    def missing(self) -> bool:
        return not self.text


@dataclass(frozen=True, slots=True)
class HighlightList:
    highlights: tuple[Highlight, ...]
    kind: Literal["highlights"] = "highlights"


@dataclass(frozen=True, slots=True)
class TableCell:
    value: float | None  # None: not available (":")
    flags: str = ""


@dataclass(frozen=True, slots=True)
class TableRow:
    code: str
    label: str
    cells: tuple[TableCell, ...]
    total: bool = False


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A protected table shown as a cross-table: ``rows`` down, ``columns`` across."""

    table: str
    title: str
    row_dimension: str
    column_dimension: str
    columns: tuple[str, ...]  # labels across
    rows: tuple[TableRow, ...]
    unit: str
    fixed: tuple[tuple[str, str], ...] = ()  # (dimension, code name) held fixed
    omitted_rows: int = 0  # rows left out by ``top``
    kind: Literal["table"] = "table"

    @property
    def flags(self) -> frozenset[str]:
        """The flag symbols used in the table (for the legend); ``:`` when a value is missing."""
        used = {f for row in self.rows for cell in row.cells for f in cell.flags}
        if any(cell.value is None for row in self.rows for cell in row.cells):
            used.add(":")
        return frozenset(used)


@dataclass(frozen=True, slots=True)
class ChartBlock:
    table: str
    chart: str
    title: str
    spec: Mapping[str, Any]
    kind: Literal["chart"] = "chart"


@dataclass(frozen=True, slots=True)
class SourceNote:
    message: Message
    kind: Literal["source"] = "source"


@dataclass(frozen=True, slots=True)
class DataGapList:
    gaps: tuple[DataGap, ...]
    kind: Literal["data_gaps"] = "data_gaps"


Block = Heading | TextBlock | HighlightList | TableBlock | ChartBlock | SourceNote | DataGapList


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    part: str
    title: str
    blocks: tuple[Block, ...]

    @property
    def number(self) -> str:
        return "" if self.part == "summary" else self.part


@dataclass(frozen=True, slots=True)
class Report:
    """A migration profile ready to render."""

    template: str
    template_version: int
    title: str
    meta: ReportMeta
    sections: tuple[Section, ...]
    data_gaps: tuple[DataGap, ...]
    missing_texts: tuple[str, ...]  # required slots without text

    @property
    def can_be_final(self) -> bool:
        return not self.missing_texts

    @property
    def highlights(self) -> tuple[Highlight, ...]:
        return tuple(
            h
            for s in self.sections
            if s.part != "summary"
            for b in s.blocks
            if isinstance(b, HighlightList)
            for h in b.highlights
        )


# --- building -------------------------------------------------------------------------------


def build_report(
    template: ProfileTemplate,
    tables: Mapping[str, pd.DataFrame],
    texts: Mapping[str, str],
    meta: ReportMeta,
    *,
    definitions: Mapping[str, object] | None = None,
    provinces: SubdivisionTable | None = None,
) -> Report:
    """Assemble the report.

    Args:
        template: The structure (:func:`~ura.stats.profile.template.load_template`).
        tables: Protected long-format tables by table id (annual, holding ``meta.period`` and
            the period a year before). ``unhcr_context`` is UNHCR's extract;
            ``foreigners_per_thousand`` is derived from ``migr_resvalid`` when not given.
        texts: Analyst texts by slot id.
        meta: Country, period, reference date, edition.
        definitions: Table definitions by id, for the versions and protection rules in the
            source notes (the engine's standard set by default; a table's ``attrs`` fill in
            for one not there).
        provinces: Population reference for the rate per 1,000 residents (Türkiye's provinces
            by default).

    Returns:
        The report; every data item it could not fill is in ``data_gaps``.

    Raises:
        ReportError: ``meta.final`` is set and a required text is missing.
        HighlightError: a table is not protected (a suppressed cell still has a value).
    """
    hl.previous_period(meta.period)  # refuses a period that is not an SDMX code
    given = dict(tables)
    for name, table in given.items():
        if name != "unhcr_context":
            hl.check_protected(table, name)
    if "foreigners_per_thousand" not in given and "migr_resvalid" in given:
        try:
            rate = foreigners_per_thousand(
                given["migr_resvalid"], provinces or load_turkiye_provinces()
            )
            rate.attrs = {**given["migr_resvalid"].attrs, "unit": "PER_THS_RES", "measure": "rate"}
            given["foreigners_per_thousand"] = rate
        except ReferenceDataError:
            pass  # a GEO code outside the reference table: stated as a data gap below
    if definitions is None:
        definitions = load_definitions()
    builder = _Builder(given, texts, meta, definitions)
    drafts = [builder.section(s) for s in template.sections]
    missing = tuple(
        s.slot for s in template.slots if s.required and not texts.get(s.slot, "").strip()
    )
    if meta.final and missing:
        raise ReportError(f"a final report needs the text(s): {', '.join(missing)}")
    key = _key_highlights(drafts)
    gaps = tuple(builder.gaps)
    filled = []
    for section in drafts:
        blocks: list[Block] = []
        for block in section.blocks:
            if isinstance(block, _KeySlot):
                if key:
                    blocks.append(HighlightList(key))
            elif isinstance(block, _GapSlot):
                blocks.append(DataGapList(gaps))
            else:
                blocks.append(block)
        filled.append(Section(section.id, section.part, section.title, tuple(blocks)))
    return Report(
        template=template.id,
        template_version=template.version,
        title=template.title,
        meta=meta,
        sections=tuple(filled),
        data_gaps=gaps,
        missing_texts=missing,
    )


@dataclass(frozen=True, slots=True)
class _KeySlot:
    kind: Literal["key_slot"] = "key_slot"


@dataclass(frozen=True, slots=True)
class _GapSlot:
    kind: Literal["gap_slot"] = "gap_slot"


@dataclass(frozen=True, slots=True)
class _Draft:
    """A section before the executive summary's highlights and the data gaps are known."""

    id: str
    part: str
    title: str
    blocks: tuple[Block | _KeySlot | _GapSlot, ...]


def _key_highlights(sections: list[_Draft]) -> tuple[Highlight, ...]:
    """The first highlight of each data section, in order."""
    chosen = []
    for section in sections:
        if section.part in ("A", "B"):
            for block in section.blocks:
                if isinstance(block, HighlightList) and block.highlights:
                    chosen.append(block.highlights[0])
                    break
    return tuple(chosen[:KEY_HIGHLIGHTS])


class _Builder:
    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        texts: Mapping[str, str],
        meta: ReportMeta,
        definitions: Mapping[str, object],
    ) -> None:
        self.tables = tables
        self.texts = texts
        self.meta = meta
        self.definitions = definitions
        self.gaps: list[DataGap] = []

    def gap(self, section: str, item: str, template: str, **values: str) -> None:
        self.gaps.append(DataGap(section, item, Message(template, values)))

    def fixed(self, fixed: Mapping[str, str]) -> dict[str, str]:
        previous = hl.previous_period(self.meta.period)
        return {
            k: v.replace("{period}", self.meta.period).replace("{previous}", previous)
            for k, v in fixed.items()
        }

    def section(self, template: SectionTemplate) -> _Draft:
        blocks: list[Block | _KeySlot | _GapSlot] = [Heading(template.title, 1)]
        used: list[str] = []
        for block in template.blocks:
            if isinstance(block, TextSlot):
                text = self.texts.get(block.slot, "").strip()
                blocks.append(
                    TextBlock(
                        block.slot,
                        block.label,
                        text,
                        block.required,
                        unpublished=self.meta.published_texts and not text,
                    )
                )
            elif isinstance(block, KeyHighlights):
                blocks.append(_KeySlot())
            elif isinstance(block, DataGapsItem):
                blocks.append(_GapSlot())
            elif isinstance(block, HighlightItem):
                found = self.highlight(template.title, block)
                if found:
                    if blocks and isinstance(blocks[-1], HighlightList):
                        blocks[-1] = HighlightList(blocks[-1].highlights + tuple(found))
                    else:
                        blocks.append(HighlightList(tuple(found)))
                    used += [t for h in found for t in h.tables]
            elif isinstance(block, TableItem):
                table = self.cross_table(template.title, block)
                if table is not None:
                    blocks.append(table)
                    used.append(block.table)
            elif isinstance(block, ChartItem):
                chart = self.chart(template.title, block)
                if chart is not None:
                    blocks.append(chart)
                    used.append(block.table)
        blocks += [SourceNote(self.source(name)) for name in dict.fromkeys(used)]
        return _Draft(template.id, template.part, template.title, tuple(blocks))

    def table(self, section: str, item: str, name: str) -> pd.DataFrame | None:
        if name not in self.tables:
            self.gap(section, item, NOT_COMPUTED, table=name)
            return None
        return self.tables[name]

    def highlight(self, section: str, item: HighlightItem) -> list[Highlight]:
        title = item.subject or RECOGNITION_RATE
        if item.highlight == "repeat_share":
            title = PERSONS_AND_EVENTS
        frames = [self.table(section, title, name) for name in item.tables]
        if any(frame is None for frame in frames):
            return []
        table = frames[0]
        assert table is not None  # noqa: S101  # checked above
        period = self.meta.period
        fixed = self.fixed(item.fixed)
        try:
            if item.highlight == "total_change":
                return [
                    hl.total_change(
                        table, name=item.table, subject=item.subject, period=period, fixed=fixed
                    )
                ]
            if item.highlight == "largest_changes":
                assert item.dimension is not None  # noqa: S101  # the template requires it
                return hl.largest_changes(
                    table, name=item.table, subject=item.subject, dimension=item.dimension,
                    period=period, top=item.top, min_base=item.min_base, fixed=fixed,
                )  # fmt: skip
            if item.highlight == "top_codes":
                assert item.dimension is not None  # noqa: S101  # the template requires it
                return [
                    hl.top_codes(
                        table, name=item.table, subject=item.subject, dimension=item.dimension,
                        period=period, top=item.top, fixed=fixed,
                    )
                ]  # fmt: skip
            if item.highlight == "recognition_rate":
                return [hl.recognition_rate(table, name=item.table, period=period, fixed=fixed)]
            events = frames[1]
            assert events is not None  # noqa: S101  # repeat_share has two tables
            assert item.events is not None  # noqa: S101  # repeat_share has two tables
            return [
                hl.repeat_share(
                    table, events, persons_name=item.table, events_name=item.events,
                    period=period, fixed=fixed,
                )
            ]  # fmt: skip
        except HighlightUnavailable as why:
            self.gaps.append(DataGap(section, title, Message(why.template, why.values)))
        except HighlightError as error:
            self.gap(section, title, NOT_SHOWN, table=item.table, error=str(error))
        return []

    def cross_table(self, section: str, item: TableItem) -> TableBlock | None:
        table = self.table(section, item.title, item.table)
        if table is None:
            return None
        if item.columns == "TIME_PERIOD" and self.meta.period not in set(
            table["TIME_PERIOD"].astype(str)
        ):
            self.gap(section, item.title, hl.NO_PERIOD, table=item.table, period=self.meta.period)
            return None
        try:
            return cross_table(
                table, name=item.table, title=item.title, rows=item.rows, columns=item.columns,
                fixed=self.fixed(item.fixed), top=item.top, period=self.meta.period,
            )  # fmt: skip
        except (OutputError, HighlightError) as error:
            self.gap(section, item.title, NOT_SHOWN, table=item.table, error=str(error))
            return None

    def chart(self, section: str, item: ChartItem) -> ChartBlock | None:
        table = self.table(section, item.title, item.table)
        if table is None:
            return None
        fixed = self.fixed(item.fixed)
        source = CITATION if item.table == "unhcr_context" else ""
        try:
            if item.chart == "time_series":
                names = None
                if item.table == "unhcr_context" and item.series == "GEO":
                    names = {"SRB": "Serbia and Kosovo (S/RES/1244 (1999))"}
                spec = charts.time_series_spec(
                    table, title=item.title, value_label=item.value_label, series=item.series,
                    series_names=names, fixed=fixed, source=source,
                )  # fmt: skip
            elif item.chart == "nationality_bar":
                spec = charts.nationality_bar_spec(
                    table, title=item.title, value_label=item.value_label, top=item.top,
                    fixed=fixed, source=source,
                )  # fmt: skip
            else:
                spec = charts.province_tile_spec(
                    table, load_turkiye_provinces(), title=item.title,
                    value_label=item.value_label, fixed=fixed, source=source,
                )  # fmt: skip
        except (OutputError, ReferenceDataError) as error:
            self.gap(section, item.title, NOT_SHOWN, table=item.table, error=str(error))
            return None
        values = spec["data"]["values"]
        if not any(v.get("value") is not None for v in values):
            self.gap(section, item.title, NO_FIGURES, table=item.table, period=self.meta.period)
            return None
        return ChartBlock(item.table, item.chart, item.title, spec)

    def source(self, name: str) -> Message:
        if name == "unhcr_context":
            return Message(SOURCE_UNHCR, {"citation": f"{CITATION} {COUNTRY_NOTES['SRB']}"})
        definition = self.definitions.get(name)
        attrs = self.tables[name].attrs if name in self.tables else {}
        version = getattr(definition, "version", None) or attrs.get("version", "")
        protection = getattr(definition, "protection", None) or attrs.get("protection", "")
        return Message(
            SOURCE_URA,
            {
                "source": self.meta.source,
                "table": name,
                "version": str(version or "-"),
                "protection": protection_text(protection) or "-",
            },
        )


def cross_table(
    table: pd.DataFrame,
    *,
    name: str,
    title: str,
    rows: str,
    columns: str,
    fixed: Mapping[str, str] | None = None,
    top: int | None = None,
    period: str | None = None,
) -> TableBlock:
    """A protected table's slice as a cross-table with each cell's flags.

    Dimensions other than ``rows`` and ``columns`` are fixed (``_T`` unless ``fixed`` says).
    Across ``TIME_PERIOD`` at most :data:`MAX_PERIODS` periods up to ``period`` are shown.
    ``top`` keeps the rows with the largest published value in the last column (the total
    row stays). A missing combination counted nobody (0), except in ratio tables (``:``);
    suppressed cells show no value and flag ``c``.

    Raises:
        OutputError: a dimension is missing or a fixed code is not in the table.
        HighlightError: the table is not protected.
    """
    hl.check_protected(table, name)
    rows_frame = charts.slice_table(table, (rows, columns), fixed)
    column_codes = list(dict.fromkeys(rows_frame[columns].astype(str)))
    if columns == "TIME_PERIOD":
        column_codes = sorted(c for c in column_codes if period is None or c <= period)
        column_codes = column_codes[-MAX_PERIODS:]
    else:
        column_codes.sort(key=lambda code: code == "_T")
    cells: dict[tuple[str, str], TableCell] = {}
    for record in rows_frame.to_dict("records"):
        value = record["OBS_VALUE"]
        hidden = record.get("CONF_STATUS", "F") in SUPPRESSED or pd.isna(value)
        rounded = record.get("ROUNDED", False)
        cells[(str(record[rows]), str(record[columns]))] = TableCell(
            None if hidden else float(value),
            cell_flags(
                str(record.get("OBS_STATUS", "A")),
                str(record.get("CONF_STATUS", "F")),
                bool(rounded) and not pd.isna(rounded),
            ),
        )
    zero = hl._absent_is_zero(table)
    absent = TableCell(0.0) if zero else TableCell(None)
    row_codes = list(dict.fromkeys(str(code) for code in rows_frame[rows]))
    total = [c for c in row_codes if c == "_T"]
    inner = [c for c in row_codes if c != "_T"]
    omitted = 0
    if top is not None and column_codes:
        last = column_codes[-1]

        def size(code: str) -> float:
            cell = cells.get((code, last), absent)
            return -1.0 if cell.value is None else cell.value

        ranked = sorted(inner, key=lambda code: (-size(code), code))
        omitted = max(len(inner) - top, 0)
        inner = ranked[:top]
    others = [c for c in rows_frame.columns if c not in (rows, columns) and c not in _VALUES]
    held = tuple(
        (d, code_name(d, str(rows_frame[d].iloc[0]))) for d in others if not rows_frame.empty
    )
    return TableBlock(
        table=name,
        title=title,
        row_dimension=rows,
        column_dimension=columns,
        columns=tuple(
            code_name(columns, c) if columns != "TIME_PERIOD" else c for c in column_codes
        ),
        rows=tuple(
            TableRow(
                code=code,
                label=code_name(rows, code),
                cells=tuple(cells.get((code, col), absent) for col in column_codes),
                total=code == "_T",
            )
            for code in (*inner, *total)
        ),
        unit=str(
            table.attrs.get("unit", "") or table.get("UNIT_MEASURE", pd.Series(["PER"])).iloc[0]
        ),
        fixed=held,
        omitted_rows=omitted,
    )


_VALUES: Final = frozenset({"OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "ROUNDED", "UNIT_MEASURE"})
