"""Row validation: reasons, dates and placeholders, code maps, record ids, digests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.ingest.helpers import accepted, codes, csv_mapping, rejected, run
from ura.ingest import Accepted, Rejected, summarise
from ura.records import DatePrecision, DocumentType, EventType, Sex

HEADER = "KNO,AD,SOYAD,CINSIYET,DOGUM,UYRUK\n"


def write(tmp_path: Path, body: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def one(tmp_path: Path, row: str, **kwargs: str) -> Accepted | Rejected:
    outcomes = run(csv_mapping(**kwargs), write(tmp_path, row + "\n"))
    assert len(outcomes) == 1
    return outcomes[0]


def test_a_valid_row_becomes_a_canonical_record(tmp_path: Path) -> None:
    outcome = one(tmp_path, " 7 , Ayşe ,Yılmaz,K,14.03.1990,SUR")
    assert isinstance(outcome, Accepted)
    record = outcome.record
    assert (record.source, record.record_id) == ("test-source", "7")
    assert (record.given_names, record.family_name, record.sex) == ("Ayşe", "Yılmaz", Sex.FEMALE)
    assert record.date_of_birth == dt.date(1990, 3, 14)
    assert record.date_of_birth_precision is DatePrecision.DAY
    assert not record.date_of_birth_placeholder
    assert record.nationality == "SYR"
    assert outcome.raw["AD"] == " Ayşe "  # the row as received, unstripped
    assert outcome.row_number == 1


@pytest.mark.parametrize(
    ("value", "expected", "precision", "placeholder"),
    [
        ("01.01.1985", dt.date(1985, 1, 1), DatePrecision.YEAR, True),
        ("00.00.1985", dt.date(1985, 1, 1), DatePrecision.YEAR, True),
        ("00.06.1985", dt.date(1985, 6, 1), DatePrecision.MONTH, True),
        ("1985", dt.date(1985, 1, 1), DatePrecision.YEAR, False),
        ("06.1985", dt.date(1985, 6, 1), DatePrecision.MONTH, False),
        ("02.01.1985", dt.date(1985, 1, 2), DatePrecision.DAY, False),
    ],
)
def test_dates_of_birth_carry_precision_and_placeholder(
    tmp_path: Path, value: str, expected: dt.date, precision: DatePrecision, placeholder: bool
) -> None:
    outcome = one(tmp_path, f"1,A,B,E,{value},SYR")
    assert isinstance(outcome, Accepted)
    assert outcome.record.date_of_birth == expected
    assert outcome.record.date_of_birth_precision is precision
    assert outcome.record.date_of_birth_placeholder is placeholder


def test_placeholder_days_are_configurable(tmp_path: Path) -> None:
    fields = """
  family_name: {column: SOYAD}
  date_of_birth: {column: DOGUM, formats: ["%d.%m.%Y"], placeholder_days: ["07-01"]}
"""
    outcomes = run(
        csv_mapping(fields=fields), write(tmp_path, "1,A,B,E,01.07.1985,\n2,A,B,E,01.01.1985,\n")
    )
    first, second = (o.record for o in accepted(outcomes))
    assert (first.date_of_birth_precision, first.date_of_birth_placeholder) == (
        DatePrecision.YEAR,
        True,
    )
    assert (second.date_of_birth_precision, second.date_of_birth_placeholder) == (
        DatePrecision.DAY,
        False,
    )


def test_every_reason_of_a_row_is_collected_without_values(tmp_path: Path) -> None:
    outcome = one(tmp_path, "1,A,,Q,31.02.1990,ATLANTIS")
    assert codes(outcome) == {"required", "unknown_code", "invalid_date", "invalid_country"}
    assert isinstance(outcome, Rejected)
    fields = {reason.field for reason in outcome.reasons}
    assert fields == {"family_name", "sex", "date_of_birth", "nationality"}
    for reason in outcome.reasons:
        assert "ATLANTIS" not in reason.message
        assert "31.02" not in reason.message
    assert outcome.raw is not None
    assert outcome.raw["UYRUK"] == "ATLANTIS"


def test_empty_optional_values_are_absent_not_invalid(tmp_path: Path) -> None:
    outcome = one(tmp_path, "1,,Yılmaz,,,")
    assert isinstance(outcome, Accepted)
    assert outcome.record.sex is Sex.UNKNOWN  # "" maps to U explicitly
    assert outcome.record.date_of_birth is None
    assert outcome.record.nationality == ""


def test_code_default_applies_to_unknown_values(tmp_path: Path) -> None:
    fields = (
        "\n  family_name: {column: SOYAD}\n  sex: {column: CINSIYET, codes: {E: M}, default: U}\n"
    )
    outcome = one(tmp_path, "1,A,B,?,,", fields=fields)
    assert isinstance(outcome, Accepted)
    assert outcome.record.sex is Sex.UNKNOWN


def test_alpha2_codes_become_alpha3_and_kosovo_is_xkx(tmp_path: Path) -> None:
    fields = (
        "\n  family_name: {column: SOYAD}\n"
        "  nationality: {column: UYRUK, code_list: iso3166-alpha2}\n"
    )
    outcomes = run(
        csv_mapping(fields=fields), write(tmp_path, "1,A,B,,,sy\n2,A,B,,,XK\n3,A,B,,,QQ\n")
    )
    assert [o.record.nationality for o in accepted(outcomes)] == ["SYR", "XKX"]
    assert codes(outcomes[2]) == {"invalid_country"}


def test_constants_columns_join_and_events(tmp_path: Path) -> None:
    fields = """
  full_name_original: {columns: [AD, SOYAD], join: " "}
  family_name: {column: SOYAD}
  document_type: {value: foreigner_id}
  document_country: {value: TUR}
