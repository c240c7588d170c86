"""Migration statistics (pure; no Django): table definitions, their computation on DuckDB or
Spark, disclosure control and outputs.

``load_definitions()`` reads the standard set of a migration profile (versioned YAML in
``definitions/``); ``compute_tables(definitions, Microdata(persons, events), start=, end=)``
computes them in the shared long format (docs/statistics-definitions.md).
"""

from ura.stats.compute import Microdata, compute_table, compute_tables, table_sql
from ura.stats.definitions import DefinitionError, TableDefinition, load_definitions
from ura.stats.schema import EVENTS_SCHEMA, PERSONS_SCHEMA, EventType, MicrodataError

__all__ = [
    "EVENTS_SCHEMA",
    "PERSONS_SCHEMA",
    "DefinitionError",
    "EventType",
    "Microdata",
    "MicrodataError",
    "TableDefinition",
    "compute_table",
    "compute_tables",
    "load_definitions",
    "table_sql",
]
