"""Tables for people: an XLSX workbook with a readable cross-table, a legend of the flag symbols
and a Notes sheet; and CSV in the shared long format.

The cross-table puts one dimension across (``TIME_PERIOD`` when the table has it, else the last
dimension) and the others down, each value followed by a flag column as Eurostat's downloads
do. A suppressed cell shows ``:`` with flag ``c``. The margins (``_T``) are the table's own
cells, shown as "Total" rows and columns, never recomputed here.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ura.stats.outputs.meta import (
    CONF_STATUS,
    OBS_STATUS,
    ROUNDED,
    SUPPRESSED,
    TableMeta,
    check_table,
    names_for,
)

#: Flag symbols shown beside a value, and what the legend says of each.
FLAG_SYMBOLS: Final = {
    "c": "confidential: the value is suppressed to protect persons (primary or secondary)",
    "r": "rounded: the value is rounded (controlled rounding), so totals may differ from sums",
    "p": "provisional: the value may change",
    "e": "estimated value",
}
NOT_AVAILABLE: Final = ":"
_BOLD: Final = Font(bold=True)


def cell_flags(obs_status: str, conf_status: str, rounded: bool) -> str:
    """The flag symbols of one cell, in legend order (``"c"``, ``"rp"``, ``""``…)."""
    flags = ""
    if conf_status in SUPPRESSED:
        flags += "c"
    if rounded:
        flags += "r"
    if obs_status == "P":
        flags += "p"
    if obs_status == "E":
        flags += "e"
    return flags


def across_dimension(meta: TableMeta) -> str:
    """The dimension the cross-table puts across the columns."""
    return "TIME_PERIOD" if "TIME_PERIOD" in meta.dimensions else meta.dimensions[-1]


def write_xlsx(table: pd.DataFrame, meta: TableMeta, path: Path) -> Path:
    """Write the workbook: sheets "Table", "Legend" and "Notes".

    Args:
        table: The protected long-format table.
        meta: The table's facts.
        path: Where to write the ``.xlsx`` file.

    Returns:
        ``path``.

    Raises:
        OutputError: the table does not fit the long format.
    """
    table = check_table(table, meta)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has its first sheet  # noqa: S101
    sheet.title = "Table"
    _write_cross_table(sheet, table, meta)
    legend = workbook.create_sheet("Legend")
    legend.append(["Symbol", "Meaning"])
    legend.append([NOT_AVAILABLE, "not available (suppressed or missing)"])
    for symbol, meaning in FLAG_SYMBOLS.items():
        legend.append([symbol, meaning])
    _style_header(legend, width=90)
    notes = workbook.create_sheet("Notes")
    for label, value in _notes(meta):
        notes.append([label, value])
    _style_header(notes, width=90, bold_first_column=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _write_cross_table(sheet: Worksheet, table: pd.DataFrame, meta: TableMeta) -> None:
    across = across_dimension(meta)
    # A dimension with one code (FREQ in a table of one frequency) is said in the subtitle.
    constant = [d for d in meta.dimensions if d != across and table[d].nunique() == 1]
    down = [d for d in meta.dimensions if d != across and d not in constant]
    across_names = names_for(table, meta, across)
    across_codes = sorted(across_names, key=lambda code: code == "_T")  # Total last
    down_names = {d: names_for(table, meta, d) for d in down}
    sheet.append([meta.title])
    sheet["A1"].font = Font(bold=True, size=13)
    fixed = "".join(f" {d}: {names_for(table, meta, d)[str(table[d].iloc[0])]}." for d in constant)
    sheet.append([f"Unit: {meta.unit}.{fixed} Table {meta.id}, version {meta.version}."])
    sheet.append([])
    header: list[str] = list(down)
    for code in across_codes:
        header += [across_names[code], ""]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = _BOLD
    columns = [*down, across, "OBS_VALUE", OBS_STATUS, CONF_STATUS, ROUNDED]
    cells: dict[tuple[str, ...], tuple[object, str]] = {}
    for *key, value, obs_status, conf_status, rounded in table[columns].itertuples(index=False):
        shown = NOT_AVAILABLE if pd.isna(value) else _number(value)
        cells[tuple(key)] = (shown, cell_flags(obs_status, conf_status, bool(rounded)))
    # A combination the table lacks counted nobody (the engine leaves zeros out), unless the
    # values are ratios, which have no value without a denominator.
    absent = (0, "") if meta.absent_is_zero else (NOT_AVAILABLE, "")
    keys = dict.fromkeys(key[:-1] for key in cells)
    for key in keys:
        row: list[object] = [down_names[d][code] for d, code in zip(down, key, strict=True)]
        for code in across_codes:
            row += cells.get((*key, code), absent)
        sheet.append(row)
    for column in sheet.iter_cols(min_row=5, min_col=len(down) + 1):
        for cell in column:
            cell.alignment = Alignment(horizontal="right")
    for letter in "ABCDEF"[: len(down)]:
        sheet.column_dimensions[letter].width = 28
    sheet.freeze_panes = sheet.cell(row=5, column=len(down) + 1).coordinate


def _notes(meta: TableMeta) -> list[tuple[str, str]]:
    rows = [
        ("Table", meta.title),
        ("Table id", meta.id),
        ("Definition version", meta.version),
        ("Reference date", meta.reference_date or "not stated"),
        ("Unit", meta.unit),
        ("Source", meta.source or "not stated"),
        ("Protection rule", meta.protection or "not stated"),
        ("Dimensions", ", ".join(meta.dimensions)),
    ]
    rows += [("Note", note) for note in meta.notes]
    return rows


def _style_header(sheet: Worksheet, *, width: int, bold_first_column: bool = False) -> None:
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = width
    cells = [row[0] for row in sheet.iter_rows()] if bold_first_column else list(sheet[1])
    for cell in cells:
        cell.font = _BOLD


def _number(value: object) -> int | float:
    number = float(value)  # type: ignore[arg-type]  # OBS_VALUE is numeric by the contract
    return int(number) if number.is_integer() else number


def read_xlsx_cells(path: Path) -> dict[tuple[str, ...], tuple[object, str]]:
    """The cross-table's cells as (row labels…, column label) -> (value, flags), for checks.

    Returns:
        Every cell of the "Table" sheet keyed by its row labels and column label.
    """
    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook["Table"].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = rows[3]
    width = len(header)
    # Row-dimension headers are followed by another label; each value column by its flag column.
    first_value = next(i for i in range(width) if i + 1 < width and header[i + 1] in (None, ""))
    cells: dict[tuple[str, ...], tuple[object, str]] = {}
    for row in rows[4:]:
        labels = tuple(str(v) for v in row[:first_value])
        for i in range(first_value, width, 2):
            cells[(*labels, str(header[i]))] = (row[i], str(row[i + 1] or ""))
    return cells


def write_csv(table: pd.DataFrame, meta: TableMeta, path: Path) -> Path:
    """Write the long format as CSV: the dimensions, OBS_VALUE (empty when suppressed),
    OBS_STATUS, CONF_STATUS, ROUNDED (true/false) and UNIT_MEASURE.

    Returns:
        ``path``.

    Raises:
        OutputError: the table does not fit the long format.
    """
    table = check_table(table, meta)
    columns = [*meta.dimensions, "OBS_VALUE", OBS_STATUS, CONF_STATUS, ROUNDED]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*columns, "UNIT_MEASURE"])
        for row in table[columns].itertuples(index=False):
            *dims, value, obs_status, conf_status, rounded = row
            shown = "" if pd.isna(value) else _number(value)
            flag = "true" if rounded else "false"
            writer.writerow([*dims, shown, obs_status, conf_status, flag, meta.unit])
    return path


def read_csv(path: Path, meta: TableMeta) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv` back into the long format."""
    table = pd.read_csv(
        path,
        dtype=dict.fromkeys(meta.dimensions, str),
        keep_default_na=False,
        na_values={"OBS_VALUE": [""]},
    )
    table[ROUNDED] = table[ROUNDED].astype(str).str.lower() == "true"
    return table
