from __future__ import annotations

import pyarrow as pa

from ura.linkage.clustering import cluster, groups_as_pairs, uncertain_pairs


def _pairs(rows: list[tuple[str, str, float]]) -> pa.Table:
    return pa.table(
        {
            "unique_id_l": [r[0] for r in rows],
            "unique_id_r": [r[1] for r in rows],
            "match_probability": [r[2] for r in rows],
            "match_weight": [0.0 for _ in rows],
        }
    )


def test_threshold_and_singletons() -> None:
    result = cluster(["a", "b", "c", "d"], _pairs([("a", "b", 0.95), ("c", "d", 0.5)]), 0.9)
    assert result.groups() == [["a", "b"], ["c"], ["d"]]
    assert result.weakest == [0.95, 0.95, None, None]
    assert result.accepted_edges == 1


def test_cannot_link_skips_bridging_merge() -> None:
    # a-b and c-d are strong; b-c would bridge a and d, which a reviewer said differ.
    pairs = _pairs([("a", "b", 0.99), ("c", "d", 0.98), ("b", "c", 0.97)])
    result = cluster("abcd", pairs, 0.9, cannot_link=[("a", "d")])
    assert result.groups() == [["a", "b"], ["c", "d"]]
    unconstrained = cluster("abcd", pairs, 0.9)
    assert unconstrained.groups() == [["a", "b", "c", "d"]]


def test_higher_probability_wins_the_constraint() -> None:
    # b may join a or c, not both; the stronger edge is accepted first.
    pairs = _pairs([("a", "b", 0.92), ("b", "c", 0.96)])
    result = cluster("abc", pairs, 0.9, cannot_link=[("a", "c")])
    assert result.groups() == [["a"], ["b", "c"]]


def test_must_link_first_with_weight_one_and_conflicts_reported() -> None:
    pairs = _pairs([("b", "c", 0.95)])
    result = cluster(
        "abcd",
        pairs,
        0.9,
        must_link=[("a", "b"), ("c", "d"), ("a", "d")],
        cannot_link=[("a", "d")],
    )
    # a-b and c-d are must-links; a-d conflicts; b-c would join a and d: refused too.
    assert result.groups() == [["a", "b"], ["c", "d"]]
    assert result.weakest == [1.0, 1.0, 1.0, 1.0]
    assert result.conflicts == [("a", "d")]


def test_weakest_link_is_lowest_incident_tree_edge() -> None:
    # Chain a-b (0.99), b-c (0.91), plus a-c (0.95) which is accepted before b-c.
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.91), ("a", "c", 0.95)])
    result = cluster("abc", pairs, 0.9)
    weakest = dict(zip(result.ids, result.weakest, strict=True))
    # tree edges: a-b, a-c; b-c merges nothing and is not part of the tree
    assert weakest == {"a": 0.95, "b": 0.99, "c": 0.95}


def test_ties_are_deterministic_whatever_the_input_order() -> None:
    rows = [("a", "b", 0.95), ("b", "c", 0.95), ("a", "c", 0.95)]
    first = cluster("abc", _pairs(rows), 0.9, cannot_link=[("a", "c")])
    second = cluster("abc", _pairs(rows[::-1]), 0.9, cannot_link=[("c", "a")])
    assert first.groups() == second.groups() == [["a", "b"], ["c"]]


def test_initial_weakest_carried_forward() -> None:
    result = cluster(
        "abc",
        _pairs([("b", "c", 0.93)]),
        0.9,
        must_link=groups_as_pairs([["a", "b"]]),
        initial_weakest={"a": 0.97, "b": 0.97},
    )
    assert dict(zip(result.ids, result.weakest, strict=True)) == {"a": 0.97, "b": 0.93, "c": 0.93}


def test_many_pairs_in_seconds() -> None:
    n = 200_000
    ids = [f"r{i:07d}" for i in range(n)]
    left = [ids[i] for i in range(n - 1)]
    right = [ids[i + 1] for i in range(n - 1)]
    probs = [0.95 if i % 10 else 0.2 for i in range(n - 1)]
    pairs = pa.table({"unique_id_l": left, "unique_id_r": right, "match_probability": probs})
    result = cluster(ids, pairs, 0.9)
    # edges 0, 10, 20... are below the threshold: n // 10 cuts make n // 10 + 1 clusters
    assert result.count == n // 10 + 1
    assert result.accepted_edges == n - 1 - n // 10


def test_uncertain_band_is_half_open_and_sorted_by_uncertainty() -> None:
    pairs = pa.table(
        {
            "unique_id_l": ["a", "b", "c", "d"],
            "unique_id_r": ["x", "y", "z", "w"],
            "match_probability": [0.5, 0.7, 0.9, 0.55],
            "match_weight": [0.0, 1.22, 3.17, 0.29],
        }
    )
    band = uncertain_pairs(pairs, 0.5, 0.9)
    assert band.column("unique_id_l").to_pylist() == ["a", "d", "b"]


def test_a_record_without_an_exact_date_does_not_chain_namesakes() -> None:
    """y (year of birth only) matches a and b, born on different days: it joins the stronger
    one, and a and b stay apart."""
    pairs = _pairs([("a", "y", 0.97), ("b", "y", 0.95)])
    attributes = {"a": ("M", "1990-03-05"), "b": ("M", "1990-11-21"), "y": ("M", None)}
    result = cluster(["a", "b", "y"], pairs, 0.9, attributes=attributes)
    of = result.cluster_of()
    assert of["a"] == of["y"] != of["b"]
    # A typo-close date is the same person written differently: the chain is allowed.
    close = {**attributes, "b": ("M", "1990-03-06")}
    of = cluster(["a", "b", "y"], pairs, 0.9, attributes=close).cluster_of()
    assert of["a"] == of["b"] == of["y"]


def test_two_exact_dates_the_model_compared_are_its_call_and_sexes_never_mix() -> None:
    pairs = _pairs([("a", "b", 0.95)])
    attributes = {"a": ("F", "1990-03-05"), "b": ("F", "1975-11-21")}
    assert cluster(["a", "b"], pairs, 0.9, attributes=attributes).count == 1
    mixed = {"a": ("F", None), "b": ("M", None)}
    assert cluster(["a", "b"], pairs, 0.9, attributes=mixed).count == 2
    # A reviewer's must-link overrides the rule.
    assert cluster(["a", "b"], pairs, 0.9, attributes=mixed, must_link=[("a", "b")]).count == 1


def test_exact_dates_a_slip_apart_do_not_walk_from_date_to_date() -> None:
    """Each neighbour in a chain of namesakes is one slip from the next (a one-digit day,
    then a one-digit month, then a one-digit year); together they are four people: the
    cluster keeps the dates that are slips of one date and refuses the walk."""
    dates = ["2024-04-23", "2024-04-28", "2024-08-28", "2021-08-28"]
    ids = ["a", "b", "c", "d"]
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.98), ("c", "d", 0.97)])
    attributes = {i: ("F", d) for i, d in zip(ids, dates, strict=True)}
    of = cluster(ids, pairs, 0.9, attributes=attributes).cluster_of()
    # b is one slip from a and from c: a, b, c can be one date written three ways.
    assert of["a"] == of["b"] == of["c"]
    # d is a slip from c only; no date of {a, b, c, d} is close to all the others.
    assert of["d"] != of["a"]
    # A reviewer's must-link binds c to d; the walk back to a and b is still refused.
    linked = cluster(ids, pairs, 0.9, attributes=attributes, must_link=[("c", "d")])
    of = linked.cluster_of()
    assert of["c"] == of["d"] != of["a"] == of["b"]
