"""Keyed hash chain over canonical JSON entries."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The digest that stands before the first entry.
GENESIS = "0" * 64


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


@dataclass(frozen=True)
class ChainBreak:
    """The first entry whose stored digest does not match its recomputed digest."""

    position: int
    """0-based position of the entry in the verified sequence."""
    entry_id: object
    """The caller's identifier of the entry (e.g. its primary key)."""
    stored: str
    expected: str


@dataclass(frozen=True)
class ChainReport:
    """The outcome of ``verify_chain``."""

    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


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
        if progress is not None and checked % 1000 == 0:
            progress(checked)
    if progress is not None:
        progress(checked)
    return ChainReport(checked, None)
