"""Every table of the standard set equals an independent count in plain Python.

The reference below reads the synthetic microdata row by row and applies each definition's
meaning directly (who is selected, once per person or per event, the status on the last day,
age on the reference day, codes, groups and totals), with no SQL and no pandas. The engine
must agree on every cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import pandas as pd
import pytest

from ura.ingest.countries import ALPHA2_TO_ALPHA3
from ura.stats import compute
from ura.stats.compute import Microdata, compute_table, compute_tables, periods
from ura.stats.definitions import (
    Dimension,
    Frequency,
    Measure,
    Selection,
    Source,
    TableDefinition,
    load_definitions,
    parse_definition,
)
from ura.synth.microdata import generate_microdata

START, END = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
EUROSTAT = {a3: {"GR": "EL", "GB": "UK"}.get(a2, a2) for a2, a3 in ALPHA2_TO_ALPHA3.items()}
Row = dict[str, Any]


def period_code(day: dt.date, freq: str) -> str:
    if freq == "A":
        return str(day.year)
    if freq == "Q":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def age_band(birth: dt.date | None, on: dt.date) -> str:
    if birth is None or birth > on:
        return "UNK"
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for code, limit in (("Y_LT14", 13), ("Y14-17", 17), ("Y18-34", 34), ("Y35-64", 64)):
        if age <= limit:
            return code
    return "Y_GE65"


def selected(event: Row, selection: Selection) -> bool:
    return (
        event["event_type"] in {t.value for t in selection.event_types}
        and (selection.first is None or event["first"] is selection.first)
        and (selection.unaccompanied is None or event["unaccompanied"] is selection.unaccompanied)
        and (not selection.categories or event["category"] in selection.categories)
    )


def code_of(dimension: Dimension, event: Row, person: Row | None, on: dt.date) -> str:
    person = person or {}
    source = dimension.source
    if source is Source.SEX:
        sex = str(person.get("sex"))
        return sex if sex in ("F", "M") else "UNK"
    if source is Source.AGE:
        return age_band(person.get("birth_date"), on)
    if source is Source.CITIZENSHIP:
        return EUROSTAT.get(person.get("citizenship") or "", "UNK")
    if source is Source.DESTINATION:
        return EUROSTAT.get(event["destination"] or "", "UNK")
    value = {
        Source.PROVINCE: event["province"],
        Source.CATEGORY: event["category"],
        Source.EVENT_TYPE: event["event_type"],
        Source.FIRST: None if event["first"] is None else str(event["first"]).lower(),
    }[source]
    if dimension.codes:
        return dimension.codes.get(value or "", dimension.other)
    return value or dimension.other


def records(
    definition: TableDefinition, events: list[Row], persons: dict[str, Row]
) -> list[tuple[str, Row, dt.date]]:
    """(period code, the event describing the unit counted, reference day)."""
    freq = definition.frequency.value
    spans = periods(START, END, definition.frequency)
    chosen = [e for e in events if selected(e, definition.select)]
    if definition.measure is Measure.STOCK:
        out = []
        by_person: dict[str, list[Row]] = defaultdict(list)
        for e in events:
            by_person[e["person_id"]].append(e)
        for span in spans:
            latest: dict[str, Row] = {}
            for e in chosen:
                if e["event_date"] > span.end:
                    continue
                if definition.valid_until and e["valid_until"] and e["valid_until"] < span.end:
                    continue
                key = (e["event_date"], e["event_id"])
                held = latest.get(e["person_id"])
                if held is None or key > (held["event_date"], held["event_id"]):
                    latest[e["person_id"]] = e
            ending = {t.value for t in definition.ended_by}
            for pid, e in latest.items():
                if any(
                    x["event_type"] in ending and e["event_date"] <= x["event_date"] <= span.end
                    for x in by_person[pid]
                ):
                    continue
                out.append((span.code, e, span.end))
        return out
    in_window = [e for e in chosen if START <= e["event_date"] <= END]
    if definition.measure is Measure.PERSONS:
        first: dict[tuple[str, str], Row] = {}
        for e in in_window:
            key = (e["person_id"], period_code(e["event_date"], freq))
            held = first.get(key)
            if held is None or (e["event_date"], e["event_id"]) < (
                held["event_date"],
                held["event_id"],
            ):
                first[key] = e
        in_window = list(first.values())
    return [(period_code(e["event_date"], freq), e, e["event_date"]) for e in in_window]


def reference(
    definition: TableDefinition, events: list[Row], persons: dict[str, Row]
) -> dict[tuple[str, ...], float]:
    counts: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for period, event, on in records(definition, events, persons):
        options = []
        for dimension in definition.dimensions:
            code = code_of(dimension, event, persons.get(event["person_id"]), on)
            codes = [code, *(g for g, members in dimension.groups.items() if code in members)]
            options.append(codes + (["_T"] if dimension.total else []))
        hit = definition.numerator is not None and selected(event, definition.numerator)
        for combo in itertools.product(*options):
            cell = counts[(period, *combo)]
            cell[0] += 1
            cell[1] += hit
    if definition.measure is Measure.RATIO:
        return {k: 100 * v[1] / v[0] for k, v in counts.items()}
    return {k: float(v[0]) for k, v in counts.items()}


def as_cells(table: pd.DataFrame, definition: TableDefinition) -> dict[tuple[str, ...], float]:
    keys = ["TIME_PERIOD", *definition.dimension_ids]
    return {tuple(row[:-1]): row[-1] for row in table[[*keys, "OBS_VALUE"]].itertuples(index=False)}


@pytest.fixture(scope="module")
def synthetic() -> tuple[Microdata, list[Row], dict[str, Row]]:
    persons, events = generate_microdata(2500, seed=11, start=START, end=END)
    person_rows = {p["person_id"]: p for p in persons.to_pylist()}
    return Microdata(persons, events), events.to_pylist(), person_rows


@pytest.fixture(scope="module")
def tables(synthetic: tuple[Microdata, list[Row], dict[str, Row]]) -> dict[str, pd.DataFrame]:
    return compute_tables(load_definitions().values(), synthetic[0], start=START, end=END)


@pytest.mark.parametrize("table_id", sorted(load_definitions()))
def test_every_cell_equals_the_plain_python_count(
    table_id: str,
    synthetic: tuple[Microdata, list[Row], dict[str, Row]],
    tables: dict[str, pd.DataFrame],
) -> None:
    definition = load_definitions()[table_id]
    _, events, persons = synthetic
    expected = reference(definition, events, persons)
    got = as_cells(tables[table_id], definition)
    assert expected, f"{table_id}: the synthetic data has nothing to count"
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key


def test_the_synthetic_data_has_repeat_apprehensions(tables: dict[str, pd.DataFrame]) -> None:
    def total(table_id: str) -> int:
        t = tables[table_id]
        dims = [c for c in t.columns if c not in {"FREQ", "TIME_PERIOD", "OBS_VALUE",
                                                   "OBS_STATUS", "CONF_STATUS"}]  # fmt: skip
        return int(t[(t[dims] == "_T").all(axis=1)]["OBS_VALUE"].sum())

    assert total("ura_apprehensions") > total("migr_eipre") > 0


#: A stock with both endings: a residence permit held while valid and until a work permit.
BOTH_ENDINGS = parse_definition(
    """
