"""What ingest says about each row: accepted as a canonical record, or quarantined with reasons.

Reasons never carry row values: their messages say what is wrong ("value not in the code map"),
never the value itself, so that they can be logged and shown to anyone who may see the source's
error statistics.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ura.records import CanonicalRecord


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a row was quarantined. ``field`` is a canonical field, a source column, an event
    path such as ``events[0].date``, or ``row`` for the row as a whole; ``code`` is stable and
    machine-readable (see docs/mapping-files.md); ``message`` is plain English without data."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """A row that became a canonical record. ``row_number`` counts data rows from 1 (the
    header and blank lines are not counted); ``raw`` is the row as received, column -> text."""

    file: str
    row_number: int
    record: CanonicalRecord
    raw: dict[str, str]
    row_digest: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A quarantined row with every reason found. ``raw`` is the row as received when it could
    be split into columns; otherwise ``raw`` is None and ``raw_text`` holds the line(s) as
    received. Bytes that did not decode are written as ``\\xNN`` escapes in ``raw_text`` and
    kept exactly, base64-encoded, in ``raw_base64``."""

    file: str
    row_number: int
    raw: dict[str, str] | None
    raw_text: str
    reasons: tuple[Reason, ...]
    row_digest: str
    raw_base64: str = ""

    def __post_init__(self) -> None:
        if not self.reasons:
            raise ValueError("a rejected row needs at least one reason")


Outcome = Accepted | Rejected


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """Counts for one ingest run; ``read == accepted + quarantined`` by construction."""

    read: int
    accepted: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)  # reason code -> number of reasons


def summarise(outcomes: Iterable[Accepted | Rejected]) -> IngestSummary:
    """Count rows and reason codes (a row with two reasons counts once per code)."""
    accepted = quarantined = 0
    reasons: Counter[str] = Counter()
    for outcome in outcomes:
        if isinstance(outcome, Accepted):
            accepted += 1
        else:
            quarantined += 1
            reasons.update(reason.code for reason in outcome.reasons)
    return IngestSummary(
        accepted + quarantined, accepted, quarantined, dict(sorted(reasons.items()))
    )


def digest_cells(raw: dict[str, str]) -> str:
    """SHA-256 of a canonical serialisation of a row (keys sorted, UTF-8 JSON): identical rows
    give identical digests on every read, whatever the column order."""
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(b"cells:" + text.encode("utf-8")).hexdigest()


def digest_bytes(data: bytes) -> str:
    """SHA-256 of a row that could not be split into columns, over its bytes as received."""
    return hashlib.sha256(b"bytes:" + data).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
