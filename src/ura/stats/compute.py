"""Statistical tables computed from the microdata: SQL written once per definition.

:func:`table_sql` turns a :class:`~ura.stats.definitions.TableDefinition` into one query in
DuckDB's dialect (every margin through ``GROUPING SETS``, totals coded ``_T``); sqlglot
transpiles it for Spark. :func:`compute_tables` runs the queries on an engine and returns
each table in the shared long format: one string column per dimension (``FREQ``,
``TIME_PERIOD`` and the definition's), ``OBS_VALUE``, ``OBS_STATUS`` and ``CONF_STATUS``.

Cells that no person or event falls into are absent (a zero); every present combination of
codes has all its margins, so a cell with ``_T`` equals the sum over that dimension's codes.
"""

# ruff: noqa: S608 - the SQL is built from checked definitions (codes match a strict pattern,
# values pass through _quote) and Ura's own table names; no user text reaches it.
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot

from ura.ingest.countries import ALPHA2_TO_ALPHA3
from ura.stats.definitions import (
    AGE_BANDS,
    TOTAL,
    UNKNOWN,
    Dimension,
    Frequency,
    Measure,
    Selection,
    Source,
    TableDefinition,
)
from ura.stats.engines import StatsEngine, TableSource, get_engine
from ura.stats.schema import EVENTS_SCHEMA, PERSONS_SCHEMA, check_table

#: Eurostat writes Greece EL and the United Kingdom UK in its CITIZEN and GEO code lists.
_EUROSTAT_ALPHA2: Final = {"GR": "EL", "GB": "UK"}
STATUS_NORMAL, STATUS_PROVISIONAL = "A", "P"
CONF_FREE = "F"
#: Up to this many periods a stock is found period by period; beyond, from its changes
#: (measured on the benchmark: the changes pay off from about a year of quarters).
_PERIOD_BY_PERIOD_UP_TO: Final = 4
_MONTHS: Final = {Frequency.ANNUAL: 12, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}


@dataclass(frozen=True)
class Microdata:
    """The persons and events tables (pyarrow tables, or Parquet files / folders)."""

    persons: TableSource
    events: TableSource


@dataclass(frozen=True)
class Period:
    """One period of a table: its SDMX code (2024, 2024-Q1, 2024-01) and its days."""

    code: str
    start: dt.date
    end: dt.date


def eurostat_country_codes() -> pa.Table:
    """ISO alpha-3 -> the alpha-2 code Eurostat uses (EL, UK; XK for Kosovo)."""
    alpha3 = list(ALPHA2_TO_ALPHA3.values())
    codes = [_EUROSTAT_ALPHA2.get(a2, a2) for a2 in ALPHA2_TO_ALPHA3]
    return pa.table({"alpha3": alpha3, "code": codes})


