"""A ratio published from the published counts of its source table: the exact recognition
rate beside the rounded decisions gives the true counts away, the rate of the rounded
decisions does not; every published share is the share of the published counts."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.stats.conftest import day, events_table, persons_table
from ura.stats import Microdata, compute_table, load_definitions
from ura.stats.definitions import DefinitionError, Measure, TableDefinition
from ura.stats.derived import audit_derived, derive_ratio, protect_derived, ratio_counts
from ura.stats.protection import protect_counts, protect_ratios
from ura.synth.microdata import generate_microdata

DEFS = load_definitions(ids=["migr_asydcfsta", "ura_asy_recognition_rate"])
DECISIONS, RATE = DEFS["migr_asydcfsta"], DEFS["ura_asy_recognition_rate"]
START, END = day("2024-01-01"), day("2024-12-31")
BASE = 5  # migr_asydcfsta is rounded to 5


def _cell(frame: pd.DataFrame, **codes: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for dimension, code in codes.items():
        mask &= frame[dimension].astype(str) == code
    rows = frame[mask]
    assert len(rows) == 1, codes
    return rows.iloc[0]


def _afghans(men: int = 0) -> Microdata:
    """13 first-instance decisions on Afghan women in 2024-Q1, 4 of them positive, and
    ``men`` rejections of Afghan men."""
    people = persons_table(
        [
            {"person_id": f"P{n}", "sex": "F" if n < 13 else "M",
             "birth_date": day("1990-01-01"), "citizenship": "AFG"}
            for n in range(13 + men)
        ]
    )  # fmt: skip
    events = events_table(
        [
            {"person_id": f"P{n}", "event_type": "asylum_decision",
             "event_date": day("2024-02-01"), "category": "refugee" if n < 4 else "rejected"}
            for n in range(13 + men)
        ]
    )  # fmt: skip
    return Microdata(people, events)


def _attack(rate: float, total: float, positive: float) -> set[tuple[int, int]]:
    """Every (positive, total) pair of true counts that fits the published figures, for an
    attacker who reads the rate as the share of the true counts: each true count is within
    one base of its published, controlled-rounded value."""
    return {
        (p, t)
        for t in range(int(total) - BASE + 1, int(total) + BASE)
        for p in range(int(positive) - BASE + 1, int(positive) + BASE)
        if 0 <= p <= t and t > 0 and abs(100 * p / t - rate) < 1e-9
    }


def test_an_exact_rate_beside_rounded_counts_gives_the_true_counts_away() -> None:
    data = _afghans()
    counts = compute_table(DECISIONS, data, start=START, end=END)
    published = protect_counts(counts, DECISIONS).table
    cell = {"TIME_PERIOD": "2024-Q1", "CITIZEN": "AF", "SEX": "F", "AGE": "_T"}
    total = _cell(published, DECISION="_T", **cell)["OBS_VALUE"]
    positive = _cell(published, DECISION="TOTAL_POS", **cell)["OBS_VALUE"]
    assert total in (10, 15)  # 13, rounded
    assert positive in (0, 5)  # 4, rounded

    # Version 1: the exact rate, withheld only over fewer than 10 true decisions.
    exact = compute_table(RATE, data, start=START, end=END)
    true_totals = dataclasses.replace(RATE, measure=Measure.EVENTS, numerator=None, unit="NR")
    old = protect_ratios(exact, compute_table(true_totals, data, start=START, end=END), RATE)
    rate = _cell(old.table, TIME_PERIOD="2024", CITIZEN="AF", SEX="F")["OBS_VALUE"]
    assert old.violations == []  # its own auditor passed it
    assert _attack(rate, total, positive) == {(4, 13)}  # the true counts, recovered

    # Now: the share of the published counts, which tells nothing they do not.
    new = protect_derived(published, DECISIONS, RATE, start=START, end=END)
    shown = _cell(new.table, TIME_PERIOD="2024", CITIZEN="AF", SEX="F")
    assert new.violations == []
    assert shown["CONF_STATUS"] == "F"
    assert shown["OBS_VALUE"] == pytest.approx(100 * positive / total)
    candidates = _attack(shown["OBS_VALUE"], total, positive)
    assert (positive, total) in candidates
    assert len(candidates) > 1
    assert candidates != {(4, 13)}


def test_the_published_rate_is_the_ratio_of_the_published_counts_in_every_cell() -> None:
    persons, events = generate_microdata(3000, seed=11)
    data = Microdata(persons, events)
    start, end, as_of = day("2023-01-01"), day("2024-12-31"), day("2024-11-15")
    counts = compute_table(DECISIONS, data, start=start, end=end, as_of=as_of)
    published = protect_counts(counts, DECISIONS).table
    rates = protect_derived(published, DECISIONS, RATE, start=start, end=end, as_of=as_of)
    assert rates.violations == []
    assert rates.record["derived_from"] == "migr_asydcfsta"
    # The published decisions at AGE _T, added up over the quarters of each year.
    at_total = published[published["AGE"] == "_T"].assign(
        YEAR=lambda f: f["TIME_PERIOD"].str[:4], OBS_VALUE=lambda f: f["OBS_VALUE"].astype(float)
    )
    sums = at_total.pivot_table(
        index=["YEAR", "CITIZEN", "SEX"], columns="DECISION", values="OBS_VALUE", aggfunc="sum"
    )
    table = rates.table
    assert len(table) == len(sums) > 20
    flags = set()
    for row in table.itertuples(index=False):
        decided = sums.loc[(row.TIME_PERIOD, row.CITIZEN, row.SEX)]
        flags.add(row.CONF_STATUS)
        if decided["_T"] >= 10:
            assert row.CONF_STATUS == "F"
            value = row.OBS_VALUE
            assert value == pytest.approx(100 * decided["TOTAL_POS"] / decided["_T"])
        else:
            assert row.CONF_STATUS == "C"
            assert pd.isna(row.OBS_VALUE)
    assert flags == {"F", "C"}
    assert set(table.loc[table["TIME_PERIOD"] == "2024", "OBS_STATUS"]) == {"P"}
    assert set(table.loc[table["TIME_PERIOD"] == "2023", "OBS_STATUS"]) == {"A"}


def test_the_exact_ratio_from_the_source_equals_the_engines() -> None:
    """``derived_from`` picks the events ``select`` and ``ratio.numerator`` name: the ratio
    of the unprotected source is the engine's exact ratio, cell for cell."""
    persons, events = generate_microdata(3000, seed=11)
    data = Microdata(persons, events)
    start, end, as_of = day("2023-01-01"), day("2024-12-31"), day("2024-11-15")
    counts = compute_table(DECISIONS, data, start=start, end=end, as_of=as_of)
    engine = compute_table(RATE, data, start=start, end=end, as_of=as_of)
    derived = derive_ratio(counts, DECISIONS, RATE, start=start, end=end, as_of=as_of)
    assert len(engine) > 20
    pd.testing.assert_frame_equal(derived, engine, check_exact=False, rtol=1e-12)


