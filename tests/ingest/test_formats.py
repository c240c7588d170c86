"""Each reader: CSV in any encoding and delimiter, XLSX, JSON Lines, Parquet and SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.ingest.helpers import accepted, codes, csv_mapping, rejected, run
from ura.ingest import Accepted, IngestError, MappingError, Rejected, ingest, parse_mapping
from ura.records import DatePrecision, Sex

TURKISH = [
    ["KNO", "AD", "SOYAD", "CINSIYET", "DOGUM", "UYRUK"],
    ["1", "Şükrü", "Ağaoğlu", "E", "01.01.1980", "SUR"],
    ["2", "İlkay", "Işık", "K", "15.05.1991", "SYR"],
]


def lines(rows: list[list[str]], delimiter: str) -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in rows)


def test_csv_cp1254_with_semicolons_keeps_turkish_letters(tmp_path: Path) -> None:
    path = tmp_path / "dgmm.csv"
    path.write_bytes(lines(TURKISH, ";").encode("cp1254"))
    outcomes = run(csv_mapping('delimiter: ";", encoding: cp1254'), path)
    records = [o.record for o in accepted(outcomes)]
    assert [(r.given_names, r.family_name) for r in records] == [
        ("Şükrü", "Ağaoğlu"),
        ("İlkay", "Işık"),
    ]
    assert records[0].date_of_birth_placeholder
    assert records[1].sex is Sex.FEMALE


def test_csv_utf8_with_bom_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + lines(TURKISH, "\t").encode("utf-8"))
    for encoding in ("utf-8", "utf-8-sig"):
        outcomes = run(csv_mapping(f'delimiter: "\\t", encoding: {encoding}'), path)
        assert len(accepted(outcomes)) == 2
        assert "KNO" in (outcomes[0].raw or {})  # the BOM is not part of the first column name


def test_csv_utf16_is_split_on_code_units(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(lines(TURKISH, ",").encode("utf-16"))
    outcomes = run(csv_mapping("encoding: utf-16"), path)
    assert [o.record.family_name for o in accepted(outcomes)] == ["Ağaoğlu", "Işık"]


def test_csv_quoted_newlines_header_row_and_blank_lines(tmp_path: Path) -> None:
    text = (
        'exported 2026-01-05\nKNO,AD,SOYAD,CINSIYET,DOGUM,UYRUK\n\n1,"Ali\nRıza",B,E,,\n2,C,D,K,,\n'
    )
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    outcomes = run(csv_mapping("header_row: 2"), path)
    assert [o.row_number for o in outcomes] == [1, 2]
    first = outcomes[0]
    assert isinstance(first, Accepted)
    assert first.record.given_names == "Ali\nRıza"


def test_csv_undecodable_bytes_quarantine_one_row_losslessly(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    body = b"KNO,AD,SOYAD,CINSIYET,DOGUM,UYRUK\n1,A,B,E,,\n2,\xff\xfeX,B,E,,\n3,C,D,K,,\n"
    path.write_bytes(body)
    outcomes = run(csv_mapping(), path)
    assert [type(o) for o in outcomes] == [Accepted, Rejected, Accepted]
    bad = outcomes[1]
    assert isinstance(bad, Rejected)
    assert codes(bad) == {"decode_error"}
    assert bad.raw is None
    assert bad.raw_text == "2,\\xff\\xfeX,B,E,,\n"
    import base64

    assert base64.b64decode(bad.raw_base64) == b"2,\xff\xfeX,B,E,,\n"


def test_csv_ragged_rows_are_field_count_errors(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("KNO,AD,SOYAD,CINSIYET,DOGUM,UYRUK\n1,A\n2,A,B,E,,,extra\n", encoding="utf-8")
    outcomes = run(csv_mapping(), path)
    assert [codes(o) for o in outcomes] == [{"field_count"}, {"field_count"}]
    assert [o.raw_text for o in rejected(outcomes)] == ["1,A\n", "2,A,B,E,,,extra\n"]


def test_csv_missing_mapped_column_is_a_mapping_error(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("KNO,AD,SOYAD\n1,A,B\n", encoding="utf-8")
    with pytest.raises(MappingError, match="'CINSIYET'"):
        run(csv_mapping(), path)


def test_xlsx_with_typed_cells(tmp_path: Path) -> None:
    path = tmp_path / "border.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Entries"
    sheet.append(["CROSSING_ID", "SURNAME", "GIVEN", "DOB", "NAT", "PASSPORT"])
    sheet.append([1001, "Haddad", "Omar", dt.datetime(1990, 1, 1), "SYR", 123456789])  # noqa: DTZ001
    sheet.append([1002, "Nasser", "Lina", "14/03/1988", "jor", 987.0])
    sheet.append([None, None, None, None, None, None])
    sheet.append([1003, None, "X", "31/02/1990", "ZZZ", None, "stray"])
    workbook.save(path)
    mapping = parse_mapping(
        """
