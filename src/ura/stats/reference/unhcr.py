"""International context from UNHCR's Refugee Population Statistics Database (CC BY 4.0).

Ura ships an extract (``data/unhcr_context.csv``) for the countries a migration profile of
Türkiye or Kosovo compares itself with, so the profile builds without the full database;
:func:`extract_unhcr_context` recomputes it from the database's Parquet files and the tests
prove the two equal. Every figure is a sum of the database's own rows, nothing estimated.

Kosovo: UNHCR reports Kosovo together with Serbia as one country of asylum, "Serbia and
Kosovo: S/RES/1244 (1999)", ISO code ``SRB``. There is no separate Kosovo series; the extract
keeps the ``SRB`` code and :data:`COUNTRY_NOTES` says so beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from ura.stats.outputs.meta import TableMeta

EXTRACT: Final = Path(__file__).resolve().parent / "data" / "unhcr_context.csv"

#: The database version the extract was made from.
DATABASE_VERSION: Final = "2025.12.1"

#: How a chart or report credits the figures (the licence asks for attribution).
CITATION: Final = (
    f"UNHCR Refugee Population Statistics Database, version {DATABASE_VERSION} "
    "(https://www.unhcr.org/refugee-statistics/), licensed under CC BY 4.0."
)

#: Countries of asylum in the extract (ISO 3166-1 alpha-3 as UNHCR codes them), by group.
TURKIYE: Final = ("TUR",)
KOSOVO_REGION: Final = ("SRB", "ALB", "MKD", "MNE", "BIH")
COMPARATORS: Final = ("DEU", "GRC", "LBN", "JOR", "IRN", "PAK")
COUNTRIES: Final = TURKIYE + KOSOVO_REGION + COMPARATORS

COUNTRY_NOTES: Final = {
    "SRB": 'UNHCR reports Serbia and Kosovo together as "Serbia and Kosovo: S/RES/1244 (1999)".',
}

#: The indicators, each the sum of one database column over every origin (and, for the
#: applications, every procedure, application type and decision level).
INDICATORS: Final = {
    "REFUGEES": "Refugees under UNHCR's mandate hosted at the end of the year "
    "(population.refugees)",
    "ASYLUM_SEEKERS": "Asylum-seekers with pending claims at the end of the year "
    "(population.asylum_seekers)",
    "OIP": "Other people in need of international protection at the end of the year "
    "(population.oip; reported since 2022)",
    "ASYL_APP": "Asylum applications lodged during the year, all types and instances "
    "(asylum_applications.applied)",
    "ASYL_APP_NEW": "New asylum applications lodged during the year "
    "(asylum_applications.applied where app_type is N)",
}

FIRST_YEAR: Final = 2000
_POPULATION_COLUMNS: Final = {
    "REFUGEES": "refugees",
    "ASYLUM_SEEKERS": "asylum_seekers",
    "OIP": "oip",
}
_LONG_COLUMNS: Final = ["GEO", "INDICATOR", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]


class UnhcrDataError(ValueError):
    """The UNHCR files lack a column or a table the extract needs."""


def unhcr_meta() -> TableMeta:
    """The extract's facts for the outputs (SDMX, XLSX, CSV): dimensions, source, notes."""
    return TableMeta(
        id="UNHCR_CONTEXT",
        version=DATABASE_VERSION,
        title="Refugees hosted and asylum applications: Türkiye, Kosovo's region and comparators",
        dimensions=("GEO", "INDICATOR", "TIME_PERIOD"),
        unit="PER",
        source=CITATION,
        protection="none: published aggregates of UNHCR's database",
        reference_date="end of each year (stocks); during each year (applications)",
        notes=tuple(COUNTRY_NOTES.values()),
        code_names={"INDICATOR": INDICATORS},
    )


def load_unhcr_context(
    *, countries: Sequence[str] | None = None, indicators: Sequence[str] | None = None
) -> pd.DataFrame:
    """The shipped extract as a long-format table.

    Args:
        countries: Keep only these countries of asylum (alpha-3); all of :data:`COUNTRIES`
            by default.
        indicators: Keep only these indicators (keys of :data:`INDICATORS`); all by default.

    Returns:
        Columns GEO, INDICATOR, TIME_PERIOD (year as text), OBS_VALUE (int64), OBS_STATUS
        (``A``) and CONF_STATUS (``F``), sorted by GEO, INDICATOR and TIME_PERIOD.

    Raises:
        UnhcrDataError: a requested country or indicator is not in the extract.
    """
    table = pd.read_csv(
        EXTRACT, comment="#", dtype={"GEO": str, "INDICATOR": str, "TIME_PERIOD": str}
    )
    table["OBS_VALUE"] = table["OBS_VALUE"].astype("int64")
    return _select(table, countries, indicators)


