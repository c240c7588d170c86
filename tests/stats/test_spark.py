"""The same definitions give identical tables on Spark and on DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

from ura.stats.compute import Microdata, compute_tables
from ura.stats.definitions import load_definitions
from ura.stats.engines import SparkEngine, spark_session
from ura.synth.microdata import generate_microdata

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = spark_session("local[2]", app_name="ura-stats-test", shuffle_partitions=2)
    yield session
    session.stop()


def test_every_standard_table_is_identical_on_spark_and_duckdb(spark: object) -> None:
    persons, events = generate_microdata(1500, seed=5)
    data = Microdata(persons, events)
    definitions = load_definitions().values()
    on_duckdb = compute_tables(
        definitions,
        data,
        as_of=dt.date(2024, 11, 15),
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    on_spark = compute_tables(
        definitions,
        data,
        engine=SparkEngine(spark),  # type: ignore[arg-type]
        as_of=dt.date(2024, 11, 15),
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    assert on_spark.keys() == on_duckdb.keys()
    for table_id, table in on_duckdb.items():
        assert len(table) > 0, table_id
        # Ratios are floats: equal to the last bits is not promised across engines.
        pd.testing.assert_frame_equal(on_spark[table_id], table, check_exact=False, rtol=1e-12)
        if table["OBS_VALUE"].dtype == "int64":
            assert on_spark[table_id]["OBS_VALUE"].tolist() == table["OBS_VALUE"].tolist()
