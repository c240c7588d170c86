"""Comparison levels on hand-made pairs, scored by Splink on DuckDB with an untrained
model (levels do not depend on training)."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator

from tests.linkage.conftest import make_table
from ura.linkage.model import ura_comparisons
from ura.linkage.prepare import normalise_document, prepare


def _levels(rows: list[dict[str, Any]], comparison: str) -> dict[tuple[str, str], str]:
    """Plain level label of ``comparison`` for every pair of ``rows`` (all pairs)."""
    table = prepare(make_table([{"source": "t", **r} for r in rows]))
    api = DuckDBAPI(connection=duckdb.connect())
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[*ura_comparisons()],
        blocking_rules_to_generate_predictions=[{"blocking_rule": "1=1"}],
        retain_matching_columns=True,
    )
    linker = Linker(api.register(table), settings, log_level="WARNING")
    predictions = linker.inference.predict(warning_mode="never")
    pairs: pa.Table = predictions.as_pyarrow_table()  # type: ignore[no-untyped-call]
    model = linker.misc.save_model_to_json()
    spec = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)
    levels = spec["comparison_levels"]
    non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
    by_gamma = {-1: next(lvl for lvl in levels if lvl.get("is_null_level"))}
    by_gamma.update({len(non_null) - 1 - i: lvl for i, lvl in enumerate(non_null)})
    out: dict[tuple[str, str], str] = {}
    for row in pairs.to_pylist():
        key = (row["unique_id_l"].split("/")[1], row["unique_id_r"].split("/")[1])
        lo, hi = sorted(key)
        out[(lo, hi)] = by_gamma[row[f"gamma_{comparison}"]]["label_for_charts"]
    return out


def _dob(rid: str, date: str, precision: str = "day", placeholder: bool = False) -> dict[str, Any]:
    return {
        "record_id": rid,
        "date_of_birth": date,
        "date_of_birth_precision": precision,
        "date_of_birth_placeholder": placeholder,
    }


def test_date_of_birth_levels_know_placeholders_and_precision() -> None:
    levels = _levels(
        [
            _dob("a", "1990-05-17"),
            _dob("b", "1990-05-17"),
            _dob("c", "1990-01-01", placeholder=True),
            _dob("d", "1990-01-01", placeholder=True),
            _dob("e", "1990-05-03"),
            _dob("f", "1991-08-30"),
            _dob("g", "1990-06-01", precision="year"),
            _dob("h", "1990-05-18"),
            _dob("u", "", precision="unknown"),
            _dob("z", "1975-02-02"),
        ],
        "date_of_birth",
    )
    assert levels[("a", "b")] == "same date of birth"
    # two placeholders of 1 January say nothing about the day: year only
    assert levels[("c", "d")] == "same year of birth; day and month not known on one side"
    assert levels[("a", "c")] == "same year of birth; day and month not known on one side"
    assert levels[("a", "g")] == "same year of birth; day and month not known on one side"
    assert levels[("a", "e")] == "same year and month of birth"
    assert levels[("a", "h")] == "same year and month of birth"
    assert levels[("a", "f")] == "born within one year"
    assert levels[("a", "u")] == "not recorded on one side"
    assert levels[("a", "z")] == "different"


def test_dates_differing_by_one_digit() -> None:
    levels = _levels([_dob("a", "1990-05-17"), _dob("b", "1990-07-17")], "date_of_birth")
    assert levels[("a", "b")] == "dates of birth differ by one digit"


def test_document_levels_tolerate_one_typo_and_formatting() -> None:
    levels = _levels(
        [
            {"record_id": "a", "document_number": "ab-123 456"},
            {"record_id": "b", "document_number": "AB123456"},
            {"record_id": "c", "document_number": "AB123465"},
            {"record_id": "d", "document_number": "XY987654"},
            {"record_id": "e"},
        ],
        "document",
    )
    assert levels[("a", "b")] == "same document number"
    assert levels[("a", "c")] == "document numbers differ by one character"
    assert levels[("a", "d")] == "different document numbers"
    assert levels[("a", "e")] == "not recorded on one side"
    assert normalise_document(" 99-123.456 a") == "99123456A"


def test_names_swapped_and_original_script_only() -> None:
    rows = [
        {"record_id": "a", "given_names": "Ahmad", "family_name": "Karimi"},
        {"record_id": "b", "given_names": "Karimi", "family_name": "Ahmad"},
        {"record_id": "c", "full_name_original": "أحمد كريمي"},
        {"record_id": "d", "given_names": "Ahmed", "family_name": "Kerimi"},
    ]
    given = _levels(rows, "given")
    full = _levels(rows, "full_name")
    assert given[("a", "b")] == "given and family names swapped"
    assert given[("a", "c")] == "not recorded on one side"
    assert full[("a", "b")] == "compared by given and family name instead, or not recorded"
    assert full[("a", "c")] != "different"
    assert given[("a", "d")] in {"same consonants (spelling variant)", "sound the same"}
