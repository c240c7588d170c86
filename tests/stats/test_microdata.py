"""The synthetic national microdata: reproducible, well-formed, and the same from Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ura.stats.compute import Microdata, compute_tables
from ura.stats.definitions import load_definitions
from ura.stats.schema import EVENTS_SCHEMA, PERSONS_SCHEMA, EventType
from ura.synth.microdata import generate_microdata, write_microdata

WINDOW_START, WINDOW_END = dt.date(2022, 1, 1), dt.date(2024, 12, 31)


def test_same_seed_same_tables_and_another_seed_others() -> None:
    first = generate_microdata(800, seed=3)
    again = generate_microdata(800, seed=3)
    other = generate_microdata(800, seed=4)
    assert first[0].equals(again[0])
    assert first[1].equals(again[1])
    assert not first[1].equals(other[1])


def test_tables_have_the_schema_and_every_event_type_occurs() -> None:
    persons, events = generate_microdata(6000, seed=1)
    assert persons.schema.equals(PERSONS_SCHEMA)
    assert events.schema.equals(EVENTS_SCHEMA)
    assert set(events["event_type"].to_pylist()) == {t.value for t in EventType}
    assert pc.count_distinct(events["event_id"]).as_py() == events.num_rows
    person_ids = set(persons["person_id"].to_pylist())
    assert set(events["person_id"].to_pylist()) <= person_ids
    assert pc.max(events["event_date"]).as_py() <= WINDOW_END
    flows = events.filter(pc.field("event_type") == "entry")
    assert pc.min(flows["event_date"]).as_py() >= dt.date(2017, 1, 1)


def test_parquet_files_give_the_same_tables_as_the_tables(tmp_path: Path) -> None:
    files = write_microdata(tmp_path, 1200, seed=9, chunk_persons=500)
    assert len(list(files.events.glob("part-*.parquet"))) == 3
    persons, events = generate_microdata(1200, seed=9, chunk_persons=500)
    assert pq.read_table(files.persons).to_pylist() == persons.to_pylist()
    assert pq.read_table(files.events).to_pylist() == events.to_pylist()
    assert (files.person_count, files.event_count) == (persons.num_rows, events.num_rows)
    definitions = [load_definitions()[i] for i in ("migr_eipre", "migr_asytpsm", "migr_eirtn")]
    from_files = compute_tables(
        definitions, Microdata(files.persons, files.events), start=WINDOW_START, end=WINDOW_END
    )
    from_tables = compute_tables(
        definitions, Microdata(persons, events), start=WINDOW_START, end=WINDOW_END
    )
    for table_id, table in from_tables.items():
        pd.testing.assert_frame_equal(from_files[table_id], table)
