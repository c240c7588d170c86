"""The agency sources: who appears where, and how each agency writes what it records.

Each source renders its records once into a neutral bundle (names in the agency's spelling,
date parts, codes); the linkage table and the agency's own file layout are both derived from
that bundle, so ``generate()`` and the extract files describe the same records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ura.synth.names import (
    ARABIC_SCRIPT,
    NATIONALITIES,
    IntArray,
    NameTable,
    ObjectArray,
    Style,
    add_typos,
    render,
)
from ura.synth.population import DOB_DAY, DOB_YEAR, Population

#: Date-of-birth kinds in a record.
KIND_DAY, KIND_MONTH, KIND_PLACEHOLDER, KIND_YEAR, KIND_MISSING = 0, 1, 2, 3, 4
_CYRILLIC_READERS = frozenset({"RUS", "UKR", "UZB", "TKM", "GEO", "AZE"})


@dataclass(frozen=True)
class SourceSpec:
    """How one agency source behaves. Rates are per record."""

    name: str
    agency: str
    description: str
    style: Style
    weight: float  # affinity of most people for this source
    weight_kosovo: float  # affinity of Kosovo residents and returnees
    year_only_as_placeholder: bool  # write unknown day as 1 January (else year only)
    typo_rate: float
    swap_rate: float  # given <-> family name order swapped
    father_missing: float  # 1.0 = the source has no father's name
    mother_missing: float
    extra_year_only: float  # records the year only even when the day is known (age told)
    dob_missing: float
    sex_missing: float


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("dgmm-registration", "DGMM", "Foreigner registration extract (Türkiye)",
               Style.TURKISH_UPPER, 1.0, 0.15, True, 0.02, 0.02, 0.03, 0.10, 0.0, 0.005, 0.005),
    SourceSpec("gendarmerie-apprehensions", "GENDARMERIE", "Irregular migrant apprehensions",
               Style.TURKISH_TITLE, 0.45, 0.05, True, 0.04, 0.03, 0.25, 1.0, 0.15, 0.03, 0.02),
    SourceSpec("coastguard-apprehensions", "COASTGUARD", "Sea rescues and apprehensions",
               Style.LATIN_VARIANT, 0.35, 0.02, False, 0.06, 0.08, 0.5, 1.0, 0.30, 0.08, 0.03),
    SourceSpec("border-police-entries", "BORDER-POLICE", "Border crossings (passport data)",
               Style.ICAO, 0.5, 0.4, True, 0.01, 0.01, 1.0, 1.0, 0.0, 0.0, 0.0),
    SourceSpec("ngo-shelter-intake", "NGO-SHELTER", "Shelter intake (Arabic-script names)",
               Style.ARABIC, 0.35, 0.05, False, 0.03, 0.03, 0.10, 0.40, 0.10, 0.05, 0.01),
    SourceSpec("kosovo-returns", "KOSOVO-DCAM", "Returns and reintegration register (Kosovo)",
               Style.ALBANIAN, 0.03, 1.0, True, 0.02, 0.02, 0.05, 0.20, 0.0, 0.01, 0.005),
    SourceSpec("kosovo-civil-register", "KOSOVO-DCAM", "Civil registration, Serbian language",
               Style.SERBIAN_CYRILLIC, 0.06, 0.6, True, 0.03, 0.02, 0.10, 0.30, 0.0, 0.01, 0.01),
)  # fmt: skip

#: How many sources a person appears in (1..6), most in one or two.
_SOURCES_PER_PERSON = np.array([0.52, 0.28, 0.12, 0.05, 0.02, 0.01])
_DUPLICATE_RATE = 0.04


@dataclass(frozen=True)
class Bundle:
    """One source's records, rendered; arrays of equal length."""

    person: IntArray
    given: ObjectArray
    family: ObjectArray
    father: ObjectArray
    mother: ObjectArray
    full_name_original: ObjectArray
    sex: ObjectArray  # M / F / U
    year: IntArray
    month: IntArray
    day: IntArray
    dob_kind: IntArray
    nationality: ObjectArray  # alpha-3
    document_number: ObjectArray
    event_date: npt.NDArray[np.datetime64]
    place: IntArray  # province / municipality number

    def __len__(self) -> int:
        return len(self.person)


