"""The engine on hand-made microdata: what each kind of table counts, exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.stats.conftest import day, events_table, persons_table
from ura.stats import compute
from ura.stats.compute import Microdata, compute_table, periods, table_sql
from ura.stats.definitions import Frequency, load_definitions
from ura.stats.schema import MicrodataError

DEFS = load_definitions()
YEAR_START, YEAR_END = day("2024-01-01"), day("2024-12-31")


def cell(table: pd.DataFrame, **codes: str) -> object:
    """The OBS_VALUE of the one row with these codes (other dimensions at _T)."""
    keys = [c for c in table.columns if c not in {"OBS_VALUE", "OBS_STATUS", "CONF_STATUS"}]
    mask = pd.Series(True, index=table.index)
    for key in keys:
        if key in ("FREQ", "TIME_PERIOD") and key not in codes:
            continue
        mask &= table[key] == codes.get(key, "_T")
    rows = table[mask]
    assert len(rows) <= 1, rows
    return None if rows.empty else rows["OBS_VALUE"].iloc[0]


PEOPLE = persons_table(
    [
        {"person_id": "P1", "sex": "M", "birth_date": day("2000-06-15"), "citizenship": "AFG"},
        {"person_id": "P2", "sex": "F", "birth_date": day("1980-01-01"), "citizenship": "GRC"},
        {"person_id": "P3", "sex": "X", "birth_date": None, "citizenship": "XKX"},
        {"person_id": "P4", "sex": "F", "birth_date": day("2010-03-01"), "citizenship": None},
    ]
)


def test_apprehensions_count_persons_once_and_events_each_time() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": "apprehension", "event_date": day("2024-02-01"),
             "province": "TR-65"},
            {"person_id": "P1", "event_type": "apprehension", "event_date": day("2024-05-01"),
             "province": "TR-22"},
            {"person_id": "P1", "event_type": "apprehension", "event_date": day("2024-09-01"),
             "province": "TR-22"},
            {"person_id": "P2", "event_type": "apprehension", "event_date": day("2024-03-01"),
             "province": "TR-22"},
            {"person_id": "P2", "event_type": "apprehension", "event_date": day("2023-12-31"),
             "province": "TR-22"},
        ]
    )  # fmt: skip
    data = Microdata(PEOPLE, events)
    persons = compute_table(DEFS["migr_eipre"], data, start=YEAR_START, end=YEAR_END)
    apprehensions = compute_table(DEFS["ura_apprehensions"], data, start=YEAR_START, end=YEAR_END)
    assert cell(persons) == 2
    assert cell(apprehensions) == 4
    # A person counts once, in the province of the first apprehension of the period.
    assert cell(persons, GEO="TR-65") == 1
    assert cell(persons, GEO="TR-22") == 1
    assert cell(apprehensions, GEO="TR-22") == 3
    assert cell(persons, CITIZEN="AF", SEX="M") == 1
    assert cell(persons, CITIZEN="EL", SEX="F") == 1  # Eurostat writes Greece EL
    assert set(persons["TIME_PERIOD"]) == {"2024"}


def test_age_is_taken_on_the_event_day_and_a_birthday_counts_from_its_day() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": "entry", "event_date": day("2014-06-14")},
            {"person_id": "P1", "event_type": "entry", "event_date": day("2014-06-15")},
            {"person_id": "P3", "event_type": "entry", "event_date": day("2014-06-15")},
        ]
    )
    table = compute_table(
        DEFS["ura_entries"], Microdata(PEOPLE, events), start=day("2014-06-01"),
        end=day("2014-06-30"),
    )  # fmt: skip
    assert cell(table, AGE="Y_LT14") == 1  # 13 the day before the 14th birthday
    assert cell(table, AGE="Y14-17") == 1
    assert cell(table, AGE="UNK") == 1  # no date of birth
    assert cell(table, SEX="UNK") == 1  # X is not F or M
    assert cell(table, CITIZEN="XK") == 1
    assert cell(table) == 3


def test_a_stock_counts_valid_statuses_on_the_last_day_with_ages_on_that_day() -> None:
    events = events_table(
        [
            # P1 registered in Gaziantep, moved to Istanbul in June: counted in Istanbul.
            {"person_id": "P1", "event_type": "temporary_protection_registration",
             "event_date": day("2019-05-01"), "province": "TR-27",
             "valid_until": day("2024-05-31")},
            {"person_id": "P1", "event_type": "temporary_protection_registration",
             "event_date": day("2024-06-01"), "province": "TR-34"},
            # P2's protection ended before the end of the year: not in the year-end stock.
            {"person_id": "P2", "event_type": "temporary_protection_registration",
             "event_date": day("2020-01-01"), "province": "TR-34",
             "valid_until": day("2024-11-30")},
            # P4 registered after the reference day: not counted.
            {"person_id": "P4", "event_type": "temporary_protection_registration",
             "event_date": day("2025-01-02"), "province": "TR-34"},
        ]
    )  # fmt: skip
    table = compute_table(
        DEFS["migr_asytpsm"],
        Microdata(PEOPLE, events),
        frequency=Frequency.ANNUAL,
        start=YEAR_START,
        end=YEAR_END,
    )
    assert cell(table) == 1
    assert cell(table, GEO="TR-34") == 1
    assert cell(table, GEO="TR-27") is None
    assert cell(table, AGE="Y18-34") == 1  # 24 on 31 December 2024
    monthly = compute_table(
        DEFS["migr_asytpsm"], Microdata(PEOPLE, events), start=YEAR_START, end=YEAR_END
    )
    assert cell(monthly, TIME_PERIOD="2024-05", GEO="TR-27") == 1
    assert cell(monthly, TIME_PERIOD="2024-05", GEO="TR-34") == 1  # P2
    assert cell(monthly, TIME_PERIOD="2024-11") == 2
    assert cell(monthly, TIME_PERIOD="2024-12") == 1
    # P1 is 23 at the end of May 2024 and 24 from 15 June.
    assert cell(monthly, TIME_PERIOD="2024-05", GEO="TR-27", AGE="Y18-34") == 1


def test_pending_applications_end_with_a_decision_or_withdrawal() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": "asylum_application", "event_date": day("2024-01-10"),
             "first": True},
            {"person_id": "P1", "event_type": "asylum_decision", "event_date": day("2024-03-05"),
             "category": "rejected"},
            {"person_id": "P1", "event_type": "asylum_application", "event_date": day("2024-04-20"),
             "first": False},
            {"person_id": "P2", "event_type": "asylum_application", "event_date": day("2024-02-01"),
             "first": True},
            {"person_id": "P2", "event_type": "asylum_withdrawn", "event_date": day("2024-02-29")},
        ]
    )  # fmt: skip
    table = compute_table(
        DEFS["migr_asypenctzm"], Microdata(PEOPLE, events), start=day("2024-01-01"),
        end=day("2024-05-31"),
    )  # fmt: skip
    pending = {m: cell(table, TIME_PERIOD=f"2024-{m:02d}") for m in range(1, 6)}
    assert pending == {1: 1, 2: 1, 3: None, 4: 1, 5: 1}
    assert cell(table, TIME_PERIOD="2024-02", CITIZEN="AF") == 1


def test_decisions_have_outcome_groups_and_a_recognition_rate() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": "asylum_decision", "event_date": day("2024-02-01"),
             "category": "conditional_refugee"},
            {"person_id": "P2", "event_type": "asylum_decision", "event_date": day("2024-02-01"),
             "category": "inadmissible"},
            {"person_id": "P4", "event_type": "asylum_decision", "event_date": day("2024-05-01"),
             "category": "subsidiary_protection"},
            {"person_id": "P3", "event_type": "asylum_decision", "event_date": day("2024-05-01"),
             "category": "rejected"},
        ]
    )  # fmt: skip
    data = Microdata(PEOPLE, events)
    decisions = compute_table(
        DEFS["migr_asydcfsta"], data, frequency=Frequency.ANNUAL, start=YEAR_START, end=YEAR_END
    )
    assert cell(decisions) == 4
    assert cell(decisions, DECISION="TOTAL_POS") == 2
    assert cell(decisions, DECISION="REJECTED") == 2  # inadmissible counts as rejected
    assert cell(decisions, DECISION="CONDREF") == 1
    assert cell(decisions, AGE="Y_LT18") == 1  # P4, 14 at the decision
    assert cell(decisions, DECISION="TOTAL_POS", AGE="Y_LT18") == 1
    rate = compute_table(DEFS["ura_asy_recognition_rate"], data, start=YEAR_START, end=YEAR_END)
    assert rate["OBS_VALUE"].dtype == "float64"
    assert cell(rate) == pytest.approx(50.0)
    assert cell(rate, SEX="F") == pytest.approx(50.0)
    assert cell(rate, CITIZEN="AF") == pytest.approx(100.0)


def test_readmission_stages_are_never_added_up() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": t, "event_date": day("2024-02-01"),
             "destination": "PAK"}
            for t in ("readmission_requested", "readmission_accepted", "readmission_executed")
        ]
    )  # fmt: skip
    table = compute_table(
        DEFS["ura_readmissions"], Microdata(PEOPLE, events), start=YEAR_START, end=YEAR_END
    )
    assert set(table["STAGE"]) == {"REQ", "ACC", "EXEC"}
    assert cell(table, STAGE="REQ", PARTNER="PK", CITIZEN="AF") == 1


def test_margins_equal_the_sum_of_their_cells() -> None:
    events = events_table(
        [
            {"person_id": p, "event_type": "entry", "event_date": day(d), "province": g}
            for p, d, g in [("P1", "2024-01-03", "TR-34"), ("P2", "2024-02-03", "TR-06"),
                            ("P3", "2024-02-09", "TR-34"), ("P4", "2024-03-01", "TR-07"),
                            ("P1", "2024-03-03", "TR-07")]
        ]
    )  # fmt: skip
    table = compute_table(
        DEFS["ura_entries"],
        Microdata(PEOPLE, events),
        frequency=Frequency.QUARTERLY,
        start=YEAR_START,
        end=YEAR_END,
    )
    dims = ["CITIZEN", "SEX", "AGE", "GEO"]
    assert not table.duplicated(["TIME_PERIOD", *dims]).any()
    for dim in dims:
        others = [d for d in dims if d != dim]
        parts = table[table[dim] != "_T"].groupby(["TIME_PERIOD", *others])["OBS_VALUE"].sum()
        totals = table[table[dim] == "_T"].set_index(["TIME_PERIOD", *others])["OBS_VALUE"]
        assert parts.sort_index().to_dict() == totals.sort_index().to_dict()
    assert cell(table, TIME_PERIOD="2024-Q1") == 5
    assert list(table.columns) == [
        "FREQ", "TIME_PERIOD", *dims, "OBS_VALUE", "OBS_STATUS", "CONF_STATUS",
    ]  # fmt: skip
    assert set(table["CONF_STATUS"]) == {"F"}
    assert table.attrs["table"] == "ura_entries"


def test_periods_after_the_extraction_day_are_provisional() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": "entry", "event_date": day("2024-01-03")},
            {"person_id": "P1", "event_type": "entry", "event_date": day("2024-02-03")},
        ]
    )
    table = compute_table(
        DEFS["ura_entries"], Microdata(PEOPLE, events), start=day("2024-01-01"),
        end=day("2024-02-29"), as_of=day("2024-02-20"),
    )  # fmt: skip
    status = dict(zip(table["TIME_PERIOD"], table["OBS_STATUS"], strict=True))
    assert status == {"2024-01": "A", "2024-02": "P"}


def test_periods_cover_every_day_asked_for() -> None:
    quarters = periods(day("2023-11-15"), day("2024-02-01"), Frequency.QUARTERLY)
    assert [(p.code, p.start, p.end) for p in quarters] == [
        ("2023-Q4", day("2023-10-01"), day("2023-12-31")),
        ("2024-Q1", day("2024-01-01"), day("2024-03-31")),
    ]
    assert [p.code for p in periods(day("2024-02-10"), day("2024-02-10"), Frequency.MONTHLY)] == [
        "2024-02"
    ]
    with pytest.raises(ValueError, match="before it starts"):
        periods(day("2024-02-10"), day("2024-01-10"), Frequency.ANNUAL)


def test_a_table_without_the_microdata_columns_is_refused() -> None:
    events = events_table([]).drop_columns(["province"])
    with pytest.raises(MicrodataError, match="events table lacks column"):
        compute_table(
            DEFS["ura_entries"], Microdata(PEOPLE, events), start=YEAR_START, end=YEAR_END
        )


def test_the_sql_transpiles_to_spark() -> None:
    sql = table_sql(
        DEFS["migr_asypenctzm"], start=day("2024-01-01"), end=day("2024-03-31"), dialect="spark"
    )
    assert "GROUPING SETS" in sql
    assert "VARCHAR" not in sql  # Spark's STRING


@pytest.fixture(params=["period_by_period", "from_changes"])
def stock_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a stock is computed: each period on its own (few periods) or cumulated
    from its changes (many)."""
    few = 10_000 if request.param == "period_by_period" else 0
    monkeypatch.setattr(compute, "_PERIOD_BY_PERIOD_UP_TO", few)
    return str(request.param)


