"""Referral export in IOM's Human Trafficking Case Data Standard (HTCDS) field names.

When a presumed victim of trafficking is referred to another organisation (a shelter, a
national referral mechanism, a counterpart abroad), the receiving system may read HTCDS. This
module turns a referral into one HTCDS record and writes records as JSON or CSV.

Only what a referral needs leaves Ura, and never an identity: the record carries a
pseudonymous case identifier, never a name, a date of birth, a document number or an address
(there are no such fields to fill). A referral without the person's consent to share is
refused (:class:`HtcdsError`).

HTCDS spellings (field names and picklist values) live in the tables at the top of this
module and nowhere else. Some are taken from the standard's published field reference
(github.com/UNMigration/HTCDS, 2021 draft); the others are Ura's closest names and are marked
``confirmed=False``: check them against the HTCDS release the receiving organisation uses
(docs/trafficking-indicators.md lists both kinds). Ura's own values (the enums) never change
when an HTCDS spelling is corrected, so stored referrals stay valid.

Countries: Ura stores ISO 3166-1 alpha-3 codes; HTCDS asks for ISO 3166 two-letter codes, so
the export writes alpha-2 (Kosovo, XKX in Ura, becomes the user-assigned XK).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import IO, Any, Final, Literal, NamedTuple, TypeVar

from ura.ingest.countries import ALPHA2_TO_ALPHA3, ISO3166_ALPHA3
from ura.records import Sex

__all__ = [
    "HTCDS_FIELDS",
    "HTCDS_FIELD_TABLE",
    "LIST_SEPARATOR",
    "ExploitationType",
    "Gender",
    "HtcdsError",
    "HtcdsField",
    "HtcdsRecord",
    "HtcdsReferral",
    "MeansOfControl",
    "RecruitmentMethod",
    "ReferralReason",
    "Service",
    "TraffickingStatus",
    "gender_from_sex",
    "htcds_value_names",
    "read_htcds_csv",
    "read_htcds_json",
    "to_htcds_record",
    "write_htcds_csv",
    "write_htcds_json",
]

HtcdsRecord = dict[str, str | int | bool | list[str] | None]
FieldKind = Literal["text", "int", "bool", "date", "list"]

#: Separator of the items of a multiselect field in CSV.
LIST_SEPARATOR: Final = ";"


class HtcdsError(ValueError):
    """A referral cannot be exported (no consent, invalid value) or a file cannot be read."""


# -- Ura's values ---------------------------------------------------------------------------


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    TRANSGENDER_NONCONFORMING = "transgender_nonconforming"
    UNKNOWN = "unknown"


class TraffickingStatus(StrEnum):
    PRESUMED = "presumed"  # informally identified; support is unconditional from here
    IDENTIFIED = "identified"  # formally identified by the competent authority
    NOT_A_VICTIM = "not_a_victim"


class ExploitationType(StrEnum):
    LABOUR = "labour"
    SEXUAL = "sexual"
    FORCED_CRIMINALITY = "forced_criminality"
    FORCED_MARRIAGE = "forced_marriage"
    ORGAN_REMOVAL = "organ_removal"
    BEGGING = "begging"
    FORCED_MILITARY_SERVICE = "forced_military_service"
    ILLEGAL_ADOPTION = "illegal_adoption"
    SURROGACY = "surrogacy"
    OTHER = "other"


class MeansOfControl(StrEnum):
    DEBT_BONDAGE = "debt_bondage"
    TAKES_EARNINGS = "takes_earnings"
    RESTRICTS_FINANCIAL_ACCESS = "restricts_financial_access"
    THREATS = "threats"
    PSYCHOLOGICAL_ABUSE = "psychological_abuse"
    PHYSICAL_ABUSE = "physical_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    FALSE_PROMISES = "false_promises"
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances"
    RESTRICTS_MOVEMENT = "restricts_movement"
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care"
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours"
    USES_CHILDREN = "uses_children"
    THREAT_OF_LAW_ENFORCEMENT = "threat_of_law_enforcement"
    WITHHOLDS_NECESSITIES = "withholds_necessities"
    WITHHOLDS_DOCUMENTS = "withholds_documents"
    OTHER = "other"


class RecruitmentMethod(StrEnum):
    ABDUCTION = "abduction"
    EDUCATIONAL_FACILITY = "educational_facility"
    FAMILIAL = "familial"
    INTERNET = "internet"
    MARRIAGE_BROKER = "marriage_broker"
    INTIMATE_PARTNER = "intimate_partner"
    JOB_OFFER = "job_offer"
    POSING_AS_BENEFACTOR = "posing_as_benefactor"
    PUBLIC_AREA = "public_area"
    OFFER_OF_ACCOMMODATION = "offer_of_accommodation"
    SHELTER = "shelter"
    SMUGGLING = "smuggling"
    WORK = "work"
    OTHER = "other"
    UNKNOWN = "unknown"


class ReferralReason(StrEnum):
    ADDITIONAL_SERVICES = "additional_services"
    CHANGE_OF_LOCATION = "change_of_location"
    OTHER = "other"


class Service(StrEnum):
    ACCOMMODATION = "accommodation"
    MEDICAL = "medical"
    PSYCHOSOCIAL = "psychosocial"
    LEGAL = "legal"
    INTERPRETATION = "interpretation"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    FINANCIAL = "financial"
    RETURN = "return"
    REINTEGRATION = "reintegration"
    CHILD_PROTECTION = "child_protection"
    OTHER = "other"


# -- HTCDS spellings: the one place to correct them -----------------------------------------

# Picklist value names. Gender, methods of control, exploitation types, referral reasons and
# trafficking status follow the published reference; recruitment method values are Ura's
# CamelCase of the published labels, and services have no published picklist (check both).
_GENDER: Final = {
    Gender.MALE: "Male",
    Gender.FEMALE: "Female",
    Gender.TRANSGENDER_NONCONFORMING: "Transgender/NonConforming",
    Gender.UNKNOWN: "Unknown",
}
_TRAFFICKING_STATUS: Final = {
    TraffickingStatus.PRESUMED: "PossibleVictimOfTrafficking",
    TraffickingStatus.IDENTIFIED: "ActualVictimOfTrafficking",
    TraffickingStatus.NOT_A_VICTIM: "NotAVictimOfTrafficking",
}
_EXPLOITATION: Final = {
    ExploitationType.LABOUR: "ForcedLabour",
    ExploitationType.SEXUAL: "SexualExploitation",
    ExploitationType.FORCED_CRIMINALITY: "IllicitActivities",
    ExploitationType.FORCED_MARRIAGE: "ForcedMarriage",
    ExploitationType.ORGAN_REMOVAL: "OrganRemoval",
    ExploitationType.BEGGING: "ForcedBegging",
    ExploitationType.FORCED_MILITARY_SERVICE: "ForcedMilitaryService",
    ExploitationType.ILLEGAL_ADOPTION: "IllegalAdoption",
    ExploitationType.SURROGACY: "Surrogacy",
    ExploitationType.OTHER: "Other",
}
_MEANS: Final = {
    MeansOfControl.DEBT_BONDAGE: "DebtBondage",
    MeansOfControl.TAKES_EARNINGS: "TakesEarnings",
    MeansOfControl.RESTRICTS_FINANCIAL_ACCESS: "RestrictsFinancialAccess",
    MeansOfControl.THREATS: "Threats",
    MeansOfControl.PSYCHOLOGICAL_ABUSE: "PsychologicalAbuse",
    MeansOfControl.PHYSICAL_ABUSE: "PhysicalAbuse",
    MeansOfControl.SEXUAL_ABUSE: "SexualAbuse",
    MeansOfControl.FALSE_PROMISES: "FalsePromises",
    MeansOfControl.PSYCHOACTIVE_SUBSTANCES: "PsychoactiveSubstances",
    MeansOfControl.RESTRICTS_MOVEMENT: "RestrictsMovement",
    MeansOfControl.RESTRICTS_MEDICAL_CARE: "RestrictsMedicalCare",
    MeansOfControl.EXCESSIVE_WORKING_HOURS: "ExcessiveWorkingHours",
    MeansOfControl.USES_CHILDREN: "UsesChildren",
    MeansOfControl.THREAT_OF_LAW_ENFORCEMENT: "ThreatOfLawEnforcement",
    MeansOfControl.WITHHOLDS_NECESSITIES: "WithholdsNecessities",
    MeansOfControl.WITHHOLDS_DOCUMENTS: "WithholdsDocuments",
    MeansOfControl.OTHER: "Other",
}
_RECRUITMENT: Final = {
    RecruitmentMethod.ABDUCTION: "Abduction",
    RecruitmentMethod.EDUCATIONAL_FACILITY: "EducationalFacility",
    RecruitmentMethod.FAMILIAL: "Familial",
    RecruitmentMethod.INTERNET: "Internet",
    RecruitmentMethod.MARRIAGE_BROKER: "InternationalMarriageBroker",
    RecruitmentMethod.INTIMATE_PARTNER: "IntimatePartnerOrMarriageProposition",
    RecruitmentMethod.JOB_OFFER: "JobOfferOrAdvertisement",
    RecruitmentMethod.POSING_AS_BENEFACTOR: "PosingAsBenefactor",
    RecruitmentMethod.PUBLIC_AREA: "PublicArea",
    RecruitmentMethod.OFFER_OF_ACCOMMODATION: "OfferOfAccommodation",
    RecruitmentMethod.SHELTER: "Shelter",
    RecruitmentMethod.SMUGGLING: "SmugglingRansom",
    RecruitmentMethod.WORK: "Work",
    RecruitmentMethod.OTHER: "Other",
    RecruitmentMethod.UNKNOWN: "Unknown",
}
_REASON: Final = {
    ReferralReason.ADDITIONAL_SERVICES: "AdditionalServicesRequired",
    ReferralReason.CHANGE_OF_LOCATION: "MigrationOrChangeOfLocation",
    ReferralReason.OTHER: "Other",
}
_SERVICE: Final = {
    Service.ACCOMMODATION: "Accommodation",
    Service.MEDICAL: "MedicalCare",
    Service.PSYCHOSOCIAL: "PsychosocialSupport",
    Service.LEGAL: "LegalAssistance",
    Service.INTERPRETATION: "Interpretation",
    Service.EDUCATION: "Education",
    Service.EMPLOYMENT: "EmploymentSupport",
    Service.FINANCIAL: "FinancialAssistance",
    Service.RETURN: "AssistedReturn",
    Service.REINTEGRATION: "Reintegration",
    Service.CHILD_PROTECTION: "ChildProtection",
    Service.OTHER: "Other",
}


class HtcdsField(NamedTuple):
    """One exported field: Ura's attribute, the HTCDS name and how to read it back."""

    attribute: str  # HtcdsReferral attribute (or "consent_to_share")
    name: str  # HTCDS field name, prefix included
    kind: FieldKind
    description: str
    confirmed: bool  # name found in the published HTCDS reference


