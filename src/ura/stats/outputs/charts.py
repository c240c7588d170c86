"""Vega-Lite chart specifications built from long-format tables (pure functions returning dicts).

The pages embed them with the vendored Vega, Vega-Lite and vega-embed
(``ura/web/static/vendor/README.md``). Each chart shows one slice of a table: the dimensions
the chart does not draw are fixed, to ``_T`` unless the caller picks a code. Suppressed cells
are not drawn (they have no value) and are counted in the chart's subtitle, so a reader knows
that something is hidden; a cell's flags are in its tooltip.

The provincial chart is a *tile grid*: one tile per province, columns the twelve NUTS-1 regions
ordered roughly west to east (İstanbul, West Marmara, Aegean, East Marmara, West Anatolia,
Mediterranean, Central Anatolia, West Black Sea, East Black Sea, Northeast, Centre-East and
Southeast Anatolia), rows the provinces of a region by plate number, coloured by value. It
reads like a coarse map without shipping boundaries (which would need a licensed geometry file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from ura.stats.outputs.meta import (
    CONF_STATUS,
    OBS_STATUS,
    ROUNDED,
    SUPPRESSED,
    VALUE_COLUMNS,
    OutputError,
    code_name,
)
from ura.stats.outputs.tabular import cell_flags
from ura.stats.reference.subdivisions import SubdivisionTable

SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v6.json"
_YEAR: Final = re.compile(r"\d{4}")
_MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: NUTS-1 regions of Türkiye, west to east, with their English names.
NUTS1_REGIONS: Final = {
    "TR1": "İstanbul",
    "TR2": "West Marmara",
    "TR3": "Aegean",
    "TR4": "East Marmara",
    "TR5": "West Anatolia",
    "TR6": "Mediterranean",
    "TR7": "Central Anatolia",
    "TR8": "West Black Sea",
    "TR9": "East Black Sea",
    "TRA": "Northeast Anatolia",
    "TRB": "Centre-East Anatolia",
    "TRC": "Southeast Anatolia",
}

Spec = dict[str, Any]


def slice_table(
    table: pd.DataFrame, drawn: tuple[str, ...], fixed: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The rows of ``table`` that a chart drawing ``drawn`` shows.

    Args:
        table: Long-format table.
        drawn: The dimensions the chart draws (kept whole).
        fixed: Codes for other dimensions; a dimension not named here is fixed to its only
            code when it has one (``FREQ``), else to ``_T``.

    Returns:
        The matching rows.

    Raises:
        OutputError: a drawn dimension is missing, or a fixed code is not in the table.
    """
    fixed = dict(fixed or {})
    for dimension in drawn:
        if dimension not in table.columns:
            raise OutputError(f"the table has no {dimension} column")
    others = [c for c in table.columns if c not in drawn and c not in VALUE_COLUMNS]
    mask = pd.Series(True, index=table.index)
    for dimension in others:
        codes = set(table[dimension])
        only = next(iter(codes)) if len(codes) == 1 else "_T"
        code = fixed.get(dimension, only)
        if code not in codes:
            hint = "" if dimension in fixed else " (it has no total: pick one of its codes)"
            raise OutputError(f"{dimension} has no code {code!r} in the table{hint}")
        mask &= table[dimension] == code
    return table[mask]


