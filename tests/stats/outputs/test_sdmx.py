"""SDMX-ML and SDMX-CSV written with sdmx1 and read back with it: every cell and every flag."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import sdmx
from sdmx.message import StructureMessage

from ura.stats.outputs.meta import OutputError, TableMeta
from ura.stats.outputs.sdmx import (
    build_structure,
    read_sdmx_csv,
    read_sdmx_ml,
    write_sdmx_csv,
    write_sdmx_ml,
)

KEY = ["CITIZEN", "SEX", "GEO", "TIME_PERIOD"]


def assert_same_cells(written: pd.DataFrame, read: pd.DataFrame) -> None:
    left = written.set_index(KEY).sort_index()
    right = read.set_index(KEY).sort_index()
    assert list(left.index) == list(right.index)
    for column in ("OBS_STATUS", "CONF_STATUS", "ROUNDED"):
        assert list(left[column]) == list(right[column]), column
    expected = [None if pd.isna(v) else float(v) for v in left["OBS_VALUE"]]
    got = [None if pd.isna(v) else float(v) for v in right["OBS_VALUE"]]
    assert got == expected


def test_sdmx_ml_round_trip_keeps_every_cell_and_flag(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    structure_path, data_path = write_sdmx_ml(protected_table, meta, tmp_path)
    read = read_sdmx_ml(structure_path, data_path)
    assert_same_cells(protected_table, read)
    assert set(read["UNIT_MEASURE"]) == {"PER"}
    assert read["CONF_STATUS"].isin(["C", "D"]).sum() > 0


def test_suppressed_cells_are_written_without_a_value(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    _, data_path = write_sdmx_ml(protected_table, meta, tmp_path)
    text = data_path.read_text(encoding="utf-8")
    assert 'dimensionAtObservation="AllDimensions"' in text
    observations = [line for line in text.splitlines() if "<Obs " in line]
    assert len(observations) == len(protected_table)
    for line in observations:
        suppressed = 'CONF_STATUS="C"' in line or 'CONF_STATUS="D"' in line
        assert ("OBS_VALUE=" in line) is not suppressed


def test_structure_holds_the_dsd_with_code_lists(
    protected_table: pd.DataFrame, meta: TableMeta
) -> None:
    structure = build_structure(protected_table, meta)
    dsd = structure.structure["DSD_TPS_PROV"]
    assert [d.id for d in dsd.dimensions] == KEY
    assert [a.id for a in dsd.attributes] == [
        "OBS_STATUS",
        "CONF_STATUS",
        "ROUNDED",
        "UNIT_MEASURE",
    ]
    assert dsd.measures[0].id == "OBS_VALUE"
    sex = structure.codelist["CL_SEX"]
    assert {c.id for c in sex} == {"F", "M", "_T"}
    assert str(sex["_T"].name) == "Total"
    geo = structure.codelist["CL_GEO"]
    assert str(geo["TR-34"].name) == "İstanbul"
    assert str(structure.codelist["CL_CITIZEN"]["SYR"].name) == "Syria"
    assert str(structure.codelist["CL_CITIZEN"]["XKX"].name) == "Kosovo"
    assert {c.id for c in structure.codelist["CL_CONF_STATUS"]} == {"F", "C", "D", "N"}
    assert structure.dataflow["DF_TPS_PROV"].version == "1.2"


def test_structure_file_reads_back_with_sdmx1(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    structure_path, _ = write_sdmx_ml(protected_table, meta, tmp_path)
    with structure_path.open("rb") as handle:
        message = sdmx.read_sdmx(handle)
    assert isinstance(message, StructureMessage)
    assert set(message.codelist) >= {"CL_CITIZEN", "CL_SEX", "CL_GEO", "CL_OBS_STATUS"}
    assert str(message.header.source["en"]) == meta.source


def test_sdmx_csv_2_round_trip(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    structure_path, _ = write_sdmx_ml(protected_table, meta, tmp_path)
    path = write_sdmx_csv(protected_table, meta, tmp_path / "table.csv")
    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "STRUCTURE", "STRUCTURE_ID", "ACTION", *KEY, "OBS_VALUE",
        "OBS_STATUS", "CONF_STATUS", "ROUNDED", "UNIT_MEASURE",
    ]  # fmt: skip
    assert_same_cells(protected_table, read_sdmx_csv(path, structure_path))


def test_sdmx_csv_1_has_a_dataflow_column(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    path = write_sdmx_csv(protected_table, meta, tmp_path / "table.csv", version="1.0")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "DATAFLOW",
        *KEY,
        "OBS_VALUE",
        "OBS_STATUS",
        "CONF_STATUS",
        "ROUNDED",
        "UNIT_MEASURE",
    ]
    assert {row["DATAFLOW"] for row in rows} == {"URA:DF_TPS_PROV(1.2)"}
    read = pd.DataFrame(rows)
    read["ROUNDED"] = read["ROUNDED"] == "Y"
    read["OBS_VALUE"] = [None if v == "" else float(v) for v in read["OBS_VALUE"]]
    assert_same_cells(protected_table, read)


def test_a_suppressed_cell_with_a_value_is_refused(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    leaking = protected_table.copy()
    leaking.loc[leaking["CONF_STATUS"] == "C", "OBS_VALUE"] = 1
    with pytest.raises(OutputError, match="suppressed"):
        write_sdmx_ml(leaking, meta, tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_flag_outside_its_code_list_is_refused(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    protected_table.loc[0, "OBS_STATUS"] = "Q"
    with pytest.raises(OutputError, match="OBS_STATUS codes not in its code list: Q"):
        write_sdmx_csv(protected_table, meta, tmp_path / "t.csv")


def test_dp_noised_float_values_keep_their_decimals(meta: TableMeta, tmp_path: Path) -> None:
    table = pd.DataFrame(
        {"CITIZEN": ["SYR", "_T"], "SEX": ["_T", "_T"], "GEO": ["_T", "_T"],
         "TIME_PERIOD": ["2024", "2024"], "OBS_VALUE": [12.4, 30.75]}
    )  # fmt: skip
    structure_path, data_path = write_sdmx_ml(table, meta, tmp_path)
    assert list(read_sdmx_ml(structure_path, data_path)["OBS_VALUE"]) == [12.4, 30.75]
    csv_path = write_sdmx_csv(table, meta, tmp_path / "t.csv")
    assert list(read_sdmx_csv(csv_path, structure_path)["OBS_VALUE"]) == [12.4, 30.75]
