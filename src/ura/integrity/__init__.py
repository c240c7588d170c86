"""Tamper evidence for append-only logs: a keyed hash chain (pure Python, no Django).

Each entry's digest covers its own canonical content and the digest of the entry before it,
so altering, removing or reordering any entry breaks every digest from that point on. The
chain is keyed (HMAC-SHA-256): someone who can write to the database but does not hold the
key cannot recompute a consistent chain after tampering.

Example:
    >>> key = b"k" * 32
    >>> first = chain_digest(key, GENESIS, {"action": "login", "actor": 1})
    >>> second = chain_digest(key, first, {"action": "logout", "actor": 1})
    >>> verify_chain(key, [(1, {"action": "login", "actor": 1}, first),
    ...                    (2, {"action": "logout", "actor": 1}, second)]).ok
    True
"""

from ura.integrity.chain import (
    GENESIS,
    BreakReason,
    ChainBreak,
    ChainReport,
    LogEntry,
    LogHead,
    canonical_bytes,
    chain_digest,
    verify_chain,
    verify_log,
)

__all__ = [
    "GENESIS",
    "BreakReason",
    "ChainBreak",
    "ChainReport",
    "LogEntry",
    "LogHead",
    "canonical_bytes",
    "chain_digest",
    "verify_chain",
    "verify_log",
]
