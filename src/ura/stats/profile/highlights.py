"""Highlights computed from protected tables: short sentences with their numbers.

Every function reads **protected** long-format tables (``CONF_STATUS`` present, suppressed
cells without a value) and uses published cells only: a suppressed cell is never ranked,
subtracted or divided, and no figure is derived from a margin minus published cells (that
would give a suppressed cell back). Figures read from rounded cells are said to be rounded.

A highlight is a message id (an English sentence with ``%(name)s`` placeholders, marked with
:func:`gettext_noop` so that Django's ``makemessages`` collects it) plus its values; the app
translates it when rendering (:meth:`Highlight.text` takes the ``gettext`` function and a
locale for the numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import pandas as pd
from babel import Locale
from babel.numbers import format_decimal, parse_pattern

from ura.ingest.countries import ALPHA2_TO_ALPHA3
from ura.stats.outputs.charts import slice_table
from ura.stats.outputs.meta import (
    CONF_STATUS,
    OBS_STATUS,
    ROUNDED,
    SUPPRESSED,
    OutputError,
    code_name,
)

Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (makemessages collects it)."""
    return message


def untranslated(message: str) -> str:
    """The message as it is: the default translator (English)."""
    return message


TOTAL_UP: Final = gettext_noop(
    "%(subject)s: %(value)s in %(period)s, up %(percent)s from %(previous_value)s in %(previous)s."
)
TOTAL_DOWN: Final = gettext_noop(
    "%(subject)s: %(value)s in %(period)s, down %(percent)s from %(previous_value)s in "
    "%(previous)s."
)
TOTAL_SAME: Final = gettext_noop(
    "%(subject)s: %(value)s in %(period)s, as many as in %(previous)s."
)
TOTAL_ONLY: Final = gettext_noop("%(subject)s: %(value)s in %(period)s.")
CHANGE_UP: Final = gettext_noop(
    "%(subject)s, %(name)s: up %(change)s (%(percent)s), from %(previous_value)s in "
    "%(previous)s to %(value)s in %(period)s."
)
CHANGE_DOWN: Final = gettext_noop(
    "%(subject)s, %(name)s: down %(change)s (%(percent)s), from %(previous_value)s in "
    "%(previous)s to %(value)s in %(period)s."
)
CHANGE_UP_SMALL_BASE: Final = gettext_noop(
    "%(subject)s, %(name)s: up %(change)s, from %(previous_value)s in %(previous)s to "
    "%(value)s in %(period)s."
)
CHANGE_DOWN_SMALL_BASE: Final = gettext_noop(
    "%(subject)s, %(name)s: down %(change)s, from %(previous_value)s in %(previous)s to "
    "%(value)s in %(period)s."
)
TOP_WITH_SHARES: Final = gettext_noop(
    "%(subject)s in %(period)s, largest %(dimension)s: %(items)s; together %(share)s of %(total)s."
)
TOP_ITEM_WITH_SHARE: Final = gettext_noop("%(name)s %(value)s (%(share)s)")
TOP_PLAIN: Final = gettext_noop("%(subject)s in %(period)s, largest %(dimension)s: %(items)s.")
TOP_ITEM: Final = gettext_noop("%(name)s %(value)s")
RATE_UP: Final = gettext_noop(
    "First-instance recognition rate in %(period)s: %(rate)s, up %(points)s percentage points "
    "from %(previous_rate)s in %(previous)s."
)
RATE_DOWN: Final = gettext_noop(
    "First-instance recognition rate in %(period)s: %(rate)s, down %(points)s percentage "
    "points from %(previous_rate)s in %(previous)s."
)
RATE_SAME: Final = gettext_noop(
    "First-instance recognition rate in %(period)s: %(rate)s, as in %(previous)s."
)
RATE_ONLY: Final = gettext_noop("First-instance recognition rate in %(period)s: %(rate)s.")
REPEAT_SHARE: Final = gettext_noop(
    "%(events)s apprehensions in %(period)s concerned %(persons)s persons: %(share)s of "
    "apprehensions were repeat apprehensions of a person already apprehended in the period "
    "(%(per_person)s per person)."
)
NOTE_ROUNDED: Final = gettext_noop("Figures are rounded to a multiple of 5.")
NOTE_PROVISIONAL: Final = gettext_noop("Figures for %(period)s are provisional.")
NOTE_HIDDEN: Final = gettext_noop("%(hidden)s figure(s) are confidential and not ranked.")

