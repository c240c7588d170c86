"""The statistical microdata: what the person index and case events become for statistics.

Two tables feed every statistical table (docs/statistics-definitions.md describes them):

``persons``: one row per person of the person index (its stable person id), with the
attributes statistics disaggregate by. ``events``: one row per thing that happened to a person
that statistics count (an entry, a first residence permit, an asylum decision...), with the
attributes of the event. Both are plain pyarrow tables (or Parquet files with these columns),
so the same data runs on DuckDB and on Spark.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import pyarrow as pa


class EventType(StrEnum):
    """What an event row records. The ``category`` column's meaning depends on the type
    (see :data:`CATEGORY_MEANING`)."""

    ENTRY = "entry"
    EXIT = "exit"
    REFUSAL_OF_ENTRY = "refusal_of_entry"
    RESIDENCE_PERMIT = "residence_permit"  # first=True: first permit; False: renewal
    WORK_PERMIT = "work_permit"
    ASYLUM_APPLICATION = "asylum_application"  # first=True: first; False: subsequent
    ASYLUM_DECISION = "asylum_decision"  # first instance
    ASYLUM_WITHDRAWN = "asylum_withdrawn"  # explicit or implicit (LFIP Art. 77)
    TEMPORARY_PROTECTION_REGISTRATION = "temporary_protection_registration"
    APPREHENSION = "apprehension"
    ORDERED_TO_LEAVE = "ordered_to_leave"
    RETURNED = "returned"
    READMISSION_REQUESTED = "readmission_requested"
    READMISSION_ACCEPTED = "readmission_accepted"
    READMISSION_EXECUTED = "readmission_executed"
    TRAFFICKING_VICTIM_IDENTIFIED = "trafficking_victim_identified"


#: What ``category`` holds for each event type (null where nothing is listed).
CATEGORY_MEANING: Final[dict[EventType, str]] = {
    EventType.REFUSAL_OF_ENTRY: "ground of refusal (Schengen Borders Code annex V letters A-I)",
    EventType.RESIDENCE_PERMIT: "reason: family, education, remunerated, humanitarian, other",
    EventType.WORK_PERMIT: "NACE Rev. 2 section letter (A-U) of the employer",
    EventType.ASYLUM_DECISION: (
        "outcome: refugee, conditional_refugee, subsidiary_protection, rejected, "
        "inadmissible, excluded"
    ),
    EventType.TEMPORARY_PROTECTION_REGISTRATION: "none",
    EventType.RETURNED: "voluntary or forced",
    EventType.TRAFFICKING_VICTIM_IDENTIFIED: (
        "form of exploitation: sexual, labour, criminal_activities, begging, forced_marriage, "
        "organ_removal, other"
    ),
}

PERSONS_SCHEMA: Final = pa.schema(
    [
        pa.field("person_id", pa.string(), nullable=False),  # stable person id
        pa.field("sex", pa.string()),  # M / F / X / U as in the canonical record
        pa.field("birth_date", pa.date32()),  # null when unknown
        pa.field("citizenship", pa.string()),  # ISO 3166-1 alpha-3 (XKX for Kosovo)
    ]
)

EVENTS_SCHEMA: Final = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),  # an EventType value
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("province", pa.string()),  # ISO 3166-2 (TR-34) or municipality code
        pa.field("category", pa.string()),  # see CATEGORY_MEANING
        pa.field("first", pa.bool_()),  # first permit / first application
        pa.field("unaccompanied", pa.bool_()),  # unaccompanied minor at the event
        pa.field("destination", pa.string()),  # ISO alpha-3: return / readmission country
        pa.field("valid_until", pa.date32()),  # permit or protection valid until (inclusive)
    ]
)


class MicrodataError(ValueError):
    """The persons or events table does not have the statistical microdata's columns."""


def check_table(table: pa.Table, schema: pa.Schema, name: str) -> pa.Table:
    """``table`` with exactly ``schema``'s columns in its order, cast to its types.

    Args:
        table: The persons or events table as given.
        schema: :data:`PERSONS_SCHEMA` or :data:`EVENTS_SCHEMA`.
        name: "persons" or "events", for the error message.

    Returns:
        The table with the schema's columns only, in order, with the schema's types.

    Raises:
        MicrodataError: a column is missing or cannot be cast to its type.
    """
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise MicrodataError(f"{name} table lacks column(s) {', '.join(missing)}")
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise MicrodataError(f"{name} table has a column of the wrong type: {exc}") from exc
