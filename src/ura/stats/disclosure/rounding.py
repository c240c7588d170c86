"""Controlled rounding to a base (Eurostat publishes asylum figures rounded to 5).

Each value is rounded to one of its two adjacent multiples of the base (a value that already
is one stays as it is: *zero-restricted*), so that the rounded table still adds up: every
rounded parent equals the sum of its rounded children. This is an integer programme: a
binary ``z`` per cell chooses ``floor`` or ``floor + base``, the equations must hold, and the
total absolute deviation is minimised. It is solved with HiGHS (``scipy.optimize.milp``);
when the closest rounding takes longer than the time limit (tables of four dimensions), any
controlled rounding is sought instead, which HiGHS finds in a fraction of a second.

For two-dimensional tables (with or without hierarchies only in one dimension) a controlled
rounding always exists (Cox, 1987). For three or more dimensions it may not, and a large
programme may not finish in time; then the **fallback** rounds each leaf cell (a cell no
equation defines as a sum) to its nearest multiple and adds the margins up from the rounded
leaves. The table is additive and every value a multiple of the base, but a margin may move
by more than one base; those cells are listed in :attr:`Rounding.wide` and the table's note
says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .structure import TableStructure

__all__ = ["Rounding", "controlled_round"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Rounding:
    """A rounded table.

    Attributes:
        values: Dense rounded values (multiples of the base, additive).
        method: ``controlled`` (every value an adjacent multiple) or ``fallback``.
        wide: Flat positions whose rounded value is more than one base away (fallback only).
        optimal: Whether the controlled rounding has the least total deviation (HiGHS proved
            it); otherwise it is a controlled rounding found within the time limit.
    """

    values: FloatArray
    method: str
    wide: tuple[int, ...] = ()
    optimal: bool = False


def controlled_round(
    structure: TableStructure, values: FloatArray, *, base: int = 5, time_limit: float = 20.0
) -> Rounding:
    """Round every cell to an adjacent multiple of ``base`` keeping the table additive.

    Args:
        structure: The table's structure.
        values: Dense non-negative integer counts (no NaN).
        base: Rounding base.
        time_limit: Seconds HiGHS may spend on the closest rounding, then on any controlled
            rounding, before the fallback is used.

    Returns:
        The rounded table.

    Raises:
        ValueError: A value is negative, not an integer, or missing.
    """
    flat = values.ravel()
    if np.isnan(flat).any() or (flat < 0).any() or (flat != np.round(flat)).any():
        raise ValueError("controlled rounding needs non-negative integer counts in every cell")
    floor = np.floor(flat / base) * base
    remainder = flat - floor
    free = remainder > 0
    matrix = structure.equations()
    n = structure.size
    # rounded = floor + base * z; deviation = remainder + z * (base - 2 * remainder).
    objective = np.where(free, base - 2.0 * remainder, 0.0)
    upper = np.where(free, 1.0, 0.0)
    constraints = []
    if matrix.shape[0]:
        constraints.append(LinearConstraint(base * matrix, -(matrix @ floor), -(matrix @ floor)))
    for goal in (objective, np.zeros(n)):
        # First the closest rounding; if HiGHS finds none in time, any controlled rounding
        # (a feasibility problem, much faster on tables of three or more dimensions).
        result = milp(
            goal,
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), upper),
            constraints=constraints,
            options={"time_limit": time_limit, "disp": False},
        )
        if result.x is not None and result.status in (0, 1):
            rounded = floor + base * np.round(result.x)
            if matrix.shape[0] == 0 or np.allclose(matrix @ rounded, 0):
                return Rounding(
                    values=rounded.reshape(values.shape),
                    method="controlled",
                    optimal=result.status == 0 and goal is objective,
                )
    return _fallback(structure, values, base)


def _fallback(structure: TableStructure, values: FloatArray, base: int) -> Rounding:
    flat = values.ravel()
    matrix = structure.equations()
    # Leaves: cells that are a parent in no equation (their row coefficient is never +1).
    is_parent = np.zeros(structure.size, dtype=bool)
    if matrix.shape[0]:
        coo = sparse.coo_matrix(matrix)
        is_parent[coo.col[coo.data > 0]] = True
    leaves = ~is_parent
    rounded = np.where(leaves, np.round(flat / base) * base, 0.0)
    # Add every parent up from the rounded leaves: each cell's value is the sum of the leaf
    # cells below it, found by propagating along the equations until nothing changes.
    for _ in range(sum(len(d.codes) for d in structure.dimensions) + 1):
        updated = _parents_from_children(matrix, rounded, is_parent)
        if np.array_equal(updated, rounded):
            break
        rounded = updated
    wide = tuple(int(c) for c in np.flatnonzero(np.abs(rounded - flat) >= base))
    return Rounding(values=rounded.reshape(values.shape), method="fallback", wide=wide)


def _parents_from_children(
    matrix: sparse.csr_matrix, rounded: FloatArray, is_parent: npt.NDArray[np.bool_]
) -> FloatArray:
    coo = sparse.coo_matrix(matrix)
    parent_of_row = np.full(matrix.shape[0], -1, dtype=np.int64)
    parent_of_row[coo.row[coo.data > 0]] = coo.col[coo.data > 0]
    child_sum = -(
        sparse.csr_matrix((coo.data * (coo.data < 0), (coo.row, coo.col)), shape=matrix.shape)
        @ rounded
    )
    updated = rounded.copy()
    # A parent may head several equations (one per dimension); any of them gives the same sum
    # once its children are final, so take the last.
    updated[parent_of_row] = child_sum
    updated[~is_parent] = rounded[~is_parent]
    return updated