def _records(rows: pd.DataFrame, columns: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    records = []
    hidden = 0
    for row in rows.to_dict("records"):
        value = row["OBS_VALUE"]
        suppressed = row.get(CONF_STATUS, "F") in SUPPRESSED
        if suppressed or pd.isna(value):
            hidden += 1
            continue
        number = float(value)
        record: dict[str, Any] = {c: str(row[c]) for c in columns}
        record["value"] = int(number) if number.is_integer() else number
        record["flags"] = cell_flags(
            str(row.get(OBS_STATUS, "A")), str(row.get(CONF_STATUS, "F")), bool(row.get(ROUNDED))
        )
        records.append(record)
    return records, hidden


def _title(title: str, hidden: int, source: str) -> dict[str, Any]:
    subtitle = []
    if hidden:
        subtitle.append(f"{hidden} cell(s) not shown: confidential or not available")
    if source:
        subtitle.append(f"Source: {source}")
    return {"text": title, "subtitle": subtitle} if subtitle else {"text": title}


def time_series_spec(
    table: pd.DataFrame,
    *,
    title: str,
    value_label: str,
    series: str | None = None,
    series_names: Mapping[str, str] | None = None,
    fixed: Mapping[str, str] | None = None,
    source: str = "",
) -> Spec:
    """A line chart over TIME_PERIOD, one line per code of ``series`` (or a single line).

    Args:
        table: Long-format table with a TIME_PERIOD dimension.
        title: Chart title.
        value_label: Axis title for the values (e.g. "Applications").
        series: The dimension drawn as separate lines, if any.
        series_names: Names to show for the series' codes (CLDR or reference names otherwise).
        fixed: Codes for the dimensions not drawn (``_T`` by default).
        source: Citation shown under the title (UNHCR data must be credited).

    Returns:
        A Vega-Lite specification.
    """
    drawn = ("TIME_PERIOD",) if series is None else ("TIME_PERIOD", series)
    rows = slice_table(table, drawn, fixed)
    if series is not None:
        rows = rows[rows[series] != "_T"]
    records, hidden = _records(rows, drawn)
    names = dict(series_names or {})
    for record in records:
        if series is not None:
            code = record[series]
            record["series"] = names.get(code) or code_name(series, code)
    encoding: dict[str, Any] = {
        "x": _time_axis([str(r["TIME_PERIOD"]) for r in records]),
        "y": {"field": "value", "type": "quantitative", "title": value_label},
        "tooltip": [
            {"field": "TIME_PERIOD", "title": "Period"},
            {"field": "value", "type": "quantitative", "title": value_label, "format": ","},
            {"field": "flags", "title": "Flags"},
        ],
    }
    if series is not None:
        encoding["color"] = {"field": "series", "type": "nominal", "title": None}
        encoding["tooltip"].insert(0, {"field": "series", "title": "Series"})
    return {
        "$schema": SCHEMA,
        "title": _title(title, hidden, source),
        "width": 640,
        "height": 300,
        "data": {"values": records},
        "mark": {"type": "line", "point": True},
        "encoding": encoding,
    }


def _time_axis(periods: list[str]) -> dict[str, Any]:
    """Years and months are dates to Vega; quarters and weeks (``2024-Q1``) are ordered labels."""
    if all(_YEAR.fullmatch(p) for p in periods):
        return {"field": "TIME_PERIOD", "type": "temporal", "timeUnit": "year", "title": None}
    if all(_MONTH.fullmatch(p) for p in periods):
        return {"field": "TIME_PERIOD", "type": "temporal", "timeUnit": "yearmonth", "title": None}
    return {"field": "TIME_PERIOD", "type": "ordinal", "sort": "ascending", "title": None}


def nationality_bar_spec(
    table: pd.DataFrame,
    *,
    title: str,
    value_label: str,
    top: int = 15,
    fixed: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    source: str = "",
) -> Spec:
    """A horizontal bar per citizenship (CITIZEN), largest first, the ``top`` largest only.

    Args:
        table: Long-format table with a CITIZEN dimension.
        title: Chart title.
        value_label: Axis title for the values.
        top: How many citizenships to show.
        fixed: Codes for the other dimensions (``_T`` by default).
        names: Names for the CITIZEN codes (CLDR country names otherwise).
        source: Citation shown under the title.

    Returns:
        A Vega-Lite specification.
    """
    rows = slice_table(table, ("CITIZEN",), fixed)
    rows = rows[rows["CITIZEN"] != "_T"]
    records, hidden = _records(rows, ("CITIZEN",))
    records.sort(key=lambda r: (-r["value"], r["CITIZEN"]))
    shown = records[:top]
    for record in shown:
        code = record["CITIZEN"]
        record["name"] = (names or {}).get(code) or code_name("CITIZEN", code)
    return {
        "$schema": SCHEMA,
        "title": _title(title, hidden, source),
        "width": 560,
        "height": {"step": 22},
        "data": {"values": shown},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "value", "type": "quantitative", "title": value_label},
            "tooltip": [
                {"field": "name", "title": "Citizenship"},
                {"field": "value", "type": "quantitative", "title": value_label, "format": ","},
                {"field": "flags", "title": "Flags"},
            ],
        },
    }