def periods(start: dt.date, end: dt.date, frequency: Frequency) -> list[Period]:
    """The periods of ``frequency`` that contain any day from ``start`` to ``end``.

    Raises:
        ValueError: ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    months = _MONTHS[frequency]
    index = (start.year * 12 + start.month - 1) // months * months
    out: list[Period] = []
    while True:
        year, month0 = divmod(index, 12)
        first = dt.date(year, month0 + 1, 1)
        if first > end:
            return out
        y2, m2 = divmod(index + months, 12)
        last = dt.date(y2, m2 + 1, 1) - dt.timedelta(days=1)
        if frequency is Frequency.ANNUAL:
            code = f"{year}"
        elif frequency is Frequency.QUARTERLY:
            code = f"{year}-Q{month0 // 3 + 1}"
        else:
            code = f"{year}-{month0 + 1:02d}"
        out.append(Period(code, first, last))
        index += months


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _selection_condition(selection: Selection, alias: str) -> str:
    types = ", ".join(_quote(t.value) for t in selection.event_types)
    parts = [f"{alias}.event_type IN ({types})"]
    if selection.first is not None:
        parts.append(f"{alias}.first = {str(selection.first).upper()}")
    if selection.unaccompanied is not None:
        parts.append(f"{alias}.unaccompanied = {str(selection.unaccompanied).upper()}")
    if selection.categories:
        parts.append(f"{alias}.category IN ({', '.join(map(_quote, selection.categories))})")
    return " AND ".join(parts)


def _age_expr() -> str:
    """Age in completed years on ``ref_date`` (a birthday counts from its day)."""
    before_birthday = (
        "CASE WHEN month(s.ref_date) < month(p.birth_date) OR (month(s.ref_date) = "
        "month(p.birth_date) AND day(s.ref_date) < day(p.birth_date)) THEN 1 ELSE 0 END"
    )
    return (
        "CASE WHEN p.birth_date IS NULL OR p.birth_date > s.ref_date THEN NULL ELSE "
        f"year(s.ref_date) - year(p.birth_date) - {before_birthday} END"
    )


def _mapped(column: str, dimension: Dimension) -> str:
    if not dimension.codes:
        return f"COALESCE(NULLIF(CAST({column} AS VARCHAR), ''), {_quote(dimension.other)})"
    whens = " ".join(
        f"WHEN {_quote(value)} THEN {_quote(code)}" for value, code in dimension.codes.items()
    )
    return f"CASE CAST({column} AS VARCHAR) {whens} ELSE {_quote(dimension.other)} END"


def _dimension_expr(dimension: Dimension) -> str:
    """The code of ``dimension`` for a row of the ``aged`` or ``banded`` CTE (alias ``a``)."""
    source = dimension.source
    if source is Source.SEX:
        return "CASE a.p_sex WHEN 'F' THEN 'F' WHEN 'M' THEN 'M' ELSE 'UNK' END"
    if source is Source.AGE:
        bands = " ".join(
            f"WHEN a.age_years <= {high} THEN {_quote(code)}"
            for code, _, high in AGE_BANDS
            if high is not None
        )
        last = AGE_BANDS[-1][0]
        return f"CASE WHEN a.age_years IS NULL THEN 'UNK' {bands} ELSE {_quote(last)} END"
    if source is Source.CITIZENSHIP:
        return f"COALESCE(a.citizen_code, {_quote(UNKNOWN)})"
    if source is Source.DESTINATION:
        return f"COALESCE(a.destination_code, {_quote(UNKNOWN)})"
    if source is Source.FIRST:
        return _mapped("lower(CAST(a.first AS VARCHAR))", dimension)
    column = {
        Source.PROVINCE: "a.province",
        Source.CATEGORY: "a.category",
        Source.EVENT_TYPE: "a.event_type",
    }[source]
    return _mapped(column, dimension)


def _grouping_sets(definition: TableDefinition, time: str) -> str:
    """Every combination of margins: ``time`` and the dimensions without a total always,
    each other dimension kept or totalled."""
    columns = [f"d{i}" for i in range(len(definition.dimensions))]
    fixed = [c for c, d in zip(columns, definition.dimensions, strict=True) if not d.total]
    free = [c for c, d in zip(columns, definition.dimensions, strict=True) if d.total]
    sets = []
    for size in range(len(free), -1, -1):
        for combo in itertools.combinations(free, size):
            sets.append("(" + ", ".join((time, *fixed, *combo)) + ")")
    return ", ".join(sets)


def _margin_columns(definition: TableDefinition) -> str:
    """Each dimension's output column: its code, or ``_T`` in the sets that total it."""
    outputs = []
    for i, d in enumerate(definition.dimensions):
        if d.total:
            outputs.append(f"CASE WHEN GROUPING(d{i}) = 1 THEN '{TOTAL}' ELSE d{i} END AS {d.id}")
        else:
            outputs.append(f"d{i} AS {d.id}")
    return ", ".join(outputs)


def _with_persons(source: str) -> str:
    """``source`` (alias ``s``) joined to its person and the Eurostat country codes."""
    return (
        f"FROM {source} s LEFT JOIN persons p ON p.person_id = s.person_id "
        "LEFT JOIN stat_countries cc ON cc.alpha3 = p.citizenship "
        "LEFT JOIN stat_countries cd ON cd.alpha3 = s.destination"
    )


