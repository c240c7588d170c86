"""Hand-made microdata for the statistics engine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from ura.stats.schema import EVENTS_SCHEMA, PERSONS_SCHEMA


def persons_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Persons from partial rows (missing fields null)."""
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in PERSONS_SCHEMA.names} for row in rows],
        schema=PERSONS_SCHEMA,
    )


def events_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Events from partial rows; ids are numbered when not given."""
    full = []
    for n, row in enumerate(rows):
        record = {name: row.get(name) for name in EVENTS_SCHEMA.names}
        record["event_id"] = row.get("event_id", f"E{n:04d}")
        record["unaccompanied"] = row.get("unaccompanied", False)
        full.append(record)
    return pa.Table.from_pylist(full, schema=EVENTS_SCHEMA)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
