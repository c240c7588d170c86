"""``generate()``: the synthetic records as a linkage table plus ground truth, no files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ura.records import LINKAGE_COLUMNS
from ura.synth.names import ObjectArray, name_table
from ura.synth.population import Population, generate_population
from ura.synth.sources import (
    KIND_DAY,
    KIND_MISSING,
    KIND_MONTH,
    KIND_PLACEHOLDER,
    SOURCES,
    Bundle,
    SourceSpec,
    assign_sources,
    render_source,
)

TRUTH_COLUMNS = ("source", "record_id", "person_id", "household_id")
_ARABIC_OR_CYRILLIC = r"[\x{0600}-\x{06FF}\x{0400}-\x{04FF}]"
_LATIN = r"[A-Za-z]"


@dataclass(frozen=True)
class Rendered:
    """A whole synthetic run: the population and, per source, its rendered records."""

    population: Population
    sources: tuple[tuple[SourceSpec, Bundle, ObjectArray], ...]  # spec, bundle, record ids


def _record_ids(spec: SourceSpec, m: int) -> ObjectArray:
    if spec.name == "coastguard-apprehensions":
        # Incident number / person number within the incident (two id columns).
        return np.asarray([f"{i // 7 + 1}/{i % 7 + 1}" for i in range(m)], dtype=object)
    prefix = "".join(part[0] for part in spec.name.split("-")).upper()
    return np.asarray([f"{prefix}{i + 1:08d}" for i in range(m)], dtype=object)


def render_all(persons: int, seed: int) -> Rendered:
    """Draw the population and render every source; the same seed gives the same records."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    table = name_table()
    rng = np.random.default_rng([seed, 0])
    population = generate_population(persons, table, rng)
    person, source = assign_sources(population, rng)
    rendered: list[tuple[SourceSpec, Bundle, ObjectArray]] = []
    for s, spec in enumerate(SOURCES):
        source_rng = np.random.default_rng([seed, 1 + s])
        rows = person[source == s]
        # An extract lists its rows in its own order (by registration), not by person.
        rows = rows[source_rng.permutation(len(rows))]
        bundle = render_source(spec, rows, population, table, source_rng)
        rendered.append((spec, bundle, _record_ids(spec, len(rows))))
    return Rendered(population=population, sources=tuple(rendered))


def _iso_dates(bundle: Bundle) -> tuple[list[str], list[str], list[bool]]:
    dates: list[str] = []
    precision: list[str] = []
    placeholder: list[bool] = []
    for kind, y, m, d in zip(
        bundle.dob_kind.tolist(),
        bundle.year.tolist(),
        bundle.month.tolist(),
        bundle.day.tolist(),
        strict=True,
    ):
        if kind == KIND_MISSING:
            dates.append("")
            precision.append("unknown")
        elif kind == KIND_DAY:
            dates.append(f"{y:04d}-{m:02d}-{d:02d}")
            precision.append("day")
        elif kind == KIND_MONTH:
            dates.append(f"{y:04d}-{m:02d}-01")
            precision.append("month")
        else:
            dates.append(f"{y:04d}-01-01")
            precision.append("year")
        placeholder.append(kind == KIND_PLACEHOLDER)
    return dates, precision, placeholder


_DOCUMENT_TYPE = {
    "DGMM": ("foreigner_id", "TUR"),
    "GENDARMERIE": ("foreigner_id", "TUR"),
    "BORDER-POLICE": ("passport", "nationality"),
    "KOSOVO-DCAM": ("national_id", "XKX"),
}


def linkage_table(rendered: Rendered) -> tuple[pa.Table, pa.Table]:
    """The records as the linkage table (LINKAGE_COLUMNS) and the truth table."""
    columns: dict[str, list[object]] = {name: [] for name in LINKAGE_COLUMNS}
    truth: dict[str, list[object]] = {name: [] for name in TRUTH_COLUMNS}
    population = rendered.population
    for spec, bundle, record_ids in rendered.sources:
        m = len(bundle)
        dates, precision, placeholder = _iso_dates(bundle)
        doc_type, doc_country = _DOCUMENT_TYPE.get(spec.agency, ("", ""))
        has_doc = bundle.document_number != ""
        if doc_country == "nationality":
            countries = np.where(has_doc, bundle.nationality, "")
        else:
            countries = np.where(has_doc, doc_country, "")
        columns["source"].extend([spec.name] * m)
        columns["record_id"].extend(record_ids.tolist())
        columns["given_names"].extend(bundle.given.tolist())
        columns["family_name"].extend(bundle.family.tolist())
        columns["father_name"].extend(bundle.father.tolist())
        columns["mother_name"].extend(bundle.mother.tolist())
        columns["full_name_original"].extend(bundle.full_name_original.tolist())
        columns["sex"].extend(bundle.sex.tolist())
        columns["date_of_birth"].extend(dates)
        columns["date_of_birth_precision"].extend(precision)
        columns["date_of_birth_placeholder"].extend(placeholder)
        columns["nationality"].extend(bundle.nationality.tolist())
        columns["document_type"].extend(np.where(has_doc, doc_type, "").tolist())
        columns["document_number"].extend(bundle.document_number.tolist())
        columns["document_country"].extend(countries.tolist())
        truth["source"].extend([spec.name] * m)
        truth["record_id"].extend(record_ids.tolist())
        truth["person_id"].extend([f"P{p:08d}" for p in bundle.person.tolist()])
        truth["household_id"].extend(
            [f"H{h:08d}" for h in population.household[bundle.person].tolist()]
        )
    schema = pa.schema(
        [
            (name, pa.bool_() if name == "date_of_birth_placeholder" else pa.string())
            for name in LINKAGE_COLUMNS
        ]
    )
    records = pa.Table.from_pydict(columns, schema=schema)
    truth_table = pa.Table.from_pydict(
        truth, schema=pa.schema([(name, pa.string()) for name in TRUTH_COLUMNS])
    )
    return records, truth_table


def generate(persons: int, seed: int = 2026) -> tuple[pa.Table, pa.Table]:
    """Records of ``persons`` synthetic people across all sources, as
    (linkage table with exactly LINKAGE_COLUMNS, truth: source, record_id, person_id,
    household_id). The records equal the valid rows of ``write_extracts`` for the same
    ``persons`` and ``seed`` after ingest, field for field."""
    return linkage_table(render_all(persons, seed))


def cross_script_subset(records: pa.Table, truth: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The records (and truth rows) of people who have at least one record whose name is in
    Arabic or Cyrillic script and at least one whose name is in Latin script: the pairs that
    string metrics alone cannot match."""
    names = pc.binary_join_element_wise(records["given_names"], records["family_name"], " ")
    non_latin = pc.match_substring_regex(names, _ARABIC_OR_CYRILLIC)
    latin = pc.match_substring_regex(names, _LATIN)
    person = truth["person_id"]
    with_non_latin = pc.unique(pc.filter(person, non_latin))
    with_latin = pc.unique(pc.filter(person, latin))
    both = pc.is_in(with_non_latin, value_set=with_latin)
    wanted = pc.filter(with_non_latin, both)
    mask = pc.is_in(person, value_set=wanted)
    return records.filter(mask), truth.filter(mask)