#: What a dimension is called in the "largest …" sentences.
DIMENSION_WORDS: Final = {
    "CITIZEN": gettext_noop("citizenships"),
    "GEO": gettext_noop("provinces"),
    "NACE_R2": gettext_noop("sectors"),
    "REASON": gettext_noop("reasons"),
    "DECISION": gettext_noop("outcomes"),
    "C_DEST": gettext_noop("destinations"),
    "PARTNER": gettext_noop("partner countries"),
    "EXPLOIT": gettext_noop("forms of exploitation"),
}

_YEAR: Final = re.compile(r"^(\d{4})(-.+)?$")


class HighlightError(ValueError):
    """A table given to a highlight is not a protected long-format table."""


class HighlightUnavailable(Exception):  # noqa: N818  # a condition, reported as a data gap
    """The data do not allow the highlight (missing period, suppressed figure…).

    Attributes:
        template: Message id saying why (with ``%(name)s`` placeholders).
        values: The placeholders' values.
    """

    def __init__(self, template: str, **values: str) -> None:
        super().__init__(template % values)
        self.template = template
        self.values = values


NO_PERIOD: Final = gettext_noop("table %(table)s has no figures for %(period)s")
CONFIDENTIAL: Final = gettext_noop("the figure for %(period)s in %(table)s is confidential")
NOTHING_PUBLISHED: Final = gettext_noop(
    "table %(table)s has no published %(dimension)s figure for %(period)s large enough"
)


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    decimals: int = 0


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage (12.5 means 12.5 %)."""

    value: float


@dataclass(frozen=True, slots=True)
class Items:
    """A list rendered item by item with ``template`` and joined with "; "."""

    template: str
    items: tuple[Mapping[str, Value], ...]


@dataclass(frozen=True, slots=True)
class CodeName:
    """A code of a dimension, named in the reader's language when rendered."""

    dimension: str
    code: str


Value = str | Number | Percent | Items | CodeName


@dataclass(frozen=True, slots=True)
class Highlight:
    """One sentence of a report, with its numbers and where they come from.

    Attributes:
        kind: Which function made it (``total_change``, ``largest_changes``…).
        template: The message id.
        values: Its placeholders' values.
        tables: The tables read.
        cells: The cells read, each as ``{dimension: code}`` (with ``TABLE``).
        notes: Message ids said after the sentence (rounded, provisional…), with ``values``.
    """

    kind: str
    template: str
    values: Mapping[str, Value]
    tables: tuple[str, ...]
    cells: tuple[Mapping[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)

    def text(self, translate: Translate = untranslated, locale: str = "en") -> str:
        """The sentence in the language of ``translate`` (Django's ``gettext``)."""
        sentence = _render(self.template, self.values, translate, locale)
        for note in self.notes:
            sentence += " " + _render(note, self.values, translate, locale)
        return sentence

    @property
    def numbers(self) -> tuple[float, ...]:
        """Every number the sentence shows (for tests and checks)."""
        found: list[float] = []
        for value in self.values.values():
            if isinstance(value, Number | Percent):
                found.append(value.value)
            elif isinstance(value, Items):
                for item in value.items:
                    found += [v.value for v in item.values() if isinstance(v, Number | Percent)]
        return tuple(found)


def _render(template: str, values: Mapping[str, Value], translate: Translate, locale: str) -> str:
    shown: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, Number):
            pattern = "#,##0" if value.decimals == 0 else "#,##0." + "0" * value.decimals
            shown[key] = format_decimal(value.value, format=pattern, locale=locale)
        elif isinstance(value, Percent):
            shown[key] = _percent(value.value, locale)
        elif isinstance(value, CodeName):
            shown[key] = _code_name(value, translate, locale)
        elif isinstance(value, Items):
            shown[key] = "; ".join(
                _render(value.template, item, translate, locale) for item in value.items
            )
        else:
            shown[key] = translate(value) if key in _TRANSLATED else value
    return translate(template) % shown


