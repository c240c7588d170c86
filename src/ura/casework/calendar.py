"""Working-day calendars for legal deadlines.

A :class:`WorkingCalendar` knows which days an administration works: a country's public
holidays (from the ``holidays`` package), its weekend, the holidays an administrator adds (a
bridge day declared by decree, a local holiday) and the ones an administrator removes (a
holiday the package lists but the administration works on). Periods are counted as
administrative law counts them: the day of the triggering event is not counted, and a period
whose last day is not a working day ends on the next working day (e.g. Turkish
Administrative Procedure Law No. 2577 Art. 8; Kosovo Law No. 05/L-031 on General
Administrative Procedure Art. 84). Whether a rule rolls forward is the rule's choice: maximum
periods of detention never do.

The calendar is a frozen value built from plain data (:meth:`WorkingCalendar.from_config`), so
the Django layer stores its configuration as JSON.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import holidays

__all__ = [
    "CalendarError",
    "WorkingCalendar",
]

_ONE_DAY: Final = dt.timedelta(days=1)
_CONFIG_KEYS: Final = frozenset({"country", "subdivision", "weekend", "extra", "removed"})
_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


class CalendarError(ValueError):
    """A calendar configuration is invalid; the message names the key and value at fault."""


@functools.cache
def _public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[dt.date, str]:
    # One call per country and year: the holidays package computes lunar and Easter dates,
    # which is slow enough to matter in a loop over a whole caseload.
    found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return MappingProxyType({day: str(name) for day, name in found.items()})


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days of one administration.

    Attributes:
        country: ISO 3166-1 alpha-2 code whose public holidays apply (``"TR"``, ``"XK"``).
        weekend: Weekdays that are not worked (Monday 0 … Sunday 6); Saturday and Sunday
            by default.
        extra: Holidays an administrator adds, by date, with their names.
        removed: Public holidays of the package that the administration works on.
        subdivision: Optional subdivision code for regional holidays, as the ``holidays``
            package names them.
    """

    country: str
    weekend: frozenset[int] = frozenset({5, 6})
    extra: Mapping[dt.date, str] = field(default_factory=lambda: MappingProxyType({}))
    removed: frozenset[dt.date] = frozenset()
    subdivision: str | None = None

    def __post_init__(self) -> None:
        supported = holidays.list_supported_countries()
        if self.country not in supported:
            raise CalendarError(f"country: {self.country!r} is not a supported ISO 3166 code")
        if self.subdivision is not None and self.subdivision not in supported[self.country]:
            raise CalendarError(
                f"subdivision: {self.subdivision!r} is not a subdivision of {self.country}"
            )
        bad_days = sorted(d for d in self.weekend if not isinstance(d, int) or not 0 <= d <= 6)
        if bad_days:
            raise CalendarError(f"weekend: {bad_days!r} are not weekdays 0 (Monday) to 6 (Sunday)")
        if len(self.weekend) == 7:
            raise CalendarError("weekend: a calendar needs at least one working weekday")
        # Freeze the caller's mapping so the calendar stays a value.
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        object.__setattr__(self, "removed", frozenset(self.removed))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WorkingCalendar:
        """Build a calendar from plain (JSON-compatible) data.

        Args:
            config: ``{"country": "TR", "weekend": [5, 6], "extra": {"2026-10-28": "name"},
                "removed": ["2026-05-19"], "subdivision": None}``; only ``country`` is
                required. Dates are ISO 8601 strings.

        Returns:
            The calendar.

        Raises:
            CalendarError: A key is unknown or a value is invalid; the message names both.
        """
        if not isinstance(config, Mapping):
            raise CalendarError(f"calendar configuration: expected a mapping, got {config!r}")
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            raise CalendarError(f"unknown key(s) {unknown!r}; allowed: {sorted(_CONFIG_KEYS)!r}")
        country = config.get("country")
        if not isinstance(country, str) or not country:
            raise CalendarError(f"country: expected an ISO 3166 code, got {country!r}")
        subdivision = config.get("subdivision")
        if subdivision is not None and not isinstance(subdivision, str):
            raise CalendarError(f"subdivision: expected a string, got {subdivision!r}")
        weekend_raw = config.get("weekend", [5, 6])
        if not isinstance(weekend_raw, list | tuple) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in weekend_raw
        ):
            raise CalendarError(f"weekend: expected a list of weekday numbers, got {weekend_raw!r}")
        extra_raw = config.get("extra", {})
        if not isinstance(extra_raw, Mapping):
            raise CalendarError(f"extra: expected a mapping of date to name, got {extra_raw!r}")
        extra: dict[dt.date, str] = {}
        for key, name in extra_raw.items():
            day = _parse_date("extra", key)
            if not isinstance(name, str) or not name.strip():
                raise CalendarError(f"extra: {key!r} needs a holiday name, got {name!r}")
            extra[day] = name.strip()
        removed_raw = config.get("removed", [])
        if not isinstance(removed_raw, list | tuple):
            raise CalendarError(f"removed: expected a list of dates, got {removed_raw!r}")
        removed = frozenset(_parse_date("removed", value) for value in removed_raw)
        return cls(
            country=country.upper(),
            weekend=frozenset(weekend_raw),
            extra=extra,
            removed=removed,
            subdivision=subdivision,
        )

    def to_config(self) -> dict[str, Any]:
        """The calendar as plain data, the inverse of :meth:`from_config`.

        Returns:
            A JSON-compatible mapping.
        """
        return {
            "country": self.country,
            "subdivision": self.subdivision,
            "weekend": sorted(self.weekend),
            "extra": {day.isoformat(): name for day, name in sorted(self.extra.items())},
            "removed": sorted(day.isoformat() for day in self.removed),
        }

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the holiday on ``day``, if it is one.

        Args:
            day: The date.

        Returns:
            The administrator's name for an added holiday, else the public holiday's name
            (several names joined by "; "), else ``None`` (also for removed holidays and for
            ordinary weekend days).
        """
        if day in self.extra:
            return self.extra[day]
        if day in self.removed:
            return None
        return _public_holidays(self.country, self.subdivision, day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether the administration works on ``day``.

        Args:
            day: The date.

        Returns:
            False on weekend days and holidays, True otherwise.
        """
        return day.weekday() not in self.weekend and self.holiday_name(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it.

        Args:
            day: The date.

        Returns:
            The working day.
        """
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start``; ``start`` itself is not counted.

        Args:
            start: The day of the triggering event.
            n: Number of working days (``n >= 0``); ``0`` gives ``start``.

        Returns:
            The last day of the period, always a working day when ``n >= 1``.

        Raises:
            ValueError: ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: dt.date, n: int, roll_forward: bool = True) -> dt.date:
        """The last day of a period of ``n`` calendar days from ``start``.

        Args:
            start: The day of the triggering event (not counted).
            n: Number of calendar days (``n >= 0``).
            roll_forward: Move an end on a weekend day or holiday to the next working day.

        Returns:
            The last day of the period.

        Raises:
            ValueError: ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        end = start + dt.timedelta(days=n)
        return self.next_working_day(end) if roll_forward else end

    def add_months(self, start: dt.date, n: int, roll_forward: bool = True) -> dt.date:
        """The last day of a period of ``n`` months from ``start``.

        The period ends on the same day of the month; where that month is shorter, on its
        last day (31 August + 6 months = 28 or 29 February).

        Args:
            start: The day of the triggering event.
            n: Number of months (``n >= 0``).
            roll_forward: Move an end on a weekend day or holiday to the next working day.

        Returns:
            The last day of the period.

        Raises:
            ValueError: ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        months = start.year * 12 + start.month - 1 + n
        year, month = divmod(months, 12)
        month += 1
        last_day = _stdlib_calendar.monthrange(year, month)[1]
        end = dt.date(year, month, min(start.day, last_day))
        return self.next_working_day(end) if roll_forward else end

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``.

        The inverse of :meth:`add_working_days`: ``working_days_between(a,
        add_working_days(a, n)) == n``.

        Args:
            a: The first date (not counted).
            b: The second date (counted).

        Returns:
            The count; negative (the count from ``b`` to ``a``, negated) when ``b < a``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def describe_weekend(self) -> str:
        """The weekend as weekday names, for display.

        Returns:
            E.g. ``"Saturday, Sunday"``.
        """
        return ", ".join(_WEEKDAY_NAMES[d] for d in sorted(self.weekend))


def _parse_date(key: str, value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{key}: {value!r} is not an ISO 8601 date (YYYY-MM-DD)")
