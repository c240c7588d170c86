"""Accuracy of a clustering against ground-truth person ids.

Pairwise metrics count pairs of records put in one cluster; B-cubed metrics average, over
records, how much of each record's predicted cluster is right (precision) and how much of
its true person was found (recall), so big clusters do not dominate as they do pairwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise and cluster-level accuracy; counts kept so runs can be compared."""

    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    exact_person_share: float  # share of true persons whose records form exactly one cluster
    records: int


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def evaluate(predicted: Mapping[K, Hashable], truth: Mapping[K, Hashable]) -> Scores:
    """Compare predicted cluster labels with true person ids over the records present in
    both mappings. Precision is 1.0 when nothing is predicted linked (no false links), and
    recall is 1.0 when there is nothing to find."""
    keys = [k for k in predicted if k in truth]
    pred_size = Counter(predicted[k] for k in keys)
    true_size = Counter(truth[k] for k in keys)
    cell = Counter((predicted[k], truth[k]) for k in keys)
    tp = sum(_pairs(n) for n in cell.values())
    pp = sum(_pairs(n) for n in pred_size.values())
    tt = sum(_pairs(n) for n in true_size.values())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    bp = sum(cell[(predicted[k], truth[k])] / pred_size[predicted[k]] for k in keys)
    br = sum(cell[(predicted[k], truth[k])] / true_size[truth[k]] for k in keys)
    n = len(keys)
    b_precision = bp / n if n else 1.0
    b_recall = br / n if n else 1.0
    exact = sum(1 for (p, t), c in cell.items() if c == pred_size[p] == true_size[t])
    return Scores(
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=_f1(precision, recall),
        true_positive_pairs=tp,
        predicted_pairs=pp,
        true_pairs=tt,
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=_f1(b_precision, b_recall),
        exact_person_share=exact / len(true_size) if true_size else 1.0,
        records=n,
    )
