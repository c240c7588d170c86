"""Reading a table definition as the engine writes it, and the checks every output makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from ura.stats.outputs.bundle import write_all
from ura.stats.outputs.charts import nationality_bar_spec
from ura.stats.outputs.meta import (
    OutputError,
    TableMeta,
    check_table,
    code_name,
    protection_text,
    table_meta,
)
from ura.stats.outputs.sdmx import build_structure, read_sdmx_ml
from ura.stats.outputs.tabular import read_xlsx_cells, write_xlsx


@dataclass(frozen=True)
class Dimension:
    id: str


@dataclass(frozen=True)
class Definition:
    """The shape of the engine's TableDefinition (ura.stats.definitions)."""

    id: str = "migr_asytpsm"
    version: int = 1
    title: str = "Persons under temporary protection at the end of the period"
    description: str = "Persons whose latest registration\n  is valid on that day."
    eurostat: str | None = "migr_asytpsm"
    unit: str = "PER"
    frequency: str = "M"
    dimensions: tuple[Dimension, ...] = (Dimension("GEO"), Dimension("CITIZEN"))
    protection: dict[str, object] = field(
        default_factory=lambda: {"rule": "suppression", "threshold": 5}
    )


def engine_table() -> pd.DataFrame:
    """Columns as ura.stats.compute returns them: FREQ, TIME_PERIOD, the dimensions, values."""
    rows = []
    for period in ("2024-11", "2024-12"):
        for geo, citizen, value in [
            ("TR-34", "SY", 40), ("TR-34", "AF", 7), ("TR-34", "_T", 47),
            ("TR-06", "SY", 12), ("TR-06", "AF", 3), ("TR-06", "_T", 15),
            ("_T", "SY", 52), ("_T", "AF", 10), ("_T", "_T", 62),
        ]:  # fmt: skip
            rows.append(("M", period, geo, citizen, value))
    table = pd.DataFrame(rows, columns=["FREQ", "TIME_PERIOD", "GEO", "CITIZEN", "OBS_VALUE"])
    table["OBS_STATUS"] = ["P" if p == "2024-12" else "A" for p in table["TIME_PERIOD"]]
    table["CONF_STATUS"] = "F"
    return table


def test_meta_from_an_engine_definition() -> None:
    meta = table_meta(Definition(), reference_date="2024-12-31")
    assert meta.id == "migr_asytpsm"
    assert meta.version == "1"
    assert meta.dimensions == ("FREQ", "GEO", "CITIZEN", "TIME_PERIOD")
    assert meta.protection == "suppression (threshold 5)"
    assert meta.notes == (
        "Persons whose latest registration is valid on that day.",
        "Aligned with Eurostat dataset migr_asytpsm.",
    )
    assert meta.reference_date == "2024-12-31"


def test_an_engine_table_publishes_in_every_format(tmp_path: Path) -> None:
    table = engine_table()
    meta = table_meta(Definition())
    paths = write_all(table, meta, tmp_path)
    read = read_sdmx_ml(paths["sdmx-structure"], paths["sdmx-data"])
    assert len(read) == len(table)
    structure = build_structure(table, meta)
    dsd = structure.structure["DSD_migr_asytpsm"]
    assert [d.id for d in dsd.dimensions] == ["FREQ", "GEO", "CITIZEN", "TIME_PERIOD"]
    assert str(structure.codelist["CL_FREQ"]["M"].name) == "Monthly"
    assert str(structure.codelist["CL_CITIZEN"]["SY"].name) == "Syria"
    cells = read_xlsx_cells(paths["xlsx"])
    # FREQ has one code: said once above the table, not repeated on every row.
    assert cells[("İstanbul", "Syria", "2024-12")] == (40, "p")
    assert len(cells) == len(table)


def test_a_chart_fixes_a_single_code_dimension_by_itself() -> None:
    spec = nationality_bar_spec(
        engine_table(), title="t", value_label="Persons", fixed={"TIME_PERIOD": "2024-11"}
    )
    assert [(r["CITIZEN"], r["value"]) for r in spec["data"]["values"]] == [("SY", 52), ("AF", 10)]


def test_a_column_outside_the_definition_is_refused() -> None:
    table = engine_table()
    table["AGE"] = "_T"
    with pytest.raises(OutputError, match="AGE are not dimensions"):
        check_table(table, table_meta(Definition()))


def test_a_missing_dimension_is_refused() -> None:
    meta = TableMeta(id="T", version="1", title="t", dimensions=("SEX", "TIME_PERIOD"))
    with pytest.raises(OutputError, match="no column"):
        check_table(pd.DataFrame({"TIME_PERIOD": ["2024"], "OBS_VALUE": [1]}), meta)


def test_protection_in_words() -> None:
    assert protection_text({"rule": "rounding", "base": 5}) == "rounding (base 5)"
    assert protection_text({"rule": "strict"}) == "strict"
    assert protection_text("threshold 3") == "threshold 3"


@pytest.mark.parametrize(
    ("dimension", "code", "name"),
    [
        ("CITIZEN", "SY", "Syria"), ("CITIZEN", "SYR", "Syria"), ("CITIZEN", "XK", "Kosovo"),
        ("CITIZEN", "UNK", "Unknown"), ("AGE", "Y_LT18", "Less than 18 years"),
        ("SEX", "F", "Females"), ("GEO", "TR-63", "Şanlıurfa"), ("GEO", "XK-27", "Prishtinë"),
        ("FREQ", "Q", "Quarterly"), ("DECISION", "_T", "Total"),
        ("DECISION", "GENCONV", "Geneva Convention status"), ("REASON", "OCC",
        "Remunerated activities reasons"), ("REASON", "A", "No valid travel document"),
        ("NACE_R2", "F", "Construction"), ("EXPLOIT", "OTH", "Other forms of exploitation"),
        ("C_DEST", "AF", "Afghanistan"), ("NEW_DIMENSION", "X1", "X1"), ("NEW_DIMENSION", "OTH",
        "Other"),
    ],
)  # fmt: skip
def test_code_names(dimension: str, code: str, name: str) -> None:
    assert code_name(dimension, code) == name


def test_a_combination_the_engine_left_out_is_a_zero_except_for_ratios(tmp_path: Path) -> None:
    table = engine_table()
    table = table[~((table["GEO"] == "TR-06") & (table["CITIZEN"] == "AF"))
                  | (table["TIME_PERIOD"] == "2024-11")]  # fmt: skip
    counts = write_xlsx(table, table_meta(Definition()), tmp_path / "counts.xlsx")
    assert read_xlsx_cells(counts)[("Ankara", "Afghanistan", "2024-12")] == (0, "")
    ratio = write_xlsx(table, table_meta(Definition(unit="PC")), tmp_path / "ratio.xlsx")
    assert read_xlsx_cells(ratio)[("Ankara", "Afghanistan", "2024-12")] == (":", "")