AGEING = persons_table(
    [
        {"person_id": "A1", "sex": "F", "birth_date": day("2006-06-15"), "citizenship": "SYR"},
        {"person_id": "A2", "sex": "M", "birth_date": day("2006-06-30"), "citizenship": "SYR"},
        {"person_id": "A3", "sex": "M", "birth_date": day("2004-02-29"), "citizenship": "SYR"},
        {"person_id": "A4", "sex": "F", "birth_date": day("2024-03-10"), "citizenship": "SYR"},
    ]
)


@pytest.mark.usefixtures("stock_method")
def test_a_stock_takes_the_age_band_on_each_period_end() -> None:
    events = events_table(
        [
            {"person_id": p, "event_type": "temporary_protection_registration",
             "event_date": day(d), "province": g}
            for p, d, g in [("A1", "2021-01-01", "TR-01"), ("A2", "2021-01-01", "TR-02"),
                            ("A3", "2021-01-01", "TR-03"), ("A4", "2024-01-05", "TR-04")]
        ]
    )  # fmt: skip
    data = Microdata(AGEING, events)
    start, end = day("2022-01-01"), day("2024-12-31")
    monthly = compute_table(DEFS["migr_asytpsm"], data, start=start, end=end)

    def band(table: pd.DataFrame, period: str, geo: str) -> list[str]:
        rows = table[(table["TIME_PERIOD"] == period) & (table["GEO"] == geo)]
        rows = rows[(rows["CITIZEN"] != "_T") & (rows["SEX"] != "_T") & (rows["AGE"] != "_T")]
        assert rows["OBS_VALUE"].tolist() == [1] * len(rows)
        return sorted(rows["AGE"])

    # A1 turns 18 on 15 June 2024: 17 on 31 May, 18 on 30 June.
    assert band(monthly, "2024-05", "TR-01") == ["Y14-17"]
    assert band(monthly, "2024-06", "TR-01") == ["Y18-34"]
    # A2 turns 18 on 30 June 2024, the last day of the month: 18 in June's stock.
    assert band(monthly, "2024-05", "TR-02") == ["Y14-17"]
    assert band(monthly, "2024-06", "TR-02") == ["Y18-34"]
    # A3, born 29 February 2004, turns 18 on 1 March 2022 (a common year).
    assert band(monthly, "2022-02", "TR-03") == ["Y14-17"]
    assert band(monthly, "2022-03", "TR-03") == ["Y18-34"]
    # A4 registered before the recorded birth: age unknown until born.
    assert band(monthly, "2024-02", "TR-04") == ["UNK"]
    assert band(monthly, "2024-03", "TR-04") == ["Y_LT14"]
    assert cell(monthly, TIME_PERIOD="2024-06", AGE="Y18-34") == 3
    assert cell(monthly, TIME_PERIOD="2024-06") == 4
    quarterly = compute_table(
        DEFS["migr_asytpsm"], data, frequency=Frequency.QUARTERLY, start=start, end=end
    )
    assert band(quarterly, "2024-Q1", "TR-01") == ["Y14-17"]
    assert band(quarterly, "2024-Q2", "TR-01") == ["Y18-34"]
    assert band(quarterly, "2024-Q2", "TR-02") == ["Y18-34"]
    assert band(quarterly, "2022-Q1", "TR-03") == ["Y18-34"]
    assert band(quarterly, "2024-Q1", "TR-04") == ["Y_LT14"]
    yearly = compute_table(
        DEFS["migr_asytpsm"], data, frequency=Frequency.ANNUAL, start=start, end=end
    )
    assert band(yearly, "2023", "TR-01") == ["Y14-17"]
    assert band(yearly, "2024", "TR-01") == ["Y18-34"]


