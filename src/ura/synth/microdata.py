"""A synthetic national population for statistics: persons and their events, with truth.

Each person follows one migration path with the events it produces — visitors entering and
leaving, residents with first permits, renewals and work permits, Syrians under temporary
protection registered in a province, asylum applicants with first-instance decisions (or a
pending case) and, after a final rejection, orders to leave and returns, irregular migrants
apprehended (some several times) and returned or readmitted, refusals of entry, trafficking
victims. Shares, citizenships, provinces and ages are rough orders of magnitude of Türkiye's
published figures, enough for benchmarks and for tests that compare the engine with an
independent count; they are not statistics. Vectorised with numpy; the same seed gives the
same tables. :func:`write_microdata` writes Parquet part files with DuckDB, chunk by chunk,
so ten million events need little memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ura.stats.schema import EVENTS_SCHEMA, PERSONS_SCHEMA, EventType

IntArray = npt.NDArray[np.int64]

VISITOR, RESIDENT, TEMPORARY_PROTECTION, ASYLUM, IRREGULAR, REFUSED, TRAFFICKED = range(7)
_PROFILE_SHARES: Final = np.array([0.40, 0.20, 0.18, 0.08, 0.10, 0.035, 0.005])
#: Citizenship pools (alpha-3) and weights per path.
_CITIZENSHIP: Final = {
    VISITOR: (("RUS", "DEU", "GBR", "IRN", "UKR", "BGR", "GEO", "POL", "IRQ", "AZE", "NLD",
               "FRA", "USA", "XKX"),
              (0.16, 0.14, 0.09, 0.08, 0.06, 0.06, 0.06, 0.04, 0.06, 0.06, 0.04, 0.04, 0.05,
               0.06)),
    RESIDENT: (("IRQ", "TKM", "SYR", "AZE", "IRN", "RUS", "AFG", "UZB", "UKR", "KAZ", "DEU",
                "XKX"),
               (0.15, 0.12, 0.10, 0.10, 0.10, 0.10, 0.06, 0.07, 0.06, 0.05, 0.04, 0.05)),
    TEMPORARY_PROTECTION: (("SYR",), (1.0,)),
    ASYLUM: (("AFG", "IRQ", "IRN", "SYR", "PAK", "SOM", "COD", "XXX"),
             (0.40, 0.25, 0.12, 0.05, 0.08, 0.04, 0.04, 0.02)),
    IRREGULAR: (("AFG", "SYR", "PAK", "IRN", "IRQ", "TKM", "UZB", "MAR", "BGD"),
                (0.30, 0.22, 0.15, 0.07, 0.08, 0.05, 0.05, 0.04, 0.04)),
    REFUSED: (("IRN", "IRQ", "AZE", "GEO", "RUS", "SYR", "AFG", "PAK"),
              (0.20, 0.15, 0.12, 0.12, 0.15, 0.10, 0.08, 0.08)),
    TRAFFICKED: (("UZB", "KGZ", "TKM", "SYR", "AFG", "MDA", "GEO"),
                 (0.25, 0.15, 0.15, 0.15, 0.10, 0.10, 0.10)),
}  # fmt: skip
_MALE: Final = np.array([0.55, 0.52, 0.52, 0.70, 0.85, 0.65, 0.25])
#: Age at the first event: (mean, spread, minimum) of a clipped normal per path.
_AGE: Final = ((40, 13, 0), (32, 14, 0), (24, 17, 0), (27, 11, 0), (26, 8, 14), (35, 11, 16),
               (24, 8, 12))  # fmt: skip
_REASONS: Final = ("family", "education", "remunerated", "humanitarian", "other")
_REASON_SHARES: Final = np.array([0.30, 0.15, 0.25, 0.10, 0.20])
_OUTCOMES: Final = (
    "refugee", "conditional_refugee", "subsidiary_protection", "rejected", "inadmissible",
    "excluded",
)  # fmt: skip
_OUTCOME_SHARES: Final = np.array([0.05, 0.30, 0.10, 0.42, 0.11, 0.02])
_EXPLOITATION: Final = ("sexual", "labour", "criminal_activities", "begging", "forced_marriage",
                        "other")  # fmt: skip
_EXPLOITATION_SHARES: Final = np.array([0.45, 0.35, 0.06, 0.06, 0.05, 0.03])
_NACE: Final = tuple("cfghinqs")
_NACE_SHARES: Final = np.array([0.28, 0.14, 0.14, 0.06, 0.22, 0.04, 0.06, 0.06])
_GROUNDS: Final = tuple("abcdefghi")
_GROUND_SHARES: Final = np.array([0.12, 0.05, 0.25, 0.15, 0.18, 0.05, 0.02, 0.10, 0.08])
#: Provinces (ISO 3166-2:TR, TR-01..TR-81) weighted towards where foreigners live: Istanbul,
#: Gaziantep, Hatay, Şanlıurfa, Ankara, Izmir, Antalya, Mersin, Bursa, Konya, Kilis, Van,
#: Edirne and the rest.
_PROVINCE_WEIGHTS: Final = {34: 30.0, 27: 7.0, 31: 6.0, 63: 6.0, 6: 6.0, 35: 5.0, 7: 4.0,
                            33: 4.0, 16: 3.0, 42: 2.5, 79: 1.5, 65: 2.5, 22: 2.0, 1: 2.0,
                            46: 1.5, 44: 1.0, 48: 1.5, 9: 1.0}  # fmt: skip
PROVINCES: Final = tuple(f"TR-{n:02d}" for n in range(1, 82))
_PROVINCE_P: Final = np.array([_PROVINCE_WEIGHTS.get(n, 0.25) for n in range(1, 82)])
_BIRTH_UNKNOWN: Final = 0.03
_TYPES: Final = tuple(t.value for t in EventType)
_CATEGORIES: Final = tuple(
    dict.fromkeys(_REASONS + _OUTCOMES + _EXPLOITATION + _NACE + _GROUNDS
                  + ("voluntary", "forced"))
)  # fmt: skip
_COUNTRIES: Final = tuple(sorted({c for pool, _ in _CITIZENSHIP.values() for c in pool}))


@dataclass
class _Events:
    """Event columns being built (numpy arrays of codes; -1 = null)."""

    person: list[IntArray]
    kind: list[IntArray]
    day: list[IntArray]  # days since 1970-01-01
    province: list[IntArray]
    category: list[IntArray]
    first: list[IntArray]  # 1 true, 0 false, -1 null
    unaccompanied: list[IntArray]
    destination: list[IntArray]
    valid_until: list[IntArray]  # day or -1

    def add(
        self,
        person: IntArray,
        kind: EventType,
        day: IntArray,
        province: IntArray,
        *,
        category: IntArray | None = None,
        first: IntArray | None = None,
        unaccompanied: IntArray | None = None,
        destination: IntArray | None = None,
        valid_until: IntArray | None = None,
    ) -> None:
        m = len(person)
        none = np.full(m, -1, dtype=np.int64)
        self.person.append(person)
        self.kind.append(np.full(m, _TYPES.index(kind.value), dtype=np.int64))
        self.day.append(day)
        self.province.append(province)
        self.category.append(none if category is None else category)
        self.first.append(none if first is None else first)
        self.unaccompanied.append(np.zeros(m, np.int64) if unaccompanied is None else unaccompanied)
        self.destination.append(none if destination is None else destination)
        self.valid_until.append(none if valid_until is None else valid_until)


def _codes(values: tuple[str, ...], chosen: tuple[str, ...], index: IntArray) -> IntArray:
    lookup = np.array([values.index(v) for v in chosen], dtype=np.int64)
    return lookup[index]


def _dictionary(codes: IntArray, values: tuple[str, ...]) -> pa.Array:
    mask = codes < 0
    indices = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.string()))


def _dates(days: IntArray) -> pa.Array:
    mask = days < 0
    return pa.array(np.where(mask, 0, days).astype(np.int32), pa.int32(), mask=mask).cast(
        pa.date32()
    )


def _chunk(
    offset: int, n: int, rng: np.random.Generator, start: dt.date, end: dt.date
) -> tuple[pa.Table, pa.Table]:
    first_day = (start - dt.date(1970, 1, 1)).days
    last_day = (end - dt.date(1970, 1, 1)).days
    history = first_day - 5 * 365  # temporary protection and permits began before the window
    span = last_day - first_day + 1
    profile = rng.choice(len(_PROFILE_SHARES), size=n, p=_PROFILE_SHARES)
    citizenship = np.empty(n, dtype=np.int64)
    for path, (pool, weights) in _CITIZENSHIP.items():
        rows = np.flatnonzero(profile == path)
        picked = rng.choice(len(pool), size=len(rows), p=np.array(weights) / sum(weights))
        citizenship[rows] = _codes(_COUNTRIES, pool, picked)
    male = rng.random(n) < _MALE[profile]
    t0 = first_day + rng.integers(0, span, size=n)
    t0 = np.where(profile == TEMPORARY_PROTECTION, rng.integers(history, last_day + 1, size=n), t0)
    t0 = np.where(profile == RESIDENT, rng.integers(history + 3 * 365, last_day + 1, size=n), t0)
    mean, spread, low = (np.array([a[i] for a in _AGE])[profile] for i in range(3))
    age = np.clip(rng.normal(mean, spread), low, 90)
    birth = (t0 - age * 365.25).astype(np.int64)
    birth = np.where(rng.random(n) < _BIRTH_UNKNOWN, -1, birth)
    home = rng.choice(81, size=n, p=_PROVINCE_P / _PROVINCE_P.sum())
    ids = np.arange(n, dtype=np.int64)
    ev = _Events([], [], [], [], [], [], [], [], [])

    def within(day: IntArray) -> npt.NDArray[np.bool_]:
        return day <= last_day

    def province_draw(m: int) -> IntArray:
        return rng.choice(81, size=m, p=_PROVINCE_P / _PROVINCE_P.sum()).astype(np.int64)

    # Visitors: trips of an entry and an exit.
    visitors = ids[profile == VISITOR]
    trips = np.repeat(visitors, 1 + rng.poisson(1.0, size=len(visitors)))
    entry = first_day + rng.integers(0, span, size=len(trips))
    ev.add(trips, EventType.ENTRY, entry, province_draw(len(trips)))
    leave = entry + rng.integers(1, 31, size=len(trips))
    ok = within(leave)
    ev.add(trips[ok], EventType.EXIT, leave[ok], province_draw(int(ok.sum())))

    # Residents: entry, first permit, yearly renewals, work permits.
    residents = ids[profile == RESIDENT]
    r0 = t0[residents]
    ev.add(residents, EventType.ENTRY, r0, province_draw(len(residents)))
    reason = rng.choice(len(_REASONS), size=len(residents), p=_REASON_SHARES)
    reason_code = _codes(_CATEGORIES, _REASONS, reason)
    issued = r0 + rng.integers(5, 60, size=len(residents))
    ok = within(issued)
    ev.add(residents[ok], EventType.RESIDENCE_PERMIT, issued[ok], home[residents][ok],
           category=reason_code[ok], first=np.ones(int(ok.sum()), np.int64),
           valid_until=issued[ok] + 364)  # fmt: skip
    renewals = rng.integers(0, 6, size=len(residents))
    for k in range(1, 6):
        again = ok & (renewals >= k) & within(issued + 365 * k)
        day = issued[again] + 365 * k
        ev.add(residents[again], EventType.RESIDENCE_PERMIT, day, home[residents][again],
               category=reason_code[again], first=np.zeros(int(again.sum()), np.int64),
               valid_until=day + 364)  # fmt: skip
    works = ok & ((reason == _REASONS.index("remunerated")) | (rng.random(len(residents)) < 0.1))
    work_day = issued[works] + rng.integers(0, 90, size=int(works.sum()))
    fine = within(work_day)
    sector = rng.choice(len(_NACE), size=int(fine.sum()), p=_NACE_SHARES)
    ev.add(residents[works][fine], EventType.WORK_PERMIT, work_day[fine],
           home[residents][works][fine], category=_codes(_CATEGORIES, _NACE, sector))  # fmt: skip

    # Temporary protection: registration in a province; some move, some leave the status.
    protected = ids[profile == TEMPORARY_PROTECTION]
    p0 = t0[protected]
    ended = rng.random(len(protected)) < 0.12
    until = np.where(ended, p0 + rng.integers(180, 3000, size=len(protected)), -1)
    moved = rng.random(len(protected)) < 0.10
    move_day = p0 + rng.integers(90, 1500, size=len(protected))
    moved &= within(move_day) & ((until < 0) | (move_day < until))
    first_until = np.where(moved, move_day - 1, until)
    ev.add(protected, EventType.TEMPORARY_PROTECTION_REGISTRATION, p0, home[protected],
           valid_until=first_until)  # fmt: skip
    ev.add(protected[moved], EventType.TEMPORARY_PROTECTION_REGISTRATION, move_day[moved],
           province_draw(int(moved.sum())), valid_until=until[moved])  # fmt: skip

    # Asylum: perhaps apprehended first; application; decision (or pending or withdrawn);
    # after a rejection an order to leave, a return, or a subsequent application.
    applicants = ids[profile == ASYLUM]
    a0 = t0[applicants]
    caught = rng.random(len(applicants)) < 0.35
    ev.add(applicants[caught], EventType.APPREHENSION,
           np.maximum(a0[caught] - rng.integers(1, 20, size=int(caught.sum())), first_day),
           province_draw(int(caught.sum())))  # fmt: skip
    minor = (birth[applicants] >= 0) & (a0 - birth[applicants] < 18 * 365.25)
    alone = (minor & (rng.random(len(applicants)) < 0.3)).astype(np.int64)
    ev.add(applicants, EventType.ASYLUM_APPLICATION, a0, home[applicants],
           first=np.ones(len(applicants), np.int64), unaccompanied=alone)  # fmt: skip
    decided = a0 + rng.integers(30, 720, size=len(applicants))
    withdrawn = rng.random(len(applicants)) < 0.06
    closes = within(decided)
    ev.add(applicants[closes & withdrawn], EventType.ASYLUM_WITHDRAWN,
           decided[closes & withdrawn], home[applicants][closes & withdrawn])  # fmt: skip
    decide = closes & ~withdrawn
    outcome = rng.choice(len(_OUTCOMES), size=len(applicants), p=_OUTCOME_SHARES)
    ev.add(applicants[decide], EventType.ASYLUM_DECISION, decided[decide],
           home[applicants][decide],
           category=_codes(_CATEGORIES, _OUTCOMES, outcome[decide]))  # fmt: skip
    negative = decide & (outcome >= _OUTCOMES.index("rejected"))
    again = negative & (rng.random(len(applicants)) < 0.12)
    again_day = decided + rng.integers(30, 200, size=len(applicants))
    again &= within(again_day)
    ev.add(applicants[again], EventType.ASYLUM_APPLICATION, again_day[again],
           home[applicants][again], first=np.zeros(int(again.sum()), np.int64))  # fmt: skip
    ordered = negative & ~again & (rng.random(len(applicants)) < 0.6)
    order_day = decided + rng.integers(15, 120, size=len(applicants))
    ordered &= within(order_day)
    ev.add(applicants[ordered], EventType.ORDERED_TO_LEAVE, order_day[ordered],
           home[applicants][ordered])  # fmt: skip
    back = ordered & (rng.random(len(applicants)) < 0.35)
    back_day = order_day + rng.integers(10, 200, size=len(applicants))
    back &= within(back_day)
    kind = np.where(rng.random(int(back.sum())) < 0.3, "voluntary", "forced")
    ev.add(applicants[back], EventType.RETURNED, back_day[back], home[applicants][back],
           category=np.array([_CATEGORIES.index(k) for k in kind], dtype=np.int64),
           destination=citizenship[applicants][back])  # fmt: skip

    # Irregular migrants: apprehensions (repeats), order to leave, returns, readmissions.
    irregular = ids[profile == IRREGULAR]
    times = np.minimum(rng.geometric(0.6, size=len(irregular)), 6)
    caught_rows = np.repeat(irregular, times)
    caught_day = first_day + rng.integers(0, span, size=len(caught_rows))
    ev.add(caught_rows, EventType.APPREHENSION, caught_day, province_draw(len(caught_rows)))
    i0 = t0[irregular]
    ordered = rng.random(len(irregular)) < 0.7
    order_day = i0 + rng.integers(1, 30, size=len(irregular))
    ordered &= within(order_day)
    ev.add(irregular[ordered], EventType.ORDERED_TO_LEAVE, order_day[ordered],
           home[irregular][ordered])  # fmt: skip
    back = ordered & (rng.random(len(irregular)) < 0.4)
    back_day = order_day + rng.integers(5, 120, size=len(irregular))
    back &= within(back_day)
    kind = np.where(rng.random(int(back.sum())) < 0.3, "voluntary", "forced")
    ev.add(irregular[back], EventType.RETURNED, back_day[back], home[irregular][back],
           category=np.array([_CATEGORIES.index(k) for k in kind], dtype=np.int64),
           destination=citizenship[irregular][back])  # fmt: skip
    asked = ordered & ~back & (rng.random(len(irregular)) < 0.2)
    ask_day = order_day + rng.integers(5, 60, size=len(irregular))
    asked &= within(ask_day)
    ev.add(irregular[asked], EventType.READMISSION_REQUESTED, ask_day[asked],
           home[irregular][asked], destination=citizenship[irregular][asked])  # fmt: skip
    accepted = asked & (rng.random(len(irregular)) < 0.7)
    accept_day = ask_day + rng.integers(1, 30, size=len(irregular))
    accepted &= within(accept_day)
    ev.add(irregular[accepted], EventType.READMISSION_ACCEPTED, accept_day[accepted],
           home[irregular][accepted], destination=citizenship[irregular][accepted])  # fmt: skip
    executed = accepted & (rng.random(len(irregular)) < 0.8)
    execute_day = accept_day + rng.integers(5, 90, size=len(irregular))
    executed &= within(execute_day)
    ev.add(irregular[executed], EventType.READMISSION_EXECUTED, execute_day[executed],
           home[irregular][executed], destination=citizenship[irregular][executed])  # fmt: skip

    # Refusals of entry and trafficking victims.
    refused = ids[profile == REFUSED]
    ground = rng.choice(len(_GROUNDS), size=len(refused), p=_GROUND_SHARES)
    ev.add(refused, EventType.REFUSAL_OF_ENTRY, t0[refused], province_draw(len(refused)),
           category=_codes(_CATEGORIES, _GROUNDS, ground))  # fmt: skip
    victims = ids[profile == TRAFFICKED]
    form = rng.choice(len(_EXPLOITATION), size=len(victims), p=_EXPLOITATION_SHARES)
    ev.add(victims, EventType.TRAFFICKING_VICTIM_IDENTIFIED, t0[victims], home[victims],
           category=_codes(_CATEGORIES, _EXPLOITATION, form))  # fmt: skip
    permit = rng.random(len(victims)) < 0.5
    permit_day = t0[victims] + rng.integers(1, 60, size=len(victims))
    permit &= within(permit_day)
    ev.add(victims[permit], EventType.RESIDENCE_PERMIT, permit_day[permit], home[victims][permit],
           category=np.full(int(permit.sum()), _CATEGORIES.index("humanitarian"), np.int64),
           first=np.ones(int(permit.sum()), np.int64),
           valid_until=permit_day[permit] + 180)  # fmt: skip

    person = np.concatenate(ev.person)
    order = np.lexsort((np.concatenate(ev.day), person))
    sex = np.where(male, 1, 0)
    sex = np.where(rng.random(n) < 0.01, 2, sex)
    persons = pa.table(
        [
            pa.array([f"P{offset + i:09d}" for i in range(n)], pa.string()),
            _dictionary(sex.astype(np.int64), ("F", "M", "U")).cast(pa.string()),
            _dates(birth),
            _dictionary(citizenship, _COUNTRIES).cast(pa.string()),
        ],
        schema=PERSONS_SCHEMA,
    )

    def column(parts: list[IntArray]) -> IntArray:
        return np.concatenate(parts)[order]

    flags = column(ev.first)
    events = pa.table(
        [
            pa.array(
                [f"E{offset + i:09d}-{k:02d}" for i, k in _event_keys(person[order])],
                pa.string(),
            ),
            pa.array([f"P{offset + i:09d}" for i in person[order].tolist()], pa.string()),
            _dictionary(column(ev.kind), _TYPES).cast(pa.string()),
            _dates(column(ev.day)),
            _dictionary(column(ev.province), PROVINCES).cast(pa.string()),
            _dictionary(column(ev.category), _CATEGORIES).cast(pa.string()),
            pa.array(flags == 1, mask=flags < 0),
            pa.array(column(ev.unaccompanied) == 1),
            _dictionary(column(ev.destination), _COUNTRIES).cast(pa.string()),
            _dates(column(ev.valid_until)),
        ],
        schema=EVENTS_SCHEMA,
    )
    return persons, events


def _event_keys(person: IntArray) -> Iterator[tuple[int, int]]:
    """(person, running number of the person's event) for person-sorted rows."""
    previous, k = -1, 0
    for p in person.tolist():
        k = k + 1 if p == previous else 1
        previous = p
        yield p, k


def microdata_chunks(
    persons: int,
    *,
    seed: int = 2026,
    start: dt.date = dt.date(2022, 1, 1),
    end: dt.date = dt.date(2024, 12, 31),
    chunk_persons: int = 200_000,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(persons, events) tables of ``persons`` people, ``chunk_persons`` at a time.

    Events fall between ``start`` and ``end``; temporary protection registrations and
    residence permits may start up to five years earlier (stocks need their history).

    Raises:
        ValueError: ``persons`` is below 1 or the window is empty.
    """
    if persons < 1:
        raise ValueError("persons must be at least 1")
    if end < start:
        raise ValueError("the window ends before it starts")
    for number, offset in enumerate(range(0, persons, chunk_persons)):
        rng = np.random.default_rng([seed, number])
        yield _chunk(offset, min(chunk_persons, persons - offset), rng, start, end)


def generate_microdata(
    persons: int,
    *,
    seed: int = 2026,
    start: dt.date = dt.date(2022, 1, 1),
    end: dt.date = dt.date(2024, 12, 31),
    chunk_persons: int = 200_000,
) -> tuple[pa.Table, pa.Table]:
    """The persons and events of ``persons`` people as two tables (see the module doc);
    the same as :func:`write_microdata` writes with the same arguments."""
    chunks = list(
        microdata_chunks(persons, seed=seed, start=start, end=end, chunk_persons=chunk_persons)
    )
    return (
        pa.concat_tables([p for p, _ in chunks]),
        pa.concat_tables([e for _, e in chunks]),
    )


@dataclass(frozen=True)
class MicrodataFiles:
    """Where :func:`write_microdata` put the Parquet part files, and how many rows."""

    persons: Path
    events: Path
    person_count: int
    event_count: int


def write_microdata(
    out_dir: Path,
    persons: int,
    *,
    seed: int = 2026,
    start: dt.date = dt.date(2022, 1, 1),
    end: dt.date = dt.date(2024, 12, 31),
    chunk_persons: int = 200_000,
) -> MicrodataFiles:
    """Write ``out_dir/persons/part-NNNN.parquet`` and ``out_dir/events/...`` with DuckDB.

    About 3 events per person: 3.4 million persons give about 10 million events.
    """
    import duckdb

    folders = {name: out_dir / name for name in ("persons", "events")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("part-*.parquet"):
            old.unlink()
    con = duckdb.connect()
    counts = {"persons": 0, "events": 0}
    chunks = microdata_chunks(persons, seed=seed, start=start, end=end, chunk_persons=chunk_persons)
    for number, (person_table, event_table) in enumerate(chunks):
        for name, table in (("persons", person_table), ("events", event_table)):
            con.register("chunk", table)
            target = folders[name] / f"part-{number:04d}.parquet"
            con.execute(
                f"COPY (SELECT * FROM chunk) TO '{target}' "  # noqa: S608 - our own paths
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            con.unregister("chunk")
            counts[name] += table.num_rows
    con.close()
    return MicrodataFiles(
        persons=folders["persons"],
        events=folders["events"],
        person_count=counts["persons"],
        event_count=counts["events"],
    )
