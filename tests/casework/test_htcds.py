"""HTCDS referral export: field names and order, consent, pseudonymity, JSON and CSV."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from typing import Any

import pytest

from ura.casework.htcds import (
    HTCDS_FIELD_TABLE,
    HTCDS_FIELDS,
    ExploitationType,
    Gender,
    HtcdsError,
    HtcdsReferral,
    MeansOfControl,
    RecruitmentMethod,
    ReferralReason,
    Service,
    TraffickingStatus,
    gender_from_sex,
    htcds_value_names,
    read_htcds_csv,
    read_htcds_json,
    to_htcds_record,
    write_htcds_csv,
    write_htcds_json,
)
from ura.records import Sex

# The person behind the referral, as Ura's case file knows them. None of it may leave.
GIVEN_NAME = "Ayşe"
FAMILY_NAME = "Yılmaz"
DATE_OF_BIRTH = "1999-04-17"
PASSPORT = "U12345678"


def _referral(**changes: Any) -> HtcdsReferral:
    values: dict[str, Any] = {
        "case_id": "TIP-2026-0042",
        "gender": Gender.FEMALE,
        "referring_organisation": "Ura Support Association",
        "receiving_organisation": "Ankara Shelter",
        "referral_date": dt.date(2026, 11, 30),
        "referral_reason": ReferralReason.ADDITIONAL_SERVICES,
        "consent_to_share": True,
        "trafficking_status": TraffickingStatus.PRESUMED,
        "age_at_identification": 26,
        "age_band_at_identification": "24-26",
        "citizenship": "UZB",
        "country_of_exploitation": "TUR",
        "exploitation_types": (ExploitationType.LABOUR, ExploitationType.SEXUAL),
        "means_of_control": (MeansOfControl.WITHHOLDS_DOCUMENTS, MeansOfControl.DEBT_BONDAGE),
        "recruitment": (RecruitmentMethod.JOB_OFFER,),
        "identification_date": dt.date(2026, 11, 28),
        "services": (Service.ACCOMMODATION, Service.MEDICAL, Service.LEGAL),
    }
    values.update(changes)
    return HtcdsReferral(**values)


def test_record_has_the_htcds_fields_in_order() -> None:
    record = to_htcds_record(_referral())
    assert list(record) == list(HTCDS_FIELDS)
    assert list(HTCDS_FIELDS)[:3] == ["cas_CaseNumber", "vic_TraffickingStatus", "prs_Gender"]
    assert list(HTCDS_FIELDS)[-1] == "vic_AgreementToManagePersonalData"


def test_field_table_is_complete_and_documented() -> None:
    names = [f.name for f in HTCDS_FIELD_TABLE]
    assert len(set(names)) == len(names)
    attributes = {f.name for f in dataclasses.fields(HtcdsReferral)}
    assert {f.attribute for f in HTCDS_FIELD_TABLE} == attributes
    for name, description in HTCDS_FIELDS.items():
        assert description.strip()
        assert "\n" not in description, name


def test_record_values() -> None:
    record = to_htcds_record(_referral())
    assert record == {
        "cas_CaseNumber": "TIP-2026-0042",
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "prs_Gender": "Female",
        "vic_AgeAtIdentification": 26,
        "vic_AgeBandAtIdentification": "24-26",
        "prs_Nationality": "UZ",
        "vic_CountryOfExploitation": "TR",
        "vic_TypeOfExploitation": ["ForcedLabour", "SexualExploitation"],
        "vic_MethodsOfControl": ["WithholdsDocuments", "DebtBondage"],
        "vic_MethodOfRecruitment": ["JobOfferOrAdvertisement"],
        "vic_DateOfIdentification": "2026-11-28",
        "cas_ReferringOrganisation": "Ura Support Association",
        "cas_ReferredOrganisation": "Ankara Shelter",
        "cas_OutgoingReferralDate": "2026-11-30",
        "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired",
        "cas_ServicesReferredTo": ["Accommodation", "MedicalCare", "LegalAssistance"],
        "vic_AgreementToManagePersonalData": True,
    }


def test_unknown_values_are_none_and_empty_lists() -> None:
    minimal = _referral(
        trafficking_status=None,
        age_at_identification=None,
        age_band_at_identification=None,
        citizenship=None,
        country_of_exploitation=None,
        exploitation_types=(),
        means_of_control=(),
        recruitment=(),
        identification_date=None,
        services=(),
    )
    record = to_htcds_record(minimal)
    assert record["vic_TraffickingStatus"] is None
    assert record["prs_Nationality"] is None
    assert record["vic_MethodsOfControl"] == []
    assert record["vic_DateOfIdentification"] is None


def test_kosovo_is_exported_with_the_user_assigned_code() -> None:
    assert to_htcds_record(_referral(citizenship="XKX"))["prs_Nationality"] == "XK"


def test_export_refuses_a_referral_without_consent() -> None:
    referral = _referral(consent_to_share=False)  # may be prepared before the person decides
    with pytest.raises(HtcdsError, match="TIP-2026-0042: no consent to share"):
        to_htcds_record(referral)


def test_no_name_or_identity_ever_appears_in_the_output() -> None:
    record = to_htcds_record(_referral())
    json_out, csv_out = io.StringIO(), io.StringIO(newline="")
    write_htcds_json([record], json_out)
    write_htcds_csv([record], csv_out)
    for text in (json_out.getvalue(), csv_out.getvalue()):
        for identity in (GIVEN_NAME, FAMILY_NAME, DATE_OF_BIRTH, PASSPORT):
            assert identity not in text
        for personal_field in ("FirstName", "SecondName", "Birthdate", "Mailing", "Phone"):
            assert personal_field not in text
    with pytest.raises(HtcdsError, match="never a name"):
        _referral(case_id=f"{GIVEN_NAME} {FAMILY_NAME}")


def test_csv_joins_lists_with_semicolons() -> None:
    out = io.StringIO(newline="")
    write_htcds_csv([to_htcds_record(_referral())], out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(rows) == 1
    assert rows[0]["vic_TypeOfExploitation"] == "ForcedLabour;SexualExploitation"
    assert rows[0]["cas_ServicesReferredTo"] == "Accommodation;MedicalCare;LegalAssistance"
    assert rows[0]["vic_AgreementToManagePersonalData"] == "true"
    assert rows[0]["vic_AgeAtIdentification"] == "26"
    assert out.getvalue().splitlines()[0] == ",".join(HTCDS_FIELDS)


def test_json_round_trip() -> None:
    records = [
        to_htcds_record(_referral()),
        to_htcds_record(_referral(case_id="TIP-2", services=())),
    ]
    out = io.StringIO()
    write_htcds_json(records, out)
    assert json.loads(out.getvalue())[1]["cas_CaseNumber"] == "TIP-2"
    out.seek(0)
    assert read_htcds_json(out) == records


def test_csv_round_trip() -> None:
    records = [
        to_htcds_record(_referral()),
        to_htcds_record(_referral(case_id="TIP-3", age_at_identification=None, recruitment=())),
    ]
    out = io.StringIO(newline="")
    write_htcds_csv(records, out)
    out.seek(0)
    assert read_htcds_csv(out) == records


def test_reading_refuses_foreign_files() -> None:
    with pytest.raises(HtcdsError, match="CSV header is not the HTCDS fields"):
        read_htcds_csv(io.StringIO("FirstName,SecondName\r\nA,B\r\n", newline=""))
    with pytest.raises(HtcdsError, match="expected a JSON array"):
        read_htcds_json(io.StringIO('{"cas_CaseNumber": "x"}'))
    with pytest.raises(HtcdsError, match="record 0: fields differ"):
        write_htcds_json([{"prs_FirstName": GIVEN_NAME}], io.StringIO())


def test_every_value_of_every_picklist_exports() -> None:
    referral = _referral(
        exploitation_types=tuple(ExploitationType),
        means_of_control=tuple(MeansOfControl),
        recruitment=tuple(RecruitmentMethod),
        services=tuple(Service),
    )
    record = to_htcds_record(referral)
    names = htcds_value_names()
    assert record["vic_TypeOfExploitation"] == list(names["vic_TypeOfExploitation"])
    assert record["vic_MethodsOfControl"] == list(names["vic_MethodsOfControl"])
    for gender in Gender:
        assert to_htcds_record(_referral(gender=gender))["prs_Gender"] in names["prs_Gender"]
    for reason in ReferralReason:
        assert to_htcds_record(_referral(referral_reason=reason))["cas_ReasonForOutgoingReferral"]
    for status in TraffickingStatus:
        assert to_htcds_record(_referral(trafficking_status=status))["vic_TraffickingStatus"]


def test_plain_strings_are_accepted_as_uras_values() -> None:
    referral = _referral(
        gender="male", exploitation_types=("begging", "begging"), services=["legal"]
    )
    assert referral.gender is Gender.MALE
    assert referral.exploitation_types == (ExploitationType.BEGGING,)
    assert referral.services == (Service.LEGAL,)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"citizenship": "UZ"}, "citizenship: 'UZ' is not an ISO 3166-1 alpha-3 code"),
        ({"country_of_exploitation": "XXX"}, "country_of_exploitation: 'XXX'"),
        ({"age_at_identification": -1}, "age_at_identification: -1 is not an age"),
        ({"age_band_at_identification": "young"}, "age_band_at_identification: 'young'"),
        ({"exploitation_types": ("slavery",)}, "exploitation_types: 'slavery' is not one of"),
        ({"gender": "f"}, "gender: 'f' is not one of male, female"),
        ({"receiving_organisation": " "}, "receiving_organisation: must be"),
        (
            {"referral_date": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            "referral_date: must be a date",
        ),
        ({"case_id": ""}, "case_id: must be a pseudonymous identifier"),
    ],
)
def test_invalid_values_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(HtcdsError, match=message.replace("(", r"\(")):
        _referral(**changes)


def test_gender_from_sex() -> None:
    assert gender_from_sex(Sex.FEMALE) is Gender.FEMALE
    assert gender_from_sex(Sex.MALE) is Gender.MALE
    assert gender_from_sex(Sex.OTHER) is Gender.TRANSGENDER_NONCONFORMING
    assert gender_from_sex(Sex.UNKNOWN) is Gender.UNKNOWN
