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
    assert table.version == "2026.2"
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


def test_every_province_has_its_adnks_2023_population_adding_up_to_the_national_total() -> None:
    table = load_turkiye_provinces()
    assert all(row.population is not None for row in table.rows)
    assert {(row.population_year, row.population_status) for row in table.rows} == {
        (2023, "verified")
    }
    # TÜİK, ADNKS 2023: Türkiye 85,372,377 at 31 December 2023, to the person.
    assert sum(row.population or 0 for row in table.rows) == 85_372_377
    by_code = table.by_code()
    assert by_code["TR-34"].population == 15_655_924
    assert by_code["TR-69"].population == 86_047  # Bayburt, the smallest
    assert by_code["TR-01"].population == 2_270_298
    # A compilation that did not add up had 510,626 for Ağrı (the 2022 figure).
    assert by_code["TR-04"].population == 511_238
    assert "Adrese Dayalı Nüfus Kayıt Sistemi Sonuçları, 2023" in table.header
    assert "85,372,377" in table.header


def test_kosovo_has_38_municipalities() -> None:
    table = load_kosovo_municipalities()
    assert [row.code for row in table.rows] == [f"XK-{n:02d}" for n in range(1, 39)]
    names = {row.name for row in table.rows}
    assert {"Prishtinë", "Mitrovicë e Veriut", "Graçanicë", "Hani i Elezit"} <= names
    by_code = table.by_code()
    assert by_code["XK-27"].name == "Prishtinë"
    assert by_code["XK-27"].name_alt == "Priština"


def test_kosovo_census_2024_population_and_the_agency_codes() -> None:
    table = load_kosovo_municipalities()
    by_code = table.by_code()
    assert all(row.population_year == 2024 for row in table.rows)
    # KAS census 2024, first final results: 1,602,515 with its estimates for the north.
    assert sum(row.population or 0 for row in table.rows) == 1_602_515
    north = {"XK-16", "XK-21", "XK-37", "XK-38"}
    assert {row.code for row in table.rows if row.population_status == "check"} == north
    south = [row for row in table.rows if row.code not in north]
    assert {row.population_status for row in south} == {"verified"}
    # Plus the 6,708 enumerated in the north: the 1,585,566 usually resident persons counted.
    assert sum(row.population or 0 for row in south) + 6_708 == 1_585_566
    assert by_code["XK-27"].population == 227_466
    assert by_code["XK-21"].population == 7_920
    # ASK's municipality codes (ASKdata Komuna values), one each, 0..37.
    assert sorted(int(row.office_code) for row in table.rows) == list(range(38))
    assert (by_code["XK-01"].office_code, by_code["XK-27"].office_code) == ("0", "18")
    assert (by_code["XK-20"].office_code, by_code["XK-21"].office_code) == ("10", "37")
    assert load_turkiye_provinces().rows[0].office_code == ""


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
        ("15655924,2023,verified", "-5,2023,verified", "not a positive integer"),
        ("15655924,2023,verified", "15655924,,verified", "go together"),
        ("15655924,2023,verified", "15655924,2023,missing", "needs status"),
        ("15655924,2023,verified", "15655924,2023,maybe", "population_status must be"),
        ("15655924,2023,verified", ",,verified", "needs status"),
        ("version 2026.2", "edition one", "version"),
    ],
)
def test_malformed_reference_files_are_refused(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        load_subdivisions(_variant(tmp_path, old, new), expected=81)


def test_a_short_file_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "TR-81,81,Düzce,TR42,TR423,409865,2023,verified\n", "")
    with pytest.raises(ReferenceDataError, match="80 rows, expected 81"):
        load_subdivisions(path, expected=81)