def test_a_year_built_in_part_is_left_out() -> None:
    counts = compute_table(DECISIONS, _afghans(), start=START, end=END)
    half = {"start": START, "end": day("2024-06-30")}
    assert derive_ratio(counts, DECISIONS, RATE, **half).empty
    assert protect_derived(
        protect_counts(counts, DECISIONS).table, DECISIONS, RATE, **half
    ).table.empty


def test_the_auditor_refuses_an_exact_share_and_a_hidden_one_shown() -> None:
    data = _afghans(men=3)
    published = protect_counts(compute_table(DECISIONS, data, start=START, end=END), DECISIONS)
    rates = protect_derived(published.table, DECISIONS, RATE, start=START, end=END)
    tampered = rates.table.copy()
    afghan = (tampered["CITIZEN"] == "AF") & (tampered["SEX"] == "F")
    tampered.loc[afghan, "OBS_VALUE"] = 100 * 4 / 13  # the exact share put back
    men = (tampered["CITIZEN"] == "AF") & (tampered["SEX"] == "M")  # 3 decisions: 0 or 5
    assert tampered.loc[men, "CONF_STATUS"].tolist() == ["C"]
    tampered.loc[men, "OBS_VALUE"] = 0.0
    violations = audit_derived(tampered, published.table, DECISIONS, RATE, start=START, end=END)
    assert any(
        v.startswith("TIME_PERIOD=2024, CITIZEN=AF, SEX=F: published as 30.7692;")
        for v in violations
    )
    assert "TIME_PERIOD=2024, CITIZEN=AF, SEX=M: suppressed cell carries a value" in violations
    shown = tampered.copy()
    shown.loc[men, "CONF_STATUS"] = "F"
    again = audit_derived(shown, published.table, DECISIONS, RATE, start=START, end=END)
    assert any(
        re.fullmatch(r"TIME_PERIOD=2024, CITIZEN=AF, SEX=M: published over [05] published "
                     r"events \(< 10\)", v)
        for v in again
    )  # fmt: skip