def assign_sources(population: Population, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """(person, source) for every record, in person order; a few people twice in a source."""
    n = len(population)
    kosovo = population.nationality == NATIONALITIES.index("XKX")
    arabic = np.isin(population.nationality, [NATIONALITIES.index(c) for c in ARABIC_SCRIPT])
    cyrillic = np.isin(population.nationality, [NATIONALITIES.index(c) for c in _CYRILLIC_READERS])
    weights = np.empty((n, len(SOURCES)))
    for s, spec in enumerate(SOURCES):
        weights[:, s] = np.where(kosovo, spec.weight_kosovo, spec.weight)
        if spec.style is Style.ARABIC:
            weights[:, s] += np.where(arabic, 0.35, 0.0)
        if spec.style is Style.SERBIAN_CYRILLIC:
            weights[:, s] += np.where(cyrillic, 0.2, 0.0)
    k = 1 + rng.choice(len(_SOURCES_PER_PERSON), size=n, p=_SOURCES_PER_PERSON)
    # Weighted sampling without replacement, all rows at once (Gumbel top-k).
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    order = np.argsort(-keys, axis=1)
    chosen = np.arange(len(SOURCES))[None, :] < k[:, None]
    person = np.repeat(np.arange(n), chosen.sum(axis=1))
    source = order[chosen]
    duplicate = rng.random(len(person)) < _DUPLICATE_RATE
    person = np.concatenate([person, person[duplicate]])
    source = np.concatenate([source, source[duplicate]])
    return person.astype(np.int64), source.astype(np.int64)


def _join(first: ObjectArray, second: ObjectArray) -> ObjectArray:
    return np.asarray(
        [f"{a} {b}" if b else a for a, b in zip(first.tolist(), second.tolist(), strict=True)],
        dtype=object,
    )


def _blank(values: ObjectArray, rate: float, rng: np.random.Generator) -> ObjectArray:
    return np.asarray(np.where(rng.random(len(values)) < rate, "", values), dtype=object)


def render_source(
    spec: SourceSpec,
    person: IntArray,
    population: Population,
    table: NameTable,
    rng: np.random.Generator,
) -> Bundle:
    """The records of ``person`` (one per entry) as ``spec``'s agency writes them."""
    m = len(person)
    nat = population.nationality[person]
    nat_codes = np.asarray(NATIONALITIES, dtype=object)[nat]
    if spec.style is Style.ARABIC:
        native = np.isin(nat_codes, list(ARABIC_SCRIPT))
    else:
        native = nat_codes == "XKX"
    fixed = population.passport_variant[person]

    def names(index: IntArray, *, pinned: bool = False) -> ObjectArray:
        return render(
            table, index, spec.style, rng, native=native, fixed_variant=fixed if pinned else None
        )

    given = _join(
        names(population.given[person], pinned=True),
        names(population.given2[person], pinned=True),
    )
    family = names(population.family[person], pinned=True)
    father = _blank(names(population.father[person]), spec.father_missing, rng)
    mother = _blank(names(population.mother[person]), spec.mother_missing, rng)
    given = add_typos(given, spec.typo_rate, rng)
    family = add_typos(family, spec.typo_rate, rng)
    father = add_typos(father, spec.typo_rate, rng)
    swap = rng.random(m) < spec.swap_rate
    given, family = np.where(swap, family, given), np.where(swap, given, family)
    if spec.style is Style.ARABIC:
        chain = _join(_join(given, father), family)
        full_name_original = np.asarray(np.where(native, chain, ""), dtype=object)
    else:
        full_name_original = np.full(m, "", dtype=object)

    female = population.female[person]
    sex = np.where(female, "F", "M").astype(object)
    sex = np.asarray(np.where(rng.random(m) < spec.sex_missing, "U", sex), dtype=object)

    birth = population.birth[person]
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (birth.astype("datetime64[M]").astype(np.int64) % 12) + 1
    day = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    known = population.dob_known[person]
    year_kind = KIND_PLACEHOLDER if spec.year_only_as_placeholder else KIND_YEAR
    told_year = rng.random(m) < spec.extra_year_only
    kind = np.where(
        known == DOB_DAY,
        np.where(told_year, year_kind, KIND_DAY),
        np.where(known == DOB_YEAR, year_kind, KIND_MONTH),
    )
    # A true 1 January birthday looks like a placeholder to any register that uses one.
    kind = np.where((kind == KIND_DAY) & (month == 1) & (day == 1), KIND_PLACEHOLDER, kind)
    kind = np.where(rng.random(m) < spec.dob_missing, KIND_MISSING, kind)
    # Occasional slips in the date itself: year off by one.
    year = year + np.where(rng.random(m) < 0.01, rng.choice([-1, 1], size=m), 0)
    day = np.where((month == 2) & (day == 29), 28, day)  # the slipped year may not be leap

    event_date = np.datetime64("2015-01-01") + rng.integers(0, 3987, size=m).astype(
        "timedelta64[D]"
    )
    place = rng.integers(1, 82, size=m)
    document = _document_numbers(spec, person, nat_codes)
    return Bundle(
        person=person,
        given=given,
        family=family,
        father=father,
        mother=mother,
        full_name_original=full_name_original,
        sex=sex,
        year=year.astype(np.int64),
        month=month.astype(np.int64),
        day=day.astype(np.int64),
        dob_kind=kind.astype(np.int64),
        nationality=nat_codes,
        document_number=document,
        event_date=event_date,
        place=place.astype(np.int64),
    )


def _document_numbers(spec: SourceSpec, person: IntArray, nat_codes: ObjectArray) -> ObjectArray:
    """Person-level numbers (the same person has the same number in every source): an
    affine bijection of the person index, so numbers are unique without a lookup table."""
    if spec.agency in {"DGMM", "GENDARMERIE"}:
        numbers = (person * 7_654_321 + 123_456_789) % 1_000_000_000
        return np.asarray([f"99{x:09d}" for x in numbers.tolist()], dtype=object)
    if spec.agency == "BORDER-POLICE":
        numbers = (person * 48_271 + 10_000_019) % 100_000_000
        letters = np.asarray(list("NPRSTUZ"), dtype=object)[person % 7]
        return np.asarray(
            [f"{c}{x:08d}" for c, x in zip(letters.tolist(), numbers.tolist(), strict=True)],
            dtype=object,
        )
    if spec.agency == "KOSOVO-DCAM":
        numbers = (person * 91_837 + 1_000_003) % 1_000_000_000
        out = [f"1{x:09d}" for x in numbers.tolist()]
        return np.asarray(np.where(nat_codes == "XKX", out, ""), dtype=object)
    return np.full(len(person), "", dtype=object)