#: Every exported field in output order. Correct an HTCDS name here and nowhere else.
HTCDS_FIELD_TABLE: Final[tuple[HtcdsField, ...]] = (
    HtcdsField("case_id", "cas_CaseNumber", "text",
               "Pseudonymous case identifier assigned by the referring organisation; never a name",
               False),
    HtcdsField("trafficking_status", "vic_TraffickingStatus", "text",
               "Possible (presumed) or actual (formally identified) victim of trafficking", False),
    HtcdsField("gender", "prs_Gender", "text",
               "Gender: Male, Female, Transgender/NonConforming or Unknown", True),
    HtcdsField("age_at_identification", "vic_AgeAtIdentification", "int",
               "Age in completed years when identified, if known", False),
    HtcdsField("age_band_at_identification", "vic_AgeBandAtIdentification", "text",
               "Age band when identified (e.g. 9-17, 48+) when the exact age is withheld", False),
    HtcdsField("citizenship", "prs_Nationality", "text",
               "Citizenship, ISO 3166-1 alpha-2 code", True),
    HtcdsField("country_of_exploitation", "vic_CountryOfExploitation", "text",
               "Country where the exploitation took place, ISO 3166-1 alpha-2 code", False),
    HtcdsField("exploitation_types", "vic_TypeOfExploitation", "list",
               "Types of exploitation (multiselect)", True),
    HtcdsField("means_of_control", "vic_MethodsOfControl", "list",
               "Means the exploiters used to control the person (multiselect)", True),
    HtcdsField("recruitment", "vic_MethodOfRecruitment", "list",
               "How the person was recruited (multiselect)", True),
    HtcdsField("identification_date", "vic_DateOfIdentification", "date",
               "Date the person was identified as a presumed victim (ISO 8601)", False),
    HtcdsField("referring_organisation", "cas_ReferringOrganisation", "text",
               "Organisation making the referral", True),
    HtcdsField("receiving_organisation", "cas_ReferredOrganisation", "text",
               "Organisation receiving the referral", True),
    HtcdsField("referral_date", "cas_OutgoingReferralDate", "date",
               "Date of the referral (ISO 8601)", True),
    HtcdsField("referral_reason", "cas_ReasonForOutgoingReferral", "text",
               "Reason for the referral", True),
    HtcdsField("services", "cas_ServicesReferredTo", "list",
               "Services the person is referred for (multiselect)", False),
    HtcdsField("consent_to_share", "vic_AgreementToManagePersonalData", "bool",
               "The person agreed to their data being shared with the receiving organisation;"
               " always true in an export", True),
)  # fmt: skip

