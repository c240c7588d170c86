"""The only module of ``ura.stats`` that knows which SQL engine runs a table.

An engine takes the statistical microdata (pyarrow tables or Parquet files), registers them
as the views ``persons``, ``events`` and the lookup tables the SQL joins, runs one query in
its own dialect and returns pyarrow. DuckDB (embedded, the default) and Apache Spark (local
mode here, a cluster in production) implement it; :mod:`ura.stats.compute` writes each
table's SQL once, in DuckDB's dialect, and sqlglot transpiles it for the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: A table given as data or as Parquet: a file, a folder of part files or a glob.
TableSource: TypeAlias = "pa.Table | Path | str"


class StatsEngine(Protocol):
    """What the statistics computation needs from an SQL engine."""

    #: sqlglot's dialect name for this engine.
    dialect: str

    def register(self, name: str, source: TableSource) -> None:
        """Make ``source`` queryable as the view ``name``."""
        ...

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` (in this engine's dialect) and return its result."""
        ...


def _parquet_glob(source: Path | str) -> str:
    """A Parquet file, folder or glob as a quoted SQL string literal."""
    path = Path(source)
    text = str(path / "*.parquet") if path.is_dir() else str(path)
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine:
    """Embedded DuckDB. ``memory_limit`` (e.g. "4GB") makes large runs spill to disk."""

    dialect = "duckdb"

    def __init__(self, memory_limit: str | None = None, threads: int | None = None) -> None:
        import duckdb

        self.con = duckdb.connect()
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        if threads:
            self.con.execute("SET threads = ?", [threads])
        self._tables: dict[str, pa.Table] = {}

    def register(self, name: str, source: TableSource) -> None:
        if isinstance(source, pa.Table):
            self._tables[name] = source  # DuckDB reads it in place; keep it alive
            self.con.register(name, source)
        else:
            self.con.execute(
                f"CREATE OR REPLACE VIEW {name} AS "  # noqa: S608 - names are Ura's own
                f"SELECT * FROM read_parquet({_parquet_glob(source)})"
            )

    def query(self, sql: str) -> pa.Table:
        table: pa.Table = self.con.sql(sql).to_arrow_table()
        return table

    def close(self) -> None:
        self.con.close()


def spark_session(
    master: str = "local[2]", *, app_name: str = "ura-stats", shuffle_partitions: int = 8
) -> SparkSession:
    """A SparkSession for statistics: no web UI, few shuffle partitions (raise them on a
    cluster), Arrow transfer on. ``master`` is "local[N]" or a cluster URL."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Apache Spark SQL. The caller owns the session (see :func:`spark_session`)."""

    dialect = "spark"

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def register(self, name: str, source: TableSource) -> None:
        if isinstance(source, pa.Table):
            # Spark would infer types from pandas; the Arrow schema's types are given instead.
            frame = self.spark.createDataFrame(source.to_pandas(), schema=_spark_schema(source))
        else:
            frame = self.spark.read.parquet(str(source))
        frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        table: pa.Table = self.spark.sql(sql).toArrow()
        return table


def _spark_schema(table: pa.Table) -> Any:
    from pyspark.sql import types as T  # noqa: N812 - pyspark's own convention

    mapping = {
        pa.string(): T.StringType(),
        pa.large_string(): T.StringType(),
        pa.date32(): T.DateType(),
        pa.bool_(): T.BooleanType(),
        pa.int64(): T.LongType(),
        pa.int32(): T.IntegerType(),
        pa.float64(): T.DoubleType(),
    }
    return T.StructType(
        [T.StructField(f.name, mapping[f.type], nullable=True) for f in table.schema]
    )


def get_engine(engine: str | StatsEngine, **options: Any) -> StatsEngine:
    """An engine by name ("duckdb", "spark") or an engine object as is. For "spark",
    ``spark`` may pass a session; otherwise a local one is started with ``master``.

    Raises:
        ValueError: an unknown engine name.
    """
    if not isinstance(engine, str):
        return engine
    if engine == "duckdb":
        return DuckDBEngine(
            memory_limit=options.get("memory_limit"), threads=options.get("threads")
        )
    if engine == "spark":
        session = options.get("spark") or spark_session(options.get("master", "local[2]"))
        return SparkEngine(session)
    raise ValueError(f"unknown statistics engine {engine!r} (duckdb or spark)")
