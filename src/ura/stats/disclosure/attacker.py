"""What an attacker can learn about suppressed cells from a published table.

The attacker knows every published value and that the table adds up (each parent = sum of
its children) and that counts are not negative. Two attacks:

- :func:`difference`: repeated simple differencing. Any margin equation with a single unknown
  cell gives that cell away; a recovered cell may in turn leave another equation with a single
  unknown. This is what a reader with a spreadsheet does.
- :func:`intervals`: linear programming. For each suppressed cell, minimise and maximise its
  value subject to all the equations and non-negativity (HiGHS, through its own Python API
  ``highspy``). The result is the tightest interval any attacker using the table alone can
  derive (over the reals; the integer interval is at most as wide).

The linear programme only has what can matter: the suppressed cells are its variables, the
published ones are constants moved to the right-hand side, and only equations with a
suppressed cell are kept. It splits into the connected components of suppressed cells
(cells linked by sharing an equation): a cell's interval depends on its component alone.
Each component is passed to HiGHS once; for each target only the objective changes (the
cell's cost 1, minimised, then maximised) and HiGHS starts from the previous optimal basis,
which stays feasible (the constraints did not change), so a re-solve takes a few simplex
iterations where a fresh one takes thousands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .structure import TableStructure

__all__ = ["Interval", "difference", "intervals", "unproven_intervals"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_PRIMAL_SIMPLEX = 4  # HiGHS option simplex_strategy
# unproven_intervals: codes per dimension of the small LPs, and the smallest component for
# which they are tried (below it the warm-started component LP is as cheap).
_SUB_TABLE_WIDTHS = (4, 16)
_SUB_TABLE_FROM = 500
_EPS = 1e-6


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
        One :class:`Interval` per attacked cell, in the order given.

    Raises:
        RuntimeError: The solver failed (not infeasible or unbounded: those are answers).
    """
    system = _System(structure, values, hidden)
    return _solve(system, [int(c) for c in (cells if cells is not None else system.variables)])


def _solve(system: _System, targets: list[int]) -> list[Interval]:
    # One model per component, built when its first target comes and kept for the others.
    attacks: dict[int, _Attack | None] = {}
    columns: dict[int, npt.NDArray[np.int64]] = {}
    found = []
    for cell in targets:
        label = int(system.var_component[system.position[cell]])
        if label not in attacks:
            columns[label], matrix, rhs = system.component(cell)
            attacks[label] = _Attack(matrix, rhs) if matrix.shape[0] else None
        attack = attacks[label]
        if attack is None:
            # No equation links the cell to anything published: only non-negativity bounds it.
            found.append(Interval(cell=cell, low=0.0, high=np.inf))
            continue
        local = int(np.searchsorted(columns[label], system.position[cell]))
        low, high = attack.bounds(local)
        found.append(Interval(cell=cell, low=low, high=high))
    return found


def unproven_intervals(
    structure: TableStructure,
    values: FloatArray,
    hidden: BoolArray,
    cells: npt.NDArray[np.int64],
    lower: FloatArray,
    upper: FloatArray,
) -> list[Interval]:
    """The :func:`intervals` of the cells a small LP does not prove wide enough.

    A cell's interval must contain ``[value - lower, value + upper]``. The small LP is the
    attacker's LP with the suppressed cells outside a sub-table around the cell held at their
    true values (the sub-table: per dimension the cell's code, its ancestors and the codes of
    the largest suppressed cells on the line through it, :data:`_SUB_TABLE_WIDTHS` of them,
    widened once). That only adds constraints, so every solution of the small LP, with the
    true values outside, is a solution of the attacker's: its interval lies inside the
    attacker's, and one wide enough proves the cell. The cells it leaves get the LP over
    their whole component, at once where the component is small (under
    :data:`_SUB_TABLE_FROM` cells) or the sub-table would hold half of it: the warm-started
    component LP is then cheaper.

    Args:
        structure: The table's structure.
        values: Dense true values.
        hidden: Dense mask of suppressed cells.
        cells: Flat positions of suppressed cells.
        lower: How far below its value each cell's interval must reach.
        upper: How far above.

    Returns:
        One exact :class:`Interval` per cell not proven, in the order given.
    """
    system = _System(structure, values, hidden)
    sizes = np.bincount(system.var_component)
    flat_values = np.nan_to_num(values.ravel(), nan=0.0)
    rows_of = structure.equations().tocsc()
    left = []
    for cell, below, above in zip(cells.tolist(), lower, upper, strict=True):
        value = float(flat_values[cell])
        size = int(sizes[system.var_component[system.position[cell]]])
        for width in _SUB_TABLE_WIDTHS:
            variables = _sub_table(structure, values, hidden, cell, width)
            if size < _SUB_TABLE_FROM or 2 * variables.size > size:
                left.append(cell)
                break
            low, high = _bounds_within(structure, flat_values, rows_of, variables, cell)
            if low <= value - below + _EPS and high >= value + above - _EPS:
                break
        else:
            left.append(cell)
    return _solve(system, left)


