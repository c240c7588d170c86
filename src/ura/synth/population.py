"""The synthetic population: households of people with the relations that make linkage hard.

Households share a family name; children share their father's given name as father's name;
some children are twins (same date of birth, different given name). Names come from the
nationality's pools with a skewed frequency, so very common names (Mohammad, Ahmad, Ali)
collide between unrelated people, as they do in real registers. Everything is vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ura.synth.names import NATIONALITIES, NATIONALITY_SHARES, IntArray, NameTable

BoolArray = npt.NDArray[np.bool_]

HEAD, SPOUSE, CHILD = 0, 1, 2
_HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6, 7])
_HOUSEHOLD_SHARES = np.array([0.40, 0.12, 0.12, 0.12, 0.10, 0.08, 0.06])
#: Nationalities where a wife usually takes her husband's family name.
_WIFE_TAKES_NAME = frozenset({"RUS", "UKR", "UZB", "TKM", "AZE", "GEO", "XKX"})
_TWIN_RATE = 0.05
#: Share of people whose date of birth is known only by year (registers then write 1 January).
_YEAR_ONLY = {"AFG": 0.45, "PAK": 0.30, "SYR": 0.25, "IRQ": 0.25}
_YEAR_ONLY_DEFAULT = 0.12
_MONTH_ONLY = 0.03
DOB_DAY, DOB_MONTH, DOB_YEAR = 0, 1, 2


@dataclass(frozen=True)
class Population:
    """One row per person (arrays of equal length). Name fields are indices into the
    NameTable (-1 = none); ``family`` is already in the person's (feminine) form,
    ``family_root`` the household's form."""

    household: IntArray
    role: IntArray
    nationality: IntArray  # index into NATIONALITIES
    female: BoolArray
    given: IntArray
    given2: IntArray
    family: IntArray
    family_root: IntArray
    father: IntArray
    mother: IntArray
    birth: npt.NDArray[np.datetime64]  # true date of birth
    dob_known: IntArray  # DOB_DAY / DOB_MONTH / DOB_YEAR: what the person can document
    twin: BoolArray
    passport_variant: IntArray  # which Latin spelling the person's passport uses

    def __len__(self) -> int:
        return len(self.household)


def _sample(
    table: NameTable, kind: str, nationality: IntArray, rng: np.random.Generator
) -> IntArray:
    out = np.empty(len(nationality), dtype=np.int64)
    for code, nat in enumerate(NATIONALITIES):
        rows = np.flatnonzero(nationality == code)
        if len(rows):
            indices, weights = table.pools[nat][kind]
            out[rows] = rng.choice(indices, size=len(rows), p=weights)
    return out


def _given(
    table: NameTable, female: BoolArray, nationality: IntArray, rng: np.random.Generator
) -> IntArray:
    male_names = _sample(table, "male", nationality, rng)
    female_names = _sample(table, "female", nationality, rng)
    return np.where(female, female_names, male_names)


