"""A stored table in the published formats (via ``ura.stats.outputs``), as bytes to send."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from ura.stats.outputs.meta import TableMeta
from ura.stats.outputs.sdmx import write_sdmx_csv, write_sdmx_ml
from ura.stats.outputs.tabular import write_csv, write_xlsx


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    content_type: str


#: format -> (label, extension, content type)
FORMATS: Final = {
    "csv": ("CSV", "csv", "text/csv; charset=utf-8"),
    "xlsx": (
        "XLSX",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "sdmx-ml": ("SDMX-ML (structure and data, zip)", "sdmx.zip", "application/zip"),
    "sdmx-csv": ("SDMX-CSV", "sdmx.csv", "text/csv; charset=utf-8"),
}


def render(frame: pd.DataFrame, meta: TableMeta, fmt: str) -> Download:
    """The table in ``fmt`` (a key of :data:`FORMATS`).

    Raises:
        KeyError: an unknown format.
        OutputError: the table cannot be written (e.g. a suppressed cell with a value).
    """
    _label, extension, content_type = FORMATS[fmt]
    name = f"{meta.id.lower()}-v{meta.version}"
    with tempfile.TemporaryDirectory(prefix="ura-stats-") as tmp:
        folder = Path(tmp)
        if fmt == "csv":
            content = write_csv(frame, meta, folder / f"{name}.csv").read_bytes()
        elif fmt == "xlsx":
            content = write_xlsx(frame, meta, folder / f"{name}.xlsx").read_bytes()
        elif fmt == "sdmx-csv":
            content = write_sdmx_csv(frame, meta, folder / f"{name}.sdmx.csv").read_bytes()
        else:
            structure, data = write_sdmx_ml(frame, meta, folder)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(structure, structure.name)
                archive.write(data, data.name)
            content = buffer.getvalue()
    return Download(content, f"{name}.{extension}", content_type)


def raw_csv(frame: pd.DataFrame, meta: TableMeta) -> Download:
    """The unprotected cells as plain CSV (analysts' workspace only)."""
    name = f"{meta.id.lower()}-v{meta.version}-UNPROTECTED.csv"
    return Download(frame.to_csv(index=False).encode(), name, "text/csv; charset=utf-8")
