"""Statistical table definitions: versioned YAML files, read and checked here.

A definition says which events a table counts, how (events, persons, a stock at the end of
each period, or a ratio), by which dimensions, with which code lists, at which reference date
ages are computed, how sensitive the table is and which protection rule disclosure control
applies. The format is described in docs/statistics-definitions.md; the standard set of a
migration profile lives in ``src/ura/stats/definitions/``. Never edit a published version:
copy the file, raise ``version``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, TypeVar

import yaml

from ura.stats.disclosure.rules import ProtectionRule, RuleError, rule_from_definition
from ura.stats.schema import EventType

DEFINITIONS_DIR: Final = Path(__file__).with_name("definitions")

#: Eurostat age bands (migr_* datasets); ``UNK`` when the date of birth is unknown.
AGE_BANDS: Final = (
    ("Y_LT14", 0, 13),
    ("Y14-17", 14, 17),
    ("Y18-34", 18, 34),
    ("Y35-64", 35, 64),
    ("Y_GE65", 65, None),
)
TOTAL: Final = "_T"
UNKNOWN: Final = "UNK"

_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_DIM_ID = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
_CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,31}$")
_VALUE = re.compile(r"^[a-z0-9_]{1,40}$")
_E = TypeVar("_E", bound=StrEnum)


class Measure(StrEnum):
    """What a cell counts."""

    EVENTS = "events"  # every event in the period (repeat counts)
    PERSONS = "persons"  # each person once per period, described by their first event in it
    STOCK = "stock"  # persons holding a status on the last day of the period
    RATIO = "ratio"  # 100 x events meeting ``numerator`` / all events, per cell


class Source(StrEnum):
    """Where a dimension's code comes from."""

    SEX = "sex"  # persons.sex
    AGE = "age"  # persons.birth_date at the definition's age reference date
    CITIZENSHIP = "citizenship"  # persons.citizenship, as Eurostat's alpha-2 codes
    PROVINCE = "province"  # events.province
    CATEGORY = "category"  # events.category
    FIRST = "first"  # events.first ("true" / "false")
    DESTINATION = "destination"  # events.destination, as Eurostat's alpha-2 codes
    EVENT_TYPE = "event_type"  # events.event_type


class AgeReference(StrEnum):
    """The date a person's age is computed at."""

    EVENT = "event"  # the event's date (flows: applications, decisions, entries...)
    PERIOD_END = "period_end"  # the last day of the period (stocks)


class Frequency(StrEnum):
    ANNUAL = "A"
    QUARTERLY = "Q"
    MONTHLY = "M"


