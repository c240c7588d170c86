"""Mapping files: the whole file is validated up front; errors name the key at fault."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.ingest.helpers import accepted, run
from ura.ingest import ALPHA2_TO_ALPHA3, ISO3166_ALPHA3, MappingError, load_mapping, parse_mapping

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "mappings"

GOOD = """
source: test-source
agency: TEST
format: csv
record_id: [ID]
fields:
  family_name: {column: SURNAME}
"""


def test_a_minimal_mapping_keeps_its_text_and_digest() -> None:
    mapping = parse_mapping(GOOD)
    assert (mapping.source, mapping.agency, mapping.format) == ("test-source", "TEST", "csv")
    assert mapping.text == GOOD
    assert mapping.digest == hashlib.sha256(GOOD.encode()).hexdigest()
    assert mapping.record_id == ("ID",)


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (("agency: TEST\n", ""), "agency", "required key is missing"),
        (("format: csv", "format: xls"), "format", "must be one of"),
        (("source: test-source", "source: Test Source"), "source", "lowercase"),
        (("record_id: [ID]", "record_id: []"), "record_id", "at least one column"),
        (("fields:", "colour: blue\nfields:"), "colour", "unknown key"),
        (("family_name:", "surname:"), "fields.surname", "not a canonical field"),
        (("{column: SURNAME}", "{column: SURNAME, colour: x}"), "fields.family_name.colour", ""),
        (("{column: SURNAME}", "{column: A, value: B}"), "fields.family_name", "exactly one"),
        (("{column: SURNAME}", "{column: A, required: yes please}"), "required", "true or false"),
        (("format: csv", "format: csv\noptions: {sheet: A}"), "options.sheet", "not an option"),
        (("format: csv", "format: csv\noptions: {delimiter: ab}"), "options.delimiter", "one"),
        (("format: csv", "format: csv\noptions: {encoding: klingon}"), "options.encoding", ""),
        (("format: csv", "format: csv\noptions: {header_row: 0}"), "options.header_row", ""),
        (("format: csv", "format: sql\noptions: {query: SELECT 1}"), "options.url_env", ""),
        (
            ("format: csv", "format: sql\noptions: {url_env: 'sqlite:///x.db', query: SELECT 1}"),
            "options.url_env",
            "NAME of an environment variable",
        ),
        (("agency: TEST", "agency: TEST\nagency: OTHER"), "", "given twice"),
        (("fields:\n  family_name: {column: SURNAME}", "fields: [a]"), "fields", "mapping"),
    ],
)
def test_wrong_mappings_name_the_key(change: tuple[str, str], key: str, problem: str) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(MappingError) as error:
        parse_mapping(text, origin="m.yaml")
    message = str(error.value)
    assert message.startswith("m.yaml: ")
    assert key in message
    assert problem in message


@pytest.mark.parametrize(
    ("spec", "key", "problem"),
    [
        ("sex: {column: S, codes: {E: Male}}", "fields.sex.codes['E']", "canonical sex"),
        ("sex: {column: S, codes: {1: M}}", "fields.sex.codes[1]", "quote it"),
        ("sex: {column: S, codes: {yes: M}}", "fields.sex.codes[True]", "quote it"),
        ("sex: {column: S, default: M}", "fields.sex.default", "only used with codes"),
        ("nationality: {column: N, codes: {SUR: SYRIA}}", "codes['SUR']", "country"),
        ("nationality: {column: N, code_list: iso3166-numeric}", "code_list", "must be one of"),
        ("document_type: {value: visa}", "fields.document_type.value", "document_type"),
        ("date_of_birth: {column: D}", "fields.date_of_birth.formats", "required"),
        ('date_of_birth: {column: D, formats: ["%d.%m.%Q"]}', "formats[0]", "strptime"),
        ('date_of_birth: {column: D, formats: ["%d.%m"]}', "formats[0]", "needs a year"),
        ('date_of_birth: {column: D, formats: ["%Y%"]}', "formats[0]", "strptime"),
        ('date_of_birth: {column: D, formats: "%Y"}', "formats", "list"),
        (
            'date_of_birth: {column: D, formats: ["%Y"], placeholder_days: ["1-1"]}',
            "placeholder_days[0]",
            "MM-DD",
        ),
        ('given_names: {column: G, formats: ["%Y"]}', "given_names.formats", "only for dates"),
        ("given_names: {column: G, join: '-'}", "given_names.join", "only used with columns"),
    ],
)
def test_wrong_field_specs_name_the_key(spec: str, key: str, problem: str) -> None:
    text = GOOD.replace("family_name: {column: SURNAME}", spec)
    with pytest.raises(MappingError) as error:
        parse_mapping(text)
    assert key in str(error.value)
    assert problem in str(error.value)


def test_wrong_events_name_the_key() -> None:
    text = GOOD + "events:\n  - type: {value: holiday}\n    date: {column: D, formats: ['%Y']}\n"
    with pytest.raises(MappingError, match=r"events\[0\]\.type\.value"):
        parse_mapping(text)
    with pytest.raises(MappingError, match=r"events\[0\]\.date"):
        parse_mapping(GOOD + "events:\n  - type: {value: entry}\n")


def test_invalid_yaml_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="not valid YAML"):
        parse_mapping("source: [unclosed")
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(path)


def test_country_lists() -> None:
    assert len(ISO3166_ALPHA3) == 250
    assert {"TUR", "SYR", "AFG", "XKX", "SRB", "PSE"} <= ISO3166_ALPHA3
    assert ALPHA2_TO_ALPHA3["XK"] == "XKX"
    assert ALPHA2_TO_ALPHA3["GB"] == "GBR"
    assert len(set(ALPHA2_TO_ALPHA3.values())) == len(ALPHA2_TO_ALPHA3)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_the_documented_examples_parse(path: Path) -> None:
    mapping = load_mapping(path)
    assert mapping.source == path.stem


def test_the_dgmm_example_reads_a_windows_1254_extract(tmp_path: Path) -> None:
    mapping = load_mapping(EXAMPLES / "dgmm-registration.yaml")
    header = "KAYIT_NO;AD;SOYAD;BABA_ADI;ANA_ADI;CINSIYET;DOGUM_TARIHI;DOGUM_YERI;UYRUK;YKN;KAYIT_TARIHI;IL_KODU"  # noqa: E501
    row = "K-1;Gülşen;Çağlayan;Hüseyin;Ayşe;K;00.00.1979;Halep;SUR;99123456789;05.01.2026;27"
    path = tmp_path / "dgmm.csv"
    path.write_bytes(f"{header}\r\n{row}\r\n".encode("cp1254"))
    (outcome,) = accepted(run(mapping, path))
    record = outcome.record
    assert (record.given_names, record.family_name) == ("Gülşen", "Çağlayan")
    assert record.date_of_birth_placeholder
    assert record.nationality == "SYR"
    assert record.events[0].place == "27"