def _flow_ctes(definition: TableDefinition, freq: Frequency, spans: Sequence[Period]) -> list[str]:
    """Events, persons and ratios per period, up to the ``result`` CTE."""
    where = _selection_condition(definition.select, "e")
    ctes = [
        f"candidates AS (SELECT e.*, {_day_index('e.event_date', freq, spans)} AS k, "
        f"e.event_date AS ref_date FROM events e WHERE {where} AND e.event_date BETWEEN "
        f"{_date(spans[0].start)} AND {_date(spans[-1].end)})"
    ]
    if definition.measure is Measure.PERSONS:
        ctes.append(
            "ranked AS (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.person_id, "
            "c.k ORDER BY c.event_date, c.event_id) AS rn FROM candidates c)"
        )
        ctes.append("selected AS (SELECT * FROM ranked WHERE rn = 1)")
    else:
        ctes.append("selected AS (SELECT * FROM candidates)")
    numerator = "0"
    if definition.numerator is not None:
        numerator = f"CASE WHEN {_selection_condition(definition.numerator, 's')} THEN 1 ELSE 0 END"
    ctes.append(
        f"aged AS (SELECT s.*, {_age_expr()} AS age_years, {numerator} AS num, "
        "p.sex AS p_sex, cc.code AS citizen_code, cd.code AS destination_code "
        f"{_with_persons('selected')})"
    )
    dims = ", ".join(f"{_dimension_expr(d)} AS d{i}" for i, d in enumerate(definition.dimensions))
    ctes.append(f"cells AS (SELECT a.k, a.num, {dims} FROM aged a)")
    if definition.measure is Measure.RATIO:
        value = "CAST(SUM(num) AS DOUBLE) * 100 / COUNT(*)"
    else:
        value = "COUNT(*)"
    return [*ctes, *_counted(definition, spans, value)]


def _counted(definition: TableDefinition, spans: Sequence[Period], value: str) -> list[str]:
    """``result`` from ``cells`` (a period number ``k`` and the codes ``d0``...): ``value``
    per cell with every margin, the period numbers turned into their codes."""
    ids = ", ".join(definition.dimension_ids)
    return [
        f"counted AS (SELECT k, {_margin_columns(definition)}, {value} AS OBS_VALUE "
        f"FROM cells GROUP BY GROUPING SETS ({_grouping_sets(definition, 'k')}))",
        f"result AS (SELECT r.time_period AS TIME_PERIOD, {ids}, c.OBS_VALUE FROM counted c "
        f"JOIN {_numbered(spans)} AS r(k, time_period) ON r.k = c.k)",
    ]


def _numbered(spans: Sequence[Period]) -> str:
    """The periods' numbers and codes as an inline table."""
    return f"(VALUES {', '.join(f'({k}, {_quote(p.code)})' for k, p in enumerate(spans))})"


def _day_index(day: str, freq: Frequency, spans: Sequence[Period]) -> str:
    """The number of the period holding ``day`` (the first period of ``spans`` is 0)."""
    return _index_of(f"year({day})", f"month({day})", freq, spans)


def _index_of(year: str, month: str, freq: Frequency, spans: Sequence[Period]) -> str:
    """The number of the period holding a day in ``year``, ``month`` (the first is 0)."""
    months = _MONTHS[freq]
    base = (spans[0].start.year * 12 + spans[0].start.month - 1) // months
    return f"(({year}) * 12 + ({month}) - 1) // {months} - {base}"


