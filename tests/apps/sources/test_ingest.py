"""Ingest into Ura: reconciliation, quarantine with reasons, history, data quality, access."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.conftest import login
from tests.factories import make_agency, make_user
from ura.apps.accounts.models import Agency, RoleCode, Scope, User
from ura.apps.core.models import AuditAction, AuditEvent
from ura.apps.people.models import PersonEvent, PersonRecord, PersonRecordVersion
from ura.apps.sources.models import QuarantinedRow
from ura.apps.sources.services import ingest_files
from ura.ingest import parse_mapping

pytestmark = pytest.mark.django_db

MAPPING = """
source: test-registry
agency: {agency}
format: csv
options: {{delimiter: ";", encoding: cp1254}}
record_id: [SIRA]
fields:
  given_names: {{column: AD}}
  family_name: {{column: SOYAD, required: true}}
  sex: {{column: CINSIYET, codes: {{E: M, K: F}}}}
  date_of_birth: {{column: DOGUM, formats: ["%d.%m.%Y", "%Y"]}}
  nationality: {{column: UYRUK, codes: {{SUR: SYR, AFG: AFG}}, code_list: iso3166-alpha3}}
  document_type: {{value: foreigner_id}}
  document_number: {{column: YKN}}
events:
  - type: {{value: registration}}
    date: {{column: KAYIT, formats: ["%d.%m.%Y"]}}
    place: {{column: IL}}
