"""Small builders shared by the ingest tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ura.ingest import Accepted, Mapping, Rejected, ingest, parse_mapping

BASE_FIELDS = """
  given_names: {column: AD}
  family_name: {column: SOYAD, required: true}
  sex: {column: CINSIYET, codes: {E: M, K: F, "": U}}
  date_of_birth: {column: DOGUM, formats: ["%d.%m.%Y", "%m.%Y", "%Y"]}
  nationality: {column: UYRUK, codes: {SUR: SYR}, code_list: iso3166-alpha3}
"""


def csv_mapping(options: str = "", fields: str = BASE_FIELDS, extra: str = "") -> Mapping:
    """A CSV mapping over columns KNO;AD;SOYAD;CINSIYET;DOGUM;UYRUK."""
    text = (
        "source: test-source\nagency: TEST\nformat: csv\n"
        + (f"options: {{{options}}}\n" if options else "")
        + "record_id: [KNO]\nfields:"
        + fields
        + extra
    )
    return parse_mapping(text)


def run(mapping: Mapping, *files: Path) -> list[Accepted | Rejected]:
    return list(ingest(mapping, files))


def accepted(outcomes: Sequence[Accepted | Rejected]) -> list[Accepted]:
    return [o for o in outcomes if isinstance(o, Accepted)]


def rejected(outcomes: Sequence[Accepted | Rejected]) -> list[Rejected]:
    return [o for o in outcomes if isinstance(o, Rejected)]


def codes(outcome: Accepted | Rejected) -> set[str]:
    assert isinstance(outcome, Rejected), outcome
    return {reason.code for reason in outcome.reasons}
