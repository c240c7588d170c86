"""Core reads: the audit trail and its verification."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings

from ura.apps.core.models import AuditEvent
from ura.integrity import GENESIS, ChainReport, verify_chain

_BATCH = 2000


def _chain_entries(expected_sequence: list[int]) -> Iterator[tuple[object, dict[str, Any], str]]:
    """Events in sequence order, as ``(sequence, content, hash)``, read in batches.

    A gap in the sequence (a deleted event) is reported as a break at the missing number,
    and each event's stored ``previous_hash`` must equal the hash before it.
    """
    last_sequence = 0
    previous_hash = GENESIS
    while True:
        batch = list(
            AuditEvent.objects.filter(sequence__gt=last_sequence).order_by("sequence")[:_BATCH]
        )
        if not batch:
            return
        for event in batch:
            expected_sequence[0] += 1
            content = event.chain_content()
            if event.sequence != expected_sequence[0] or event.previous_hash != previous_hash:
                # Make the chain check fail here, naming this event.
                yield event.sequence, {**content, "_gap_or_link_broken": True}, event.hash
                return
            yield event.sequence, content, event.hash
            previous_hash = event.hash
            last_sequence = event.sequence


def audit_chain_verify(*, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Verify the whole audit chain: content, order, links and completeness.

    Args:
        progress: called with (events checked, events in total) as verification proceeds.

    Returns:
        The number of intact events and the first break, if any.
    """
    total = AuditEvent.objects.count()
    key = settings.URA_AUDIT_KEY.encode("utf-8")
    counter = [0]
    return verify_chain(
        key,
        _chain_entries(counter),
        progress=(lambda n: progress(n, total)) if progress else None,
    )
