"""The profile reads the engine's tables as they come: persons against events, ground truth."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from tests.stats.conftest import day, events_table, persons_table
from ura.stats import Microdata, compute_tables, load_definitions
from ura.stats.profile import ReportMeta, build_report, load_template, repeat_share, top_codes

PEOPLE = persons_table(
    [
        {"person_id": f"P{n}", "sex": "M", "birth_date": day("1990-01-01"), "citizenship": c}
        for n, c in enumerate(["AFG", "AFG", "AFG", "SYR", "PAK"])
    ]
)


def apprehensions() -> pa.Table:
    """2024: P0 three times, P1 twice, P2, P3 and P4 once: 8 apprehensions of 5 persons.
    2023: P0 once."""
    rows = [
        ("P0", "2024-01-10"), ("P0", "2024-03-02"), ("P0", "2024-07-19"), ("P1", "2024-02-01"),
        ("P1", "2024-02-20"), ("P2", "2024-05-05"), ("P3", "2024-06-06"), ("P4", "2024-08-08"),
        ("P0", "2023-11-11"),
    ]  # fmt: skip
    return events_table(
        [
            {"person_id": p, "event_type": "apprehension", "event_date": day(d),
             "province": "TR-34"}
            for p, d in rows
        ]
    )  # fmt: skip


def engine_tables() -> dict[str, pd.DataFrame]:
    definitions = load_definitions(ids=["migr_eipre", "ura_apprehensions"])
    return compute_tables(
        definitions.values(), Microdata(PEOPLE, apprehensions()),
        start=day("2023-01-01"), end=day("2024-12-31"),
    )  # fmt: skip


def test_repeat_share_equals_the_ground_truth() -> None:
    """8 apprehensions of 5 persons: 3 repeats, 37.5 %, 1.60 per person."""
    tables = engine_tables()
    highlight = repeat_share(
        tables["migr_eipre"], tables["ura_apprehensions"],
        persons_name="migr_eipre", events_name="ura_apprehensions", period="2024",
    )  # fmt: skip
    assert highlight.text().startswith(
        "8 apprehensions in 2024 concerned 5 persons: 37.5% of apprehensions were repeat"
    )
    assert "(1.60 per person)" in highlight.text()


def test_top_citizenships_of_persons_count_each_person_once() -> None:
    tables = engine_tables()
    highlight = top_codes(
        tables["migr_eipre"], name="migr_eipre", subject="Persons",
        dimension="CITIZEN", period="2024", top=1,
    )  # fmt: skip
    assert highlight.text() == (
        "Persons in 2024, largest citizenships: Afghanistan 3 (60.0%); together 60.0% of 5."
    )


def test_a_report_from_engine_tables_states_what_it_lacks() -> None:
    report = build_report(
        load_template(), engine_tables(), {},
        ReportMeta("Türkiye", "2024", "2025-01-15", "test"),
    )  # fmt: skip
    kinds = [h.kind for h in report.highlights]
    assert "repeat_share" in kinds
    assert len(report.data_gaps) > 10  # every other table of the profile