id: test_permit_until_work
version: 1
title: Valid residence permits not followed by a work permit
measure: stock
unit: PER
frequency: M
age_reference: period_end
select: {event_types: [residence_permit]}
stock: {valid_until: true, ended_by: [work_permit]}
dimensions:
  - id: REASON
    source: category
    codes: {family: FAM, education: EDUC, remunerated: OCC, humanitarian: HUMAN, other: OTH}
  - {id: SEX, source: sex}
  - id: AGE
    source: age
    groups: {Y_LT18: [Y_LT14, Y14-17]}
sensitivity: public
protection: {rule: suppression, threshold: 5}
"""
)
STOCKS = [d for d in load_definitions().values() if d.measure is Measure.STOCK] + [BOTH_ENDINGS]


@pytest.mark.parametrize("method", ["period_by_period", "from_changes"])
@pytest.mark.parametrize("frequency", list(Frequency), ids=lambda f: f.value)
@pytest.mark.parametrize("definition", STOCKS, ids=lambda d: d.id)
def test_every_stock_equals_the_plain_python_count_at_each_frequency_both_ways(
    definition: TableDefinition,
    frequency: Frequency,
    method: str,
    synthetic: tuple[Microdata, list[Row], dict[str, Row]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    few = 10_000 if method == "period_by_period" else 0
    monkeypatch.setattr(compute, "_PERIOD_BY_PERIOD_UP_TO", few)
    definition = dataclasses.replace(definition, frequency=frequency)
    data, events, persons = synthetic
    expected = reference(definition, events, persons)
    got = as_cells(compute_table(definition, data, start=START, end=END), definition)
    assert len(expected) > 100, f"{definition.id}: the synthetic data has too little to count"
    assert got == expected