source: border-police-entries
agency: BORDER-POLICE
format: xlsx
options: {sheet: Entries}
record_id: CROSSING_ID
fields:
  family_name: {column: SURNAME, required: true}
  given_names: {column: GIVEN}
  date_of_birth: {column: DOB, formats: ["%d/%m/%Y"]}
  nationality: {column: NAT}
  document_number: {column: PASSPORT}
identifiers: [PASSPORT]
"""
    )
    outcomes = run(mapping, path)
    assert [o.row_number for o in outcomes] == [1, 2, 3]
    first, second = (o.record for o in accepted(outcomes))
    assert first.record_id == "1001"
    assert first.document_number == "123456789"
    assert first.date_of_birth == dt.date(1990, 1, 1)
    assert first.date_of_birth_precision is DatePrecision.YEAR  # 1 January placeholder
    assert second.nationality == "JOR"
    assert second.document_number == "987"
    assert codes(outcomes[2]) == {"field_count", "required", "invalid_date", "invalid_country"}


def test_jsonl_with_arabic_names_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "ngo.jsonl"
    path.write_bytes(
        "\n".join(
            [
                '{"case_ref": "N-1", "family_name": "Haddad", "full_name": "عمر حداد", "age": 30}',
                '{"case_ref": 2, "family_name": ["Haddad"]}',
                "[1, 2]",
                "{not json",
                "",
                '{"case_ref": "N-3", "family_name": null, "full_name": {"ar": "x"}}',
            ]
        ).encode("utf-8")
        + b"\n\xc3(\n"
    )
    mapping = parse_mapping(
        """
source: ngo-shelter-intake
agency: NGO-SHELTER
format: jsonl
record_id: [case_ref]
fields:
  family_name: {column: family_name}
  full_name_original: {column: full_name}
"""
    )
    outcomes = run(mapping, path)
    assert [o.row_number for o in outcomes] == [1, 2, 3, 4, 5, 6]
    first = outcomes[0]
    assert isinstance(first, Accepted)
    assert first.record.full_name_original == "عمر حداد"
    assert first.raw["age"] == "30"
    assert [codes(o) for o in outcomes[1:]] == [
        {"invalid_type"},
        {"not_an_object"},
        {"invalid_json"},
        {"invalid_type"},
        {"decode_error"},
    ]
    assert outcomes[1].raw == {"case_ref": "2", "family_name": '["Haddad"]'}


def test_parquet_streams_record_batches(tmp_path: Path) -> None:
    path = tmp_path / "coast.parquet"
    table = pa.table(
        {
            "incident_no": ["I1", "I1", "I2"],
            "person_no": [1, 2, 1],
            "last_name": ["Rahimi", "Ahmadi", None],
            "birth_date": [dt.date(1999, 5, 6), None, dt.date(2001, 1, 1)],
            "nationality": ["AFG", "IRN", "afg"],
        }
    )
    pq.write_table(table, path)
    mapping = parse_mapping(
        """
source: coastguard-apprehensions
agency: COASTGUARD
format: parquet
record_id: [incident_no, person_no]
fields:
  family_name: {column: last_name}
  date_of_birth: {column: birth_date, formats: ["%Y-%m-%d"]}
  nationality: {column: nationality, code_list: iso3166-alpha3}
"""
    )
    records = [o.record for o in accepted(run(mapping, path))]
    assert [r.record_id for r in records] == ["I1/1", "I1/2", "I2/1"]
    assert records[0].date_of_birth == dt.date(1999, 5, 6)
    assert records[2].nationality == "AFG"
    assert records[2].date_of_birth_placeholder


SQL_MAPPING = """
source: kosovo-returns-db
agency: KOSOVO-DCAM
format: sql
options: {url_env: URA_TEST_SOURCE_DB, query: "SELECT nr, mbiemri, emri FROM kthimet ORDER BY nr"}
record_id: [nr]
fields:
  family_name: {column: mbiemri, required: true}
  given_names: {column: emri}
"""


def test_sql_source_through_sqlalchemy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "src.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE kthimet (nr INTEGER, mbiemri TEXT, emri TEXT)")
        connection.executemany(
            "INSERT INTO kthimet VALUES (?, ?, ?)",
            [(1, "Krasniqi", "Arbër"), (2, "", "Drita"), (3, "Gashi", None)],
        )
    connection.close()
    mapping = parse_mapping(SQL_MAPPING)
    monkeypatch.delenv("URA_TEST_SOURCE_DB", raising=False)
    with pytest.raises(IngestError, match="URA_TEST_SOURCE_DB"):
        ingest(mapping)
    with pytest.raises(MappingError):
        ingest(mapping, [db])
    monkeypatch.setenv("URA_TEST_SOURCE_DB", f"sqlite:///{db}")
    outcomes = list(ingest(mapping))
    assert [type(o) for o in outcomes] == [Accepted, Rejected, Accepted]
    assert {o.file for o in outcomes} == {"sql:URA_TEST_SOURCE_DB"}
    assert codes(outcomes[1]) == {"required"}


def test_file_formats_need_files(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="needs at least one file"):
        ingest(csv_mapping())
    with pytest.raises(IngestError, match="no such file"):
        ingest(csv_mapping(), [tmp_path / "missing.csv"])
