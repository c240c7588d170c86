"""Microdata extracted from the database: persons from the index, events from case events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.apps.statistics.conftest import World
from ura.apps.statistics.extract import EVENT_MAP, extract_microdata
from ura.stats import EventType


def test_persons_come_from_the_index_with_their_attributes(world: World) -> None:
    data = extract_microdata()
    persons = {row["person_id"]: row for row in data.persons.to_pylist()}  # type: ignore[union-attr]
    assert set(world.persons) <= set(persons)
    for person_id, (sex, birth, nationality) in world.persons.items():
        assert persons[person_id]["sex"] == sex
        assert persons[person_id]["birth_date"] == birth
        assert persons[person_id]["citizenship"] == nationality


def test_events_are_the_procedures_emitted_events_mapped_by_name(world: World) -> None:
    events = extract_microdata().events.to_pylist()  # type: ignore[union-attr]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_type.setdefault(str(event["event_type"]), []).append(event)
    applications = by_type[EventType.ASYLUM_APPLICATION]
    assert len(applications) == world.applications + 1  # one from 2024
    assert {e["province"] for e in applications if e["event_date"] >= dt.date(2025, 1, 1)} == {
        "TR-34"
    }
    assert all(e["first"] is True for e in applications)
    decisions = by_type[EventType.ASYLUM_DECISION]
    assert {o: sum(e["category"] == o for e in decisions) for o in world.decisions} == (
        world.decisions
    )
    victims = by_type[EventType.TRAFFICKING_VICTIM_IDENTIFIED]
    assert len(victims) == world.victims
    assert sorted({str(e["category"]) for e in victims}) == ["labour", "other", "sexual"]
    assert len({e["event_id"] for e in events}) == len(events)


def test_a_case_person_missing_from_the_index_is_a_person_of_unknown_attributes(
    world: World,
) -> None:
    data = extract_microdata()
    persons = {row["person_id"]: row for row in data.persons.to_pylist()}  # type: ignore[union-attr]
    assert persons["PSTRAY0001"]["sex"] == "U"
    assert persons["PSTRAY0001"]["citizenship"] is None


def test_the_event_map_names_the_merged_procedures() -> None:
    procedures = {p for p, _ in EVENT_MAP}
    assert {"asylum", "trafficking", "removal", "avrr", "readmission"} <= procedures
    assert EVENT_MAP[("removal", "returned_forcibly")].event_type is EventType.RETURNED


def test_every_mapped_event_is_one_a_shipped_procedure_emits() -> None:
    """A renamed event in a procedure's YAML would silently stop counting: every
    (procedure, event) the extraction maps must exist in the shipped procedures."""
    from ura.apps.statistics.extract import EVENT_MAP
    from ura.casework.procedures import builtin_procedures

    emitted: dict[str, set[str]] = {}
    for procedure in builtin_procedures():
        emitted.setdefault(procedure.code, set()).update(procedure.events())
    missing = [key for key in EVENT_MAP if key[1] not in emitted.get(key[0], set())]
    assert missing == []
    assert {code for code, _ in EVENT_MAP} == {
        "asylum",
        "trafficking",
        "removal",
        "avrr",
        "readmission",
    }
