from __future__ import annotations

import pytest

from ura.linkage.evaluation import evaluate


def test_perfect_clustering() -> None:
    truth = {"a": 1, "b": 1, "c": 2}
    scores = evaluate({"a": "x", "b": "x", "c": "y"}, truth)
    assert scores.pairwise_f1 == 1.0
    assert scores.bcubed_f1 == 1.0
    assert scores.exact_person_share == 1.0


def test_known_case() -> None:
    # truth: {a,b,c} {d}; predicted: {a,b} {c,d}
    truth = {"a": 1, "b": 1, "c": 1, "d": 2}
    scores = evaluate({"a": 1, "b": 1, "c": 2, "d": 2}, truth)
    assert scores.true_positive_pairs == 1
    assert scores.predicted_pairs == 2
    assert scores.true_pairs == 3
    assert scores.pairwise_precision == pytest.approx(0.5)
    assert scores.pairwise_recall == pytest.approx(1 / 3)
    assert scores.pairwise_f1 == pytest.approx(0.4)
    # B-cubed precision per record: a 1, b 1, c 1/2, d 1/2 -> 0.75
    assert scores.bcubed_precision == pytest.approx(0.75)
    # B-cubed recall: a 2/3, b 2/3, c 1/3, d 1 -> 2/3
    assert scores.bcubed_recall == pytest.approx(2 / 3)
    assert scores.exact_person_share == 0.0


def test_all_singletons() -> None:
    truth = {"a": 1, "b": 1, "c": 2}
    scores = evaluate({"a": 1, "b": 2, "c": 3}, truth)
    assert scores.pairwise_precision == 1.0
    assert scores.pairwise_recall == 0.0
    assert scores.exact_person_share == pytest.approx(0.5)
