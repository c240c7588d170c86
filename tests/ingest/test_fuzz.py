"""Hypothesis: whatever the input, every data row comes out exactly once and reconciles."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ura.ingest import Accepted, Mapping, Rejected, ingest, parse_mapping, summarise

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COLUMNS = ["ID", "GIVEN", "FAMILY", "SEX", "DOB", "NAT"]
FIELDS = """
record_id: [ID]
fields:
  given_names: {column: GIVEN}
  family_name: {column: FAMILY, required: true}
  sex: {column: SEX, codes: {E: M, K: F, "": U}}
  date_of_birth: {column: DOB, formats: ["%d.%m.%Y", "%Y"]}
  nationality: {column: NAT, code_list: iso3166-alpha2}
"""
ENCODINGS = ["utf-8", "utf-8-sig", "cp1254", "cp1256", "iso-8859-9", "utf-16", "utf-16-be"]


def csv_mapping(delimiter: str, encoding: str) -> Mapping:
    options = f'options: {{delimiter: "{delimiter}", encoding: {encoding}}}\n'
    return parse_mapping("source: fuzz\nagency: FUZZ\nformat: csv\n" + options + FIELDS)


JSONL = parse_mapping("source: fuzz\nagency: FUZZ\nformat: jsonl\n" + FIELDS)


def check(outcomes: Sequence[Accepted | Rejected], rows: int) -> None:
    summary = summarise(outcomes)
    assert summary.read == summary.accepted + summary.quarantined == len(outcomes)
    assert [o.row_number for o in outcomes] == list(range(1, rows + 1))
    for outcome in outcomes:
        if isinstance(outcome, Rejected):
            assert outcome.reasons
            assert outcome.raw is not None or outcome.raw_text
        assert len(outcome.row_digest) == 64


def ingest_bytes(mapping: Mapping, data: bytes, suffix: str) -> list[Accepted | Rejected]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        return list(ingest(mapping, [path]))


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)
cells = st.one_of(
    cell_text, st.sampled_from(["", "E", "K", "01.01.1985", "00.00.1985", "1985", "TR", "XK"])
)


@FUZZ
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_ragged_csv_rows_all_come_out_once(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    data_rows = 0
    for row in rows:
        if not row:
            continue  # csv.writer writes a blank line, and blank lines are not rows
        writer.writerow(row)
        data_rows += 1
    text = buffer.getvalue()
    data = text.encode(encoding, errors="replace")
    outcomes = ingest_bytes(csv_mapping(delimiter, encoding), data, ".csv")
    check(outcomes, data_rows)
    for outcome, row in zip(outcomes, [r for r in rows if r], strict=True):
        if len(row) != len(COLUMNS):
            assert isinstance(outcome, Rejected)
            assert {r.code for r in outcome.reasons} <= {"field_count", "decode_error"}


@FUZZ
@given(
    lines=st.lists(
        st.binary(max_size=30).filter(
            lambda b: b"\n" not in b and b"\r" not in b and b'"' not in b
        ),
        max_size=10,
    ),
    encoding=st.sampled_from(["utf-8", "cp1254", "cp1256", "iso-8859-9"]),
)
def test_random_bytes_never_break_a_csv_file(lines: list[bytes], encoding: str) -> None:
    header = ",".join(COLUMNS).encode(encoding)
    body = [line for line in lines if line.strip()]
    data = header + b"\n" + b"".join(line + b"\n" for line in body)
    outcomes = ingest_bytes(csv_mapping(",", encoding), data, ".csv")
    check(outcomes, len(body))
    for outcome, line in zip(outcomes, body, strict=True):
        if isinstance(outcome, Rejected) and outcome.raw is None and outcome.raw_base64:
            import base64

            assert base64.b64decode(outcome.raw_base64) == line + b"\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cell_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cell_text, inner, max_size=3),
    max_leaves=6,
)
json_rows = st.one_of(
    st.dictionaries(st.sampled_from(COLUMNS), json_values | cells, max_size=6).map(json.dumps),
    json_values.map(json.dumps),
    cell_text.filter(lambda t: "\n" not in t and "\r" not in t),
)


@FUZZ
@given(rows=st.lists(json_rows, max_size=12))
def test_jsonl_of_any_shape_reconciles(rows: list[str]) -> None:
    kept = [row for row in rows if row.strip() and not all(c.isspace() for c in row)]
    data = "".join(row + "\n" for row in rows).encode("utf-8", errors="backslashreplace")
    outcomes = ingest_bytes(JSONL, data, ".jsonl")
    check(outcomes, len([r for r in kept if r.strip()]))
    for outcome in outcomes:
        if isinstance(outcome, Accepted):
            assert outcome.record.family_name  # required: accepted rows always have it
