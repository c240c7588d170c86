"""Every download of one table at once: what a published table offers (SDMX-ML, SDMX-CSV,
XLSX, CSV)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ura.stats.outputs.meta import TableMeta, check_table
from ura.stats.outputs.sdmx import write_sdmx_csv, write_sdmx_ml
from ura.stats.outputs.tabular import write_csv, write_xlsx


def write_all(table: pd.DataFrame, meta: TableMeta, folder: Path) -> dict[str, Path]:
    """Write the table in every output format into ``folder``.

    Args:
        table: The protected long-format table.
        meta: The table's facts.
        folder: Destination folder (created if needed).

    Returns:
        Format name -> path: ``sdmx-structure``, ``sdmx-data``, ``sdmx-csv``, ``xlsx``, ``csv``.

    Raises:
        OutputError: the table does not fit the long format; nothing is written then.
    """
    check_table(table, meta)  # refuse before the first file is written
    structure, data = write_sdmx_ml(table, meta, folder)
    return {
        "sdmx-structure": structure,
        "sdmx-data": data,
        "sdmx-csv": write_sdmx_csv(table, meta, folder / f"{meta.id}.sdmx.csv"),
        "xlsx": write_xlsx(table, meta, folder / f"{meta.id}.xlsx"),
        "csv": write_csv(table, meta, folder / f"{meta.id}.csv"),
    }