def _birthday_index(low: int, freq: Frequency, spans: Sequence[Period]) -> str:
    """The number of the first period whose last day finds person ``p`` aged ``low`` or more.

    That is the period of the ``low``-th birthday; someone born on 29 February is a year
    older from 1 March in a common year (as :func:`_age_expr` counts)."""
    year = f"year(p.birth_date) + {low}"
    common = f"NOT (({year}) % 4 = 0 AND (({year}) % 100 <> 0 OR ({year}) % 400 = 0))"
    month = (
        "CASE WHEN month(p.birth_date) = 2 AND day(p.birth_date) = 29 "
        f"AND {common} THEN 3 ELSE month(p.birth_date) END"
    )
    return _index_of(year, month, freq, spans)


def _stock_ctes(definition: TableDefinition, freq: Frequency, spans: Sequence[Period]) -> list[str]:
    """A stock on the last day of each period, up to the ``result`` CTE.

    The periods are numbered 0 to n - 1. A selected event holds at the ends of the periods
    ``[k_from, k_to)``: from the period of its date on, with ``valid_until`` up to the last
    period ending on or before that day. A person's time is cut into steps in which the
    same events hold (:func:`_stock_steps`); in each step the latest holding event describes
    the person, until a closing event (``ended_by``) on or after its date; with an AGE
    dimension each step is cut again where the age band changes (:func:`_age_band_ctes`).
    Each resulting piece is then counted in the periods it covers (:func:`_stock_counts`).
    """
    n = len(spans)
    few = n <= _PERIOD_BY_PERIOD_UP_TO

    def index(day: str) -> str:
        return _day_index(day, freq, spans)

    until = str(n)
    if definition.valid_until:
        until = (
            f"CASE WHEN e.valid_until IS NULL THEN {n} "
            f"ELSE LEAST({index('e.valid_until + INTERVAL 1 DAY')}, {n}) END"
        )
    ctes = [
        f"spans AS (SELECT e.*, GREATEST({index('e.event_date')}, 0) AS k_from, "
        f"{until} AS k_to FROM events e WHERE {_selection_condition(definition.select, 'e')})",
        "holding AS (SELECT * FROM spans WHERE k_from < k_to)",
        *_stock_steps(n, few),
    ]
    if definition.ended_by:
        ending = ", ".join(_quote(t.value) for t in definition.ended_by)
        ctes.append(
            "closing AS (SELECT h.person_id, h.event_id, h.event_date, "
            "MIN(x.event_date) AS closed_on FROM holding h JOIN events x "
            f"ON x.person_id = h.person_id AND x.event_type IN ({ending}) "
            "AND x.event_date >= h.event_date GROUP BY h.person_id, h.event_id, h.event_date)"
        )
        ctes.append(
            f"selected AS (SELECT h.*, LEAST(h.step_to, COALESCE({index('c.closed_on')}, "
            f"{n})) AS held_to FROM held h LEFT JOIN closing c ON c.person_id = h.person_id "
            "AND c.event_id = h.event_id AND c.event_date = h.event_date WHERE h.rn = 1)"
        )
    else:
        ctes.append("selected AS (SELECT h.*, h.step_to AS held_to FROM held h WHERE h.rn = 1)")
    has_age = any(d.source is Source.AGE for d in definition.dimensions)
    birthdays = "".join(
        f", {_birthday_index(low, freq, spans)} AS age{i}"
        for i, (_, low, _) in enumerate(AGE_BANDS)
    )
    ctes.append(
        "aged AS (SELECT s.*, p.sex AS p_sex, cc.code AS citizen_code, "
        f"cd.code AS destination_code{birthdays if has_age else ''} "
        f"{_with_persons('selected')} WHERE s.step_from < s.held_to)"
    )
    if has_age:
        ctes.append(_age_band_cte(n, few))
    else:
        ctes.append(
            "banded AS (SELECT a.*, a.step_from AS k_start, a.held_to AS k_stop FROM aged a)"
        )
    return ctes + _stock_counts(definition, spans, few)


