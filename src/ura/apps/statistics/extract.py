"""The statistical microdata from Ura's own database (docs/statistics.md).

Persons come from the published person index (stable person ids, sex, date of birth,
citizenship) through the people app's ``statistical_persons``; events from the case engine:
each event a procedure's transition emitted (``emits`` in ``ura/casework/procedures/``) is
mapped by :data:`EVENT_MAP` to an event type of ``ura.stats.schema``, once per person of the
case. Procedures that are not installed simply emit nothing; their codes stay in the table so
that their events count as soon as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa

from ura.apps.cases.statistics import EmittedEvent, emitted_events
from ura.apps.people.index import statistical_persons
from ura.stats import EVENTS_SCHEMA, PERSONS_SCHEMA, EventType, Microdata


def _path(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _first(data: Mapping[str, Any], *paths: str) -> Any:
    for dotted in paths:
        value = _path(data, dotted)
        if value not in (None, "", []):
            return value
    return None


def _province(event: EmittedEvent) -> str | None:
    code = _first(event.data, "assigned_province", "province", "location.province")
    if code is None:
        return None
    text = str(code)
    return f"TR-{text}" if text.isdigit() else text


#: Trafficking exploitation types (HTCDS) to the table's forms of exploitation.
EXPLOITATION: Final[Mapping[str, str]] = {
    "sexual": "sexual",
    "labour": "labour",
    "forced_criminality": "criminal_activities",
    "begging": "begging",
    "forced_marriage": "forced_marriage",
    "organ_removal": "organ_removal",
}


def _asylum_outcome(event: EmittedEvent) -> str | None:
    outcome = _first(event.data, "decision.outcome")
    return str(outcome) if outcome is not None else None


def _exploitation(event: EmittedEvent) -> str:
    types = _first(event.data, "profile.exploitation_types") or []
    first = str(types[0]) if types else "other"
    return EXPLOITATION.get(first, "other")


def _destination(event: EmittedEvent) -> str | None:
    value = _first(
        event.data,
        "destination",
        "destination_country",
        "return.destination",
        "partner_country",
        "readmission.partner_country",
        "travel.destination",
    )
    return str(value).upper() if value else None


@dataclass(frozen=True)
class EventMapping:
    """How one emitted event becomes an event row."""

    event_type: EventType
    category: Callable[[EmittedEvent], str | None] | None = None
    first: Callable[[EmittedEvent], bool | None] | None = None
    unaccompanied: Callable[[EmittedEvent], bool | None] | None = None
    destination: bool = False


def _subsequent(event: EmittedEvent) -> bool:
    return not bool(_first(event.data, "application.subsequent", "subsequent_application"))


def _unaccompanied(event: EmittedEvent) -> bool:
    return "unaccompanied_child" in event.vulnerabilities


#: (procedure code, emitted event) -> event row. The removal, AVRR and readmission codes are
#: those of their procedures (``removal``, ``avrr``, ``readmission``).
EVENT_MAP: Final[Mapping[tuple[str, str], EventMapping]] = {
    ("asylum", "registered"): EventMapping(
        EventType.ASYLUM_APPLICATION, first=_subsequent, unaccompanied=_unaccompanied
    ),
    ("asylum", "decision_notified"): EventMapping(
        EventType.ASYLUM_DECISION, category=_asylum_outcome
    ),
    ("asylum", "withdrawn"): EventMapping(EventType.ASYLUM_WITHDRAWN),
    ("trafficking", "presumed_victim_identified"): EventMapping(
        EventType.TRAFFICKING_VICTIM_IDENTIFIED, category=_exploitation
    ),
    ("removal", "apprehension_recorded"): EventMapping(EventType.APPREHENSION),
    ("removal", "ordered_to_leave"): EventMapping(EventType.ORDERED_TO_LEAVE),
    ("removal", "returned_forcibly"): EventMapping(
        EventType.RETURNED, category=lambda e: "forced", destination=True
    ),
    ("removal", "returned_voluntarily"): EventMapping(
        EventType.RETURNED, category=lambda e: "voluntary", destination=True
    ),
    ("avrr", "returned_voluntarily"): EventMapping(
        EventType.RETURNED, category=lambda e: "voluntary", destination=True
    ),
    ("readmission", "readmission_requested"): EventMapping(
        EventType.READMISSION_REQUESTED, destination=True
    ),
    ("readmission", "readmission_accepted"): EventMapping(
        EventType.READMISSION_ACCEPTED, destination=True
    ),
    ("readmission", "readmission_deemed_accepted"): EventMapping(
        EventType.READMISSION_ACCEPTED, destination=True
    ),
    ("readmission", "readmission_executed"): EventMapping(
        EventType.READMISSION_EXECUTED, destination=True
    ),
}


def event_rows(events: list[EmittedEvent]) -> pa.Table:
    """The events table of the microdata from the case engine's emitted events."""
    columns: dict[str, list[Any]] = {name: [] for name in EVENTS_SCHEMA.names}
    for event in events:
        mapping = EVENT_MAP.get((event.procedure_code, event.code))
        if mapping is None:
            continue
        if mapping.event_type is EventType.ASYLUM_DECISION and (
            _asylum_outcome(event) == "implicitly_withdrawn"
        ):
            mapping = EventMapping(EventType.ASYLUM_WITHDRAWN)
        for person_id in event.person_ids:
            columns["event_id"].append(f"case-{event.event_id}-{event.code}-{person_id}")
            columns["person_id"].append(person_id)
            columns["event_type"].append(mapping.event_type.value)
            columns["event_date"].append(event.occurred_on)
            columns["province"].append(_province(event))
            columns["category"].append(mapping.category(event) if mapping.category else None)
            columns["first"].append(mapping.first(event) if mapping.first else None)
            columns["unaccompanied"].append(
                mapping.unaccompanied(event) if mapping.unaccompanied else None
            )
            columns["destination"].append(_destination(event) if mapping.destination else None)
            columns["valid_until"].append(None)
    return pa.table(columns, schema=EVENTS_SCHEMA)


def person_rows(referenced: set[str]) -> pa.Table:
    """The persons table: the published index, plus any person a case names that the index
    does not hold (with unknown attributes, so that their events still count)."""
    people = statistical_persons()
    known = {p.person_id for p in people}
    ids = [p.person_id for p in people] + sorted(referenced - known)
    extra = len(ids) - len(people)
    return pa.table(
        {
            "person_id": ids,
            "sex": [p.sex for p in people] + ["U"] * extra,
            "birth_date": [p.birth_date for p in people] + [None] * extra,
            "citizenship": [p.citizenship or None for p in people] + [None] * extra,
        },
        schema=PERSONS_SCHEMA,
    )


def extract_microdata() -> Microdata:
    """The persons and events of Ura's database as statistical microdata."""
    events = event_rows(emitted_events(procedure_codes=sorted({p for p, _ in EVENT_MAP})))
    persons = person_rows(set(events.column("person_id").to_pylist()))
    return Microdata(persons, events)
