"""The structure of a migration profile as data: a versioned YAML template.

A template lists the report's sections (executive summary, parts A to D of the IOM/EU extended
migration profile) and, in each, its blocks in order: analyst text slots, tables, charts,
highlights computed from the data, the key highlights of the summary and the automatic list
of data gaps. The format is documented in ``docs/statistics-profile.md``;
:func:`load_template` refuses a malformed file with an error naming the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

import yaml

TEMPLATE_DIR: Final = Path(__file__).resolve().parent
DEFAULT_TEMPLATE: Final = TEMPLATE_DIR / "extended-migration-profile.yaml"

PARTS: Final = ("summary", "A", "B", "C", "D")
CHARTS: Final = ("time_series", "nationality_bar", "province_tile")
HIGHLIGHTS: Final = (
    "total_change",
    "largest_changes",
    "top_codes",
    "recognition_rate",
    "repeat_share",
)
#: Tables a template may name besides the engine's definitions: UNHCR's extract and the
#: rate of foreigners per 1,000 residents derived from ``migr_resvalid``.
REFERENCE_TABLES: Final = frozenset({"unhcr_context", "foreigners_per_thousand"})

_ID: Final = re.compile(r"^[a-z][a-z0-9_\-]{0,63}$")
_DIM: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
_PLACEHOLDER: Final = re.compile(r"\{(period|previous)\}")


class TemplateError(ValueError):
    """A template file is malformed; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class TextSlot:
    """A text written by an analyst in the app; ``required`` ones must exist before final."""

    slot: str
    label: str
    required: bool = False
    kind: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class TableItem:
    """A cross-table of one protected table: ``rows`` down, ``columns`` across.

    Dimensions not drawn are fixed to ``fixed`` codes or to ``_T``; ``top`` keeps the rows
    with the largest published values in the last column (the rest are in the catalogue).
    """

    table: str
    title: str
    rows: str
    columns: str = "TIME_PERIOD"
    fixed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    top: int | None = None
    kind: Literal["table"] = "table"


@dataclass(frozen=True, slots=True)
class ChartItem:
    """A chart (a Vega-Lite spec of ``ura.stats.outputs.charts``) of one protected table."""

    table: str
    chart: str
    title: str
    value_label: str
    series: str | None = None
    fixed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    top: int = 15
    kind: Literal["chart"] = "chart"


@dataclass(frozen=True, slots=True)
class HighlightItem:
    """A highlight computed from the data (see :mod:`ura.stats.profile.highlights`)."""

    highlight: str
    table: str
    subject: str = ""
    dimension: str | None = None
    fixed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    top: int = 3
    min_base: int = 20
    events: str | None = None  # repeat_share: the events table (``table`` counts persons)
    kind: Literal["highlight"] = "highlight"

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table,) if self.events is None else (self.table, self.events)


@dataclass(frozen=True, slots=True)
class KeyHighlights:
    """The executive summary's list: the first highlight of every data section."""

    kind: Literal["key_highlights"] = "key_highlights"


@dataclass(frozen=True, slots=True)
class DataGapsItem:
    """Where the report lists, automatically, every data item it could not fill."""

    kind: Literal["data_gaps"] = "data_gaps"


BlockTemplate = TextSlot | TableItem | ChartItem | HighlightItem | KeyHighlights | DataGapsItem


@dataclass(frozen=True, slots=True)
class SectionTemplate:
    id: str
    part: str
    title: str
    blocks: tuple[BlockTemplate, ...]


@dataclass(frozen=True, slots=True)
class ProfileTemplate:
    """A report structure: id, version, title and sections in order."""

    id: str
    version: int
    title: str
    sections: tuple[SectionTemplate, ...]
    path: Path | None = None

    @property
    def slots(self) -> tuple[TextSlot, ...]:
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, TextSlot))

    @property
    def tables(self) -> frozenset[str]:
        """Every table id the template reads."""
        names: set[str] = set()
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, TableItem | ChartItem):
                    names.add(block.table)
                elif isinstance(block, HighlightItem):
                    names.update(block.tables)
        return frozenset(names)


_BLOCK_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "text": frozenset({"kind", "slot", "label", "required"}),
    "table": frozenset({"kind", "table", "title", "rows", "columns", "fixed", "top"}),
    "chart": frozenset(
        {"kind", "table", "chart", "title", "value_label", "series", "fixed", "top"}
    ),
    "highlight": frozenset(
        {
            "kind",
            "highlight",
            "table",
            "subject",
            "dimension",
            "fixed",
            "top",
            "min_base",
            "persons",
            "events",
        }
    ),
    "key_highlights": frozenset({"kind"}),
    "data_gaps": frozenset({"kind"}),
}


