"""The UNHCR extract equals the database it was made from, figure by figure."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from ura.stats.outputs.bundle import write_all
from ura.stats.outputs.sdmx import build_structure, read_sdmx_ml
from ura.stats.outputs.tabular import read_xlsx_cells
from ura.stats.reference import unhcr

REPO = Path(__file__).resolve().parents[3]


def _source() -> Path | None:
    """The full database (shared/data/unhcr), beside the clone or where URA_UNHCR_DATA says."""
    candidates = [REPO.parent / "shared/data/unhcr", Path("/work/shared/data/unhcr")]
    if os.environ.get("URA_UNHCR_DATA"):
        candidates.insert(0, Path(os.environ["URA_UNHCR_DATA"]))
    for candidate in candidates:
        if (candidate / "asylum_applications.parquet").exists():
            return candidate
    return None


SOURCE = _source()
needs_source = pytest.mark.skipif(SOURCE is None, reason="UNHCR database files not present")


def value(table: pd.DataFrame, geo: str, indicator: str, year: str) -> int:
    row = table[
        (table["GEO"] == geo) & (table["INDICATOR"] == indicator) & (table["TIME_PERIOD"] == year)
    ]
    assert len(row) == 1
    return int(row["OBS_VALUE"].iloc[0])


def test_turkiye_asylum_applications_equal_the_published_figures() -> None:
    """56,417 (2019) and 31,334 (2020): the figures DGMM published, as UNHCR holds them."""
    table = unhcr.load_unhcr_context(countries=["TUR"])
    assert value(table, "TUR", "ASYL_APP", "2019") == 56_417
    assert value(table, "TUR", "ASYL_APP", "2020") == 31_334
    # All of Türkiye's 2019 applications were new ones at first instance.
    assert value(table, "TUR", "ASYL_APP_NEW", "2019") == 56_417
    assert value(table, "TUR", "REFUGEES", "2019") == 3_579_531


def test_extract_covers_the_groups_and_codes_kosovo_with_serbia() -> None:
    table = unhcr.load_unhcr_context()
    assert set(table["GEO"]) == set(unhcr.COUNTRIES)
    assert "XKX" not in set(table["GEO"])
    assert "Kosovo" in unhcr.COUNTRY_NOTES["SRB"]
    assert set(table["INDICATOR"]) == set(unhcr.INDICATORS)
    assert table["OBS_VALUE"].dtype == "int64"
    assert set(table["OBS_STATUS"]) == {"A"}
    assert not table.duplicated(["GEO", "INDICATOR", "TIME_PERIOD"]).any()


def test_citation_names_the_database_and_licence() -> None:
    assert "UNHCR Refugee Population Statistics Database" in unhcr.CITATION
    assert "CC BY 4.0" in unhcr.CITATION
    header = unhcr.EXTRACT.read_text(encoding="utf-8").splitlines()[1]
    assert unhcr.CITATION in header


def test_unknown_country_is_refused() -> None:
    with pytest.raises(unhcr.UnhcrDataError, match="FRA"):
        unhcr.load_unhcr_context(countries=["FRA"])


@needs_source
def test_shipped_extract_equals_the_database() -> None:
    assert SOURCE is not None
    extract = unhcr.extract_unhcr_context(SOURCE)
    pd.testing.assert_frame_equal(extract, unhcr.load_unhcr_context())


@needs_source
def test_figures_equal_the_database_rows() -> None:
    """Recomputed straight from the Parquet rows, independently of the extract's code."""
    assert SOURCE is not None
    applications = pd.read_parquet(SOURCE / "asylum_applications.parquet")
    population = pd.read_parquet(SOURCE / "population.parquet")
    table = unhcr.load_unhcr_context()
    for geo in ("TUR", "SRB", "DEU", "LBN"):
        for year in (2015, 2019, 2023):
            rows = applications[(applications["coa_iso"] == geo) & (applications["year"] == year)]
            assert value(table, geo, "ASYL_APP", str(year)) == int(rows["applied"].sum())
            hosted = population[(population["coa_iso"] == geo) & (population["year"] == year)]
            assert value(table, geo, "REFUGEES", str(year)) == int(hosted["refugees"].sum())


@needs_source
def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    assert SOURCE is not None
    frame = pd.read_parquet(SOURCE / "population.parquet").drop(columns=["refugees"])
    frame.to_parquet(tmp_path / "population.parquet")
    (tmp_path / "asylum_applications.parquet").write_bytes(
        (SOURCE / "asylum_applications.parquet").read_bytes()
    )
    with pytest.raises(unhcr.UnhcrDataError, match="refugees"):
        unhcr.extract_unhcr_context(tmp_path)


def test_the_extract_publishes_in_every_format(tmp_path: Path) -> None:
    """The context table goes through the same outputs as Ura's own tables."""
    table = unhcr.load_unhcr_context(countries=["TUR", "SRB"])
    meta = unhcr.unhcr_meta()
    paths = write_all(table, meta, tmp_path)
    read = read_sdmx_ml(paths["sdmx-structure"], paths["sdmx-data"])
    merged = table.merge(read, on=["GEO", "INDICATOR", "TIME_PERIOD"], suffixes=("", "_read"))
    assert len(merged) == len(table)
    assert (merged["OBS_VALUE"] == merged["OBS_VALUE_read"]).all()
    structure = build_structure(table, meta)
    assert str(structure.codelist["CL_GEO"]["TUR"].name) == "Türkiye"
    assert str(structure.codelist["CL_INDICATOR"]["ASYL_APP"].name).startswith(
        "Asylum applications"
    )
    cells = read_xlsx_cells(paths["xlsx"])
    assert cells[("Türkiye", unhcr.INDICATORS["ASYL_APP"], "2019")] == (56_417, "")
