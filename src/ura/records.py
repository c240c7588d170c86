"""The canonical person record (ARCHITECTURE.md §5), as the pure engines see it.

One vocabulary shared by ingest (which produces canonical records), the synthetic data
generator (which writes agency extracts and the truth behind them), linkage (which reads
canonical records) and the Django apps (which store them). Plain data, no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    OTHER = "X"
    UNKNOWN = "U"


class DatePrecision(StrEnum):
    """How much of a date of birth is known. Registration systems store 1 January (or
    00-00) when only the year is known; ingest records the precision instead."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    FOREIGNER_ID = "foreigner_id"  # Türkiye's 99-prefixed foreigner identification number
    TEMPORARY_PROTECTION_ID = "temporary_protection_id"
    OTHER = "other"


class EventType(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
    PERMIT = "permit"
    APPLICATION = "application"
    REGISTRATION = "registration"
    APPREHENSION = "apprehension"
    REMOVAL = "removal"
    RETURN = "return"
    REFERRAL = "referral"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    date: dt.date | None = None
    place: str = ""  # province / municipality code as the source gives it


@dataclass(frozen=True, slots=True)
class CanonicalRecord:
    """One row of one agency extract, in Ura's terms. Text fields are as written by the
    source (empty string when absent); standardisation happens later, in linkage."""

    source: str
    record_id: str
    given_names: str = ""
    family_name: str = ""
    father_name: str = ""
    mother_name: str = ""
    full_name_original: str = ""
    sex: Sex = Sex.UNKNOWN
    date_of_birth: dt.date | None = None
    date_of_birth_precision: DatePrecision = DatePrecision.UNKNOWN
    date_of_birth_placeholder: bool = False  # the source's "unknown day" convention, e.g. 1 Jan
    place_of_birth: str = ""
    nationality: str = ""  # ISO 3166-1 alpha-3 (XKX for Kosovo)
    document_type: DocumentType | None = None
    document_number: str = ""
    document_country: str = ""  # ISO 3166-1 alpha-3
    events: tuple[Event, ...] = field(default=())


#: Columns of the tabular form of canonical records that linkage reads (one row per record).
#: Dates are ISO strings (``YYYY-MM-DD``) or empty; precision and placeholder as above.
LINKAGE_COLUMNS = (
    "source",
    "record_id",
    "given_names",
    "family_name",
    "father_name",
    "mother_name",
    "full_name_original",
    "sex",
    "date_of_birth",
    "date_of_birth_precision",
    "date_of_birth_placeholder",
    "nationality",
    "document_type",
    "document_number",
    "document_country",
)


def linkage_row(record: CanonicalRecord) -> dict[str, str | bool]:
    """The record as one row of the linkage table (see LINKAGE_COLUMNS)."""
    return {
        "source": record.source,
        "record_id": record.record_id,
        "given_names": record.given_names,
        "family_name": record.family_name,
        "father_name": record.father_name,
        "mother_name": record.mother_name,
        "full_name_original": record.full_name_original,
        "sex": record.sex.value,
        "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else "",
        "date_of_birth_precision": record.date_of_birth_precision.value,
        "date_of_birth_placeholder": record.date_of_birth_placeholder,
        "nationality": record.nationality,
        "document_type": record.document_type.value if record.document_type else "",
        "document_number": record.document_number,
        "document_country": record.document_country,
    }