class _Reader:
    def __init__(self, path: Path | str, known_tables: frozenset[str] | None) -> None:
        self.path = path
        self.known_tables = known_tables

    def fail(self, where: str, message: str) -> TemplateError:
        return TemplateError(f"{self.path}: {where}: {message}")

    def mapping(self, value: object, where: str, allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a mapping")
        unknown = sorted(str(k) for k in value if k not in set(allowed))
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> str:
        value = data.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "must be a non-empty string")
        return " ".join(value.split())

    def ident(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.text(data, key, where)
        if not _ID.match(value):
            raise self.fail(f"{where}.{key}", f"{value!r} is not a valid id")
        return value

    def dimension(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not _DIM.match(value):
            raise self.fail(f"{where}.{key}", f"{value!r} is not an upper-case dimension id")
        return value

    def table(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.ident(data, key, where)
        if self.known_tables is not None and value not in self.known_tables:
            raise self.fail(f"{where}.{key}", f"no table definition {value!r}")
        return value

    def positive(self, data: Mapping[str, Any], key: str, where: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(f"{where}.{key}", f"{value!r} is not a positive whole number")
        return int(value)

    def fixed(self, data: Mapping[str, Any], where: str) -> Mapping[str, str]:
        value = data.get("fixed", {})
        if not isinstance(value, dict):
            raise self.fail(f"{where}.fixed", "must be a mapping of dimension to code")
        result: dict[str, str] = {}
        for dim, code in value.items():
            if not isinstance(dim, str) or not _DIM.match(dim):
                raise self.fail(f"{where}.fixed", f"{dim!r} is not an upper-case dimension id")
            if not isinstance(code, str | int) or isinstance(code, bool) or not str(code):
                raise self.fail(f"{where}.fixed.{dim}", f"{code!r} is not a code")
            text = str(code)
            if "{" in text and not _PLACEHOLDER.fullmatch(text):
                raise self.fail(
                    f"{where}.fixed.{dim}", f"{text!r}: only {{period}} or {{previous}}"
                )
            result[dim] = text
        return MappingProxyType(result)

    def choice(self, data: Mapping[str, Any], key: str, where: str, options: Iterable[str]) -> str:
        value = data.get(key)
        options = tuple(options)
        if value not in options:
            raise self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(options)}")
        return str(value)

    def block(self, value: object, where: str) -> BlockTemplate:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a mapping")
        kind = self.choice(value, "kind", where, _BLOCK_KEYS)
        data = self.mapping(value, where, _BLOCK_KEYS[kind])
        if kind == "text":
            required = data.get("required", False)
            if not isinstance(required, bool):
                raise self.fail(f"{where}.required", "must be true or false")
            return TextSlot(
                slot=self.ident(data, "slot", where),
                label=self.text(data, "label", where),
                required=required,
            )
        if kind == "table":
            top = data.get("top")
            return TableItem(
                table=self.table(data, "table", where),
                title=self.text(data, "title", where),
                rows=self.dimension(data, "rows", where)
                or _raise(self.fail(f"{where}.rows", "must name a dimension")),
                columns=self.dimension(data, "columns", where) or "TIME_PERIOD",
                fixed=self.fixed(data, where),
                top=None if top is None else self.positive(data, "top", where, 1),
            )
        if kind == "chart":
            return ChartItem(
                table=self.table(data, "table", where),
                chart=self.choice(data, "chart", where, CHARTS),
                title=self.text(data, "title", where),
                value_label=self.text(data, "value_label", where),
                series=self.dimension(data, "series", where),
                fixed=self.fixed(data, where),
                top=self.positive(data, "top", where, 15),
            )
        if kind == "highlight":
            return self.highlight(data, where)
        return KeyHighlights() if kind == "key_highlights" else DataGapsItem()

    def highlight(self, data: Mapping[str, Any], where: str) -> HighlightItem:
        name = self.choice(data, "highlight", where, HIGHLIGHTS)
        if name == "repeat_share":
            for key in ("table", "dimension", "subject"):
                if key in data:
                    raise self.fail(f"{where}.{key}", "repeat_share reads persons and events")
            return HighlightItem(
                highlight=name,
                table=self.table(data, "persons", where),
                events=self.table(data, "events", where),
                fixed=self.fixed(data, where),
            )
        for key in ("persons", "events"):
            if key in data:
                raise self.fail(f"{where}.{key}", f"only repeat_share reads {key}")
        dimension = self.dimension(data, "dimension", where)
        if name in ("largest_changes", "top_codes") and dimension is None:
            raise self.fail(f"{where}.dimension", f"{name} needs a dimension")
        if name != "recognition_rate" and not data.get("subject"):
            raise self.fail(f"{where}.subject", "must be a non-empty string")
        return HighlightItem(
            highlight=name,
            table=self.table(data, "table", where),
            subject=self.text(data, "subject", where, optional=True),
            dimension=dimension,
            fixed=self.fixed(data, where),
            top=self.positive(data, "top", where, 3),
            min_base=self.positive(data, "min_base", where, 20),
        )

    def template(self, value: object) -> ProfileTemplate:
        data = self.mapping(value, "(top level)", {"id", "version", "title", "sections"})
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail("version", f"{version!r} is not a positive whole number")
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise self.fail("sections", "must be a non-empty list")
        sections = []
        section_ids: set[str] = set()
        slots: set[str] = set()
        for n, raw in enumerate(raw_sections):
            where = f"sections[{n}]"
            section = self.mapping(raw, where, {"id", "part", "title", "blocks"})
            section_id = self.ident(section, "id", where)
            if section_id in section_ids:
                raise self.fail(f"{where}.id", f"{section_id!r} is used twice")
            section_ids.add(section_id)
            raw_blocks = section.get("blocks")
            if not isinstance(raw_blocks, list) or not raw_blocks:
                raise self.fail(f"{where}.blocks", "must be a non-empty list")
            blocks = tuple(self.block(b, f"{where}.blocks[{i}]") for i, b in enumerate(raw_blocks))
            for i, block in enumerate(blocks):
                if isinstance(block, TextSlot):
                    if block.slot in slots:
                        raise self.fail(
                            f"{where}.blocks[{i}].slot", f"{block.slot!r} is used twice"
                        )
                    slots.add(block.slot)
            sections.append(
                SectionTemplate(
                    id=section_id,
                    part=self.choice(section, "part", where, PARTS),
                    title=self.text(section, "title", where),
                    blocks=blocks,
                )
            )
        gaps = [s.id for s in sections for b in s.blocks if isinstance(b, DataGapsItem)]
        if len(gaps) != 1:
            raise self.fail("sections", "exactly one block must be of kind data_gaps")
        return ProfileTemplate(
            id=self.ident(data, "id", ""),
            version=version,
            title=self.text(data, "title", ""),
            sections=tuple(sections),
            path=self.path if isinstance(self.path, Path) else None,
        )


def _raise(error: TemplateError) -> str:
    raise error


def known_table_ids() -> frozenset[str]:
    """The engine's table definitions plus :data:`REFERENCE_TABLES`."""
    from ura.stats.definitions import DEFINITIONS_DIR  # only when validating

    return frozenset(p.stem for p in DEFINITIONS_DIR.glob("*.yaml")) | REFERENCE_TABLES


def parse_template(
    text: str, path: Path | str = "<string>", *, known_tables: Iterable[str] | None = None
) -> ProfileTemplate:
    """A template from YAML text.

    Args:
        text: The YAML document.
        path: Named in error messages.
        known_tables: Table ids the template may name (the engine's definitions and the
            reference tables by default).

    Raises:
        TemplateError: the text is not YAML or breaks the format; the message names the file
            and the field (``...yaml: sections[2].blocks[1].chart: 'pie' is not one of ...``).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TemplateError(f"{path}: not valid YAML: {error}") from None
    known = known_table_ids() if known_tables is None else frozenset(known_tables)
    return _Reader(path, known).template(data)


def load_template(path: Path = DEFAULT_TEMPLATE) -> ProfileTemplate:
    """The template in ``path`` (the extended migration profile by default).

    Raises:
        TemplateError: as :func:`parse_template`, or the file's name differs from its id.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateError(f"{path}: cannot be read: {error.strerror}") from None
    template = parse_template(text, path)
    if path.stem != template.id:
        raise TemplateError(f"{path}: id: {template.id!r} differs from the file name")
    return template