def extract_unhcr_context(source: Path) -> pd.DataFrame:
    """Compute the extract from the database's Parquet files.

    Args:
        source: A folder with ``population.parquet`` and ``asylum_applications.parquet``
            (the database's tables, as in ``shared/data/unhcr/``).

    Returns:
        The same long-format table as :func:`load_unhcr_context`.

    Raises:
        UnhcrDataError: a file or a column is missing.
    """
    population = _read(
        source / "population.parquet", ["year", "coa_iso", *_POPULATION_COLUMNS.values()]
    )
    applications = _read(
        source / "asylum_applications.parquet", ["year", "coa_iso", "app_type", "applied"]
    )
    population = population[
        population["coa_iso"].isin(COUNTRIES) & (population["year"] >= FIRST_YEAR)
    ]
    applications = applications[
        applications["coa_iso"].isin(COUNTRIES) & (applications["year"] >= FIRST_YEAR)
    ]
    parts = []
    for indicator, column in _POPULATION_COLUMNS.items():
        # min_count=1: a year in which every row is empty (OIP before 2022) is not reported, not 0.
        sums = population.groupby(["coa_iso", "year"])[column].sum(min_count=1).dropna()
        parts.append(_long(sums, indicator))
    parts.append(_long(applications.groupby(["coa_iso", "year"])["applied"].sum(), "ASYL_APP"))
    new = applications[applications["app_type"] == "N"]
    parts.append(_long(new.groupby(["coa_iso", "year"])["applied"].sum(), "ASYL_APP_NEW"))
    table = pd.concat(parts, ignore_index=True)
    return _select(table, None, None)


def write_unhcr_context(table: pd.DataFrame, path: Path = EXTRACT) -> None:
    """Write the extract with its documented header (used to refresh ``data/unhcr_context.csv``).

    Args:
        table: The output of :func:`extract_unhcr_context`.
        path: Where to write it.
    """
    header = [
        f"# UNHCR Refugee Population Statistics Database {DATABASE_VERSION}: extract for Ura's",
        "# migration profile. Licence CC BY 4.0; cite as: " + CITATION,
        "# Made by ura.stats.reference.unhcr.extract_unhcr_context from the database's Parquet",
        "# files (population, asylum_applications), years from 2000. Columns: GEO country of",
        "# asylum (ISO alpha-3 as UNHCR codes it; SRB is Serbia and Kosovo: S/RES/1244 (1999)),",
        "# INDICATOR (" + ", ".join(INDICATORS) + "), TIME_PERIOD year, OBS_VALUE count.",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(header) + "\n")
        table.to_csv(handle, index=False, lineterminator="\n")


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise UnhcrDataError(f"{path} does not exist")
    frame = pd.read_parquet(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UnhcrDataError(f"{path.name} lacks column(s) {', '.join(missing)}")
    return frame[columns]


def _long(sums: pd.Series, indicator: str) -> pd.DataFrame:
    frame = sums.rename("OBS_VALUE").reset_index()
    return pd.DataFrame(
        {
            "GEO": frame["coa_iso"].astype(str),
            "INDICATOR": indicator,
            "TIME_PERIOD": frame["year"].astype(int).astype(str),
            "OBS_VALUE": frame["OBS_VALUE"].round().astype("int64"),
            "OBS_STATUS": "A",
            "CONF_STATUS": "F",
        }
    )


def _select(
    table: pd.DataFrame, countries: Sequence[str] | None, indicators: Sequence[str] | None
) -> pd.DataFrame:
    if countries is not None:
        unknown = sorted(set(countries) - set(COUNTRIES))
        if unknown:
            raise UnhcrDataError(f"not in the extract: {', '.join(unknown)}")
        table = table[table["GEO"].isin(countries)]
    if indicators is not None:
        unknown = sorted(set(indicators) - set(INDICATORS))
        if unknown:
            raise UnhcrDataError(f"unknown indicator(s): {', '.join(unknown)}")
        table = table[table["INDICATOR"].isin(indicators)]
    return (
        table[_LONG_COLUMNS].sort_values(["GEO", "INDICATOR", "TIME_PERIOD"]).reset_index(drop=True)
    )
