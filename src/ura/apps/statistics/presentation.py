"""How a stored table is shown: a cross-table of two dimensions with the others chosen by
filters, and the Vega-Lite charts that fit its dimensions (pure pandas, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ura.stats.outputs.charts import nationality_bar_spec, province_tile_spec, time_series_spec
from ura.stats.outputs.meta import OutputError, TableMeta, names_for
from ura.stats.outputs.tabular import cell_flags
from ura.stats.reference import load_turkiye_provinces

VALUE_COLUMNS = frozenset({"OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "ROUNDED", "UNIT_MEASURE"})


@dataclass(frozen=True)
class Filter:
    dimension: str
    choices: list[tuple[str, str]]  # (code, name)
    chosen: str


@dataclass(frozen=True)
class CrossTable:
    row_dimension: str
    column_dimension: str
    columns: list[tuple[str, str]]  # (code, name)
    rows: list[tuple[str, str, list[tuple[str, str]]]]  # (code, name, [(value, flags)])


def dimensions(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in VALUE_COLUMNS and c != "FREQ"]


def _default(codes: list[str], dimension: str) -> str:
    if "_T" in codes:
        return "_T"
    if dimension == "TIME_PERIOD":
        return codes[-1]
    return codes[0]


def _sort(codes: list[str]) -> list[str]:
    return sorted(codes, key=lambda c: (c == "_T", c))


def layout(
    frame: pd.DataFrame, meta: TableMeta, query: Mapping[str, str]
) -> tuple[CrossTable | None, list[Filter]]:
    """The cross-table and the filters for the other dimensions, from the request's
    choices (``rows``, ``cols`` and a code per dimension)."""
    dims = dimensions(frame)
    if not dims or frame.empty:
        return None, []
    row_dim = query.get("rows") if query.get("rows") in dims else None
    col_dim = query.get("cols") if query.get("cols") in dims else None
    if row_dim is None:
        row_dim = next((d for d in dims if d not in ("TIME_PERIOD", col_dim)), dims[0])
    if col_dim is None or col_dim == row_dim:
        col_dim = "TIME_PERIOD" if row_dim != "TIME_PERIOD" and "TIME_PERIOD" in dims else None
        if col_dim is None:
            col_dim = next((d for d in dims if d != row_dim), row_dim)
    filters: list[Filter] = []
    rows = frame
    for dim in dims:
        if dim in (row_dim, col_dim):
            continue
        codes = _sort([str(c) for c in frame[dim].unique()])
        chosen = query.get(dim) if query.get(dim) in codes else _default(codes, dim)
        names = names_for(frame, meta, dim) if dim != "TIME_PERIOD" else {}
        filters.append(Filter(dim, [(c, names.get(c, c)) for c in codes], str(chosen)))
        rows = rows[rows[dim].astype(str) == chosen]
    row_names = names_for(frame, meta, row_dim) if row_dim != "TIME_PERIOD" else {}
    col_names = names_for(frame, meta, col_dim) if col_dim != "TIME_PERIOD" else {}
    col_codes = _sort([str(c) for c in frame[col_dim].unique()])
    cells: dict[tuple[str, str], tuple[str, str]] = {}
    for record in rows.to_dict("records"):
        value = record["OBS_VALUE"]
        conf = str(record.get("CONF_STATUS", "F"))
        flags = cell_flags(str(record.get("OBS_STATUS", "A")), conf, bool(record.get("ROUNDED")))
        if pd.isna(value):
            text = ":"
        elif isinstance(value, float) and not float(value).is_integer():
            text = f"{value:,.1f}"
        else:
            text = f"{int(value):,}"
        cells[(str(record[row_dim]), str(record[col_dim]))] = (text, flags)
    empty = ":" if not meta.absent_is_zero else "0"
    table_rows = []
    for code in _sort([str(c) for c in frame[row_dim].unique()]):
        values = [cells.get((code, col), (empty, "")) for col in col_codes]
        table_rows.append((code, row_names.get(code, code), values))
    cross = CrossTable(row_dim, col_dim, [(c, col_names.get(c, c)) for c in col_codes], table_rows)
    return cross, filters


def charts(frame: pd.DataFrame, meta: TableMeta, chosen: Mapping[str, str]) -> list[dict[str, Any]]:
    """The Vega-Lite specs that fit the table: a time series, the largest citizenships, the
    provinces' tile grid. A chart that the table cannot draw is left out."""
    dims = dimensions(frame)
    fixed = {d: c for d, c in chosen.items() if d in dims and c}
    specs: list[dict[str, Any]] = []
    label = str(meta.unit)
    attempts: list[Any] = []
    if frame["TIME_PERIOD"].nunique() > 1 if "TIME_PERIOD" in frame else False:
        attempts.append(
            lambda: time_series_spec(
                frame,
                title=meta.title,
                value_label=label,
                fixed={k: v for k, v in fixed.items() if k != "TIME_PERIOD"},
            )
        )
    last = (
        {"TIME_PERIOD": str(sorted(frame["TIME_PERIOD"].unique())[-1])}
        if "TIME_PERIOD" in frame
        else {}
    )
    if "CITIZEN" in dims:
        attempts.append(
            lambda: nationality_bar_spec(
                frame,
                title=meta.title,
                value_label=label,
                fixed={**last, **{k: v for k, v in fixed.items() if k != "CITIZEN"}},
            )
        )
    if "GEO" in dims and frame["GEO"].astype(str).str.startswith("TR-").any():
        attempts.append(
            lambda: province_tile_spec(
                frame[frame["GEO"].astype(str).str.match(r"^(TR-\d\d|_T)$")],
                load_turkiye_provinces(),
                title=meta.title,
                value_label=label,
                fixed={**last, **{k: v for k, v in fixed.items() if k != "GEO"}},
            )
        )
    for attempt in attempts:
        try:
            specs.append(attempt())
        except OutputError:
            continue
    return specs
