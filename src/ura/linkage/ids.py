"""Stable person ids across linkage runs, and the lineage that explains every change.

A person id must survive re-linking so that cases, referrals and audit entries attached to it
stay attached. Rules (ties always broken by the smallest id or record key, so the outcome is
deterministic):

* each previous person id has a *home*: the new cluster holding most of its records;
* a cluster keeps, among the ids whose home it is, the one held by most of its records; new
  records joining a cluster take the cluster's id;
* MERGE: other ids whose home is the same cluster are absorbed into the surviving id;
* SPLIT: a previous person's records in clusters other than its home go to other ids (the
  id those clusters keep, or a new one);
* NEW: a cluster with no previously assigned record gets a new id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ura.linkage.prepare import RecordKey

EventKind = Literal["new", "merge", "split"]


@dataclass(frozen=True, slots=True)
class LineageEvent:
    """One change to the person index. ``person_id``: the new id (new), the surviving id
    (merge) or the id that was split; ``related_ids``: the absorbed ids (merge) or the ids
    now holding the split-off records (split); ``record_keys``: the records concerned (all
    records of a new person; the absorbed or split-off records otherwise)."""

    kind: EventKind
    person_id: str
    related_ids: tuple[str, ...]
    record_keys: tuple[RecordKey, ...]


def assign_person_ids(
    previous: Mapping[RecordKey, str],
    clusters: Sequence[Sequence[RecordKey]],
    new_id: Callable[[], str],
) -> tuple[dict[RecordKey, str], list[LineageEvent]]:
    """Person id of every record in ``clusters``, and the lineage events (module docstring).
    ``previous`` maps record keys to the person ids of the last published run; records not
    in it are new. ``new_id`` mints an unused id."""
    ordered = sorted((sorted(c) for c in clusters if c), key=lambda c: c[0])
    # home of each previous id: (most records, then smallest cluster position)
    counts: dict[str, Counter[int]] = {}
    for ci, members in enumerate(ordered):
        for key in members:
            pid = previous.get(key)
            if pid is not None:
                counts.setdefault(pid, Counter())[ci] += 1
    home = {
        pid: min(c.items(), key=lambda item: (-item[1], item[0]))[0] for pid, c in counts.items()
    }
    assigned: dict[RecordKey, str] = {}
    events: list[LineageEvent] = []
    cluster_id: list[str] = []
    for ci, members in enumerate(ordered):
        present = Counter(previous[k] for k in members if k in previous)
        homed = [(n, pid) for pid, n in present.items() if home[pid] == ci]
        if homed:
            survivor = min(homed, key=lambda item: (-item[0], item[1]))[1]
            absorbed = sorted(pid for _, pid in homed if pid != survivor)
            if absorbed:
                keys = tuple(k for k in members if previous.get(k) in absorbed)
                events.append(LineageEvent("merge", survivor, tuple(absorbed), keys))
        else:
            survivor = new_id()
            if not present:
                events.append(LineageEvent("new", survivor, (), tuple(members)))
        cluster_id.append(survivor)
        for key in members:
            assigned[key] = survivor
    for pid in sorted(counts):
        parts = sorted(ci for ci in counts[pid] if ci != home[pid])
        if parts:
            keys = tuple(k for ci in parts for k in ordered[ci] if previous.get(k) == pid)
            related = tuple(sorted({cluster_id[ci] for ci in parts}))
            events.append(LineageEvent("split", pid, related, keys))
    return assigned, events