def _stock_steps(n: int, few: bool) -> list[str]:
    """CTEs up to ``held``: per person and step (``step_from`` to ``step_to``), the holding
    events, ``rn`` = 1 for the latest."""
    latest = "ORDER BY h.event_date DESC, h.event_id DESC) AS rn"
    if few:
        # Each period is a step: every event is a candidate in every period it holds at.
        numbers = ", ".join(f"({k})" for k in range(n))
        return [
            "held AS (SELECT h.*, r.k AS step_from, r.k + 1 AS step_to, ROW_NUMBER() OVER "
            f"(PARTITION BY h.person_id, r.k {latest} FROM holding h JOIN (VALUES {numbers}) "
            "AS r(k) ON r.k >= h.k_from AND r.k < h.k_to)"
        ]
    # The steps run from one period where an event starts or stops holding to the next.
    return [
        "bounds AS (SELECT person_id, k_from AS k FROM holding "
        "UNION SELECT person_id, k_to AS k FROM holding)",
        "steps AS (SELECT person_id, k AS step_from, LEAD(k) OVER (PARTITION BY person_id "
        "ORDER BY k) AS step_to FROM bounds)",
        "held AS (SELECT h.*, t.step_from, t.step_to, ROW_NUMBER() OVER (PARTITION BY "
        f"t.person_id, t.step_from {latest} FROM steps t JOIN holding h ON h.person_id = "
        "t.person_id AND h.k_from <= t.step_from AND h.k_to > t.step_from "
        "WHERE t.step_to IS NOT NULL)",
    ]


def _age_band_cte(n: int, few: bool) -> str:
    """``banded``: the pieces of each step (``k_start`` to ``k_stop``) in one age band.

    Band 0 is UNK (no date of birth, or periods ending before it) and band i + 1 is
    ``AGE_BANDS[i]``, from the period of its birthday (``age{i}``) to the next band's."""
    if few:  # a step of one period is in one band
        whens = " ".join(f"WHEN a.step_from < a.age{i} THEN {i}" for i in range(1, len(AGE_BANDS)))
        return (
            f"banded AS (SELECT a.*, CASE WHEN a.step_from < COALESCE(a.age0, {n}) THEN 0 "
            f"{whens} ELSE {len(AGE_BANDS)} END AS band, a.step_from AS k_start, "
            "a.held_to AS k_stop FROM aged a)"
        )
    lows = [f"a.age{i}" for i in range(len(AGE_BANDS))]
    firsts = " ".join(f"WHEN {b} THEN {x}" for b, x in enumerate(["-1", *lows]))
    lasts = " ".join(
        f"WHEN {b} THEN {x}" for b, x in enumerate([f"COALESCE(a.age0, {n})", *lows[1:]])
    )
    bands = ", ".join(f"({b})" for b in range(len(AGE_BANDS) + 1))
    return (
        f"banded AS (SELECT a.*, g.band, GREATEST(a.step_from, COALESCE(CASE g.band {firsts} "
        f"END, {n})) AS k_start, LEAST(a.held_to, COALESCE(CASE g.band {lasts} END, {n})) "
        f"AS k_stop FROM aged a CROSS JOIN (VALUES {bands}) AS g(band))"
    )