def _suppressed_pair(folder: Path) -> tuple[TableDefinition, TableDefinition]:
    """Apprehensions by province and repeat (suppression 5), and the share of repeats."""
    (folder / "apprehended.yaml").write_text(
        """
id: apprehended
version: 1
title: Apprehensions by province and repeat
measure: events
unit: NR
frequency: Q
select: {event_types: [apprehension]}
dimensions:
  - {id: REPEAT, source: category, codes: {again: AGAIN, first_time: FIRST}}
  - {id: GEO, source: province}
sensitivity: public
protection: {rule: suppression, threshold: 5}
""",
        encoding="utf-8",
    )
    (folder / "repeat_share.yaml").write_text(
        """
id: repeat_share
version: 1
title: Share of repeat apprehensions by province
measure: ratio
unit: PC
frequency: A
select: {event_types: [apprehension]}
ratio: {numerator: {event_types: [apprehension], categories: [again]}}
derived_from: {table: apprehended, numerator: {REPEAT: AGAIN}}
dimensions:
  - {id: GEO, source: province}
sensitivity: public
protection: {rule: denominator_threshold, threshold: 10}
""",
        encoding="utf-8",
    )
    definitions = load_definitions(folder)
    return definitions["apprehended"], definitions["repeat_share"]


def test_a_share_made_of_a_suppressed_count_is_hidden(tmp_path: Path) -> None:
    source, ratio = _suppressed_pair(tmp_path)
    rows = [
        ("TR-34", "again", 20), ("TR-34", "first_time", 30), ("TR-06", "again", 2),
        ("TR-06", "first_time", 30), ("TR-35", "again", 3), ("TR-35", "first_time", 3),
    ]  # fmt: skip
    events = events_table(
        [
            {"person_id": f"P{geo}{kind}{n}", "event_type": "apprehension",
             "event_date": day("2024-03-01"), "province": geo, "category": kind}
            for geo, kind, count in rows
            for n in range(count)
        ]
    )  # fmt: skip
    counts = compute_table(source, Microdata(persons_table([]), events), start=START, end=END)
    published = protect_counts(counts, source).table
    shares = protect_derived(published, source, ratio, start=START, end=END)
    assert shares.violations == []
    flags = shares.table.set_index("GEO")["CONF_STATUS"].to_dict()
    # TR-06: 2 repeats suppressed (32 published in all); TR-35: 6 in all, hidden too.
    assert flags["TR-34"] == "F"
    assert flags["TR-06"] == "D"
    assert flags["TR-35"] in {"C", "D"}
    assert shares.record["secondary"] >= 1
    assert _cell(shares.table, GEO="TR-34")["OBS_VALUE"] == pytest.approx(40.0)
    counted = ratio_counts(published, source, ratio, start=START, end=END).set_index("GEO")
    assert not counted.loc["TR-06", "NUMERATOR_SHOWN"]
    assert counted.loc["TR-34", "DENOMINATOR"] == 50


def test_a_ratio_is_derived_only_from_the_source_it_names() -> None:
    other = dataclasses.replace(DECISIONS, id="migr_other")
    with pytest.raises(DefinitionError, match="ura_asy_recognition_rate is not derived from"):
        ratio_counts(pd.DataFrame(), other, RATE, start=START, end=END)