def _code_name(value: CodeName, translate: Translate, locale: str) -> str:
    """Countries in the locale's own names (CLDR); provinces by their own names; other codes
    by their English label, which is a message id."""
    english = code_name(value.dimension, value.code)
    if value.dimension not in _COUNTRY_DIMENSIONS or (len(value.code) not in (2, 3)):
        return english if value.dimension in _COUNTRY_DIMENSIONS else translate(english)
    if locale.split("_")[0].split("-")[0] == "en":
        return english
    alpha2 = _EUROSTAT_ALPHA2.get(value.code, value.code)
    if len(alpha2) == 3:
        alpha2 = _ALPHA3_TO_ALPHA2.get(alpha2, "")
    territory = Locale.parse(locale).territories.get(alpha2) if alpha2 else None
    return str(territory) if territory else translate(english)


def _percent(value: float, locale: str) -> str:
    """A percentage with one decimal, the sign placed as the locale does (``%12,5`` in tr)."""
    language = Locale.parse(locale)
    pattern = parse_pattern(language.percent_formats[None].pattern)
    pattern.frac_prec = (1, 1)
    return str(pattern.apply(value / 100, language))


_COUNTRY_DIMENSIONS: Final = frozenset({"CITIZEN", "GEO", "C_DEST", "PARTNER"})
#: Eurostat's country codes that differ from ISO 3166-1 alpha-2.
_EUROSTAT_ALPHA2: Final = {"EL": "GR", "UK": "GB"}
_ALPHA3_TO_ALPHA2: Final = {a3: a2 for a2, a3 in ALPHA2_TO_ALPHA3.items()}

#: Placeholders whose values are message ids themselves (the template's subject, a dimension).
_TRANSLATED: Final = frozenset({"subject", "dimension"})


def previous_period(period: str) -> str:
    """The same period a year earlier: ``2024`` → ``2023``, ``2024-Q1`` → ``2023-Q1``."""
    match = _YEAR.match(period)
    if not match:
        raise HighlightError(f"{period!r} is not an SDMX period (2024, 2024-Q1, 2024-03)")
    return f"{int(match.group(1)) - 1}{match.group(2) or ''}"


# --- reading cells --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    value: float | None  # None: suppressed or not available
    rounded: bool = False
    provisional: bool = False

    @property
    def published(self) -> bool:
        return self.value is not None


def check_protected(table: pd.DataFrame, name: str) -> None:
    """Refuse a table that is not protected long format (a suppressed cell with a value).

    Raises:
        HighlightError: OBS_VALUE or CONF_STATUS is missing, or a suppressed cell keeps a value.
    """
    for column in ("OBS_VALUE", CONF_STATUS, "TIME_PERIOD"):
        if column not in table.columns:
            raise HighlightError(f"{name}: the table has no {column} column")
    leaking = table[table[CONF_STATUS].isin(SUPPRESSED) & table["OBS_VALUE"].notna()]
    if not leaking.empty:
        raise HighlightError(
            f"{name}: {len(leaking)} suppressed cell(s) still carry a value; "
            "highlights read protected tables only"
        )


def _absent_is_zero(table: pd.DataFrame) -> bool:
    return str(table.attrs.get("measure", "")) != "ratio" and str(
        table.attrs.get("unit", "")
    ) not in ("PC", "PER_THS_RES")


def _cells(
    table: pd.DataFrame, name: str, drawn: tuple[str, ...], fixed: Mapping[str, str]
) -> dict[tuple[str, ...], Cell]:
    """The cells of the slice, by the codes of ``drawn``."""
    try:
        rows = slice_table(table, drawn, {k: v for k, v in fixed.items() if k not in drawn})
    except OutputError as error:
        raise HighlightError(f"{name}: {error}") from None
    found: dict[tuple[str, ...], Cell] = {}
    for row in rows.to_dict("records"):
        value = row["OBS_VALUE"]
        hidden = row.get(CONF_STATUS, "F") in SUPPRESSED or value is None or pd.isna(value)
        found[tuple(str(row[d]) for d in drawn)] = Cell(
            value=None if hidden else float(value),
            rounded=bool(row.get(ROUNDED, False)) and not pd.isna(row.get(ROUNDED)),
            provisional=row.get(OBS_STATUS, "A") == "P",
        )
    return found