def province_tile_spec(
    table: pd.DataFrame,
    provinces: SubdivisionTable,
    *,
    title: str,
    value_label: str,
    fixed: Mapping[str, str] | None = None,
    source: str = "",
) -> Spec:
    """Türkiye's provinces as a tile grid by NUTS-1 region (see the module docstring).

    Args:
        table: Long-format table with a GEO dimension of ISO 3166-2 province codes.
        provinces: The province reference table (names and NUTS codes).
        title: Chart title.
        value_label: Legend title for the values.
        fixed: Codes for the other dimensions (``_T`` by default).
        source: Citation shown under the title.

    Returns:
        A Vega-Lite specification; provinces without a value are drawn as grey tiles.

    Raises:
        OutputError: a province has no NUTS code in the reference table.
    """
    rows = slice_table(table, ("GEO",), fixed)
    records, hidden = _records(rows[rows["GEO"] != "_T"], ("GEO",))
    values = {record["GEO"]: record for record in records}
    regions = list(NUTS1_REGIONS)
    highest = max((float(r["value"]) for r in records), default=0.0)
    tiles = []
    rank: dict[str, int] = {}
    for province in provinces.rows:
        region = province.nuts2[:3]
        if region not in NUTS1_REGIONS:
            raise OutputError(f"{province.code} has no NUTS-1 region")
        rank[region] = rank.get(region, 0) + 1
        record = values.get(province.code, {})
        tiles.append(
            {
                "GEO": province.code,
                "name": province.name,
                "region": NUTS1_REGIONS[region],
                "column": regions.index(region),
                "row": rank[region],
                "value": record.get("value"),
                "flags": record.get("flags", "" if province.code in values else ":"),
                "dark": record.get("value") is not None and record["value"] > 0.6 * highest,
            }
        )
    tooltip = [
        {"field": "name", "title": "Province"},
        {"field": "region", "title": "Region"},
        {"field": "value", "type": "quantitative", "title": value_label, "format": ","},
        {"field": "flags", "title": "Flags"},
    ]
    position = {
        "x": {
            "field": "column", "type": "ordinal", "title": None,
            "axis": {"labelExpr": _region_label_expr(), "labelAngle": -40, "orient": "top"},
        },
        "y": {"field": "row", "type": "ordinal", "axis": None},
    }  # fmt: skip
    return {
        "$schema": SCHEMA,
        "title": _title(title, hidden, source),
        "data": {"values": tiles},
        "encoding": position,
        "layer": [
            # Every tile in grey first; a province without a value keeps it.
            {"mark": {"type": "rect", "stroke": "white", "fill": "#dddddd"}},
            {
                "mark": {"type": "rect", "stroke": "white"},
                "encoding": {
                    "color": {
                        "field": "value", "type": "quantitative", "title": value_label,
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "fontSize": 8, "limit": 70},
                "encoding": {
                    "text": {"field": "name"},
                    # Names on the darkest tiles in white, to stay legible.
                    "color": {
                        "condition": {"test": "datum.dark", "value": "white"},
                        "value": "black",
                    },
                    "tooltip": tooltip,
                },
            },
        ],
        "config": {"view": {"step": 78}},
    }  # fmt: skip


def _region_label_expr() -> str:
    names = ", ".join(f"'{name}'" for name in NUTS1_REGIONS.values())
    return f"[{names}][datum.value]"