def _sub_table(
    structure: TableStructure, values: FloatArray, hidden: BoolArray, cell: int, width: int
) -> npt.NDArray[np.int64]:
    """The suppressed cells of a sub-table around the cell (flat positions, sorted)."""
    coordinates = np.unravel_index(cell, structure.shape)
    chosen = []
    for axis, dimension in enumerate(structure.dimensions):
        keep = {int(coordinates[axis])}
        node = dimension.parent[int(coordinates[axis])]
        while node >= 0:
            keep.add(node)
            node = dimension.parent[node]
        line = list(coordinates)
        line[axis] = slice(None)  # type: ignore[call-overload]
        line_values = np.where(hidden[tuple(line)], values[tuple(line)], -1.0)
        largest = np.argsort(-line_values, kind="stable")[:width]
        keep.update(int(code) for code in largest if line_values[code] >= 0)
        chosen.append(np.array(sorted(keep), dtype=np.int64))
    block = np.ravel_multi_index(np.meshgrid(*chosen, indexing="ij"), structure.shape).ravel()
    return np.sort(block[hidden.ravel()[block]])


def _bounds_within(
    structure: TableStructure,
    flat_values: FloatArray,
    rows_of: sparse.csc_matrix,
    variables: npt.NDArray[np.int64],
    cell: int,
) -> tuple[float, float]:
    """The cell's interval when only ``variables`` vary, every other cell at its value."""
    rows = np.unique(rows_of[:, variables].indices)
    if rows.size == 0:
        return 0.0, np.inf
    matrix = structure.equations()[rows]
    outside = flat_values.copy()
    outside[variables] = 0.0
    attack = _Attack(matrix[:, variables].tocsr(), -(matrix @ outside))
    return attack.bounds(int(np.searchsorted(variables, cell)))


class _Attack:
    """One component's LP in HiGHS: ``matrix @ x == rhs``, ``x >= 0``, objective changed per
    target cell."""

    def __init__(self, matrix: sparse.csr_matrix, rhs: FloatArray) -> None:
        self._highs = highspy.Highs()  # type: ignore[no-untyped-call]  # untyped __init__
        self._highs.silent()
        lp = highspy.HighsLp()
        n_rows, n_cols = matrix.shape
        lp.num_col_ = n_cols
        lp.num_row_ = n_rows
        lp.col_cost_ = np.zeros(n_cols)
        lp.col_lower_ = np.zeros(n_cols)
        lp.col_upper_ = np.full(n_cols, highspy.kHighsInf)
        lp.row_lower_ = np.asarray(rhs, dtype=np.float64)
        lp.row_upper_ = np.asarray(rhs, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        _check(self._highs.passModel(lp), "passing the model")
        self._target: int | None = None

    def bounds(self, local: int) -> tuple[float, float]:
        """The smallest and largest value of column ``local``."""
        if self._target is not None:
            _check(self._highs.changeColCost(self._target, 0.0), "changing the objective")
        _check(self._highs.changeColCost(local, 1.0), "changing the objective")
        self._target = local
        return self._optimum(highspy.ObjSense.kMinimize), self._optimum(highspy.ObjSense.kMaximize)

    def _optimum(self, sense: highspy.ObjSense) -> float:
        highs = self._highs
        _check(highs.changeObjectiveSense(sense), "changing the objective")
        highs.run()
        # Later solves start from this optimal basis, which a new objective leaves primal
        # feasible: the primal simplex goes on from it (the dual simplex would first have to
        # repair the basis's dual infeasibility, often with thousands of iterations).
        highs.setOptionValue("simplex_strategy", _PRIMAL_SIMPLEX)
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            # Presolve cannot tell which: solve without it (the simplex can).
            highs.setOptionValue("presolve", "off")
            highs.run()
            highs.setOptionValue("presolve", "choose")
            status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(highs.getInfo().objective_function_value)
        if status == highspy.HighsModelStatus.kUnbounded:
            return np.inf if sense == highspy.ObjSense.kMaximize else -np.inf
        raise RuntimeError(f"attacker LP failed: {highs.modelStatusToString(status)}")


def _check(status: highspy.HighsStatus, doing: str) -> None:
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"attacker LP failed {doing}")


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
