"""The only module that knows which SQL engine runs Splink.

An :class:`Engine` gives Splink a database API, loads pyarrow tables into it and reads
results back as pyarrow. DuckDB (embedded, the default) and Apache Spark (local mode here,
a cluster in production) implement it; the rest of ``ura.linkage`` never asks which one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.splink_dataframe import SplinkDataFrame

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logging.getLogger("splink").setLevel(logging.WARNING)


class Engine(Protocol):
    """What linkage needs from an SQL engine."""

    #: Splink's SQL dialect name, used to re-dialect a model trained elsewhere.
    dialect: str

    def db_api(self) -> DatabaseAPISubClass:
        """A fresh Splink database API (one per linkage run)."""
        ...

    def to_arrow(
        self, df: SplinkDataFrame, columns: list[str], where: str | None = None
    ) -> pa.Table:
        """Selected columns (or expressions) of a Splink result, optionally filtered by an
        SQL condition valid on every engine, as pyarrow."""
        ...


def _select_sql(df: SplinkDataFrame, columns: list[str], where: str | None) -> str:
    # Columns and conditions come from Ura's own code and model settings, never from users.
    cols = ", ".join(columns)
    condition = f" where {where}" if where else ""
    return f"select {cols} from {df.physical_name}{condition}"  # noqa: S608 - identifiers we control


class DuckDBEngine:
    """Embedded DuckDB: nothing to install or run. ``memory_limit`` (e.g. "8GB") bounds
    DuckDB's memory so that a million-record run spills to disk instead of failing."""

    dialect = "duckdb"

    def __init__(self, memory_limit: str | None = None, threads: int | None = None) -> None:
        self.memory_limit = memory_limit
        self.threads = threads

    def db_api(self) -> DatabaseAPISubClass:
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect()
        if self.memory_limit:
            con.execute("SET memory_limit = ?", [self.memory_limit])
        if self.threads:
            con.execute("SET threads = ?", [self.threads])
        api: DatabaseAPISubClass = DuckDBAPI(connection=con)
        return api

    def to_arrow(
        self, df: SplinkDataFrame, columns: list[str], where: str | None = None
    ) -> pa.Table:
        con: Any = df.db_api._con  # type: ignore[attr-defined]
        table: pa.Table = con.sql(_select_sql(df, columns, where)).to_arrow_table()
        return table


def spark_jar_path() -> str:
    """Splink's Scala UDF jar (Jaro-Winkler, Damerau-Levenshtein...) for this Spark version;
    it must be on the session's classpath before the session starts."""
    from splink.internals.spark.jar_location import similarity_jar_location

    path: str = similarity_jar_location()
    return path


def spark_session(
    master: str = "local[2]",
    *,
    app_name: str = "ura-linkage",
    shuffle_partitions: int = 8,
    extra_conf: dict[str, str] | None = None,
) -> SparkSession:
    """A SparkSession configured for Splink: its UDF jar, no web UI, few shuffle
    partitions (raise them on a cluster). ``master`` is "local[N]" or a cluster URL."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.jars", spark_jar_path())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Apache Spark through Splink's SparkAPI. The caller owns the session (see
    :func:`spark_session`) and stops it; Splink's intermediate tables are temp views."""

    dialect = "spark"

    def __init__(self, spark: SparkSession, num_partitions: int | None = None) -> None:
        self.spark = spark
        self.num_partitions = num_partitions

    def db_api(self) -> DatabaseAPISubClass:
        from splink import SparkAPI

        api: DatabaseAPISubClass = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark,
            num_partitions_on_repartition=self.num_partitions,
            break_lineage_method="persist",
        )
        return api

    def to_arrow(
        self, df: SplinkDataFrame, columns: list[str], where: str | None = None
    ) -> pa.Table:
        table: pa.Table = self.spark.sql(_select_sql(df, columns, where)).toArrow()
        return table


def get_engine(engine: str | Engine, **options: Any) -> Engine:
    """An engine by name ("duckdb", "spark") or an engine object as is. For "spark",
    ``spark`` may pass a session; otherwise a local one is started with ``master``."""
    if not isinstance(engine, str):
        return engine
    if engine == "duckdb":
        return DuckDBEngine(
            memory_limit=options.get("memory_limit"), threads=options.get("threads")
        )
    if engine == "spark":
        session = options.get("spark") or spark_session(options.get("master", "local[2]"))
        return SparkEngine(session, num_partitions=options.get("num_partitions"))
    raise ValueError(f"unknown linkage engine {engine!r} (duckdb or spark)")