def _period_cell(cells: Mapping[tuple[str, ...], Cell], key: tuple[str, ...], zero: bool) -> Cell:
    if key in cells:
        return cells[key]
    # The engine leaves out cells that counted nobody; a ratio without a denominator has none.
    return Cell(0.0) if zero else Cell(None)


def _require_period(table: pd.DataFrame, name: str, period: str) -> None:
    if period not in set(table["TIME_PERIOD"].astype(str)):
        raise HighlightUnavailable(NO_PERIOD, table=name, period=period)


def _notes(cells: list[Cell]) -> tuple[str, ...]:
    notes = []
    if any(c.rounded for c in cells):
        notes.append(NOTE_ROUNDED)
    if any(c.provisional for c in cells):
        notes.append(NOTE_PROVISIONAL)
    return tuple(notes)


def _number(value: float) -> Number:
    return Number(value, 0 if float(value).is_integer() else 1)


# --- the highlights -------------------------------------------------------------------------


def total_change(
    table: pd.DataFrame,
    *,
    name: str,
    subject: str,
    period: str,
    fixed: Mapping[str, str] | None = None,
) -> Highlight:
    """The table's total in ``period`` and its change on the same period a year before.

    Args:
        table: Protected long-format table.
        name: The table's id (named in the highlight and errors).
        subject: What is counted, a message id ("First residence permits").
        period: The report's period (``2024``).
        fixed: Codes for dimensions (``_T`` otherwise).

    Raises:
        HighlightUnavailable: the period is missing or its total is confidential.
    """
    check_protected(table, name)
    _require_period(table, name, period)
    previous = previous_period(period)
    cells = _cells(table, name, ("TIME_PERIOD",), fixed or {})
    zero = _absent_is_zero(table)
    current = _period_cell(cells, (period,), zero)
    if current.value is None:
        raise HighlightUnavailable(CONFIDENTIAL, table=name, period=period)
    values: dict[str, Value] = {
        "subject": subject,
        "value": _number(current.value),
        "period": period,
        "previous": previous,
    }
    used = [current]
    before = _period_cell(cells, (previous,), zero) if (previous,) in cells else Cell(None)
    if before.value is None or before.value == 0:
        template = TOTAL_ONLY
    else:
        used.append(before)
        values["previous_value"] = _number(before.value)
        change = current.value - before.value
        values["percent"] = Percent(abs(change) / before.value * 100)
        template = TOTAL_UP if change > 0 else TOTAL_DOWN if change < 0 else TOTAL_SAME
    return Highlight(
        kind="total_change",
        template=template,
        values=values,
        tables=(name,),
        cells=tuple({"TABLE": name, "TIME_PERIOD": p} for p in (period, previous)[: len(used)]),
        notes=_notes(used),
    )


@dataclass(frozen=True, slots=True)
class Change:
    code: str
    value: float
    previous_value: float
    rounded: bool
    provisional: bool

    @property
    def change(self) -> float:
        return self.value - self.previous_value


def changes(
    table: pd.DataFrame,
    *,
    name: str,
    dimension: str,
    period: str,
    fixed: Mapping[str, str] | None = None,
) -> list[Change]:
    """Every code of ``dimension`` published in both ``period`` and the year before.

    A code with a suppressed cell in either year is left out: its change would reveal it or
    rest on a value nobody may see.
    """
    check_protected(table, name)
    _require_period(table, name, period)
    previous = previous_period(period)
    _require_period(table, name, previous)
    cells = _cells(table, name, ("TIME_PERIOD", dimension), fixed or {})
    zero = _absent_is_zero(table)
    codes = sorted({key[1] for key in cells} - {"_T"})
    found = []
    for code in codes:
        now = _period_cell(cells, (period, code), zero)
        then = _period_cell(cells, (previous, code), zero)
        if now.value is None or then.value is None:
            continue
        found.append(
            Change(
                code,
                now.value,
                then.value,
                now.rounded or then.rounded,
                now.provisional or then.provisional,
            )
        )
    return found