@pytest.mark.usefixtures("stock_method")
def test_a_status_ending_on_the_last_day_of_a_period_is_gone_only_in_the_next() -> None:
    protection = events_table(
        [
            {"person_id": "P1", "event_type": "temporary_protection_registration",
             "event_date": day("2023-05-01"), "province": "TR-01",
             "valid_until": day("2024-06-30")},
            {"person_id": "P2", "event_type": "temporary_protection_registration",
             "event_date": day("2023-05-01"), "province": "TR-02",
             "valid_until": day("2024-06-29")},
        ]
    )  # fmt: skip
    pending = events_table(
        [
            {"person_id": "P1", "event_type": "asylum_application", "event_date": day("2024-01-10"),
             "first": True},
            {"person_id": "P1", "event_type": "asylum_decision", "event_date": day("2024-06-30"),
             "category": "rejected"},
            {"person_id": "P2", "event_type": "asylum_application", "event_date": day("2024-01-10"),
             "first": True},
            {"person_id": "P2", "event_type": "asylum_withdrawn", "event_date": day("2024-07-01")},
            # Decided on the day of application, the last day of March: never pending.
            {"person_id": "P3", "event_type": "asylum_application", "event_date": day("2024-03-31"),
             "first": True},
            {"person_id": "P3", "event_type": "asylum_decision", "event_date": day("2024-03-31"),
             "category": "refugee"},
        ]
    )  # fmt: skip
    for frequency, june, july, may in (
        (Frequency.MONTHLY, "2024-06", "2024-07", "2024-05"),
        (Frequency.QUARTERLY, "2024-Q2", "2024-Q3", "2024-Q1"),
    ):
        tp = compute_table(
            DEFS["migr_asytpsm"], Microdata(PEOPLE, protection), frequency=frequency,
            start=YEAR_START, end=YEAR_END,
        )  # fmt: skip
        assert cell(tp, TIME_PERIOD=june, GEO="TR-01") == 1  # valid until 30 June inclusive
        assert cell(tp, TIME_PERIOD=july, GEO="TR-01") is None
        assert cell(tp, TIME_PERIOD=may, GEO="TR-02") == 1
        assert cell(tp, TIME_PERIOD=june, GEO="TR-02") is None
        apps = compute_table(
            DEFS["migr_asypenctzm"], Microdata(PEOPLE, pending), frequency=frequency,
            start=YEAR_START, end=YEAR_END,
        )  # fmt: skip
        assert cell(apps, TIME_PERIOD=may, CITIZEN="AF") == 1  # P1
        assert cell(apps, TIME_PERIOD=june, CITIZEN="AF") is None  # decided on 30 June
        assert cell(apps, TIME_PERIOD=june, CITIZEN="EL") == 1  # P2, withdrawn 1 July
        assert cell(apps, TIME_PERIOD=july, CITIZEN="EL") is None
        assert cell(apps, TIME_PERIOD=june) == 1
    monthly = compute_table(
        DEFS["migr_asypenctzm"], Microdata(PEOPLE, pending), start=YEAR_START, end=YEAR_END
    )
    assert cell(monthly, TIME_PERIOD="2024-03") == 2  # P1 and P2; P3 decided the same day


