"""Data-quality report for one source, built in one streaming pass over ingest outcomes.

The report holds counts and shares only, never values, so it may be shown to anyone who may see
the source's statistics. Duplicate detection keeps one 16-byte hash per distinct key in memory
(not the keys themselves).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ura.ingest.mapping import Mapping
from ura.ingest.outcomes import Accepted, Rejected
from ura.linkage.names import normalise
from ura.records import CanonicalRecord, Sex

_DUPLICATE_ID = "duplicate_record_id"


@dataclass(frozen=True)
class QualityReport:
    """Per-source data quality. Shares are fractions in [0, 1], rounded to 4 places.

    ``completeness``: for each mapped canonical field (and ``events`` when mapped), the share of
    accepted records where it is present. ``invalid``: field -> reason code -> rows.
    ``dob_placeholder_share``: among accepted records with a date of birth, the share whose
    date is the source's "day unknown" placeholder. ``likely_duplicate_*``: accepted records
    sharing normalised family name, given names and date of birth. ``identifiers``: for each
    identifier column, the share of rows (with columns) where it is filled and how many
    distinct values occur in more than one row."""

    source: str
    agency: str
    mapping_digest: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    reasons: dict[str, int]
    completeness: dict[str, float]
    invalid: dict[str, dict[str, int]]
    dob_present: int
    dob_placeholder: int
    dob_placeholder_share: float
    duplicate_record_ids: int
    likely_duplicate_groups: int
    likely_duplicate_records: int
    identifiers: dict[str, dict[str, float | int]]

    def as_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy."""
        return asdict(self)

    def render(self) -> str:
        """Plain text for the command line."""
        lines = [
            f"Source {self.source} ({self.agency}), mapping {self.mapping_digest[:12]}",
            f"  rows read {self.rows_read}, accepted {self.rows_accepted}, "
            f"quarantined {self.rows_quarantined}",
        ]
        if self.completeness:
            lines.append("  completeness (accepted records):")
            width = max(len(name) for name in self.completeness)
            lines += [
                f"    {name:<{width}}  {share:7.2%}" for name, share in self.completeness.items()
            ]
        if self.invalid:
            lines.append("  quarantine reasons by field:")
            for name, codes in self.invalid.items():
                shown = ", ".join(f"{code} {count}" for code, count in codes.items())
                lines.append(f"    {name}: {shown}")
        lines.append(
            f"  dates of birth: {self.dob_present} present, {self.dob_placeholder} placeholder "
            f"({self.dob_placeholder_share:.2%})"
        )
        lines.append(
            f"  duplicates: {self.duplicate_record_ids} repeated record ids; "
            f"{self.likely_duplicate_groups} likely duplicate persons "
            f"({self.likely_duplicate_records} records)"
        )
        for column, figures in self.identifiers.items():
            lines.append(
                f"  identifier {column}: filled {float(figures['filled']):.2%}, "
                f"{figures['repeated_values']} values repeated"
            )
        return "\n".join(lines)


class QualityAccumulator:
    """Builds a :class:`QualityReport` one outcome at a time (e.g. while rows are stored)."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.fields = [*mapping.fields] + (["events"] if mapping.events else [])
        self.accepted = 0
        self.quarantined = 0
        self.filled: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.invalid: Counter[tuple[str, str]] = Counter()
        self.dob_present = 0
        self.dob_placeholder = 0
        self.person_keys: Counter[bytes] = Counter()
        self.rows_with_cells = 0
        self.identifier_filled: Counter[str] = Counter()
        self.identifier_values: dict[str, Counter[bytes]] = {
            c: Counter() for c in mapping.identifiers
        }

    def add(self, outcome: Accepted | Rejected) -> None:
        if isinstance(outcome, Accepted):
            self.accepted += 1
            self._record(outcome.record)
        else:
            self.quarantined += 1
            for reason in outcome.reasons:
                self.reasons[reason.code] += 1
                self.invalid[reason.field, reason.code] += 1
        if outcome.raw is not None:
            self.rows_with_cells += 1
            for column, values in self.identifier_values.items():
                value = outcome.raw.get(column, "").strip()
                if value:
                    self.identifier_filled[column] += 1
                    values[_hash(value)] += 1

    def _record(self, record: CanonicalRecord) -> None:
        for name in self.fields:
            if _present(record, name):
                self.filled[name] += 1
        if record.date_of_birth is not None:
            self.dob_present += 1
            self.dob_placeholder += record.date_of_birth_placeholder
            family, given = normalise(record.family_name), normalise(record.given_names)
            if family and given:
                key = f"{family}\x1f{given}\x1f{record.date_of_birth.isoformat()}"
                self.person_keys[_hash(key)] += 1

    def report(self) -> QualityReport:
        accepted = self.accepted
        invalid: dict[str, dict[str, int]] = {}
        for (name, code), count in sorted(self.invalid.items()):
            invalid.setdefault(name, {})[code] = count
        groups = [n for n in self.person_keys.values() if n > 1]
        identifiers: dict[str, dict[str, float | int]] = {
            column: {
                "filled": _share(self.identifier_filled[column], self.rows_with_cells),
                "repeated_values": sum(1 for n in values.values() if n > 1),
            }
            for column, values in self.identifier_values.items()
        }
        return QualityReport(
            source=self.mapping.source,
            agency=self.mapping.agency,
            mapping_digest=self.mapping.digest,
            rows_read=accepted + self.quarantined,
            rows_accepted=accepted,
            rows_quarantined=self.quarantined,
            reasons=dict(sorted(self.reasons.items())),
            completeness={name: _share(self.filled[name], accepted) for name in self.fields},
            invalid=invalid,
            dob_present=self.dob_present,
            dob_placeholder=self.dob_placeholder,
            dob_placeholder_share=_share(self.dob_placeholder, self.dob_present),
            duplicate_record_ids=self.reasons[_DUPLICATE_ID],
            likely_duplicate_groups=len(groups),
            likely_duplicate_records=sum(groups),
            identifiers=identifiers,
        )


def quality_report(mapping: Mapping, outcomes: Iterable[Accepted | Rejected]) -> QualityReport:
    """The data-quality report of one ingest, in one pass over its outcomes."""
    accumulator = QualityAccumulator(mapping)
    for outcome in outcomes:
        accumulator.add(outcome)
    return accumulator.report()


def _present(record: CanonicalRecord, name: str) -> bool:
    if name == "events":
        return bool(record.events)
    if name == "sex":
        return record.sex is not Sex.UNKNOWN
    if name == "date_of_birth":
        return record.date_of_birth is not None
    if name == "document_type":
        return record.document_type is not None
    return bool(getattr(record, name))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