def _stock_counts(definition: TableDefinition, spans: Sequence[Period], few: bool) -> list[str]:
    """From ``banded`` (one row per piece, alias ``a``) to ``result``.

    With few periods each piece is counted in its period. Otherwise each piece adds 1 to
    its cell from its first period and takes it away after its last; the changes are
    summed per cell with every margin and cumulated over the periods, so nothing grows
    with persons x periods."""
    n = len(spans)
    band_codes = [UNKNOWN, *(code for code, _, _ in AGE_BANDS)]
    band = (
        "CASE a.band "
        + " ".join(f"WHEN {b} THEN {_quote(code)}" for b, code in enumerate(band_codes))
        + " END"
    )
    dims = ", ".join(
        f"{band if d.source is Source.AGE else _dimension_expr(d)} AS d{i}"
        for i, d in enumerate(definition.dimensions)
    )
    if few:
        cells = f"cells AS (SELECT a.k_start AS k, {dims} FROM banded a WHERE a.k_start < a.k_stop)"
        return [cells, *_counted(definition, spans, "COUNT(*)")]
    ids = ", ".join(definition.dimension_ids)
    return [
        "cells AS (SELECT CASE WHEN g.delta = 1 THEN a.k_start ELSE a.k_stop END AS k, "
        f"g.delta, {dims} FROM banded a CROSS JOIN (VALUES (1), (-1)) AS g(delta) "
        f"WHERE a.k_start < a.k_stop AND (g.delta = 1 OR a.k_stop < {n}))",
        f"changes AS (SELECT k, {_margin_columns(definition)}, SUM(delta) AS change "
        f"FROM cells GROUP BY GROUPING SETS ({_grouping_sets(definition, 'k')}))",
        f"runs AS (SELECT *, SUM(change) OVER (PARTITION BY {ids} ORDER BY k ROWS BETWEEN "
        f"UNBOUNDED PRECEDING AND CURRENT ROW) AS stock, COALESCE(LEAD(k) OVER (PARTITION "
        f"BY {ids} ORDER BY k), {n}) AS k_next FROM changes)",
        f"result AS (SELECT r.time_period AS TIME_PERIOD, {ids}, CAST(u.stock AS BIGINT) "
        f"AS OBS_VALUE FROM runs u JOIN {_numbered(spans)} AS r(k, time_period) "
        "ON r.k >= u.k AND r.k < u.k_next WHERE u.stock > 0)",
    ]


def _group_ctes(definition: TableDefinition) -> tuple[list[str], str]:
    """CTEs adding each dimension's group codes (Y_LT18 = Y_LT14 + Y14-17) to ``result``,
    crossed with the other dimensions' group codes too (TOTAL_POS x Y_LT18), and the name
    of the last one."""
    keys = ["TIME_PERIOD", *definition.dimension_ids]
    ctes: list[str] = []
    last = "result"
    for n, dimension in enumerate(d for d in definition.dimensions if d.groups):
        others = ", ".join(k for k in keys if k != dimension.id)
        parts = [f"SELECT {', '.join(keys)}, OBS_VALUE FROM {last}"]
        for code, members in dimension.groups.items():
            columns = ", ".join(f"{_quote(code)} AS {k}" if k == dimension.id else k for k in keys)
            parts.append(
                f"SELECT {columns}, SUM(OBS_VALUE) AS OBS_VALUE FROM {last} "
                f"WHERE {dimension.id} IN ({', '.join(map(_quote, members))}) GROUP BY {others}"
            )
        ctes.append(f"grouped{n} AS ({' UNION ALL '.join(parts)})")
        last = f"grouped{n}"
    return ctes, last


