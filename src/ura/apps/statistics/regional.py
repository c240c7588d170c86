"""The regional impact page's figures, from published tables only: foreigners per 1,000
residents by province, shares by permit type, work permits by economic sector."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ura.apps.statistics.models import StatTable
from ura.stats.outputs.charts import province_tile_spec, slice_table
from ura.stats.outputs.meta import OutputError, code_name
from ura.stats.outputs.tabular import cell_flags
from ura.stats.reference import foreigners_per_thousand, load_turkiye_provinces

#: The tables the page reads: valid residence permits (the foreign resident population) and
#: work permits.
STOCK_TABLE = "migr_resvalid"
WORK_TABLE = "ura_work_permits"


@dataclass
class Share:
    code: str
    name: str
    value: str
    share: str
    flags: str


@dataclass
class RegionalFigures:
    period: str = ""
    stock: StatTable | None = None
    work: StatTable | None = None
    provinces: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    permit_types: list[Share] = field(default_factory=list)
    sectors: list[Share] = field(default_factory=list)
    tile_spec: dict[str, Any] | None = None


def _last_period(frame: pd.DataFrame) -> str:
    return str(sorted(frame["TIME_PERIOD"].astype(str).unique())[-1])


def _shares(frame: pd.DataFrame, dimension: str, period: str) -> list[Share]:
    try:
        rows = slice_table(frame, (dimension,), {"TIME_PERIOD": period})
    except OutputError:
        return []
    total_rows = rows[rows[dimension] == "_T"]
    total = total_rows["OBS_VALUE"].iloc[0] if len(total_rows) else None
    out = []
    for record in rows[rows[dimension] != "_T"].sort_values(dimension).to_dict("records"):
        value = record["OBS_VALUE"]
        flags = cell_flags(
            str(record.get("OBS_STATUS", "A")),
            str(record.get("CONF_STATUS", "F")),
            bool(record.get("ROUNDED")),
        )
        shown = ":" if pd.isna(value) else f"{int(value):,}"
        share = (
            ":"
            if pd.isna(value) or total is None or pd.isna(total) or not total
            else f"{100 * float(value) / float(total):.1f} %"
        )
        code = str(record[dimension])
        out.append(Share(code, code_name(dimension, code), shown, share, flags))
    return out


def regional_figures(
    stock: StatTable | None,
    stock_frame: pd.DataFrame | None,
    work: StatTable | None,
    work_frame: pd.DataFrame | None,
) -> RegionalFigures:
    """The page's figures from the published protected tables (None: not published yet)."""
    figures = RegionalFigures(stock=stock, work=work)
    provinces = load_turkiye_provinces()
    if stock_frame is not None and not stock_frame.empty:
        period = _last_period(stock_frame)
        figures.period = period
        try:
            by_geo = slice_table(stock_frame, ("GEO",), {"TIME_PERIOD": period})
        except OutputError:
            by_geo = stock_frame.iloc[0:0]
        known = set(provinces.by_code()) | {"_T"}
        by_geo = by_geo[by_geo["GEO"].isin(known)]
        rates = foreigners_per_thousand(by_geo, provinces)
        names = {p.code: p.name for p in provinces.rows}
        for count, rate in zip(
            by_geo.sort_values("GEO").to_dict("records"),
            rates.sort_values("GEO").to_dict("records"),
            strict=True,
        ):
            code = str(count["GEO"])
            figures.provinces.append(
                (
                    code,
                    names.get(code, code),
                    ":" if pd.isna(count["OBS_VALUE"]) else f"{int(count['OBS_VALUE']):,}",
                    ":" if pd.isna(rate["OBS_VALUE"]) else f"{float(rate['OBS_VALUE']):.2f}",
                    cell_flags(
                        str(rate.get("OBS_STATUS", "A")),
                        str(rate.get("CONF_STATUS", "F")),
                        bool(rate.get("ROUNDED")),
                    ),
                )
            )
        try:
            figures.tile_spec = province_tile_spec(
                by_geo,
                provinces,
                title=stock.title if stock else "",
                value_label="PER",
            )
        except OutputError:
            figures.tile_spec = None
        figures.permit_types = _shares(stock_frame, "REASON", period)
    if work_frame is not None and not work_frame.empty:
        figures.sectors = _shares(work_frame, "NACE_R2", _last_period(work_frame))
    return figures