"""

HEADER = "SIRA;AD;SOYAD;CINSIYET;DOGUM;UYRUK;YKN;KAYIT;IL"
ROWS = [
    "1;Şükrü;Yılmaz;E;12.03.1990;SUR;99123456780;01.02.2024;34",
    "2;Ayşe;Öztürk;K;01.01.1985;AFG;99123456781;03.02.2024;06",
    "3;Mehmet;;E;1970;SUR;;;",  # no family name: quarantined
    "4;Ali;Demir;Q;31.02.1999;XXX;;;",  # bad sex code, impossible date, unknown nationality
]


@pytest.fixture
def agency() -> Agency:
    return make_agency(code="test-agency")


@pytest.fixture
def steward(agency: Agency) -> User:
    from tests.factories import make_unit

    return make_user(role=RoleCode.DATA_STEWARD, scope=Scope.ALL, unit=make_unit(agency=agency))


def _write(tmp_path: Path, rows: list[str], name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1254"))
    return path


def _mapping(agency: Agency):  # type: ignore[no-untyped-def]
    return parse_mapping(MAPPING.format(agency=agency.code))


def test_ingest_reconciles_and_quarantines_every_refused_row(
    tmp_path: Path, agency: Agency, steward: User
) -> None:
    outcome = ingest_files(actor=steward, mapping=_mapping(agency), files=[_write(tmp_path, ROWS)])
    batch = outcome.batch
    assert (batch.rows_read, batch.rows_accepted, batch.rows_quarantined) == (4, 2, 2)
    assert batch.reconciles
    assert batch.records_new == 2
    records = PersonRecord.objects.filter(source="test-registry").order_by("record_id")
    assert [r.family_name for r in records] == ["Yılmaz", "Öztürk"]
    placeholder = records[1]
    assert placeholder.date_of_birth_precision == "year"
    assert placeholder.date_of_birth_placeholder
    assert records[0].owning_agency_id == agency.pk
    assert records[0].provenance["row"] == 1
    assert PersonEvent.objects.filter(record=records[0], type="registration").exists()
    refused = {q.row_number: q for q in QuarantinedRow.objects.filter(batch=batch)}
    assert set(refused) == {3, 4}
    assert refused[3].raw is not None
    assert refused[3].raw["AD"] == "Mehmet"
    assert len(refused[4].reasons) >= 3  # every reason, not just the first
    assert sum(batch.reasons.values()) >= 4
    assert batch.quality  # the data-quality report is stored with the batch
    assert outcome.quality_text


def test_reingest_adds_nothing_and_a_changed_row_keeps_history(
    tmp_path: Path, agency: Agency, steward: User
) -> None:
    mapping = _mapping(agency)
    ingest_files(actor=steward, mapping=mapping, files=[_write(tmp_path, ROWS)])
    again = ingest_files(actor=steward, mapping=mapping, files=[_write(tmp_path, ROWS)]).batch
    assert (again.records_new, again.records_changed, again.records_unchanged) == (0, 0, 2)
    assert PersonRecord.objects.filter(source="test-registry").count() == 2

    changed_rows = [ROWS[0].replace("Yılmaz", "Yilmaz"), *ROWS[1:]]
    third = ingest_files(
        actor=steward, mapping=mapping, files=[_write(tmp_path, changed_rows, "v2.csv")]
    ).batch
    assert (third.records_new, third.records_changed) == (0, 1)
    record = PersonRecord.objects.get(source="test-registry", record_id="1")
    assert record.family_name == "Yilmaz"
    assert record.version == 2
    old = PersonRecordVersion.objects.get(record=record)
    assert old.data["family_name"] == "Yılmaz"
    assert old.version == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(record.pk), object_type="people.personrecord"
    ).exists()


def test_ingest_refuses_users_without_the_right_and_unknown_agencies(
    tmp_path: Path, agency: Agency, steward: User
) -> None:
    caseworker = make_user(role=RoleCode.CASEWORKER)
    with pytest.raises(PermissionDenied):
        ingest_files(actor=caseworker, mapping=_mapping(agency), files=[_write(tmp_path, ROWS)])
    unknown = parse_mapping(MAPPING.format(agency="no-such-agency"))
    with pytest.raises(ValidationError):
        ingest_files(actor=steward, mapping=unknown, files=[_write(tmp_path, ROWS)])


def test_source_pages_show_reconciliation_and_mask_document_columns(
    client: Client, tmp_path: Path, agency: Agency, steward: User
) -> None:
    batch = ingest_files(
        actor=steward,
        mapping=_mapping(agency),
        files=[_write(tmp_path, [*ROWS, "5;Omar;Khan;E;1980;AFG;99999999999;;"])],
    ).batch
    QuarantinedRow.objects.update(raw={"SIRA": "4", "YKN": "99123"})
    login(client, steward)
    assert "test-registry" in client.get("/sources/").content.decode()
    detail = client.get("/sources/test-registry/").content.decode()
    assert str(batch.rows_read) in detail
    page = client.get(f"/sources/test-registry/batches/{batch.pk}/").content.decode()
    assert "99123" in page  # stewards see identity documents
    supervisor = make_user(role=RoleCode.SUPERVISOR, unit=steward.unit)
    client.logout()
    login(client, supervisor)
    page = client.get(f"/sources/test-registry/batches/{batch.pk}/").content.decode()
    assert "99123" not in page  # supervisors see figures, not quarantined rows


def test_the_quality_report_reaches_the_page(
    client: Client, tmp_path: Path, agency: Agency, steward: User
) -> None:
    batch = ingest_files(
        actor=steward, mapping=_mapping(agency), files=[_write(tmp_path, ROWS)]
    ).batch
    login(client, steward)
    page = client.get(f"/sources/test-registry/batches/{batch.pk}/").content.decode()
    assert "Completeness and invalid values per field" in page
    assert "invalid_date" in page
    assert "50.0 %" in page  # one of two accepted dates of birth is a 1 January placeholder


def test_a_records_earlier_versions_are_shown_masked_and_audited(
    client: Client, tmp_path: Path, agency: Agency, steward: User
) -> None:
    mapping = _mapping(agency)
    ingest_files(actor=steward, mapping=mapping, files=[_write(tmp_path, ROWS)])
    changed = [ROWS[0].replace("Yılmaz", "Yilmaz").replace("99123456780", "99123456789")]
    ingest_files(actor=steward, mapping=mapping, files=[_write(tmp_path, changed, "v2.csv")])
    record = PersonRecord.objects.get(source="test-registry", record_id="1")
    login(client, steward)
    page = client.get(f"/people/{record.pk}/").content.decode()
    assert "Earlier versions" in page
    assert "Yılmaz" in page
    assert "99123456780" in page  # stewards may see identity documents
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(record.pk), detail__history=[1]
    ).exists()
    analyst_like = make_user(role=RoleCode.PARTNER_NGO, unit=steward.unit)
    from ura.apps.people.access import person_record_history

    history = person_record_history(analyst_like, record)
    document = next(c for c in history[0]["changed"] if c["field"] == "document_number")
    assert str(document["before"]) == "restricted"