"""
    events = """
events:
  - type: {value: registration}
    date: {column: DOGUM, formats: ["%d.%m.%Y"]}
    place: {column: CINSIYET}
  - type: {column: UYRUK, codes: {E: entry}}
    date: {column: DOGUM, formats: ["%d.%m.%Y"]}
"""
    outcomes = run(
        csv_mapping(fields=fields, extra=events),
        write(tmp_path, "1,Ali,Veli,34,02.03.2024,E\n2,Ali,,34,,\n3,Ali,Veli,34,02.03.2024,Z\n"),
    )
    first = outcomes[0]
    assert isinstance(first, Accepted)
    record = first.record
    assert record.full_name_original == "Ali Veli"
    assert (record.document_type, record.document_country) == (DocumentType.FOREIGNER_ID, "TUR")
    assert [(e.type, e.date, e.place) for e in record.events] == [
        (EventType.REGISTRATION, dt.date(2024, 3, 2), "34"),
        (EventType.ENTRY, dt.date(2024, 3, 2), ""),
    ]
    second = outcomes[1]
    assert isinstance(second, Accepted)
    assert second.record.events == ()  # no date, no event
    assert second.record.full_name_original == "Ali"
    assert codes(outcomes[2]) == {"unknown_code"}
    assert isinstance(outcomes[2], Rejected)
    assert outcomes[2].reasons[0].field == "events[1].type"


def test_record_ids_must_be_present_and_unique_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "1,A,B,,,\n,A,B,,,\n1,A,C,,,\n", "a.csv")
    b = write(tmp_path, "1,A,B,,,\n2,A,B,,,\n", "b.csv")
    outcomes = run(csv_mapping(), a, b)
    assert [type(o).__name__ for o in outcomes] == [
        "Accepted",
        "Rejected",
        "Rejected",
        "Rejected",
        "Accepted",
    ]
    assert codes(outcomes[1]) == {"missing_record_id"}
    assert codes(outcomes[2]) == codes(outcomes[3]) == {"duplicate_record_id"}
    assert [(o.file, o.row_number) for o in outcomes] == [
        ("a.csv", 1),
        ("a.csv", 2),
        ("a.csv", 3),
        ("b.csv", 1),
        ("b.csv", 2),
    ]


def test_composite_record_ids_are_joined_with_slash(tmp_path: Path) -> None:
    text = csv_mapping().text.replace("record_id: [KNO]", "record_id: [KNO, UYRUK]")
    from ura.ingest import parse_mapping

    outcomes = run(parse_mapping(text), write(tmp_path, "1,A,B,,,SYR\n1,A,B,,,\n"))
    first = outcomes[0]
    assert isinstance(first, Accepted)
    assert first.record.record_id == "1/SYR"
    assert codes(outcomes[1]) == {"missing_record_id"}


def test_row_digests_are_stable_and_change_with_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "1,A,B,E,1990,SYR\n2,A,B,E,1990,SYR\n3,A,,E,1990,SYR\n")
    first = run(csv_mapping(), path)
    again = run(csv_mapping(), path)
    assert [o.row_digest for o in first] == [o.row_digest for o in again]
    assert len({o.row_digest for o in first}) == 3
    changed = write(tmp_path, "1,A,B,E,1991,SYR\n", "changed.csv")
    assert run(csv_mapping(), changed)[0].row_digest != first[0].row_digest


def test_summary_reconciles(tmp_path: Path) -> None:
    path = write(tmp_path, "1,A,B,E,1990,SYR\n2,A,,E,1990,SYR\n3,A,B\n4,A,B,X,x,Y\n")
    summary = summarise(run(csv_mapping(), path))
    assert (summary.read, summary.accepted, summary.quarantined) == (4, 1, 3)
    assert summary.reasons == {
        "field_count": 1,
        "invalid_country": 1,
        "invalid_date": 1,
        "required": 1,
        "unknown_code": 1,
    }
    assert len(rejected(run(csv_mapping(), path))) == 3
