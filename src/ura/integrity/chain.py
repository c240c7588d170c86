"""Keyed hash chain over canonical JSON entries, and verification of numbered logs."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

#: The digest that stands before the first entry.
GENESIS = "0" * 64

#: How often (in entries) verification reports progress.
PROGRESS_EVERY = 1000


def canonical_bytes(content: Mapping[str, Any]) -> bytes:
    """Serialise ``content`` so that equal content always gives equal bytes.

    Keys are sorted, separators fixed and non-ASCII text kept as UTF-8. Values must be JSON
    types (str, int, float, bool, None, lists and mappings of them).

    Args:
        content: the entry's fields.

    Returns:
        The UTF-8 bytes of the canonical JSON text.

    Raises:
        TypeError: when a value is not a JSON type.
    """
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def chain_digest(key: bytes, previous: str, content: Mapping[str, Any]) -> str:
    """Return the hex digest of an entry that follows the entry whose digest is ``previous``.

    Args:
        key: the chain's secret key.
        previous: the previous entry's digest, or ``GENESIS`` for the first entry.
        content: the entry's fields (see ``canonical_bytes``).

    Returns:
        A 64-character lower-case hex HMAC-SHA-256 digest.
    """
    mac = hmac.new(key, previous.encode("ascii"), hashlib.sha256)
    mac.update(b"\x1e")
    mac.update(canonical_bytes(content))
    return mac.hexdigest()


class BreakReason(StrEnum):
    """Why verification stopped at an entry."""

    ALTERED = "altered"
    """The entry's content or digest differs from what was chained (or a wrong key made it)."""
    LINK = "link"
    """The entry's stored link to its predecessor differs from the predecessor's digest."""
    MISSING = "missing"
    """An entry with this sequence number should exist and does not."""
    OUT_OF_ORDER = "out_of_order"
    """An entry carries a sequence number that is already behind the chain."""
    HEAD = "head"
    """The chain's recorded head disagrees with its last entry (entries appended around it)."""


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not verify."""

    position: int
    """0-based position of the entry in the verified sequence."""
    entry_id: object
    """The caller's identifier of the entry (e.g. its sequence number)."""
    stored: str
    expected: str
    reason: BreakReason = BreakReason.ALTERED


@dataclass(frozen=True)
class ChainReport:
    """The outcome of ``verify_chain`` or ``verify_log``."""

    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


class LogEntry(NamedTuple):
    """One entry of a numbered log as stored: its number, content, link and digest."""

    sequence: int
    content: Mapping[str, Any]
    previous: str
    digest: str


class LogHead(NamedTuple):
    """What the log records about its own end: the last sequence number and digest."""

    sequence: int
    digest: str


def verify_chain(
    key: bytes,
    entries: Iterable[tuple[object, Mapping[str, Any], str]],
    *,
    start: str = GENESIS,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Recompute the chain over ``entries`` in order and report the first mismatch.

    Args:
        key: the chain's secret key.
        entries: ``(entry_id, content, stored_digest)`` tuples in chain order; ``entry_id``
            is only reported back, to name a broken entry.
        start: the digest before the first entry (``GENESIS`` for a whole chain).
        progress: called with the number of entries checked so far, every 1,000 entries.

    Returns:
        How many entries were checked and the first break, if any. Verification stops at the
        first break: every later digest depends on it.
    """
    previous = start
    checked = 0
    for entry_id, content, stored in entries:
        expected = chain_digest(key, previous, content)
        if not hmac.compare_digest(expected, stored):
            return ChainReport(checked, ChainBreak(checked, entry_id, stored, expected))
        previous = stored
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
    if progress is not None:
        progress(checked)
    return ChainReport(checked, None)


def verify_log(
    key: bytes,
    entries: Iterable[LogEntry],
    *,
    head: Callable[[], LogHead | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Verify a log numbered 1, 2, 3, … whose entries are chained from ``GENESIS``.

    Each entry must carry the next number (a gap is a removed entry), link to the digest of
    the entry before it, and have the digest its content and that link produce under
    ``key``. Finally the log's head, if given, must name the last entry: this is what
    reveals entries removed from the end, which no later digest depends on.

    Args:
        key: the chain's secret key.
        entries: the stored entries in ascending sequence order.
        head: called once after the last entry; returns the head the log records (None when
            it records none, which is only correct for an empty log).
        progress: called with the number of entries checked so far, every 1,000 entries
            and at the end.

    Returns:
        How many entries verified and the first break, if any. ``entry_id`` of a break is
        the sequence number at which the log stops being trustworthy: the altered entry, or
        the number of the first missing entry.

    Example:
        >>> key = b"k" * 32
        >>> d1 = chain_digest(key, GENESIS, {"sequence": 1})
        >>> verify_log(key, [LogEntry(1, {"sequence": 1}, GENESIS, d1)]).ok
        True
        >>> verify_log(key, [LogEntry(2, {"sequence": 2}, d1, "f" * 64)]).first_break.reason
        <BreakReason.MISSING: 'missing'>
    """
    previous = GENESIS
    expected_sequence = 1
    checked = 0

    def broken(entry_id: int, stored: str, expected: str, reason: BreakReason) -> ChainReport:
        return ChainReport(checked, ChainBreak(checked, entry_id, stored, expected, reason))

    for entry in entries:
        if entry.sequence > expected_sequence:
            return broken(expected_sequence, "", "", BreakReason.MISSING)
        if entry.sequence < expected_sequence:
            return broken(entry.sequence, entry.digest, "", BreakReason.OUT_OF_ORDER)
        if not hmac.compare_digest(entry.previous, previous):
            return broken(entry.sequence, entry.previous, previous, BreakReason.LINK)
        expected = chain_digest(key, previous, entry.content)
        if not hmac.compare_digest(expected, entry.digest):
            return broken(entry.sequence, entry.digest, expected, BreakReason.ALTERED)
        previous = entry.digest
        expected_sequence += 1
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
    if progress is not None:
        progress(checked)
    if head is not None:
        recorded = head() or LogHead(0, GENESIS)
        if recorded.sequence > checked:
            # The head names entries that are gone: the end of the log was cut off.
            return broken(expected_sequence, "", recorded.digest, BreakReason.MISSING)
        if recorded.sequence < checked or not hmac.compare_digest(recorded.digest, previous):
            return broken(checked, previous, recorded.digest, BreakReason.HEAD)
    return ChainReport(checked, None)
