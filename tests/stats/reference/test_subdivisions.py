"""The province and municipality reference tables, their validation, and foreigners per 1,000
residents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ura.stats.reference import (
    ReferenceDataError,
    foreigners_per_thousand,
    load_kosovo_municipalities,
    load_subdivisions,
    load_turkiye_provinces,
)
from ura.stats.reference.subdivisions import TURKIYE_PROVINCES


def test_turkiye_has_81_provinces_with_iso_and_nuts_codes() -> None:
    table = load_turkiye_provinces()
    assert table.version == "2026.1"
    codes = [row.code for row in table.rows]
    assert codes == [f"TR-{n:02d}" for n in range(1, 82)]
    by_code = table.by_code()
    assert by_code["TR-34"].name == "İstanbul"
    assert by_code["TR-63"].name == "Şanlıurfa"
    assert (by_code["TR-34"].nuts2, by_code["TR-34"].nuts3) == ("TR10", "TR100")
    assert (by_code["TR-63"].nuts2, by_code["TR-63"].nuts3) == ("TRC2", "TRC21")
    assert len({row.nuts3 for row in table.rows}) == 81
    assert all(row.nuts3.startswith(row.nuts2) for row in table.rows)
    # NUTS-2 regions of Türkiye: 26.
    assert len({row.nuts2 for row in table.rows}) == 26


def test_population_figures_are_sourced_or_missing_never_guessed() -> None:
    table = load_turkiye_provinces()
    by_code = table.by_code()
    # TÜİK ADNKS 2023 (bulletin of 6 February 2024), as quoted in the press: marked `check`.
    assert by_code["TR-34"].population == 15_655_924
    assert by_code["TR-69"].population == 86_047
    assert by_code["TR-34"].population_status == "check"
    assert by_code["TR-34"].population_year == 2023
    missing = [row for row in table.rows if row.population_status == "missing"]
    assert all(row.population is None for row in missing)
    assert "Adrese Dayalı Nüfus Kayıt Sistemi" in table.header


def test_kosovo_has_38_municipalities() -> None:
    table = load_kosovo_municipalities()
    assert [row.code for row in table.rows] == [f"XK-{n:02d}" for n in range(1, 39)]
    names = {row.name for row in table.rows}
    assert {"Prishtinë", "Mitrovicë e Veriut", "Graçanicë", "Hani i Elezit"} <= names
    by_code = table.by_code()
    assert by_code["XK-27"].name == "Prishtinë"
    assert by_code["XK-27"].name_alt == "Priština"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = TURKIYE_PROVINCES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tr.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("TR-02,02", "TR-01,02", "appears twice"),
        ("TR-02,02", "TR-99,02", "is not a TR-01"),
        ("15655924,2023,check", "-5,2023,check", "not a positive integer"),
        ("15655924,2023,check", "15655924,,check", "go together"),
        ("15655924,2023,check", "15655924,2023,missing", "needs status"),
        ("15655924,2023,check", "15655924,2023,maybe", "population_status must be"),
        ("version 2026.1", "edition one", "version"),
    ],
)
def test_malformed_reference_files_are_refused(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        load_subdivisions(_variant(tmp_path, old, new), expected=81)


def test_a_short_file_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "TR-81,81,Düzce,TR42,TR423,,,missing\n", "")
    with pytest.raises(ReferenceDataError, match="80 rows, expected 81"):
        load_subdivisions(path, expected=81)


def test_foreigners_per_thousand_residents() -> None:
    provinces = load_turkiye_provinces()
    table = pd.DataFrame(
        {
            "GEO": ["TR-34", "TR-06", "TR-69", "TR-01", "_T"],
            "SEX": ["_T"] * 5,
            "OBS_VALUE": pd.array([156_559, 5_803, None, 40, 200_000], dtype="Int64"),
            "OBS_STATUS": ["A", "A", "A", "A", "A"],
            "CONF_STATUS": ["F", "F", "C", "F", "F"],
        }
    )
    rates = foreigners_per_thousand(table, provinces).set_index("GEO")
    assert rates.loc["TR-34", "OBS_VALUE"] == pytest.approx(10.0, abs=0.01)
    assert rates.loc["TR-06", "OBS_VALUE"] == pytest.approx(1.0, abs=0.01)
    # Populations marked `check` make the rate provisional.
    assert rates.loc["TR-34", "OBS_STATUS"] == "P"
    # A suppressed count stays suppressed: a rate would give it back.
    assert pd.isna(rates.loc["TR-69", "OBS_VALUE"])
    assert rates.loc["TR-69", "CONF_STATUS"] == "C"
    # No population figure (Adana) or an incomplete national total: missing, not invented.
    assert pd.isna(rates.loc["TR-01", "OBS_VALUE"])
    assert rates.loc["TR-01", "OBS_STATUS"] == "M"
    assert pd.isna(rates.loc["_T", "OBS_VALUE"])
    assert set(rates["UNIT_MEASURE"]) == {"PER_THS_RES"}
    assert list(rates["SEX"]) == ["_T"] * 5


def test_foreigners_per_thousand_over_a_complete_population(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text(
        "# Test table version 1\n"
        "code,name,population,population_year,population_status\n"
        "TR-01,Adana,2000,2024,verified\n"
        "TR-02,Adıyaman,3000,2024,verified\n",
        encoding="utf-8",
    )
    table = pd.DataFrame(
        {"GEO": ["TR-01", "TR-02", "_T"], "OBS_VALUE": [20, 15, 35],
         "OBS_STATUS": "A", "CONF_STATUS": "F"}
    )  # fmt: skip
    rates = foreigners_per_thousand(table, load_subdivisions(path)).set_index("GEO")
    assert list(rates["OBS_VALUE"]) == [10.0, 5.0, 7.0]
    assert list(rates["OBS_STATUS"]) == ["A", "A", "A"]


def test_an_unknown_geo_code_is_refused() -> None:
    table = pd.DataFrame(
        {"GEO": ["TR-34", "XK-01"], "OBS_VALUE": [1, 2], "OBS_STATUS": "A", "CONF_STATUS": "F"}
    )
    with pytest.raises(ReferenceDataError, match="XK-01"):
        foreigners_per_thousand(table, load_turkiye_provinces())
