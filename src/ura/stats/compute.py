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

import numpy as np
import pandas as pd
import pyarrow as pa
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
    months = {Frequency.ANNUAL: 12, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}[frequency]
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


def _period_expr(column: str, frequency: Frequency) -> str:
    year = f"CAST(year({column}) AS VARCHAR)"
    if frequency is Frequency.ANNUAL:
        return year
    if frequency is Frequency.QUARTERLY:
        return f"{year} || '-Q' || CAST(quarter({column}) AS VARCHAR)"
    return f"{year} || '-' || LPAD(CAST(month({column}) AS VARCHAR), 2, '0')"


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
    """The code of ``dimension`` for a row of the ``aged`` CTE (alias ``a``)."""
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


def _grouping_sets(definition: TableDefinition) -> list[tuple[str, ...]]:
    columns = [f"d{i}" for i in range(len(definition.dimensions))]
    fixed = [c for c, d in zip(columns, definition.dimensions, strict=True) if not d.total]
    free = [c for c, d in zip(columns, definition.dimensions, strict=True) if d.total]
    sets = []
    for size in range(len(free), -1, -1):
        for combo in itertools.combinations(free, size):
            sets.append(("time_period", *fixed, *combo))
    return sets


def table_sql(
    definition: TableDefinition,
    *,
    start: dt.date,
    end: dt.date,
    frequency: Frequency | None = None,
    dialect: str = "duckdb",
) -> str:
    """The query computing ``definition`` over the periods from ``start`` to ``end``.

    It reads the views ``persons``, ``events``, ``stat_countries`` (see
    :func:`eurostat_country_codes`) and, for stocks, ``stat_periods`` (``time_period``,
    ``period_end``).

    Args:
        definition: The table.
        start: A day in the first period.
        end: A day in the last period.
        frequency: The periods' frequency (the definition's by default).
        dialect: sqlglot's name of the engine's SQL dialect.

    Returns:
        The SQL text: columns TIME_PERIOD, the dimensions' ids, OBS_VALUE.
    """
    freq = frequency or definition.frequency
    spans = periods(start, end, freq)
    first_day, last_day = spans[0].start, spans[-1].end
    where = _selection_condition(definition.select, "e")
    measure = definition.measure
    if measure is Measure.STOCK:
        validity = (
            " AND (e.valid_until IS NULL OR e.valid_until >= r.period_end)"
            if definition.valid_until
            else ""
        )
        ctes = [
            "candidates AS (SELECT e.*, r.time_period, r.period_end AS ref_date "
            "FROM events e JOIN stat_periods r ON e.event_date <= r.period_end "
            f"WHERE {where}{validity})",
            "ranked AS (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.person_id, "
            "c.time_period ORDER BY c.event_date DESC, c.event_id DESC) AS rn "
            "FROM candidates c)",
        ]
        if definition.ended_by:
            ending = ", ".join(_quote(t.value) for t in definition.ended_by)
            ctes.append(
                "closed AS (SELECT DISTINCT l.person_id, l.time_period FROM ranked l "
                "JOIN events x ON x.person_id = l.person_id "
                f"AND x.event_type IN ({ending}) AND x.event_date >= l.event_date "
                "AND x.event_date <= l.ref_date WHERE l.rn = 1)"
            )
            ctes.append(
                "selected AS (SELECT l.* FROM ranked l LEFT JOIN closed k "
                "ON k.person_id = l.person_id AND k.time_period = l.time_period "
                "WHERE l.rn = 1 AND k.person_id IS NULL)"
            )
        else:
            ctes.append("selected AS (SELECT * FROM ranked WHERE rn = 1)")
    else:
        period = _period_expr("e.event_date", freq)
        ctes = [
            f"candidates AS (SELECT e.*, {period} AS time_period, e.event_date AS ref_date "
            f"FROM events e WHERE {where} AND e.event_date BETWEEN {_date(first_day)} "
            f"AND {_date(last_day)})"
        ]
        if measure is Measure.PERSONS:
            ctes.append(
                "ranked AS (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.person_id, "
                "c.time_period ORDER BY c.event_date, c.event_id) AS rn FROM candidates c)"
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
        "FROM selected s LEFT JOIN persons p ON p.person_id = s.person_id "
        "LEFT JOIN stat_countries cc ON cc.alpha3 = p.citizenship "
        "LEFT JOIN stat_countries cd ON cd.alpha3 = s.destination)"
    )
    dims = [_dimension_expr(d) for d in definition.dimensions]
    cell_columns = ", ".join(f"{expr} AS d{i}" for i, expr in enumerate(dims))
    ctes.append(f"cells AS (SELECT a.time_period, a.num, {cell_columns} FROM aged a)")
    outputs = ["time_period AS TIME_PERIOD"]
    for i, d in enumerate(definition.dimensions):
        if d.total:
            outputs.append(f"CASE WHEN GROUPING(d{i}) = 1 THEN '{TOTAL}' ELSE d{i} END AS {d.id}")
        else:
            outputs.append(f"d{i} AS {d.id}")
    if measure is Measure.RATIO:
        outputs.append("CAST(SUM(num) AS DOUBLE) * 100 / COUNT(*) AS OBS_VALUE")
    else:
        outputs.append("COUNT(*) AS OBS_VALUE")
    sets = ", ".join("(" + ", ".join(s) + ")" for s in _grouping_sets(definition))
    sql = (
        "WITH "
        + ",\n".join(ctes)
        + f"\nSELECT {', '.join(outputs)} FROM cells GROUP BY GROUPING SETS ({sets})"
    )
    if dialect == "duckdb":
        return sql
    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def _add_groups(frame: pd.DataFrame, definition: TableDefinition) -> pd.DataFrame:
    """Rows for each dimension's group codes (e.g. Y_LT18 = Y_LT14 + Y14-17), crossed with
    the other dimensions' group codes too (TOTAL_POS x Y_LT18)."""
    keys = ["TIME_PERIOD", *definition.dimension_ids]
    for dimension in definition.dimensions:
        others = [k for k in keys if k != dimension.id]
        parts = [frame]
        for code, members in dimension.groups.items():
            rows = frame[frame[dimension.id].isin(members)]
            if rows.empty:
                continue
            summed = rows.groupby(others, as_index=False, sort=False)["OBS_VALUE"].sum()
            summed[dimension.id] = code
            parts.append(summed[[*keys, "OBS_VALUE"]])
        frame = pd.concat(parts, ignore_index=True)
    return frame