#: HTCDS field names in output order, each with a one-line description.
HTCDS_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {f.name: f.description for f in HTCDS_FIELD_TABLE}
)

_ALPHA3_TO_ALPHA2: Final = MappingProxyType({a3: a2 for a2, a3 in ALPHA2_TO_ALPHA3.items()})
# A pseudonymous identifier: no spaces, so a full name cannot pass for one.
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
_AGE_BAND = re.compile(r"\d{1,3}(-\d{1,3}|\+)")
_MAX_AGE: Final = 130


def gender_from_sex(sex: Sex) -> Gender:
    """The HTCDS gender for the sex recorded in Ura's canonical records.

    Args:
        sex: Ura's recorded sex (``X`` is recorded for neither male nor female).

    Returns:
        The matching :class:`Gender`.
    """
    return {
        Sex.MALE: Gender.MALE,
        Sex.FEMALE: Gender.FEMALE,
        Sex.OTHER: Gender.TRANSGENDER_NONCONFORMING,
        Sex.UNKNOWN: Gender.UNKNOWN,
    }[sex]


_E = TypeVar("_E", bound=StrEnum)


def _members(kind: type[_E], values: Iterable[str], what: str) -> tuple[_E, ...]:
    out: list[_E] = []
    for value in values:
        try:
            member = kind(value)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            raise HtcdsError(f"{what}: {value!r} is not one of {allowed}") from None
        if member not in out:
            out.append(member)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class HtcdsReferral:
    """A referral of a presumed victim of trafficking, as far as it may leave Ura.

    There is deliberately no field for a name, a date of birth, a document or an address.
    Values are validated on construction; consent is checked on export, so a referral can be
    prepared before the person has decided.

    Raises:
        HtcdsError: A value is invalid (the message names the attribute).
    """

    case_id: str
    gender: Gender
    referring_organisation: str
    receiving_organisation: str
    referral_date: dt.date
    referral_reason: ReferralReason
    consent_to_share: bool
    trafficking_status: TraffickingStatus | None = None
    age_at_identification: int | None = None
    age_band_at_identification: str | None = None
    citizenship: str | None = None  # ISO 3166-1 alpha-3
    country_of_exploitation: str | None = None  # ISO 3166-1 alpha-3
    exploitation_types: tuple[ExploitationType, ...] = field(default=())
    means_of_control: tuple[MeansOfControl, ...] = field(default=())
    recruitment: tuple[RecruitmentMethod, ...] = field(default=())
    identification_date: dt.date | None = None
    services: tuple[Service, ...] = field(default=())

    def __post_init__(self) -> None:
        if not isinstance(self.case_id, str) or not _CASE_ID.fullmatch(self.case_id):
            raise HtcdsError(
                "case_id: must be a pseudonymous identifier (letters, digits and . _ : / -,"
                " no spaces), never a name"
            )
        for name in ("referring_organisation", "receiving_organisation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise HtcdsError(f"{name}: must be the organisation's name")
        age = self.age_at_identification
        if age is not None and (
            isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= _MAX_AGE
        ):
            raise HtcdsError(f"age_at_identification: {age!r} is not an age in years")
        band = self.age_band_at_identification
        if band is not None and not _AGE_BAND.fullmatch(band):
            raise HtcdsError(f"age_band_at_identification: {band!r} is not a band like 18-20")
        for name in ("citizenship", "country_of_exploitation"):
            code = getattr(self, name)
            if code is not None and code not in ISO3166_ALPHA3:
                raise HtcdsError(f"{name}: {code!r} is not an ISO 3166-1 alpha-3 code")
        for name in ("referral_date", "identification_date"):
            day = getattr(self, name)
            if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
                raise HtcdsError(f"{name}: must be a date")
        if not isinstance(self.consent_to_share, bool):
            raise HtcdsError("consent_to_share: must be true or false")
        # Accept Ura's values as plain strings too (as a form or the database gives them).
        _set = object.__setattr__
        _set(self, "gender", _members(Gender, [self.gender], "gender")[0])
        reason = _members(ReferralReason, [self.referral_reason], "referral_reason")
        _set(self, "referral_reason", reason[0])
        if self.trafficking_status is not None:
            status = _members(TraffickingStatus, [self.trafficking_status], "trafficking_status")
            _set(self, "trafficking_status", status[0])
        types = _members(ExploitationType, self.exploitation_types, "exploitation_types")
        _set(self, "exploitation_types", types)
        means = _members(MeansOfControl, self.means_of_control, "means_of_control")
        _set(self, "means_of_control", means)
        _set(self, "recruitment", _members(RecruitmentMethod, self.recruitment, "recruitment"))
        _set(self, "services", _members(Service, self.services, "services"))


def to_htcds_record(referral: HtcdsReferral) -> HtcdsRecord:
    """One referral as an HTCDS record: field names in :data:`HTCDS_FIELDS` order.

    Args:
        referral: The referral to export.

    Returns:
        The record. Dates are ISO 8601 text, countries ISO 3166-1 alpha-2, multiselect fields
        lists of HTCDS value names, unknown values ``None``.

    Raises:
        HtcdsError: The person has not consented to sharing their data.
    """
    if referral.consent_to_share is not True:
        raise HtcdsError(
            f"referral {referral.case_id}: no consent to share; a referral without consent is"
            " not exported (record the 'referral not possible' path instead)"
        )
    status = referral.trafficking_status
    values: dict[str, str | int | bool | list[str] | None] = {
        "case_id": referral.case_id,
        "trafficking_status": _TRAFFICKING_STATUS[status] if status is not None else None,
        "gender": _GENDER[referral.gender],
        "age_at_identification": referral.age_at_identification,
        "age_band_at_identification": referral.age_band_at_identification,
        "citizenship": _alpha2(referral.citizenship),
        "country_of_exploitation": _alpha2(referral.country_of_exploitation),
        "exploitation_types": [_EXPLOITATION[e] for e in referral.exploitation_types],
        "means_of_control": [_MEANS[m] for m in referral.means_of_control],
        "recruitment": [_RECRUITMENT[r] for r in referral.recruitment],
        "identification_date": _iso(referral.identification_date),
        "referring_organisation": referral.referring_organisation.strip(),
        "receiving_organisation": referral.receiving_organisation.strip(),
        "referral_date": referral.referral_date.isoformat(),
        "referral_reason": _REASON[referral.referral_reason],
        "services": [_SERVICE[s] for s in referral.services],
        "consent_to_share": True,
    }
    return {f.name: values[f.attribute] for f in HTCDS_FIELD_TABLE}


def _alpha2(alpha3: str | None) -> str | None:
    return None if alpha3 is None else _ALPHA3_TO_ALPHA2[alpha3]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _checked(records: Iterable[HtcdsRecord]) -> list[HtcdsRecord]:
    names = list(HTCDS_FIELDS)
    rows = list(records)
    for n, record in enumerate(rows):
        if list(record) != names:
            raise HtcdsError(f"record {n}: fields differ from HTCDS_FIELDS; use to_htcds_record")
    return rows


def write_htcds_json(records: Iterable[HtcdsRecord], stream: IO[str]) -> None:
    """Write records as a JSON array of objects (UTF-8 text, fields in standard order).

    Args:
        records: Records made by :func:`to_htcds_record`.
        stream: A text stream to write to.

    Raises:
        HtcdsError: A record's fields are not the HTCDS fields in order.
    """
    json.dump(_checked(records), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def write_htcds_csv(records: Iterable[HtcdsRecord], stream: IO[str]) -> None:
    """Write records as CSV with a header row of HTCDS field names.

    Multiselect fields are joined with ``;``; a missing value is an empty cell; booleans
    are ``true``/``false``. Open ``stream`` with ``newline=""``.

    Args:
        records: Records made by :func:`to_htcds_record`.
        stream: A text stream to write to.

    Raises:
        HtcdsError: A record's fields are not the HTCDS fields in order.
    """
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(HTCDS_FIELDS)
    for record in _checked(records):
        writer.writerow(_cell(value) for value in record.values())


def _cell(value: str | int | bool | list[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def read_htcds_json(stream: IO[str]) -> list[HtcdsRecord]:
    """Read records written by :func:`write_htcds_json`.

    Args:
        stream: A text stream holding a JSON array of HTCDS records.

    Returns:
        The records, fields in standard order.

    Raises:
        HtcdsError: The text is not such an array.
    """
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise HtcdsError(f"not valid JSON: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise HtcdsError("expected a JSON array of HTCDS records")
    return _checked(data)


def read_htcds_csv(stream: IO[str]) -> list[HtcdsRecord]:
    """Read records written by :func:`write_htcds_csv`, restoring numbers, flags and lists.

    Args:
        stream: A text stream opened with ``newline=""``.

    Returns:
        The records, fields in standard order.

    Raises:
        HtcdsError: The header is not the HTCDS fields in order, or a cell cannot be read.
    """
    rows = csv.reader(stream)
    header = next(rows, None)
    if header != list(HTCDS_FIELDS):
        raise HtcdsError("CSV header is not the HTCDS fields in order")
    records: list[HtcdsRecord] = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(HTCDS_FIELD_TABLE):
            raise HtcdsError(f"CSV line {line}: {len(row)} cells, expected {len(header)}")
        cells = zip(HTCDS_FIELD_TABLE, row, strict=True)
        records.append({f.name: _parse(f, cell, line) for f, cell in cells})
    return records


def _parse(spec: HtcdsField, cell: str, line: int) -> str | int | bool | list[str] | None:
    if spec.kind == "list":
        return cell.split(LIST_SEPARATOR) if cell else []
    if cell == "":
        return None
    if spec.kind == "int":
        try:
            return int(cell)
        except ValueError:
            raise HtcdsError(f"CSV line {line}: {spec.name}: {cell!r} is not a number") from None
    if spec.kind == "bool":
        if cell not in ("true", "false"):
            raise HtcdsError(f"CSV line {line}: {spec.name}: {cell!r} is not true or false")
        return cell == "true"
    return cell


def htcds_value_names() -> Mapping[str, Sequence[str]]:
    """The HTCDS picklist value names this export can write, per field (for docs and tests).

    Returns:
        A mapping from HTCDS field name to its value names in Ura's enum order.
    """
    tables: dict[str, Mapping[Any, str]] = {
        "gender": _GENDER,
        "trafficking_status": _TRAFFICKING_STATUS,
        "exploitation_types": _EXPLOITATION,
        "means_of_control": _MEANS,
        "recruitment": _RECRUITMENT,
        "referral_reason": _REASON,
        "services": _SERVICE,
    }
    return MappingProxyType(
        {
            f.name: tuple(tables[f.attribute].values())
            for f in HTCDS_FIELD_TABLE
            if f.attribute in tables
        }
    )