def generate_population(persons: int, table: NameTable, rng: np.random.Generator) -> Population:
    """``persons`` people in households, drawn from ``rng``."""
    n = persons
    sizes = rng.choice(_HOUSEHOLD_SIZES, size=max(n, 1), p=_HOUSEHOLD_SHARES)
    ends = np.cumsum(sizes)
    households = int(np.searchsorted(ends, n) + 1)
    sizes = sizes[:households]
    starts = ends[:households] - sizes
    household = np.repeat(np.arange(households), sizes)[:n]
    position = np.arange(n) - starts[household]
    size = sizes[household]

    hh_nationality = rng.choice(len(NATIONALITIES), size=households, p=NATIONALITY_SHARES)
    hh_head_female = rng.random(households) < np.where(sizes > 1, 0.15, 0.30)
    hh_has_spouse = (sizes > 1) & (rng.random(households) < 0.8)
    nationality = hh_nationality[household]
    role = np.where(
        position == 0, HEAD, np.where((position == 1) & hh_has_spouse[household], SPOUSE, CHILD)
    )
    head_female = hh_head_female[household]
    female = np.where(
        role == HEAD, head_female, np.where(role == SPOUSE, ~head_female, rng.random(n) < 0.5)
    )

    given = _given(table, female, nationality, rng)
    # Compound given names (Mohammad Ali, Ahmad Reza) for some men of the Arabic-script
    # nationalities: the second part is another common male name.
    compound = (~female) & (nationality <= 4) & (rng.random(n) < 0.10)
    given2 = np.where(compound, _sample(table, "male", nationality, rng), -1)
    given2 = np.where(given2 == given, -1, given2)

    hh_family = _sample(table, "family", hh_nationality, rng)
    own_family = _sample(table, "family", nationality, rng)
    takes_name = np.isin(nationality, [NATIONALITIES.index(c) for c in _WIFE_TAKES_NAME])
    spouse_keeps = (role == SPOUSE) & ~(takes_name & (rng.random(n) < 0.8))
    family_root = np.where(spouse_keeps, own_family, hh_family[household])
    family = np.where(female, table.feminine[family_root], family_root)

    head_rows = starts
    spouse_rows = np.where(hh_has_spouse, starts + 1, -1)
    own_father = _sample(table, "male", nationality, rng)
    own_mother = _sample(table, "female", nationality, rng)
    hh_absent_father = _sample(table, "male", hh_nationality, rng)
    hh_absent_mother = _sample(table, "female", hh_nationality, rng)
    head_given = given[np.minimum(head_rows, n - 1)]
    spouse_given = np.where(spouse_rows >= 0, given[np.clip(spouse_rows, 0, n - 1)], -1)
    hh_father = np.where(~hh_head_female, head_given, np.where(spouse_rows >= 0, spouse_given, -1))
    hh_father = np.where(hh_father < 0, hh_absent_father, hh_father)
    hh_mother = np.where(hh_head_female, head_given, np.where(spouse_rows >= 0, spouse_given, -1))
    hh_mother = np.where(hh_mother < 0, hh_absent_mother, hh_mother)
    is_child = role == CHILD
    father = np.where(is_child, hh_father[household], own_father)
    mother = np.where(is_child, hh_mother[household], own_mother)

    head_year = rng.integers(1958, 2004, size=households)
    year = np.where(
        role == HEAD,
        head_year[household],
        np.where(
            role == SPOUSE,
            head_year[household] + rng.integers(-3, 9, size=n),
            head_year[household] + rng.integers(19, 42, size=n),
        ),
    )
    year = np.where(year > 2025, 2025 - rng.integers(0, 6, size=n), year)
    day_of_year = rng.integers(0, 365, size=n)
    birth: npt.NDArray[np.datetime64] = (year - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ) + day_of_year.astype("timedelta64[D]")

    year_only_share = np.array([_YEAR_ONLY.get(c, _YEAR_ONLY_DEFAULT) for c in NATIONALITIES])
    draw = rng.random(n)
    dob_known = np.where(
        draw < year_only_share[nationality],
        DOB_YEAR,
        np.where(draw < year_only_share[nationality] + _MONTH_ONLY, DOB_MONTH, DOB_DAY),
    )

    # Twins: a child born the same day as the previous child of the household.
    previous_is_child = np.zeros(n, dtype=bool)
    previous_is_child[1:] = is_child[:-1] & (household[1:] == household[:-1])
    twin_second = is_child & previous_is_child & (rng.random(n) < _TWIN_RATE) & (size >= 3)
    twin = twin_second.copy()
    rows = np.flatnonzero(twin_second)
    twin[rows - 1] = True
    for row in rows.tolist():  # in order, so triplets share one date; few rows
        birth[row] = birth[row - 1]
        dob_known[row] = dob_known[row - 1]
        # Twins never share a given name.
        while given[row] == given[row - 1]:
            kind = "female" if female[row] else "male"
            pool = table.pools[NATIONALITIES[nationality[row]]][kind][0]
            given[row] = pool[int(rng.integers(0, len(pool)))]

    passport_variant = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 1 << 20, size=n))
    return Population(
        household=household.astype(np.int64),
        role=role.astype(np.int64),
        nationality=nationality.astype(np.int64),
        female=female.astype(bool),
        given=given.astype(np.int64),
        given2=given2.astype(np.int64),
        family=family.astype(np.int64),
        family_root=family_root.astype(np.int64),
        father=father.astype(np.int64),
        mother=mother.astype(np.int64),
        birth=birth,
        dob_known=dob_known.astype(np.int64),
        twin=twin,
        passport_variant=passport_variant.astype(np.int64),
    )