@pytest.mark.usefixtures("stock_method")
def test_the_latest_valid_status_describes_the_person_again_when_a_later_one_lapses() -> None:
    events = events_table(
        [
            {"person_id": "P1", "event_type": "temporary_protection_registration",
             "event_date": day("2019-05-01"), "province": "TR-27"},
            {"person_id": "P1", "event_type": "temporary_protection_registration",
             "event_date": day("2024-03-01"), "province": "TR-34",
             "valid_until": day("2024-04-30")},
            # Two registrations on one day: the larger event id is the latest.
            {"person_id": "P2", "event_type": "temporary_protection_registration",
             "event_date": day("2024-02-10"), "province": "TR-07", "event_id": "E-b"},
            {"person_id": "P2", "event_type": "temporary_protection_registration",
             "event_date": day("2024-02-10"), "province": "TR-06", "event_id": "E-a"},
        ]
    )  # fmt: skip
    table = compute_table(
        DEFS["migr_asytpsm"], Microdata(PEOPLE, events), start=YEAR_START, end=YEAR_END
    )
    where = {m: cell(table, TIME_PERIOD=f"2024-{m:02d}", GEO="TR-27") for m in range(1, 7)}
    assert where == {1: 1, 2: 1, 3: None, 4: None, 5: 1, 6: 1}
    assert cell(table, TIME_PERIOD="2024-04", GEO="TR-34") == 1
    assert cell(table, TIME_PERIOD="2024-05", GEO="TR-34") is None
    assert cell(table, TIME_PERIOD="2024-02", GEO="TR-07") == 1
    assert cell(table, TIME_PERIOD="2024-02", GEO="TR-06") is None
    assert cell(table, TIME_PERIOD="2024-12") == 2