class Sensitivity(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    STRICT = "strict"  # trafficking tables


class DefinitionError(ValueError):
    """A definition file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Dimension:
    """One dimension of a table.

    ``codes`` maps source values to output codes (unmapped values become ``other``);
    ``groups`` adds aggregate codes (e.g. ``Y_LT18`` = ``Y_LT14`` + ``Y14-17``) beside the
    partition; ``total`` says whether the dimension gets its ``_T`` margin (false for a
    dimension whose values must not be added, such as readmission stages).
    """

    id: str
    source: Source
    codes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    other: str = UNKNOWN
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    total: bool = True


@dataclass(frozen=True)
class Selection:
    """Which events a table counts."""

    event_types: tuple[EventType, ...]
    first: bool | None = None
    unaccompanied: bool | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derivation:
    """A ratio published from another table's published counts (``derived_from``).

    ``numerator`` and ``denominator`` pick the source's cells by code on the source's
    dimensions that the ratio lacks (``{"DECISION": "TOTAL_POS"}``); a dimension they do
    not name is taken at ``_T``. The ratio's own dimensions keep their codes, and the
    source's periods are added up into the ratio's.
    """

    table: str
    numerator: Mapping[str, str]
    denominator: Mapping[str, str]


@dataclass(frozen=True)
class TableDefinition:
    """One statistical table (the shared contract's definition fields plus how to compute)."""

    id: str
    version: int
    title: str
    description: str
    eurostat: str | None  # the Eurostat dataset the table is aligned with, if any
    measure: Measure
    unit: str  # PER (persons), NR (number of events), PC (percentage)
    frequency: Frequency  # the default frequency of TIME_PERIOD
    age_reference: AgeReference | None  # required when a dimension is AGE
    select: Selection
    dimensions: tuple[Dimension, ...]
    sensitivity: Sensitivity
    protection: Mapping[str, Any]  # {"rule": ..., parameters}, as written; see ``rule``
    valid_until: bool = False  # stock: the status lasts until events.valid_until
    ended_by: tuple[EventType, ...] = ()  # stock: the status ends at a later such event
    numerator: Selection | None = None  # ratio: the events counted above the line
    linked: str | None = None  # tables sharing a ``linked`` id are protected together
    derived_from: Derivation | None = None  # ratio: published from this table's counts
    path: Path | None = None

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    @property
    def rule(self) -> ProtectionRule:
        """The disclosure-control rule of ``protection`` (checked when the file was read;
        raised for a strict table)."""
        return rule_from_definition(self.protection, sensitivity=str(self.sensitivity))


_TOP_KEYS: Final = frozenset(
    {
        "id", "version", "title", "description", "eurostat", "measure", "unit", "frequency",
        "age_reference", "select", "dimensions", "sensitivity", "protection", "stock", "ratio",
        "linked", "derived_from",
    }
)  # fmt: skip
_DIMENSION_KEYS: Final = frozenset({"id", "source", "codes", "other", "groups", "total"})
_SELECT_KEYS: Final = frozenset({"event_types", "first", "unaccompanied", "categories"})
_DERIVED_KEYS: Final = frozenset({"table", "numerator", "denominator"})


class _Reader:
    """Reads one file's mapping, raising DefinitionError that names the file and field."""

    def __init__(self, path: Path | str) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.path}: {where}: {message}")

    def mapping(self, value: object, where: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a mapping")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        return value

    def string(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        pattern: re.Pattern[str] | None = None,
    ) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}" if where else key, "must be a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(f"{where}.{key}" if where else key, f"{value!r} is not a valid code")
        return value

    def choice(self, enum: type[_E], value: object, where: str) -> _E:
        try:
            return enum(str(value))
        except ValueError:
            options = ", ".join(e.value for e in enum)
            raise self.fail(where, f"{value!r} is not one of {options}") from None

    def boolean(self, value: object, where: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(where, "must be true or false")

    def selection(self, value: object, where: str) -> Selection:
        data = self.mapping(value, where, _SELECT_KEYS)
        types = data.get("event_types")
        if not isinstance(types, list) or not types:
            raise self.fail(f"{where}.event_types", "must be a non-empty list")
        categories = data.get("categories", [])
        if not isinstance(categories, list):
            raise self.fail(f"{where}.categories", "must be a list")
        for c in categories:
            if not isinstance(c, str) or not _VALUE.match(c):
                raise self.fail(f"{where}.categories", f"{c!r} is not a valid value")
        return Selection(
            event_types=tuple(self.choice(EventType, t, f"{where}.event_types") for t in types),
            first=self.boolean(data.get("first"), f"{where}.first"),
            unaccompanied=self.boolean(data.get("unaccompanied"), f"{where}.unaccompanied"),
            categories=tuple(categories),
        )

    def dimension(self, value: object, where: str) -> Dimension:
        data = self.mapping(value, where, _DIMENSION_KEYS)
        dim_id = self.string(data, "id", where, _DIM_ID)
        if dim_id in {"TIME_PERIOD", "FREQ", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"}:
            raise self.fail(f"{where}.id", f"{dim_id} is added by the engine")
        source = self.choice(Source, data.get("source"), f"{where}.source")
        codes: dict[str, str] = {}
        raw_codes = data.get("codes", {})
        if not isinstance(raw_codes, dict):
            raise self.fail(f"{where}.codes", "must be a mapping of source value to code")
        for key, code in raw_codes.items():
            value_key = str(key).lower() if isinstance(key, bool) else str(key)
            if not _VALUE.match(value_key):
                raise self.fail(f"{where}.codes", f"{key!r} is not a valid source value")
            if not isinstance(code, str) or not _CODE.match(code) or code == TOTAL:
                raise self.fail(f"{where}.codes.{key}", f"{code!r} is not a valid code")
            codes[value_key] = code
        if source in (Source.SEX, Source.AGE, Source.CITIZENSHIP, Source.DESTINATION) and codes:
            raise self.fail(f"{where}.codes", f"the {source.value} code list is fixed")
        other = data.get("other", UNKNOWN)
        if not isinstance(other, str) or not _CODE.match(other):
            raise self.fail(f"{where}.other", f"{other!r} is not a valid code")
        groups: dict[str, tuple[str, ...]] = {}
        raw_groups = data.get("groups", {})
        if not isinstance(raw_groups, dict):
            raise self.fail(f"{where}.groups", "must be a mapping of code to member codes")
        known = set(codes.values()) | {other}
        if source is Source.AGE:
            known |= {band for band, _, _ in AGE_BANDS}
        for code, members in raw_groups.items():
            if not isinstance(code, str) or not _CODE.match(code) or code in known:
                raise self.fail(f"{where}.groups", f"{code!r} is not a new valid code")
            if not isinstance(members, list) or len(members) < 2:
                raise self.fail(f"{where}.groups.{code}", "must list two or more codes")
            strays = [m for m in members if m not in known]
            if strays and source in (Source.AGE, Source.CATEGORY, Source.EVENT_TYPE, Source.FIRST):
                raise self.fail(f"{where}.groups.{code}", f"unknown member code(s) {strays}")
            groups[code] = tuple(str(m) for m in members)
        total = data.get("total", True)
        if not isinstance(total, bool):
            raise self.fail(f"{where}.total", "must be true or false")
        return Dimension(
            id=dim_id,
            source=source,
            codes=MappingProxyType(codes),
            other=other,
            groups=MappingProxyType(groups),
            total=total,
        )

    def definition(self, raw: object) -> TableDefinition:
        data = self.mapping(raw, "top level", _TOP_KEYS)
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", "must be a positive integer")
        measure = self.choice(Measure, data.get("measure"), "measure")
        dims_raw = data.get("dimensions")
        if not isinstance(dims_raw, list) or not dims_raw:
            raise self.fail("dimensions", "must be a non-empty list")
        dimensions = tuple(self.dimension(d, f"dimensions[{i}]") for i, d in enumerate(dims_raw))
        ids = [d.id for d in dimensions]
        if len(set(ids)) != len(ids):
            raise self.fail("dimensions", "repeat a dimension id")
        has_age = any(d.source is Source.AGE for d in dimensions)
        age_reference = None
        if has_age or "age_reference" in data:
            age_reference = self.choice(AgeReference, data.get("age_reference"), "age_reference")
        if measure is Measure.STOCK and age_reference is AgeReference.EVENT:
            raise self.fail("age_reference", "a stock's ages are at period_end")
        if measure is not Measure.STOCK and age_reference is AgeReference.PERIOD_END:
            raise self.fail("age_reference", f"a table of {measure.value} uses ages at event")
        valid_until, ended_by = self.stock(data.get("stock"), measure)
        if measure is Measure.RATIO and any(d.groups for d in dimensions):
            raise self.fail("dimensions", "a ratio cannot be summed into group codes")
        numerator = None
        if measure is Measure.RATIO:
            ratio = self.mapping(data.get("ratio"), "ratio", frozenset({"numerator"}))
            numerator = self.selection(ratio.get("numerator"), "ratio.numerator")
        elif "ratio" in data:
            raise self.fail("ratio", "only a ratio table has a numerator")
        derived_from = None
        if "derived_from" in data:
            if measure is not Measure.RATIO:
                raise self.fail("derived_from", "only a ratio table is derived from another")
            derived_from = self.derivation(data["derived_from"], set(ids))
        sensitivity = self.choice(Sensitivity, data.get("sensitivity"), "sensitivity")
        protection = data.get("protection")
        if not isinstance(protection, dict):
            raise self.fail("protection", "must be a mapping with a rule and its parameters")
        self.string(protection, "rule", "protection")
        try:
            rule = rule_from_definition(protection, sensitivity=sensitivity.value)
        except RuleError as error:
            raise self.fail(f"protection.{error.key}", error.problem) from None
        if (measure is Measure.RATIO) != rule.for_ratios:
            raise self.fail(
                "protection.rule",
                "a ratio table is protected by denominator_threshold, and only a ratio table",
            )
        linked = data.get("linked")
        if linked is not None and (not isinstance(linked, str) or not _ID.match(linked)):
            raise self.fail("linked", f"{linked!r} is not a valid group id")
        if linked is not None and measure is Measure.RATIO:
            raise self.fail("linked", "a ratio table cannot be protected with count tables")
        eurostat = data.get("eurostat")
        if eurostat is not None and not isinstance(eurostat, str):
            raise self.fail("eurostat", "must be a dataset code")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise self.fail("description", "must be text")
        return TableDefinition(
            id=self.string(data, "id", "", _ID),
            version=version,
            title=self.string(data, "title", ""),
            description=description.strip(),
            eurostat=eurostat,
            measure=measure,
            unit=self.string(data, "unit", "", _DIM_ID),
            frequency=self.choice(Frequency, data.get("frequency", "A"), "frequency"),
            age_reference=age_reference,
            select=self.selection(data.get("select"), "select"),
            dimensions=dimensions,
            sensitivity=sensitivity,
            protection=MappingProxyType(dict(protection)),
            linked=linked,
            valid_until=valid_until,
            ended_by=ended_by,
            numerator=numerator,
            derived_from=derived_from,
            path=Path(self.path) if isinstance(self.path, Path) else None,
        )

    def derivation(self, value: object, own: set[str]) -> Derivation:
        data = self.mapping(value, "derived_from", _DERIVED_KEYS)
        table = self.string(data, "table", "derived_from", _ID)
        picks = []
        for side in ("numerator", "denominator"):
            where = f"derived_from.{side}"
            raw = data.get(side, {})
            if not isinstance(raw, dict):
                raise self.fail(where, "must map source dimensions to a code each")
            pick: dict[str, str] = {}
            for dim, code in raw.items():
                if not isinstance(dim, str) or not _DIM_ID.match(dim):
                    raise self.fail(where, f"{dim!r} is not a dimension id")
                if dim in own:
                    raise self.fail(f"{where}.{dim}", "is a dimension of this table")
                if not isinstance(code, str) or not (code == TOTAL or _CODE.match(code)):
                    raise self.fail(f"{where}.{dim}", f"{code!r} is not a valid code")
                pick[dim] = code
            picks.append(MappingProxyType(pick))
        numerator, denominator = picks
        named = set(numerator) | set(denominator)
        if all(numerator.get(d, TOTAL) == denominator.get(d, TOTAL) for d in named):
            raise self.fail("derived_from", "the numerator picks the same cells as the denominator")
        return Derivation(table=table, numerator=numerator, denominator=denominator)

    def stock(self, value: object, measure: Measure) -> tuple[bool, tuple[EventType, ...]]:
        if measure is not Measure.STOCK:
            if value is not None:
                raise self.fail("stock", "only a stock table says how its status ends")
            return False, ()
        data = self.mapping(value, "stock", frozenset({"valid_until", "ended_by"}))
        valid_until = bool(self.boolean(data.get("valid_until", False), "stock.valid_until"))
        ended_raw = data.get("ended_by", [])
        if not isinstance(ended_raw, list):
            raise self.fail("stock.ended_by", "must be a list of event types")
        ended_by = tuple(self.choice(EventType, t, "stock.ended_by") for t in ended_raw)
        if not valid_until and not ended_by:
            raise self.fail("stock", "say how the status ends: valid_until and/or ended_by")
        return valid_until, ended_by


def parse_definition(text: str, path: Path | str = "<string>") -> TableDefinition:
    """One definition from YAML text.

    Args:
        text: The YAML document.
        path: Where it came from, named in error messages.

    Returns:
        The checked definition.

    Raises:
        DefinitionError: the YAML is invalid or a field is missing or wrong.
    """
    reader = _Reader(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise reader.fail("YAML", str(exc).replace("\n", " ")) from exc
    return reader.definition(raw)


def load_definition(path: Path) -> TableDefinition:
    """The definition in ``path``; the file name (without .yaml) must equal its ``id``.

    Raises:
        DefinitionError: as :func:`parse_definition`, or the name and id differ.
    """
    definition = parse_definition(path.read_text(encoding="utf-8"), path)
    if path.stem != definition.id:
        raise DefinitionError(f"{path}: id: {definition.id!r} differs from the file name")
    return definition


def load_definitions(
    directory: Path = DEFINITIONS_DIR, ids: Iterable[str] | None = None
) -> dict[str, TableDefinition]:
    """Every definition in ``directory`` (the standard set by default), by id, sorted.

    Args:
        directory: A folder of ``<id>.yaml`` files.
        ids: Only these tables (all when None).

    Raises:
        DefinitionError: a file is invalid, or an id asked for does not exist.
    """
    found = {p.stem: p for p in sorted(directory.glob("*.yaml"))}
    wanted = list(found) if ids is None else list(ids)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise DefinitionError(f"{directory}: no definition for {', '.join(missing)}")
    # Every file is read: a linked group is checked as a whole whichever member is asked for,
    # a derived ratio against its source.
    every = {i: load_definition(path) for i, path in found.items()}
    linked_groups(every.values())
    derived_sources(every)
    return {i: every[i] for i in sorted(wanted)}


def linked_groups(definitions: Iterable[TableDefinition]) -> dict[str, tuple[TableDefinition, ...]]:
    """The linked groups among ``definitions``: group id -> its members, sorted by id.

    The members of a group are breakdowns of one population: the same events (``select``),
    counted the same way (``measure``, ``stock``, ``age_reference``), over the same periods
    (``frequency``), under one rule (``sensitivity``, ``protection``). A dimension they share
    is defined the same way in each, and a dimension some member lacks has its ``_T`` total,
    so that every member is a margin of the group's cover table (all their dimensions).

    Raises:
        DefinitionError: A group with one member, or members that differ where they must
            not; the message names the file and the field.
    """
    groups: dict[str, list[TableDefinition]] = {}
    for definition in definitions:
        if definition.linked is not None:
            groups.setdefault(definition.linked, []).append(definition)
    out = {}
    for group, members in sorted(groups.items()):
        members.sort(key=lambda d: d.id)
        first = members[0]
        where = first.path or first.id
        if len(members) < 2:
            raise DefinitionError(f"{where}: linked: no other table is in group {group!r}")
        if first.rule.zeros == "suppress_adjacent":
            raise DefinitionError(
                f"{where}: linked: a group cannot hide zeros next to suppressed cells (the "
                "strict rule, zeros: suppress_adjacent)"
            )
        for other in members[1:]:
            _check_member(group, first, other)
        dims = {d.id for m in members for d in m.dimensions}
        for member in members:
            for dim in (d for m in members for d in m.dimensions):
                if dim.id in dims - set(member.dimension_ids) and not dim.total:
                    raise DefinitionError(
                        f"{member.path or member.id}: linked: {dim.id} has no total, so "
                        f"{member.id} is not a margin of group {group!r}"
                    )
        out[group] = tuple(members)
    return out


_SAME_IN_GROUP: Final = (
    "measure", "unit", "frequency", "age_reference", "select", "sensitivity", "protection",
    "valid_until", "ended_by",
)  # fmt: skip


def _check_member(group: str, first: TableDefinition, other: TableDefinition) -> None:
    where = other.path or other.id
    for name in _SAME_IN_GROUP:
        if getattr(first, name) != getattr(other, name):
            raise DefinitionError(
                f"{where}: {name}: differs from {first.id}, linked with it in group {group!r}"
            )
    shared = {d.id: d for d in first.dimensions}
    for dim in other.dimensions:
        if dim.id in shared and shared[dim.id] != dim:
            raise DefinitionError(
                f"{where}: dimensions: {dim.id} is defined differently in {first.id}, linked "
                f"with it in group {group!r}"
            )
    if set(first.dimension_ids) == set(other.dimension_ids):
        raise DefinitionError(
            f"{where}: dimensions: the same as {first.id}'s, linked with it in group {group!r}"
        )


_MONTHS: Final = {Frequency.ANNUAL: 12, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}


def derived_sources(definitions: Mapping[str, TableDefinition]) -> dict[str, TableDefinition]:
    """The source table of every derived ratio among ``definitions``: ratio id -> source.

    A derived ratio (``derived_from``) is published from its source's published counts, so
    the two must describe one quantity: the source counts the ratio's events (``select``),
    as events, in periods that add up to the ratio's; every dimension of the ratio is a
    dimension of the source, defined alike; the numerator's and the denominator's codes
    exist in the source and the numerator's cells lie inside the denominator's; and the
    cells they pick are the events ``ratio.numerator`` and ``select`` name (the engine's
    exact ratio from the microdata, which analysts see, is the same ratio).

    Raises:
        DefinitionError: A source that is missing or does not fit; the message names the
            ratio's file and field.
    """
    out = {}
    for definition in definitions.values():
        if definition.derived_from is None:
            continue
        where = definition.path or definition.id
        name = definition.derived_from.table
        source = definitions.get(name)
        if source is None:
            raise DefinitionError(f"{where}: derived_from.table: no definition {name!r}")
        _check_derived(definition, definition.derived_from, source, str(where))
        out[definition.id] = source
    return out


def _check_derived(
    ratio: TableDefinition, derivation: Derivation, source: TableDefinition, where: str
) -> None:
    name = source.id

    def fail(field_name: str, message: str) -> DefinitionError:
        return DefinitionError(f"{where}: {field_name}: {message}")

    if source.measure is not Measure.EVENTS:
        raise fail("derived_from.table", f"{name} counts {source.measure.value}; a share is "
                   "computed from counts of events")  # fmt: skip
    if _MONTHS[ratio.frequency] % _MONTHS[source.frequency]:
        raise fail("frequency", f"a period of {ratio.frequency.value} is not made of periods of "
                   f"{source.frequency.value} ({name})")  # fmt: skip
    by_id = {d.id: d for d in source.dimensions}
    for dim in ratio.dimensions:
        if dim.id not in by_id:
            raise fail("dimensions", f"{dim.id} is not a dimension of {name}")
        if by_id[dim.id] != dim:
            raise fail("dimensions", f"{dim.id} is defined differently in {name}")
    picks = {"numerator": derivation.numerator, "denominator": derivation.denominator}
    for side, pick in picks.items():
        for dim_id in pick:
            if dim_id not in by_id:
                raise fail(f"derived_from.{side}", f"{dim_id} is not a dimension of {name}")
    selections = {"numerator": ratio.numerator, "denominator": ratio.select}
    for dim in source.dimensions:
        if dim.id in ratio.dimension_ids:
            continue
        codes = {side: pick.get(dim.id, TOTAL) for side, pick in picks.items()}
        for side, code in codes.items():
            if code == TOTAL and not dim.total:
                raise fail(f"derived_from.{side}", f"{dim.id} has no total in {name}: name a code")
            known = _codes_of(dim)
            if code != TOTAL and known is not None and code not in known:
                raise fail(f"derived_from.{side}.{dim.id}", f"{code!r} is not a code of {name}")
        inner, outer = (_members(dim, codes[s]) for s in ("numerator", "denominator"))
        if outer is not None and (inner is None or not inner <= outer):
            raise fail("derived_from.numerator", f"{dim.id} {codes['numerator']} is not inside "
                       f"{codes['denominator']}: a share is a part of its whole")  # fmt: skip
    for side, pick in picks.items():
        wanted = selections[side]
        picked: Selection | None = source.select
        for dim in source.dimensions:
            if dim.id not in ratio.dimension_ids and picked is not None:
                picked = _refined(picked, dim, pick.get(dim.id, TOTAL), fail, side)
        if wanted is None or picked is None or _selection_key(picked) != _selection_key(wanted):
            own = "ratio.numerator" if side == "numerator" else "select"
            raise fail(f"derived_from.{side}", f"picks other events of {name} than {own} names")


def _codes_of(dimension: Dimension) -> set[str] | None:
    """The codes a dimension can have, or None for an open list (citizenships...)."""
    if dimension.source is Source.SEX:
        codes = {"F", "M", UNKNOWN}
    elif dimension.source is Source.AGE:
        codes = {band for band, _, _ in AGE_BANDS} | {UNKNOWN}
    elif dimension.codes:
        codes = {*dimension.codes.values(), dimension.other}
    else:
        return None
    return codes | set(dimension.groups)


def _members(dimension: Dimension, code: str) -> frozenset[str] | None:
    """The partition codes ``code`` adds up (None: every code, ``_T``)."""
    if code == TOTAL:
        return None
    return frozenset(dimension.groups.get(code, (code,)))


def _refined(
    selection: Selection,
    dimension: Dimension,
    code: str,
    fail: Callable[[str, str], DefinitionError],
    side: str,
) -> Selection:
    """``selection`` narrowed to the events whose ``dimension`` has ``code``.

    Raises:
        DefinitionError: The code cannot be said as a selection of events (a sex, an age,
            a catch-all code).
    """
    members = _members(dimension, code)
    if members is None:
        return selection
    where = f"derived_from.{side}.{dimension.id}"
    if dimension.source not in (Source.CATEGORY, Source.FIRST, Source.EVENT_TYPE):
        raise fail(where, f"a share of one {dimension.source.value} is not a selection of events")
    if dimension.other in members:
        raise fail(where, f"{code} holds {dimension.other}, every value not listed, which no "
                   "selection of events names")  # fmt: skip
    if dimension.codes:
        values = {v for v, c in dimension.codes.items() if c in members}
    else:
        values = set(members)
    if dimension.source is Source.CATEGORY:
        if selection.categories:
            values &= set(selection.categories)
        narrowed = dataclasses.replace(selection, categories=tuple(sorted(values)))
    elif dimension.source is Source.FIRST:
        values &= {"true", "false"}
        if values == {"true", "false"}:
            return selection
        first = values == {"true"}
        if selection.first is not None and selection.first != first:
            values = set()
        narrowed = dataclasses.replace(selection, first=first)
    else:
        types = tuple(t for t in selection.event_types if t.value in values)
        values = {t.value for t in types}
        narrowed = dataclasses.replace(selection, event_types=types)
    if not values:
        raise fail(where, f"{code} picks no event that the source counts")
    return narrowed


def _selection_key(selection: Selection) -> tuple[object, ...]:
    return (
        frozenset(selection.event_types),
        selection.first,
        selection.unaccompanied,
        frozenset(selection.categories),
    )
