"""Vega-Lite specs: the data they carry equals the table's slice; suppressed cells are not drawn;
and (with Node.js) the vendored Vega renders each spec without eval, as under the CSP."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from ura.stats.outputs.charts import (
    NUTS1_REGIONS,
    nationality_bar_spec,
    province_tile_spec,
    slice_table,
    time_series_spec,
)
from ura.stats.outputs.meta import OutputError
from ura.stats.reference import load_turkiye_provinces, unhcr

VENDOR = Path(__file__).resolve().parents[3] / "src" / "ura" / "web" / "static" / "vendor"
RENDER = Path(__file__).resolve().parent / "render_vega.js"


def test_time_series_carries_the_source_figures() -> None:
    table = unhcr.load_unhcr_context(countries=["TUR", "DEU"], indicators=["ASYL_APP"])
    spec = time_series_spec(
        table, title="Asylum applications", value_label="Applications", series="GEO",
        fixed={"INDICATOR": "ASYL_APP"}, source=unhcr.CITATION,
    )  # fmt: skip
    values = {(r["GEO"], r["TIME_PERIOD"]): r["value"] for r in spec["data"]["values"]}
    assert values[("TUR", "2019")] == 56417
    assert len(values) == len(table)
    assert {r["series"] for r in spec["data"]["values"]} == {"Türkiye", "Germany"}
    assert unhcr.CITATION in spec["title"]["subtitle"][0]


def test_nationality_bars_skip_totals_and_suppressed_cells(protected_table: pd.DataFrame) -> None:
    spec = nationality_bar_spec(
        protected_table, title="t", value_label="Persons", fixed={"TIME_PERIOD": "2023"}
    )
    rows = slice_table(protected_table, ("CITIZEN",), {"TIME_PERIOD": "2023"})
    rows = rows[rows["CITIZEN"] != "_T"]
    shown = rows[rows["CONF_STATUS"] == "F"]
    assert [r["CITIZEN"] for r in spec["data"]["values"]] == list(
        shown.sort_values(["OBS_VALUE", "CITIZEN"], ascending=[False, True])["CITIZEN"]
    )
    hidden = len(rows) - len(shown)
    if hidden:
        assert spec["title"]["subtitle"][0].startswith(f"{hidden} cell(s) not shown")


def test_province_tiles_place_every_province_in_its_region() -> None:
    provinces = load_turkiye_provinces()
    table = pd.DataFrame(
        {"GEO": ["TR-34", "TR-06", "TR-63", "_T"], "OBS_VALUE": [100, 50, None, 170],
         "OBS_STATUS": "A", "CONF_STATUS": ["F", "F", "C", "F"]}
    )  # fmt: skip
    spec = province_tile_spec(table, provinces, title="t", value_label="Persons")
    tiles = {t["GEO"]: t for t in spec["data"]["values"]}
    assert len(tiles) == 81
    assert tiles["TR-34"]["value"] == 100
    assert tiles["TR-34"]["region"] == "İstanbul"
    assert tiles["TR-63"]["value"] is None
    assert tiles["TR-63"]["region"] == NUTS1_REGIONS["TRC"]
    positions = {(t["column"], t["row"]) for t in tiles.values()}
    assert len(positions) == 81


def test_an_unknown_fixed_code_is_refused(protected_table: pd.DataFrame) -> None:
    with pytest.raises(OutputError, match="SEX has no code 'X'"):
        nationality_bar_spec(protected_table, title="t", value_label="v", fixed={"SEX": "X"})


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run Vega")
def test_vendored_vega_renders_each_spec_without_eval(
    protected_table: pd.DataFrame, tmp_path: Path
) -> None:
    specs = {
        "series": time_series_spec(
            unhcr.load_unhcr_context(indicators=["REFUGEES"]), title="Refugees",
            value_label="Refugees", series="GEO", fixed={"INDICATOR": "REFUGEES"},
        ),
        "bars": nationality_bar_spec(
            protected_table, title="t", value_label="Persons", fixed={"TIME_PERIOD": "2024"}
        ),
        "tiles": province_tile_spec(
            protected_table, load_turkiye_provinces(), title="t", value_label="Persons",
            fixed={"TIME_PERIOD": "2024"},
        ),
    }  # fmt: skip
    for name, spec in specs.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        node = shutil.which("node")
        assert node is not None
        result = subprocess.run(  # noqa: S603  (fixed arguments, our own script)
            [node, str(RENDER), str(VENDOR), str(path)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.startswith("<svg"), name
        assert "İstanbul" in result.stdout or name != "tiles"


@pytest.mark.parametrize(
    ("periods", "kind", "unit"),
    [
        (["2023", "2024"], "temporal", "year"),
        (["2024-01", "2024-02"], "temporal", "yearmonth"),
        (["2024-Q1", "2024-Q2"], "ordinal", None),
    ],
)
def test_time_axis_follows_the_period_format(
    periods: list[str], kind: str, unit: str | None
) -> None:
    table = pd.DataFrame(
        {"TIME_PERIOD": periods, "SEX": "_T", "OBS_VALUE": [1, 2], "OBS_STATUS": "A",
         "CONF_STATUS": "F"}
    )  # fmt: skip
    axis = time_series_spec(table, title="t", value_label="v")["encoding"]["x"]
    assert axis["type"] == kind
    assert axis.get("timeUnit") == unit
