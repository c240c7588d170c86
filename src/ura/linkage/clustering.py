"""Constrained clustering of scored pairs into persons.

Ura clusters with its own union-find rather than Splink's connected components because
reviewers' decisions must bind: must-link pairs are merged first, then pairs are accepted in
descending match probability, and any merge that would put a cannot-link pair in one cluster
is skipped. Plain connected components cannot refuse an edge.

**Consistency.** Scores are pairwise; a cluster is not. Two records that each match a third
(a year-only record "Mohammad Ahmadi, 1990", say) need not match each other, and at national
scale such bridges chain hundreds of namesakes into one "person". Given each record's sex and
exact date of birth (``attributes``), a merge is also refused when the two clusters hold
different known sexes, or when the clusters' exact dates of birth together have no date close
to all the others (close: the same but for the day, or the month, or day and month swapped,
or one mistyped character, or two neighbouring characters transposed — the slips
registration makes): slips of one true date, not a walk from date to date through a chain of
small differences (at a million records, hundreds of girls named Ogulgerek Orazova born over
eight years chained this way). One exception: a pair comparing two exact dates that leaves
the merged cluster with only those two dates is the model's call, which may link dates that
are not close: people do give different agencies different dates. Reviewers' must-links
override this rule.

**Weakest link.** For each record, the lowest match probability among the accepted edges
(the spanning-tree edges that actually merged two clusters) incident to that record: 1.0 for
an edge from a reviewer's must-link, None for a record alone in its cluster. It answers
"how sure is the evidence that keeps this record in its person?" and is what the person
index exports as ``match_probability``. Records of clusters kept from an earlier run start
from the weakest link they had then (``initial_weakest``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Clusters:
    """Clusters over ``ids`` (sorted): ``cluster[i]`` numbers the cluster of ``ids[i]``
    (0..count-1, in order of each cluster's smallest id); ``weakest[i]`` as defined in the
    module docstring; ``conflicts`` lists must-link pairs refused because they contradict
    cannot-links (the reviewer should look again)."""

    ids: list[str]
    cluster: list[int]
    weakest: list[float | None]
    accepted_edges: int
    conflicts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (max(self.cluster) + 1) if self.cluster else 0

    def groups(self) -> list[list[str]]:
        """Members of each cluster, by cluster number."""
        out: list[list[str]] = [[] for _ in range(self.count)]
        for uid, c in zip(self.ids, self.cluster, strict=True):
            out[c].append(uid)
        return out

    def cluster_of(self) -> dict[str, int]:
        return dict(zip(self.ids, self.cluster, strict=True))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n
        # cannot[root] = members of other clusters this cluster must never join
        self.cannot: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def forbidden(self, ra: int, rb: int) -> bool:
        ca, cb = self.cannot.get(ra), self.cannot.get(rb)
        if not ca or not cb:
            return False
        small, other = (ca, rb) if len(ca) <= len(cb) else (cb, ra)
        return any(self.find(x) == other for x in small)

    def union(self, ra: int, rb: int) -> None:
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        moved = self.cannot.pop(rb, None)
        if moved:
            self.cannot.setdefault(ra, set()).update(moved)


def cluster(
    ids: Iterable[str],
    pairs: pa.Table,
    threshold: float,
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    initial_weakest: Mapping[str, float | None] | None = None,
    attributes: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> Clusters:
    """Cluster ``ids`` using ``pairs`` (columns unique_id_l, unique_id_r, match_probability)
    with probability >= ``threshold``, honouring reviewer constraints (module docstring).
    Ties in probability are broken by the sorted pair of ids, so the result does not depend
    on the order of ``pairs``. Pairs naming ids outside ``ids`` are ignored. ``attributes``
    maps an id to (sex or None, exact ISO date of birth or None) for the consistency rule."""
    universe = sorted(set(ids))
    index = {uid: i for i, uid in enumerate(universe)}
    n = len(universe)
    uf = _UnionFind(n)
    weakest: list[float | None] = [None] * n
    if initial_weakest:
        for uid, w in initial_weakest.items():
            if uid in index:
                weakest[index[uid]] = w

    for a, b in cannot_link:
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        uf.cannot.setdefault(ia, set()).add(ib)
        uf.cannot.setdefault(ib, set()).add(ia)

    sexes: dict[int, str] = {}
    births: dict[int, set[str]] = {}
    exact: set[int] = set()  # records with an exact date of birth of their own
    for uid, (sex, born) in (attributes or {}).items():
        i = index.get(uid)
        if i is None:
            continue
        if sex:
            sexes[i] = sex
        if born:
            births[i] = {born}
            exact.add(i)

    accepted = 0
    conflicts: list[tuple[str, str]] = []

    def inconsistent(ia: int, ib: int, ra: int, rb: int) -> bool:
        sa, sb = sexes.get(ra), sexes.get(rb)
        if sa and sb and sa != sb:
            return True
        ba, bb = births.get(ra), births.get(rb)
        if not ba or not bb:
            return False
        merged = ba | bb
        if len(merged) <= 2 and ia in exact and ib in exact:
            return False  # the model compared these two dates itself and still linked
        # One date of the merged cluster must be close to all the others.
        return not any(all(_close_dates(d, e) for e in merged) for d in merged)

    def join(ra: int, rb: int) -> None:
        sex = sexes.pop(ra, None) or sexes.pop(rb, None)
        sexes.pop(rb, None)
        born = births.pop(ra, set()) | births.pop(rb, set())
        uf.union(ra, rb)
        root = uf.find(ra)
        if sex:
            sexes[root] = sex
        if born:
            births[root] = born

    def take(ia: int, ib: int, p: float, *, reviewed: bool = False) -> bool:
        ra, rb = uf.find(ia), uf.find(ib)
        if ra == rb or uf.forbidden(ra, rb):
            return False
        if not reviewed and inconsistent(ia, ib, ra, rb):
            return False
        join(ra, rb)
        for i in (ia, ib):
            w = weakest[i]
            weakest[i] = p if w is None else min(w, p)
        return True

    for a, b in sorted((min(x, y), max(x, y)) for x, y in must_link):
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        if take(ia, ib, 1.0, reviewed=True):
            accepted += 1
        elif uf.find(ia) != uf.find(ib):
            conflicts.append((a, b))

    kept = pairs.filter(pc.greater_equal(pairs.column("match_probability"), threshold))
    left = _positions(kept.column("unique_id_l"), index)
    right = _positions(kept.column("unique_id_r"), index)
    prob = kept.column("match_probability").to_numpy(zero_copy_only=False).astype(np.float64)
    valid = (left >= 0) & (right >= 0) & (left != right)
    left, right, prob = left[valid], right[valid], prob[valid]
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    order = np.lexsort((hi, lo, -prob))
    for ia, ib, p in zip(lo[order].tolist(), hi[order].tolist(), prob[order].tolist(), strict=True):
        if take(ia, ib, p):
            accepted += 1

    roots = [uf.find(i) for i in range(n)]
    numbering: dict[int, int] = {}
    labels = [numbering.setdefault(r, len(numbering)) for r in roots]
    return Clusters(universe, labels, weakest, accepted, conflicts)


def _close_dates(a: str, b: str) -> bool:
    """Whether two ISO dates (YYYY-MM-DD) could be one date written with a common slip:
    a mistyped day or month, day and month swapped, one mistyped character, or two
    neighbouring characters transposed."""
    if a == b or len(a) != len(b):
        return a == b
    same_year, same_month, same_day = a[:4] == b[:4], a[5:7] == b[5:7], a[8:] == b[8:]
    if same_year and (same_month or same_day):
        return True
    if same_year and a[5:7] == b[8:] and a[8:] == b[5:7]:
        return True  # day and month swapped
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) == 1:
        return True
    i = differ[0]
    return len(differ) == 2 and differ[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]


def _positions(column: pa.ChunkedArray, index: Mapping[str, int]) -> np.ndarray:
    """Integer positions of ids in ``index`` (-1 when absent), via a dictionary encoding so
    that each distinct id is looked up once."""
    encoded = column.combine_chunks().dictionary_encode()
    lookup = np.array([index.get(v, -1) for v in encoded.dictionary.to_pylist()], dtype=np.int64)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    if len(lookup) == 0:
        return np.zeros(0, dtype=np.int64)
    positions: np.ndarray = lookup[codes]
    return positions


def uncertain_pairs(pairs: pa.Table, low: float, high: float) -> pa.Table:
    """Scored pairs with ``low <= match_probability < high``: the clerical review queue,
    most uncertain (closest to 0.5 in weight, i.e. lowest |match_weight|) first when the
    table has a match_weight column."""
    p = pairs.column("match_probability")
    band = pairs.filter(pc.and_(pc.greater_equal(p, low), pc.less(p, high)))
    if "match_weight" in band.column_names and band.num_rows:
        order = pc.sort_indices(
            pa.table({"w": pc.abs(band.column("match_weight"))}), [("w", "ascending")]
        )
        band = band.take(order)
    return band


def groups_as_pairs(groups: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """A chain of pairs joining each group's members (to keep groups together as
    must-links)."""
    out: list[tuple[str, str]] = []
    for members in groups:
        ordered = sorted(members)
        out.extend(itertools.pairwise(ordered))
    return out
