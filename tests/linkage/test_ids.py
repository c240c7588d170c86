from __future__ import annotations

import itertools

from ura.linkage.ids import LineageEvent, assign_person_ids


def _k(i: int) -> tuple[str, str]:
    return ("s", f"r{i}")


Key = tuple[str, str]


def _run(
    previous: dict[Key, str], clusters: list[list[Key]]
) -> tuple[dict[Key, str], list[LineageEvent]]:
    counter = itertools.count(1)
    return assign_person_ids(previous, clusters, lambda: f"N{next(counter)}")


def test_keep_and_join() -> None:
    ids, events = _run({_k(1): "P1", _k(2): "P1"}, [[_k(1), _k(2), _k(3)]])
    assert ids == {_k(1): "P1", _k(2): "P1", _k(3): "P1"}
    assert events == []


def test_new_cluster_gets_new_id() -> None:
    ids, events = _run({_k(1): "P1"}, [[_k(1)], [_k(2), _k(3)]])
    assert ids[_k(2)] == ids[_k(3)] == "N1"
    assert events == [LineageEvent("new", "N1", (), (_k(2), _k(3)))]


def test_merge_keeps_majority_then_smallest_id() -> None:
    previous = {_k(1): "P2", _k(2): "P2", _k(3): "P1"}
    ids, events = _run(previous, [[_k(1), _k(2), _k(3)]])
    assert set(ids.values()) == {"P2"}
    assert events == [LineageEvent("merge", "P2", ("P1",), (_k(3),))]
    ids, events = _run({_k(1): "P2", _k(2): "P1"}, [[_k(1), _k(2)]])
    assert set(ids.values()) == {"P1"}
    assert events == [LineageEvent("merge", "P1", ("P2",), (_k(1),))]


def test_split_largest_part_keeps_id() -> None:
    previous = {_k(1): "P1", _k(2): "P1", _k(3): "P1"}
    ids, events = _run(previous, [[_k(3)], [_k(1), _k(2)]])
    assert ids[_k(1)] == ids[_k(2)] == "P1"
    assert ids[_k(3)] == "N1"
    assert events == [LineageEvent("split", "P1", ("N1",), (_k(3),))]


def test_split_part_joining_another_person() -> None:
    # r3 leaves P1 and joins P2's cluster: P2 keeps its id, P1 records a split.
    previous = {_k(1): "P1", _k(2): "P1", _k(3): "P1", _k(4): "P2"}
    ids, events = _run(previous, [[_k(1), _k(2)], [_k(3), _k(4)]])
    assert ids == {_k(1): "P1", _k(2): "P1", _k(3): "P2", _k(4): "P2"}
    assert events == [LineageEvent("split", "P1", ("P2",), (_k(3),))]
