"""Working calendars: weekends, Turkish and Kosovo public holidays, administrator changes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ura.casework.calendar import CalendarError, WorkingCalendar

TR = WorkingCalendar("TR")
XK = WorkingCalendar("XK")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_weekend_days_are_not_working_days() -> None:
    assert TR.is_working_day(d("2026-03-13"))  # Friday
    assert not TR.is_working_day(d("2026-03-14"))
    assert not TR.is_working_day(d("2026-03-15"))


def test_turkish_public_holidays_come_from_the_holidays_package() -> None:
    assert TR.holiday_name(d("2026-03-20")) == "Eid al-Fitr"
    assert not TR.is_working_day(d("2026-10-29"))  # Republic Day, a Thursday
    assert TR.holiday_name(d("2026-03-18")) is None


def test_kosovo_public_holidays_come_from_the_holidays_package() -> None:
    assert XK.holiday_name(d("2026-02-17")) == "Independence Day"
    assert not XK.is_working_day(d("2026-04-09"))  # Constitution Day, a Thursday
    assert TR.is_working_day(d("2026-04-09"))


def test_three_working_days_span_eid_al_fitr_2026() -> None:
    """Eid al-Fitr 2026 in Türkiye is Friday 20 to Sunday 22 March."""
    assert TR.add_working_days(d("2026-03-19"), 3) == d("2026-03-25")
    # Kosovo's Eid al-Fitr holiday is the Friday only; the weekend follows it either way.
    # Working on the Friday (a removed holiday) ends the period a day earlier.
    assert XK.add_working_days(d("2026-03-19"), 3) == d("2026-03-25")
    assert WorkingCalendar("TR", removed=frozenset({d("2026-03-20")})).add_working_days(
        d("2026-03-19"), 3
    ) == d("2026-03-24")


def test_working_days_across_kosovo_orthodox_and_catholic_easter() -> None:
    # Thursday 2 April 2026 + 3 working days: Fri 3, (Mon 6 Catholic Easter observed),
    # Tue 7, Wed 8.
    assert XK.add_working_days(d("2026-04-02"), 3) == d("2026-04-08")
    assert TR.add_working_days(d("2026-04-02"), 3) == d("2026-04-07")


def test_add_working_days_zero_is_the_start_day() -> None:
    assert TR.add_working_days(d("2026-03-21"), 0) == d("2026-03-21")


def test_negative_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        TR.add_working_days(d("2026-03-21"), -1)
    with pytest.raises(ValueError, match="n must be >= 0"):
        TR.add_calendar_days(d("2026-03-21"), -1)
    with pytest.raises(ValueError, match="n must be >= 0"):
        TR.add_months(d("2026-03-21"), -1)


def test_calendar_period_ending_on_a_holiday_rolls_forward() -> None:
    # 10 days from 10 March 2026 end on Friday 20 March (Eid al-Fitr) -> Monday 23 March.
    assert TR.add_calendar_days(d("2026-03-10"), 10) == d("2026-03-23")
    assert TR.add_calendar_days(d("2026-03-10"), 10, roll_forward=False) == d("2026-03-20")


def test_calendar_period_ending_on_a_weekend_rolls_forward() -> None:
    assert TR.add_calendar_days(d("2026-03-02"), 5) == d("2026-03-09")  # Sat 7 -> Mon 9


def test_months_clamp_to_the_end_of_the_month() -> None:
    assert TR.add_months(d("2026-08-31"), 6, roll_forward=False) == d("2027-02-28")
    assert TR.add_months(d("2027-08-31"), 6, roll_forward=False) == d("2028-02-29")
    # 28 February 2027 is a Sunday.
    assert TR.add_months(d("2026-08-31"), 6) == d("2027-03-01")
    assert TR.add_months(d("2026-01-15"), 12, roll_forward=False) == d("2027-01-15")


def test_working_days_between_counts_after_the_first_day() -> None:
    assert TR.working_days_between(d("2026-03-19"), d("2026-03-25")) == 3
    assert TR.working_days_between(d("2026-03-25"), d("2026-03-19")) == -3
    assert TR.working_days_between(d("2026-03-19"), d("2026-03-19")) == 0


def test_administrator_adds_and_removes_holidays() -> None:
    cal = WorkingCalendar.from_config(
        {
            "country": "TR",
            "extra": {"2026-10-28": "Republic Day eve (half day)"},
            "removed": ["2026-05-19"],
        }
    )
    assert cal.holiday_name(d("2026-10-28")) == "Republic Day eve (half day)"
    assert not cal.is_working_day(d("2026-10-28"))
    assert cal.is_working_day(d("2026-05-19"))
    assert cal.holiday_name(d("2026-05-19")) is None


def test_a_friday_weekend() -> None:
    cal = WorkingCalendar.from_config({"country": "TR", "weekend": [4]})
    assert not cal.is_working_day(d("2026-03-13"))
    assert cal.is_working_day(d("2026-03-14"))


def test_config_round_trips() -> None:
    config = {
        "country": "XK",
        "subdivision": None,
        "weekend": [5, 6],
        "extra": {"2026-12-24": "Christmas Eve"},
        "removed": ["2026-01-02"],
    }
    cal = WorkingCalendar.from_config(config)
    assert cal.to_config() == config
    assert WorkingCalendar.from_config(cal.to_config()) == cal


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"country": "TR", "weeknd": [5]}, r"unknown key\(s\) \['weeknd'\]"),
        ({}, "country: expected an ISO 3166 code"),
        ({"country": "ZZ"}, "country: 'ZZ' is not a supported"),
        ({"country": "TR", "weekend": [7]}, r"weekend: \[7\] are not weekdays"),
        ({"country": "TR", "weekend": "sat"}, "weekend: expected a list"),
        ({"country": "TR", "weekend": [0, 1, 2, 3, 4, 5, 6]}, "at least one working weekday"),
        ({"country": "TR", "extra": {"28.10.2026": "eve"}}, "extra: '28.10.2026' is not an ISO"),
        ({"country": "TR", "extra": {"2026-10-28": ""}}, "extra: '2026-10-28' needs a holiday"),
        ({"country": "TR", "extra": ["2026-10-28"]}, "extra: expected a mapping"),
        ({"country": "TR", "removed": ["soon"]}, "removed: 'soon' is not an ISO"),
        ({"country": "TR", "removed": "2026-05-19"}, "removed: expected a list"),
        ({"country": "TR", "subdivision": 34}, "subdivision: expected a string"),
    ],
)
def test_config_errors_name_the_key_and_value(config: dict[str, object], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        WorkingCalendar.from_config(config)


dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))
calendars = st.sampled_from([TR, XK, WorkingCalendar("TR", weekend=frozenset({4, 5}))])


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=dates, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day(
    cal: WorkingCalendar, start: dt.date, n: int
) -> None:
    assert cal.is_working_day(cal.add_working_days(start, n))


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=dates, n=st.integers(min_value=0, max_value=60))
def test_add_working_days_is_monotone_and_inverted_by_working_days_between(
    cal: WorkingCalendar, start: dt.date, n: int
) -> None:
    end = cal.add_working_days(start, n)
    assert cal.add_working_days(start, n + 1) > end
    assert cal.working_days_between(start, end) == n


@settings(max_examples=100, deadline=None)
@given(cal=calendars, start=dates, n=st.integers(min_value=0, max_value=90))
def test_rolled_calendar_periods_end_on_working_days(
    cal: WorkingCalendar, start: dt.date, n: int
) -> None:
    end = cal.add_calendar_days(start, n)
    assert cal.is_working_day(end)
    assert end >= start + dt.timedelta(days=n)
