"""XLSX and CSV outputs read back: the cross-table's cells and flags, the legend, the notes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from ura.stats.outputs.bundle import write_all
from ura.stats.outputs.meta import OutputError, TableMeta, code_name
from ura.stats.outputs.tabular import (
    cell_flags,
    read_csv,
    read_xlsx_cells,
    write_csv,
    write_xlsx,
)


def test_xlsx_cross_table_shows_every_cell_with_its_flags(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    path = write_xlsx(protected_table, meta, tmp_path / "table.xlsx")
    cells = read_xlsx_cells(path)
    assert len(cells) == len(protected_table)
    for row in protected_table.to_dict("records"):
        key = (
            code_name("CITIZEN", row["CITIZEN"]),
            code_name("SEX", row["SEX"]),
            code_name("GEO", row["GEO"]),
            row["TIME_PERIOD"],
        )
        value, flags = cells[key]
        if row["CONF_STATUS"] in ("C", "D"):
            assert value == ":"
            assert flags.startswith("c")
        else:
            assert value == int(row["OBS_VALUE"])
            assert "c" not in flags
        assert ("r" in flags) == bool(row["ROUNDED"])
        assert ("p" in flags) == (row["OBS_STATUS"] == "P")


def test_xlsx_totals_are_the_tables_own_margins(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    cells = read_xlsx_cells(write_xlsx(protected_table, meta, tmp_path / "t.xlsx"))
    total = protected_table[
        (protected_table["CITIZEN"] == "_T") & (protected_table["SEX"] == "_T")
        & (protected_table["GEO"] == "_T") & (protected_table["TIME_PERIOD"] == "2023")
    ]["OBS_VALUE"].iloc[0]  # fmt: skip
    assert cells[("Total", "Total", "Total", "2023")][0] == int(total)


def test_xlsx_has_a_legend_and_notes(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    workbook = load_workbook(write_xlsx(protected_table, meta, tmp_path / "t.xlsx"))
    assert workbook.sheetnames == ["Table", "Legend", "Notes"]
    legend = {
        str(row[0]): str(row[1])
        for row in workbook["Legend"].iter_rows(min_row=2, values_only=True)
    }
    assert set(legend) == {":", "c", "r", "p", "e"}
    assert legend["c"].startswith("confidential")
    notes = {row[0]: row[1] for row in workbook["Notes"].iter_rows(values_only=True)}
    assert notes["Source"] == meta.source
    assert notes["Definition version"] == "1.2"
    assert notes["Protection rule"] == "threshold 3, secondary suppression"
    assert notes["Reference date"] == "2024-12-31"
    assert notes["Note"] == "Cells of TR-63 are rounded to base 5."
    assert workbook["Table"]["A1"].value == meta.title


def test_csv_is_the_long_format_and_reads_back(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    path = write_csv(protected_table, meta, tmp_path / "t.csv")
    read = read_csv(path, meta)
    assert list(read.columns) == [
        "CITIZEN", "SEX", "GEO", "TIME_PERIOD", "OBS_VALUE",
        "OBS_STATUS", "CONF_STATUS", "ROUNDED", "UNIT_MEASURE",
    ]  # fmt: skip
    assert len(read) == len(protected_table)
    for column in ("CITIZEN", "SEX", "GEO", "TIME_PERIOD", "OBS_STATUS", "CONF_STATUS"):
        assert list(read[column]) == list(protected_table[column])
    assert list(read["ROUNDED"]) == list(protected_table["ROUNDED"])
    expected = [None if pd.isna(v) else float(v) for v in protected_table["OBS_VALUE"]]
    assert [None if pd.isna(v) else float(v) for v in read["OBS_VALUE"]] == expected


def test_flag_symbols() -> None:
    assert cell_flags("A", "F", False) == ""
    assert cell_flags("A", "C", False) == "c"
    assert cell_flags("A", "D", False) == "c"
    assert cell_flags("P", "F", True) == "rp"
    assert cell_flags("E", "F", False) == "e"


def test_write_all_writes_every_format_or_nothing(
    protected_table: pd.DataFrame, meta: TableMeta, tmp_path: Path
) -> None:
    paths = write_all(protected_table, meta, tmp_path / "ok")
    assert sorted(paths) == ["csv", "sdmx-csv", "sdmx-data", "sdmx-structure", "xlsx"]
    assert all(path.stat().st_size > 0 for path in paths.values())
    broken = protected_table.drop(columns=["SEX"])
    with pytest.raises(OutputError, match="SEX"):
        write_all(broken, meta, tmp_path / "broken")
    assert not (tmp_path / "broken").exists()
