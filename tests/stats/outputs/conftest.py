"""A protected long-format table as disclosure control hands it to the outputs: every margin
(``_T``) present, some cells suppressed (C primary, D secondary, no value), some provisional,
some rounded."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from ura.stats.outputs.meta import TableMeta

DIMENSIONS = ("CITIZEN", "SEX", "GEO", "TIME_PERIOD")
CODES = {
    "CITIZEN": ["SYR", "AFG", "IRQ", "XKX"],
    "SEX": ["F", "M"],
    "GEO": ["TR-34", "TR-06", "TR-63"],
    "TIME_PERIOD": ["2023", "2024"],
}


def with_margins(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` plus every margin: each combination of dimensions summed to ``_T``."""
    totalled = [d for d in DIMENSIONS if d != "TIME_PERIOD"]
    parts = []
    for size in range(len(totalled) + 1):
        for summed in itertools.combinations(totalled, size):
            kept = [d for d in DIMENSIONS if d not in summed]
            part = cells.groupby(kept, as_index=False)["OBS_VALUE"].sum()
            for dimension in summed:
                part[dimension] = "_T"
            parts.append(part[[*DIMENSIONS, "OBS_VALUE"]])
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def protected_table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    grid = list(itertools.product(*(CODES[d] for d in DIMENSIONS)))
    cells = pd.DataFrame(grid, columns=list(DIMENSIONS))
    cells["OBS_VALUE"] = rng.integers(0, 40, size=len(cells))
    table = with_margins(cells)
    table["OBS_VALUE"] = table["OBS_VALUE"].astype("Int64")
    table["OBS_STATUS"] = np.where(table["TIME_PERIOD"] == "2024", "P", "A")
    table["CONF_STATUS"] = "F"
    small = table["OBS_VALUE"] < 3
    table.loc[small, "CONF_STATUS"] = "C"
    # A secondary suppression partner for each primary cell (not a real pattern: the outputs
    # only carry the flags disclosure control sets).
    partner = table.index[~small & (table["CITIZEN"] == "XKX")][:5]
    table.loc[partner, "CONF_STATUS"] = "D"
    table.loc[table["CONF_STATUS"] != "F", "OBS_VALUE"] = pd.NA
    table["ROUNDED"] = table["GEO"] == "TR-63"
    return table


@pytest.fixture
def meta() -> TableMeta:
    return TableMeta(
        id="TPS_PROV",
        version="1.2",
        title="Foreigners under temporary protection by citizenship, sex and province",
        dimensions=DIMENSIONS,
        unit="PER",
        source="Ura person index (synthetic test data)",
        protection="threshold 3, secondary suppression",
        reference_date="2024-12-31",
        notes=("Cells of TR-63 are rounded to base 5.",),
    )