def largest_changes(
    table: pd.DataFrame,
    *,
    name: str,
    subject: str,
    dimension: str,
    period: str,
    top: int = 3,
    min_base: int = 20,
    fixed: Mapping[str, str] | None = None,
) -> list[Highlight]:
    """The largest year-on-year changes by code of ``dimension``.

    The ``top`` largest absolute changes among codes with at least ``min_base`` in either
    year, then the largest relative change among codes with at least ``min_base`` the year
    before, when it is not already listed. Relative changes over a base below ``min_base``
    are not stated, so that tiny cells do not dominate.

    Raises:
        HighlightUnavailable: a period is missing, or no code is large enough.
    """
    found = [
        c
        for c in changes(table, name=name, dimension=dimension, period=period, fixed=fixed)
        if max(c.value, c.previous_value) >= min_base and c.change != 0
    ]
    if not found:
        raise HighlightUnavailable(
            NOTHING_PUBLISHED, table=name, dimension=dimension, period=period
        )
    chosen = sorted(found, key=lambda c: (-abs(c.change), c.code))[:top]
    relative = [c for c in found if c.previous_value >= min_base]
    if relative:
        steepest = max(relative, key=lambda c: (abs(c.change) / c.previous_value, c.code))
        if steepest not in chosen:
            chosen.append(steepest)
    previous = previous_period(period)
    highlights = []
    for change in chosen:
        values: dict[str, Value] = {
            "subject": subject,
            "name": CodeName(dimension, change.code),
            "change": _number(abs(change.change)),
            "value": _number(change.value),
            "previous_value": _number(change.previous_value),
            "period": period,
            "previous": previous,
        }
        up = change.change > 0
        if change.previous_value >= min_base:
            values["percent"] = Percent(abs(change.change) / change.previous_value * 100)
            template = CHANGE_UP if up else CHANGE_DOWN
        else:
            template = CHANGE_UP_SMALL_BASE if up else CHANGE_DOWN_SMALL_BASE
        highlights.append(
            Highlight(
                kind="largest_changes",
                template=template,
                values=values,
                tables=(name,),
                cells=tuple(
                    {"TABLE": name, dimension: change.code, "TIME_PERIOD": p}
                    for p in (period, previous)
                ),
                notes=_notes([Cell(0, change.rounded, change.provisional)]),
                extra={"code": change.code},
            )
        )
    return highlights


def top_codes(
    table: pd.DataFrame,
    *,
    name: str,
    subject: str,
    dimension: str,
    period: str,
    top: int = 5,
    fixed: Mapping[str, str] | None = None,
) -> Highlight:
    """The ``top`` largest published codes of ``dimension`` in ``period``, with shares.

    Shares are of the table's own published total (``_T``); without a published total no
    share is given. Suppressed codes are not ranked and the sentence says how many there
    are; nothing is said of "the others" (the total minus the listed codes would, with the
    other published cells, give a suppressed cell back).

    Raises:
        HighlightUnavailable: the period is missing or no code is published.
    """
    check_protected(table, name)
    _require_period(table, name, period)
    cells = _cells(table, name, ("TIME_PERIOD", dimension), fixed or {})
    mine = {key[1]: cell for key, cell in cells.items() if key[0] == period}
    total = mine.pop("_T", Cell(None))
    published = [(code, c) for code, c in mine.items() if c.value is not None and c.value > 0]
    hidden = sum(1 for c in mine.values() if c.value is None)
    if not published:
        raise HighlightUnavailable(
            NOTHING_PUBLISHED, table=name, dimension=dimension, period=period
        )
    ranked = sorted(published, key=lambda item: (-(item[1].value or 0.0), item[0]))[:top]
    used = [c for _, c in ranked]
    with_share = total.value is not None and total.value > 0
    items: list[Mapping[str, Value]] = []
    for code, cell in ranked:
        assert cell.value is not None  # noqa: S101  # published cells only
        item: dict[str, Value] = {"name": CodeName(dimension, code), "value": _number(cell.value)}
        if with_share and total.value:
            item["share"] = Percent(cell.value / total.value * 100)
        items.append(item)
    values: dict[str, Value] = {
        "subject": subject,
        "period": period,
        "dimension": DIMENSION_WORDS.get(dimension, dimension),
    }
    if with_share and total.value:
        used.append(total)
        values["items"] = Items(TOP_ITEM_WITH_SHARE, tuple(items))
        values["share"] = Percent(sum(c.value or 0.0 for c in used[:-1]) / total.value * 100)
        values["total"] = _number(total.value)
        template = TOP_WITH_SHARES
    else:
        values["items"] = Items(TOP_ITEM, tuple(items))
        template = TOP_PLAIN
    notes = list(_notes(used))
    if hidden:
        values["hidden"] = Number(hidden)
        notes.append(NOTE_HIDDEN)
    return Highlight(
        kind="top_codes",
        template=template,
        values=values,
        tables=(name,),
        cells=tuple({"TABLE": name, dimension: code, "TIME_PERIOD": period} for code, _ in ranked),
        notes=tuple(notes),
        extra={"codes": ",".join(code for code, _ in ranked)},
    )