def test_foreigners_per_thousand_residents_of_every_province() -> None:
    provinces = load_turkiye_provinces()
    table = pd.DataFrame(
        {
            "GEO": ["TR-34", "TR-06", "TR-69", "TR-01", "_T"],
            "SEX": ["_T"] * 5,
            "OBS_VALUE": pd.array([156_559, 5_803, None, 4_540, 853_724], dtype="Int64"),
            "OBS_STATUS": ["A", "A", "A", "A", "A"],
            "CONF_STATUS": ["F", "F", "C", "F", "F"],
        }
    )
    rates = foreigners_per_thousand(table, provinces).set_index("GEO")
    assert rates.loc["TR-34", "OBS_VALUE"] == pytest.approx(10.0, abs=0.01)
    assert rates.loc["TR-06", "OBS_VALUE"] == pytest.approx(1.0, abs=0.01)
    assert rates.loc["TR-01", "OBS_VALUE"] == pytest.approx(2.0, abs=0.01)
    # Verified populations: the rates keep the counts' status.
    assert list(rates.loc[["TR-34", "TR-01"], "OBS_STATUS"]) == ["A", "A"]
    # Every province has a population, so the national rate is there too.
    assert rates.loc["_T", "OBS_VALUE"] == pytest.approx(10.0, abs=0.01)
    assert rates.loc["_T", "OBS_STATUS"] == "A"
    # A suppressed count stays suppressed: a rate would give it back.
    assert pd.isna(rates.loc["TR-69", "OBS_VALUE"])
    assert rates.loc["TR-69", "CONF_STATUS"] == "C"
    assert set(rates["UNIT_MEASURE"]) == {"PER_THS_RES"}
    assert list(rates["SEX"]) == ["_T"] * 5


def test_foreigners_per_thousand_over_estimated_and_missing_populations(tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_text(
        "# Test table version 1\n"
        "code,name,population,population_year,population_status\n"
        "TR-01,Adana,2000,2024,verified\n"
        "TR-02,Adıyaman,3000,2024,check\n"
        "TR-03,Afyonkarahisar,,,missing\n",
        encoding="utf-8",
    )
    table = pd.DataFrame(
        {"GEO": ["TR-01", "TR-02", "TR-03", "_T"], "OBS_VALUE": [20, 15, 4, 39],
         "OBS_STATUS": "A", "CONF_STATUS": "F"}
    )  # fmt: skip
    rates = foreigners_per_thousand(table, load_subdivisions(path)).set_index("GEO")
    assert rates.loc["TR-01", "OBS_VALUE"] == 10.0
    assert rates.loc["TR-01", "OBS_STATUS"] == "A"
    # A population marked `check` makes the rate provisional.
    assert (rates.loc["TR-02", "OBS_VALUE"], rates.loc["TR-02", "OBS_STATUS"]) == (5.0, "P")
    # No population figure, or an incomplete total: missing, not invented.
    for geo in ("TR-03", "_T"):
        assert pd.isna(rates.loc[geo, "OBS_VALUE"])
        assert rates.loc[geo, "OBS_STATUS"] == "M"


def test_foreigners_per_thousand_in_kosovo() -> None:
    table = pd.DataFrame(
        {"GEO": ["XK-27", "XK-21", "_T"], "OBS_VALUE": [2_275, 79, 16_025],
         "OBS_STATUS": "A", "CONF_STATUS": "F"}
    )  # fmt: skip
    rates = foreigners_per_thousand(table, load_kosovo_municipalities()).set_index("GEO")
    assert rates.loc["XK-27", "OBS_VALUE"] == pytest.approx(10.0, abs=0.01)
    assert rates.loc["XK-27", "OBS_STATUS"] == "A"
    # North Mitrovica's population is KAS's estimate: the rate is provisional, and so is the
    # national one that includes it.
    assert rates.loc["XK-21", "OBS_VALUE"] == pytest.approx(9.97, abs=0.01)
    assert list(rates.loc[["XK-21", "_T"], "OBS_STATUS"]) == ["P", "P"]
    assert rates.loc["_T", "OBS_VALUE"] == pytest.approx(10.0, abs=0.01)


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
