"""Türkiye's provinces and Kosovo's municipalities, with resident population, and the rate of
foreigners per 1,000 residents computed from them.

The data files (``data/tr_provinces.csv``, ``data/xk_municipalities.csv``) open with ``#``
lines: the first names the table and its version, the rest document the columns and the
sources. A population figure is ``verified`` (copied from a reproduction of the statistical
office's table and checked against its published total), ``check`` (plausible but not confirmed
as a count: a secondary source quoting it, or the office's own estimate) or ``missing`` (no
figure rather than a guess).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pandas as pd

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
TURKIYE_PROVINCES: Final = DATA_DIR / "tr_provinces.csv"
KOSOVO_MUNICIPALITIES: Final = DATA_DIR / "xk_municipalities.csv"

PopulationStatus = Literal["verified", "check", "missing"]
_STATUSES: Final = ("verified", "check", "missing")
_CODE = re.compile(r"(TR-(0[1-9]|[1-7][0-9]|8[01])|XK-(0[1-9]|[1-3][0-9]))")
_VERSION = re.compile(r"version\s+(\S+)")
_REQUIRED: Final = ("code", "name", "population", "population_year", "population_status")

#: The rate's unit, as an SDMX UNIT_MEASURE-style code.
PER_THOUSAND: Final = "PER_THS_RES"


class ReferenceDataError(ValueError):
    """A reference data file is malformed; the message names the file, the line and the field."""


@dataclass(frozen=True, slots=True)
class Subdivision:
    """One province or municipality.

    Attributes:
        code: ISO 3166-2 code for a Turkish province (``TR-34``), Ura's ``XK-NN`` for a Kosovo
            municipality.
        name: Name in the country's language (Turkish, Albanian).
        population: Residents at the reference date, or None where no figure is known.
        population_year: Reference year of ``population`` (None with it).
        population_status: ``verified``, ``check`` or ``missing``.
        nuts2: NUTS level-2 code (Türkiye only, else empty).
        nuts3: NUTS level-3 code (Türkiye only, else empty).
        name_alt: Another official name (Kosovo: the Serbian name), else empty.
        office_code: The statistical office's own code where it is not ``code`` (Kosovo: the
            Kosovo Agency of Statistics' municipality code, ``ask_code``), else empty.
    """

    code: str
    name: str
    population: int | None
    population_year: int | None
    population_status: PopulationStatus
    nuts2: str = ""
    nuts3: str = ""
    name_alt: str = ""
    office_code: str = ""


@dataclass(frozen=True, slots=True)
class SubdivisionTable:
    """A loaded reference table: its version, its documented header and its rows in file order."""

    version: str
    header: str
    rows: tuple[Subdivision, ...]

    def by_code(self) -> dict[str, Subdivision]:
        """The rows keyed by code."""
        return {row.code: row for row in self.rows}


def load_turkiye_provinces() -> SubdivisionTable:
    """Türkiye's 81 provinces (``data/tr_provinces.csv``).

    Returns:
        The table, validated; exactly 81 rows TR-01..TR-81.
    """
    return load_subdivisions(TURKIYE_PROVINCES, expected=81)


def load_kosovo_municipalities() -> SubdivisionTable:
    """Kosovo's 38 municipalities (``data/xk_municipalities.csv``).

    Returns:
        The table, validated; exactly 38 rows XK-01..XK-38.
    """
    return load_subdivisions(KOSOVO_MUNICIPALITIES, expected=38)


def load_subdivisions(path: Path, *, expected: int | None = None) -> SubdivisionTable:
    """Read and validate a subdivision reference file.

    Args:
        path: A CSV file in the format of ``data/tr_provinces.csv`` (``#`` header lines, then
            a header row with at least code, name, population, population_year,
            population_status).
        expected: The number of rows the file must have, if known.

    Returns:
        The validated table.

    Raises:
        ReferenceDataError: the header lacks a version or a column, a code is malformed or
            repeated, a figure is not a positive integer, a figure lacks its year or a
            ``missing`` status has a figure, or the row count differs from ``expected``.
    """
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    version_match = _VERSION.search(comments[0]) if comments else None
    if version_match is None:
        raise ReferenceDataError(f"{path.name}: the first line must name the table's version")
    body = "\n".join(line for line in lines if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    absent = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if absent:
        raise ReferenceDataError(f"{path.name}: missing column(s) {', '.join(absent)}")
    rows: list[Subdivision] = []
    seen: set[str] = set()
    first_data_line = len(comments) + 2
    for offset, record in enumerate(reader):
        where = f"{path.name} line {first_data_line + offset}"
        rows.append(_row(record, where))
        if rows[-1].code in seen:
            raise ReferenceDataError(f"{where}: code {rows[-1].code} appears twice")
        seen.add(rows[-1].code)
    if expected is not None and len(rows) != expected:
        raise ReferenceDataError(f"{path.name}: {len(rows)} rows, expected {expected}")
    return SubdivisionTable(
        version=version_match.group(1),
        header="\n".join(line.lstrip("# ").rstrip() for line in comments),
        rows=tuple(rows),
    )


def _row(record: Mapping[str, str | None], where: str) -> Subdivision:
    code = (record.get("code") or "").strip()
    if not _CODE.fullmatch(code):
        raise ReferenceDataError(f"{where}: {code!r} is not a TR-01..TR-81 or XK-01..XK-38 code")
    name = (record.get("name") or "").strip()
    if not name:
        raise ReferenceDataError(f"{where}: {code} has no name")
    status = (record.get("population_status") or "").strip()
    if status not in _STATUSES:
        raise ReferenceDataError(f"{where}: population_status must be one of {_STATUSES}")
    population = _positive_int(record.get("population"), where, "population")
    year = _positive_int(record.get("population_year"), where, "population_year")
    if (population is None) != (status == "missing"):
        raise ReferenceDataError(f"{where}: a figure needs status verified/check, none 'missing'")
    if (population is None) != (year is None):
        raise ReferenceDataError(f"{where}: population and population_year go together")
    return Subdivision(
        code=code,
        name=name,
        population=population,
        population_year=year,
        population_status=status,  # type: ignore[arg-type]  # checked against _STATUSES above
        nuts2=(record.get("nuts2") or "").strip(),
        nuts3=(record.get("nuts3") or "").strip(),
        name_alt=(record.get("name_sr") or "").strip(),
        office_code=(record.get("ask_code") or "").strip(),
    )


def _positive_int(value: str | None, where: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) <= 0:
        raise ReferenceDataError(f"{where}: {field} {value!r} is not a positive integer")
    return int(value)


def foreigners_per_thousand(table: pd.DataFrame, subdivisions: SubdivisionTable) -> pd.DataFrame:
    """Foreigners per 1,000 residents, cell by cell, from a long-format table of counts by GEO.

    The rate keeps the count's dimensions and flags. A cell whose count is suppressed (CONF_STATUS
    C or D, no value) stays suppressed: a rate would give the count back. A subdivision without
    a population figure, and a ``_T`` total whose population is incomplete, gets no value and
    OBS_STATUS ``M`` (missing). A rate over a population marked ``check`` is provisional (``P``).

    Args:
        table: Long-format table with a ``GEO`` column of subdivision codes (and ``_T``),
            ``OBS_VALUE`` counts and ``OBS_STATUS``/``CONF_STATUS`` flag columns.
        subdivisions: The reference table holding the population of every code in ``GEO``.

    Returns:
        A copy of ``table`` with ``OBS_VALUE`` the rate (float, 2 decimals) and ``UNIT_MEASURE``
        set to ``PER_THS_RES``.

    Raises:
        ReferenceDataError: ``GEO`` holds a code that the reference table does not know.
    """
    for column in ("GEO", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"):
        if column not in table.columns:
            raise ReferenceDataError(f"the table has no {column} column")
    by_code = subdivisions.by_code()
    unknown = sorted(set(table["GEO"]) - set(by_code) - {"_T"})
    if unknown:
        raise ReferenceDataError(f"GEO codes not in the reference table: {', '.join(unknown)}")
    complete = all(row.population is not None for row in subdivisions.rows)
    total_population = sum(row.population or 0 for row in subdivisions.rows)
    all_check = any(row.population_status == "check" for row in subdivisions.rows)

    def population(code: str) -> tuple[int | None, bool]:
        if code == "_T":
            return (total_population if complete else None), all_check
        row = by_code[code]
        return row.population, row.population_status == "check"

    result = table.copy()
    values: list[float | None] = []
    statuses: list[str] = []
    for geo, count, obs_status, conf_status in zip(
        table["GEO"], table["OBS_VALUE"], table["OBS_STATUS"], table["CONF_STATUS"], strict=True
    ):
        residents, provisional = population(geo)
        if conf_status in ("C", "D") or pd.isna(count):
            values.append(None)
            statuses.append(obs_status)
        elif residents is None:
            values.append(None)
            statuses.append("M")
        else:
            values.append(round(float(count) * 1000.0 / residents, 2))
            statuses.append("P" if provisional and obs_status == "A" else obs_status)
    result["OBS_VALUE"] = pd.array(values, dtype="Float64")
    result["OBS_STATUS"] = statuses
    result["UNIT_MEASURE"] = PER_THOUSAND
    return result
