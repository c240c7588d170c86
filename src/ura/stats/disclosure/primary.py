"""Primary suppression: which cells are confidential in themselves.

For counts of persons or events the **threshold rule** applies: a cell with ``0 < n < k`` is
primary confidential. Zeros are not small counts: whether they are published is the rule's
``zeros`` setting (the strict rule hides zeros that share a margin with a suppressed cell, see
:mod:`ura.stats.disclosure.secondary`).

The **dominance** ``(n, k)`` rule and the **p% rule** protect magnitude tables (amounts,
e.g. remittances or wages summed over contributors), where one large contributor could be
recognised in a cell. They need each cell's individual contributions. For counts every
contribution is 1: the (n, k) rule then flags exactly the cells with fewer than ``n * 100 / k``
contributors and the p% rule none that the threshold rule misses, so Ura's count tables use
the threshold rule alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["dominance_cells", "p_percent_cells", "threshold_cells"]


def threshold_cells(values: npt.NDArray[np.float64], threshold: int) -> npt.NDArray[np.bool_]:
    """Cells with ``0 < n < threshold`` (NaN cells are not flagged).

    Args:
        values: Dense counts.
        threshold: The rule's ``k``.

    Returns:
        A mask of the same shape.
    """
    with np.errstate(invalid="ignore"):
        return np.asarray((values > 0) & (values < threshold))


def dominance_cells(contributions: Mapping[int, Sequence[float]], *, n: int, k: float) -> set[int]:
    """Cells where the ``n`` largest contributors make more than ``k`` percent of the total.

    Args:
        contributions: Flat cell position -> the individual contributions to it.
        n: Number of largest contributors considered.
        k: Percentage (0-100].

    Returns:
        The flat positions that are primary confidential.
    """
    flagged = set()
    for cell, items in contributions.items():
        total = float(sum(items))
        if total <= 0:
            continue
        top = sum(sorted(items, reverse=True)[:n])
        if top > total * k / 100.0:
            flagged.add(cell)
    return flagged


def p_percent_cells(contributions: Mapping[int, Sequence[float]], *, p: float) -> set[int]:
    """Cells the p% rule flags: the second largest contributor could estimate the largest to
    within ``p`` percent (``total - x1 - x2 < p/100 * x1``).

    Args:
        contributions: Flat cell position -> the individual contributions to it.
        p: Percentage.

    Returns:
        The flat positions that are primary confidential.
    """
    flagged = set()
    for cell, items in contributions.items():
        ordered = sorted(items, reverse=True)
        if not ordered or ordered[0] <= 0:
            continue
        largest = ordered[0]
        second = ordered[1] if len(ordered) > 1 else 0.0
        remainder = float(sum(ordered)) - largest - second
        if remainder < p / 100.0 * largest:
            flagged.add(cell)
    return flagged