def recognition_rate(
    table: pd.DataFrame, *, name: str, period: str, fixed: Mapping[str, str] | None = None
) -> Highlight:
    """The first-instance recognition rate (a ratio table in percent) and its change.

    Raises:
        HighlightUnavailable: the period is missing or its rate is withheld (too few decisions).
    """
    check_protected(table, name)
    _require_period(table, name, period)
    previous = previous_period(period)
    cells = _cells(table, name, ("TIME_PERIOD",), fixed or {})
    current = cells.get((period,), Cell(None))
    if current.value is None:
        raise HighlightUnavailable(CONFIDENTIAL, table=name, period=period)
    before = cells.get((previous,), Cell(None))
    values: dict[str, Value] = {"rate": Percent(current.value), "period": period}
    used = [current]
    if before.value is None:
        template = RATE_ONLY
    else:
        used.append(before)
        points = round(current.value - before.value, 1)
        values.update(
            previous=previous, previous_rate=Percent(before.value), points=Number(abs(points), 1)
        )
        template = RATE_UP if points > 0 else RATE_DOWN if points < 0 else RATE_SAME
    return Highlight(
        kind="recognition_rate",
        template=template,
        values=values,
        tables=(name,),
        cells=tuple({"TABLE": name, "TIME_PERIOD": p} for p in (period, previous)[: len(used)]),
        notes=_notes(used),
    )


def repeat_share(
    persons: pd.DataFrame,
    events: pd.DataFrame,
    *,
    persons_name: str,
    events_name: str,
    period: str,
    fixed: Mapping[str, str] | None = None,
) -> Highlight:
    """Persons against events (apprehensions): the share of repeat apprehensions.

    ``(events - persons) / events`` from the two published totals; both must be published.

    Raises:
        HighlightUnavailable: a period is missing or a total is confidential.
    """
    check_protected(persons, persons_name)
    check_protected(events, events_name)
    _require_period(persons, persons_name, period)
    _require_period(events, events_name, period)
    people = _cells(persons, persons_name, ("TIME_PERIOD",), fixed or {}).get((period,), Cell(None))
    counted = _cells(events, events_name, ("TIME_PERIOD",), fixed or {}).get((period,), Cell(None))
    for cell, table in ((people, persons_name), (counted, events_name)):
        if cell.value is None:
            raise HighlightUnavailable(CONFIDENTIAL, table=table, period=period)
    assert people.value is not None  # noqa: S101  # checked above
    assert counted.value is not None  # noqa: S101  # checked above
    if counted.value <= 0 or people.value <= 0:
        raise HighlightUnavailable(NO_PERIOD, table=events_name, period=period)
    repeats = max(counted.value - people.value, 0.0)
    return Highlight(
        kind="repeat_share",
        template=REPEAT_SHARE,
        values={
            "events": _number(counted.value),
            "persons": _number(people.value),
            "share": Percent(repeats / counted.value * 100),
            "per_person": Number(math.floor(counted.value / people.value * 100 + 0.5) / 100, 2),
            "period": period,
        },
        tables=(persons_name, events_name),
        cells=(
            {"TABLE": persons_name, "TIME_PERIOD": period},
            {"TABLE": events_name, "TIME_PERIOD": period},
        ),
        notes=_notes([people, counted]),
    )