def _long_format(
    result: pa.Table,
    definition: TableDefinition,
    frequency: Frequency,
    spans: Sequence[Period],
    as_of: dt.date | None,
) -> pd.DataFrame:
    frame = result.to_pandas()
    keys = ["TIME_PERIOD", *definition.dimension_ids]
    for key in keys:
        frame[key] = frame[key].astype(str)
    if definition.measure is Measure.RATIO:
        frame["OBS_VALUE"] = frame["OBS_VALUE"].astype("float64")
    else:
        frame["OBS_VALUE"] = frame["OBS_VALUE"].astype("int64")
        frame = _add_groups(frame, definition)
    provisional = {p.code for p in spans if as_of is not None and p.end > as_of}
    frame.insert(0, "FREQ", frequency.value)
    frame["OBS_STATUS"] = np.where(
        frame["TIME_PERIOD"].isin(provisional), STATUS_PROVISIONAL, STATUS_NORMAL
    )
    frame["CONF_STATUS"] = CONF_FREE
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
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
    return frame[["FREQ", *keys, "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]]


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
    registered: set[Frequency] = set()
    out: dict[str, pd.DataFrame] = {}
    for definition in definitions:
        freq = frequency or definition.frequency
        spans = periods(start, end, freq)
        if definition.measure is Measure.STOCK and freq not in registered:
            runner.register(
                "stat_periods",
                pa.table(
                    {
                        "time_period": [p.code for p in spans],
                        "period_end": pa.array([p.end for p in spans], pa.date32()),
                    }
                ),
            )
            registered = {freq}
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
