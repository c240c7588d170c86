"""Shared fixtures for the linkage engine tests: hand-made records and a FEBRL 3 sample."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from ura.linkage.datasets import febrl3
from ura.linkage.prepare import RecordKey
from ura.records import LINKAGE_COLUMNS

_DEFAULTS: dict[str, Any] = dict.fromkeys(LINKAGE_COLUMNS, "")
_DEFAULTS.update(
    {"sex": "U", "date_of_birth_precision": "unknown", "date_of_birth_placeholder": False}
)


def make_table(rows: list[dict[str, Any]]) -> pa.Table:
    """A LINKAGE_COLUMNS table from partial rows (missing fields empty)."""
    full = [{**_DEFAULTS, **row} for row in rows]
    schema = pa.schema(
        [
            pa.field(c, pa.bool_() if c == "date_of_birth_placeholder" else pa.string())
            for c in LINKAGE_COLUMNS
        ]
    )
    return pa.Table.from_pylist(full, schema=schema)


@pytest.fixture(scope="session")
def febrl_sample() -> tuple[pa.Table, dict[RecordKey, str]]:
    """FEBRL 3 records of 400 true persons (about 1,000 records)."""
    return febrl3(persons=400)
