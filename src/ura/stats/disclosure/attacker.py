"""What an attacker can learn about suppressed cells from a published table.

The attacker knows every published value and that the table adds up (each parent = sum of
its children) and that counts are not negative. Two attacks:

- :func:`difference`: repeated simple differencing. Any margin equation with a single unknown
  cell gives that cell away; a recovered cell may in turn leave another equation with a single
  unknown. This is what a reader with a spreadsheet does.
- :func:`intervals`: linear programming. For each suppressed cell, minimise and maximise its
  value subject to all the equations and non-negativity (HiGHS through
  ``scipy.optimize.linprog``). The result is the tightest interval any attacker using the
  table alone can derive (over the reals; the integer interval is at most as wide).

Both work on the connected component of suppressed cells that a target belongs to (cells
linked by sharing an equation), which keeps each linear programme small.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from .structure import TableStructure

__all__ = ["Interval", "difference", "intervals"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Interval:
    """The values a suppressed cell can take given the published table.

    Attributes:
        cell: Flat position of the cell.
        low: Smallest feasible value.
        high: Largest feasible value (``inf`` when nothing bounds it).
    """

    cell: int
    low: float
    high: float

    @property
    def width(self) -> float:
        """``high - low``."""
        return self.high - self.low


class _System:
    """The equations restricted to the suppressed cells, with the published part moved right."""

    def __init__(self, structure: TableStructure, values: FloatArray, hidden: BoolArray) -> None:
        matrix = structure.equations()
        flat_values = np.nan_to_num(values.ravel(), nan=0.0)
        flat_hidden = hidden.ravel()
        self.variables = np.flatnonzero(flat_hidden)
        self.position = {int(cell): i for i, cell in enumerate(self.variables)}
        unknown_part = matrix[:, self.variables]
        touched = np.flatnonzero(unknown_part.getnnz(axis=1) > 0)
        self.matrix = unknown_part[touched].tocsr()
        published = flat_values * (~flat_hidden)
        self.rhs = -(matrix[touched] @ published)
        # Components of the bipartite graph (variables, equations).
        n_vars = len(self.variables)
        n_rows = self.matrix.shape[0]
        incidence = (
            sparse.bmat([[None, self.matrix.T.tocsr()], [self.matrix, None]], format="csr")
            if n_rows
            else sparse.csr_matrix((n_vars, n_vars))
        )
        _, labels = connected_components(incidence, directed=False)
        self.var_component = labels[:n_vars]
        self.row_component = labels[n_vars:]

    def component(self, cell: int) -> tuple[npt.NDArray[np.int64], sparse.csr_matrix, FloatArray]:
        label = self.var_component[self.position[cell]]
        columns = np.flatnonzero(self.var_component == label)
        rows = np.flatnonzero(self.row_component == label)
        return columns, self.matrix[rows][:, columns], self.rhs[rows]


def intervals(
    structure: TableStructure,
    values: FloatArray,
    hidden: BoolArray,
    cells: Iterable[int] | None = None,
) -> list[Interval]:
    """Tightest interval of each suppressed cell an attacker can compute (LP, HiGHS).

    Args:
        structure: The table's structure.
        values: Dense true values (the published ones are what the attacker sees; the hidden
            ones only make the right-hand side consistent and are not used otherwise).
        hidden: Dense mask of suppressed cells.
        cells: Flat positions to attack; by default every suppressed cell.

    Returns:
        One :class:`Interval` per attacked cell.

    Raises:
        RuntimeError: The solver failed (not infeasible or unbounded: those are answers).
    """
    system = _System(structure, values, hidden)
    targets = [int(c) for c in (cells if cells is not None else system.variables)]
    found = []
    cache: dict[int, tuple[npt.NDArray[np.int64], sparse.csr_matrix, FloatArray]] = {}
    for cell in targets:
        label = int(system.var_component[system.position[cell]])
        if label not in cache:
            cache[label] = system.component(cell)
        columns, matrix, rhs = cache[label]
        local = int(np.searchsorted(columns, system.position[cell]))
        objective = np.zeros(len(columns))
        objective[local] = 1.0
        low = _optimum(objective, matrix, rhs)
        high = -_optimum(-objective, matrix, rhs)
        found.append(Interval(cell=cell, low=low, high=high))
    return found


def _optimum(objective: FloatArray, matrix: sparse.csr_matrix, rhs: FloatArray) -> float:
    if matrix.shape[0] == 0:
        # No equation links the cell to anything published: only non-negativity bounds it.
        return 0.0 if objective.sum() > 0 else -np.inf
    result = linprog(
        objective,
        A_eq=matrix,
        b_eq=rhs,
        bounds=(0, None),
        method="highs",
    )
    if result.status == 3:  # unbounded
        return -np.inf
    if result.status != 0:
        raise RuntimeError(f"attacker LP failed: {result.message}")
    return float(result.fun)


def difference(
    structure: TableStructure, values: FloatArray, hidden: BoolArray
) -> dict[int, float]:
    """Suppressed cells that repeated single-unknown differencing recovers exactly.

    Args:
        structure: The table's structure.
        values: Dense true values (only the published ones are read as known).
        hidden: Dense mask of suppressed cells.

    Returns:
        Flat position -> recovered value, for every cell the attack gives away.
    """
    matrix = structure.equations().tocsr()
    flat_values = np.nan_to_num(values.ravel(), nan=0.0)
    unknown = hidden.ravel().copy()
    known = np.where(unknown, 0.0, flat_values)
    recovered: dict[int, float] = {}
    magnitude = abs(matrix)
    changed = True
    while changed:
        changed = False
        counts = magnitude @ unknown.astype(np.float64)
        open_rows = np.flatnonzero(counts == 1)
        for row in open_rows:
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            columns = matrix.indices[start:end]
            coefficients = matrix.data[start:end]
            missing = unknown[columns]
            if missing.sum() != 1:
                continue
            target = int(columns[missing][0])
            coefficient = float(coefficients[missing][0])
            rest = float(coefficients[~missing] @ known[columns[~missing]])
            value = -rest / coefficient
            recovered[target] = value
            known[target] = value
            unknown[target] = False
            changed = True
    return recovered