def table_sql(
    definition: TableDefinition,
    *,
    start: dt.date,
    end: dt.date,
    frequency: Frequency | None = None,
    dialect: str = "duckdb",
) -> str:
    """The query computing ``definition`` over the periods from ``start`` to ``end``.

    It reads the views ``persons``, ``events`` and ``stat_countries`` (see
    :func:`eurostat_country_codes`).

    Args:
        definition: The table.
        start: A day in the first period.
        end: A day in the last period.
        frequency: The periods' frequency (the definition's by default).
        dialect: sqlglot's name of the engine's SQL dialect.

    Returns:
        The SQL text: columns TIME_PERIOD, the dimensions' ids, OBS_VALUE, group codes
        included, in no particular order.
    """
    freq = frequency or definition.frequency
    spans = periods(start, end, freq)
    if definition.measure is Measure.STOCK:
        ctes = _stock_ctes(definition, freq, spans)
    else:
        ctes = _flow_ctes(definition, freq, spans)
    groups, last = _group_ctes(definition)
    keys = ", ".join(["TIME_PERIOD", *definition.dimension_ids])
    sql = "WITH " + ",\n".join([*ctes, *groups]) + f"\nSELECT {keys}, OBS_VALUE FROM {last}"
    if dialect == "duckdb":
        return sql
    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def _long_format(
    result: pa.Table,
    definition: TableDefinition,
    frequency: Frequency,
    spans: Sequence[Period],
    as_of: dt.date | None,
) -> pd.DataFrame:
    """The query's result (group codes included) as the long format's data frame, sorted
    by TIME_PERIOD and the dimensions (here, so that every engine gives one order)."""
    rows = result.num_rows
    time_period = result.column("TIME_PERIOD").cast(pa.string())
    provisional = [p.code for p in spans if as_of is not None and p.end > as_of]
    status = pc.if_else(
        pc.is_in(time_period, value_set=pa.array(provisional, pa.string())),
        STATUS_PROVISIONAL,
        STATUS_NORMAL,
    )
    value_type = pa.float64() if definition.measure is Measure.RATIO else pa.int64()
    columns = {
        "FREQ": pa.repeat(pa.scalar(frequency.value), rows),
        "TIME_PERIOD": time_period,
        **{key: result.column(key).cast(pa.string()) for key in definition.dimension_ids},
        "OBS_VALUE": result.column("OBS_VALUE").cast(value_type),
        "OBS_STATUS": status,
        "CONF_STATUS": pa.repeat(pa.scalar(CONF_FREE), rows),
    }
    keys = ["TIME_PERIOD", *definition.dimension_ids]
    frame = pa.table(columns).to_pandas().sort_values(keys, kind="stable", ignore_index=True)
    frame.attrs.update(
        {
            "table": definition.id,
            "version": definition.version,
            "measure": definition.measure.value,
            "unit": definition.unit,
            "frequency": frequency.value,
            "periods": {p.code: (p.start.isoformat(), p.end.isoformat()) for p in spans},
            "age_reference": definition.age_reference.value if definition.age_reference else None,
        }
    )
    return frame


def register_microdata(engine: StatsEngine, data: Microdata) -> None:
    """Register the persons and events (checked when given as tables) and the lookups."""
    persons, events = data.persons, data.events
    if isinstance(persons, pa.Table):
        persons = check_table(persons, PERSONS_SCHEMA, "persons")
    if isinstance(events, pa.Table):
        events = check_table(events, EVENTS_SCHEMA, "events")
    engine.register("persons", persons)
    engine.register("events", events)
    engine.register("stat_countries", eurostat_country_codes())


def compute_tables(
    definitions: Iterable[TableDefinition],
    data: Microdata,
    *,
    start: dt.date,
    end: dt.date,
    frequency: Frequency | None = None,
    engine: str | StatsEngine = "duckdb",
    as_of: dt.date | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of ``definitions`` over the periods from ``start`` to ``end``.

    Args:
        definitions: The tables (e.g. ``load_definitions().values()``).
        data: The microdata.
        start: A day in the first period (the whole period is counted).
        end: A day in the last period (the whole period is counted).
        frequency: One frequency for every table (each definition's own by default).
        engine: "duckdb" (default), "spark", or an engine object.
        as_of: The day the data were extracted: periods ending after it are provisional
            (OBS_STATUS "P").

    Returns:
        Each table in the shared long format, by definition id; ``attrs`` carries the
        definition id, version, frequency and the periods' first and last days.

    Raises:
        MicrodataError: a given table lacks a column or has a wrong type.
    """
    runner = get_engine(engine)
    register_microdata(runner, data)
    out: dict[str, pd.DataFrame] = {}
    for definition in definitions:
        freq = frequency or definition.frequency
        spans = periods(start, end, freq)
        sql = table_sql(definition, start=start, end=end, frequency=freq, dialect=runner.dialect)
        out[definition.id] = _long_format(runner.query(sql), definition, freq, spans, as_of)
    return out


def compute_table(
    definition: TableDefinition,
    data: Microdata,
    *,
    start: dt.date,
    end: dt.date,
    frequency: Frequency | None = None,
    engine: str | StatsEngine = "duckdb",
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """One table; see :func:`compute_tables`."""
    return compute_tables(
        [definition],
        data,
        start=start,
        end=end,
        frequency=frequency,
        engine=engine,
        as_of=as_of,
    )[definition.id]
