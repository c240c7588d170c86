"""Secondary suppression: hide enough other cells that no primary cell can be narrowed down.

The guarantee checked is the attacker's linear programme (:func:`.attacker.intervals`): for
every primary cell ``x`` the feasible interval given all published cells must contain
``[x - lower, x + upper]`` (:meth:`.rules.ProtectionRule.required_range`).

The algorithm, in three stages:

1. **Hypercubes** (the GHMITER method of tau-argus, generalised to hierarchies). For a primary
   cell, each dimension offers *moves* that keep that dimension additive: trade with a
   sibling code (+t here, -t there), or for a total change together with a chain down to a
   leaf. The tensor product of one move per dimension is a set of corner cells with signs
   such that adding ``sign * t`` to every corner keeps **every** equation of the table. If
   all corners are suppressed, ``x`` can rise by the smallest value among the negative
   corners and fall by the smallest among the positive ones, whatever else is published:
   a certificate of protection. The cheapest valid hypercube (fewest newly hidden cells, or
   least hidden value) is chosen among the best few moves per dimension.
2. **LP check and repair**. The attacker's LP is solved for every primary cell. Where an
   interval is too narrow (or no hypercube was valid, e.g. zeros all around), the cheapest
   complementary suppression is found by a second LP (Fischetti and Salazar's separation
   step): find a change ``y`` of the table with ``A y = 0``, ``y_x = +upper`` (or
   ``-lower``), ``values + y >= 0``, minimising the weighted change of *published* cells; the
   published cells it moves are suppressed, which makes that change invisible.
3. **Clean-up** (small tables: primary x secondary cells within ``cleanup_limit``):
   secondary cells are re-published one by one, costliest first, whenever every primary cell
   still passes the LP check, so the pattern is locally minimal.

Tables with more suppressed cells than ``lp_limit`` keep the hypercube certificates,
which are exact but not minimal; the benchmark in ``bench/RESULTS.md`` gives the sizes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

from .attacker import intervals
from .rules import ProtectionRule
from .structure import TableStructure

__all__ = ["Certifier", "SuppressionResult", "suppress"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_EPS = 1e-6


@dataclass
class SuppressionResult:
    """The suppression pattern and how it was found.

    Attributes:
        primary: Dense mask of primary confidential cells.
        hidden: Dense mask of every suppressed cell (primary, secondary and hidden zeros).
        checked_by_lp: Whether every primary cell passed the attacker's LP.
        repairs: Primary cells that needed an LP repair.
        republished: Secondary cells the clean-up published again.
        unpublished: Dense mask of the cells that are never published (hidden from the
            start; neither primary nor secondary), or None.
    """

    primary: BoolArray
    hidden: BoolArray
    checked_by_lp: bool = False
    repairs: int = 0
    republished: int = 0
    notes: list[str] = field(default_factory=list)
    unpublished: BoolArray | None = None

    @property
    def secondary(self) -> BoolArray:
        """Dense mask of secondary confidential cells."""
        secondary = self.hidden & ~self.primary
        if self.unpublished is not None:
            secondary &= ~self.unpublished
        return np.asarray(secondary)


def suppress(
    structure: TableStructure,
    values: FloatArray,
    primary: BoolArray,
    rule: ProtectionRule,
    *,
    lp_limit: int = 4000,
    cleanup_limit: int = 2000,
    moves_per_axis: int = 8,
    unpublished: BoolArray | None = None,
) -> SuppressionResult:
    """Choose complementary suppressions that protect every primary cell.

    Args:
        structure: The table's structure.
        values: Dense true counts (no NaN).
        primary: Dense mask of primary confidential cells.
        rule: The protection rule (protection level, threshold, cost, zeros).
        unpublished: Dense mask of cells no table will publish (the inner cells of a linked
            group's cover table): hidden from the start and free to use as complements.
        lp_limit: Check and repair with the attacker's LP when at most this many cells are
            suppressed after the hypercube stage.
        cleanup_limit: Run the clean-up when (primary cells) x (secondary cells), the number
            of LP checks it may need, is at most this.
        moves_per_axis: Moves tried per dimension in the hypercube search.

    Returns:
        The pattern.

    Raises:
        RuntimeError: A primary cell cannot be protected at all (the LP repair found no
            feasible change, e.g. the whole table is one primary cell).
    """
    flat_values = values.ravel()
    hidden = primary.copy() if unpublished is None else primary | unpublished
    cost = _cost(structure, flat_values, rule)
    searcher = _Hypercubes(structure, values, cost, moves_per_axis)
    order = np.flatnonzero(primary.ravel())
    order = order[np.argsort(flat_values[order], kind="stable")]
    result = SuppressionResult(primary=primary.copy(), hidden=hidden, unpublished=unpublished)
    unprotected: list[int] = []
    for cell in order.tolist():
        lower, upper = rule.required_range(float(flat_values[cell]), primary=True)
        corners = searcher.best(int(cell), hidden, lower, upper)
        if corners is None:
            unprotected.append(int(cell))
            continue
        hidden.ravel()[corners] = True
    if int(hidden.sum()) <= lp_limit:
        result.repairs = _check_and_repair(structure, values, result, rule, cost)
        result.checked_by_lp = True
        if int(result.primary.sum()) * int(result.secondary.sum()) <= cleanup_limit:
            result.republished = _clean_up(structure, values, result, rule)
    else:
        for cell in unprotected:
            result.repairs += _repair(structure, values, result, rule, cost, cell)
        result.notes.append(
            f"{int(hidden.sum())} suppressed cells exceed the LP check limit ({lp_limit}): "
            "protection rests on the hypercube certificates and the LP repairs"
        )
    if rule.zeros == "suppress_adjacent":
        _hide_adjacent_zeros(structure, values, hidden)
    return result


def _cost(structure: TableStructure, flat_values: FloatArray, rule: ProtectionRule) -> FloatArray:
    # Between equally costly patterns prefer hiding inner cells to hiding margins: a table
    # without its totals is the least useful to a reader.
    margin_axes = np.zeros(structure.shape, dtype=np.float64)
    for axis, dimension in enumerate(structure.dimensions):
        is_parent = np.array([not dimension.is_leaf(i) for i in range(len(dimension.codes))])
        shape = [1] * len(structure.shape)
        shape[axis] = len(dimension.codes)
        margin_axes = margin_axes + is_parent.reshape(shape)
    tie_break = 1e-3 * margin_axes.ravel()
    if rule.cost == "value":
        return np.asarray(flat_values + 1.0 + tie_break, dtype=np.float64)
    return np.asarray(1.0 + tie_break, dtype=np.float64)


# codes and signs, both (moves x slots): one row per move of the same length
_Group = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


class _Hypercubes:
    """The cheapest valid hypercube of a cell, evaluated with NumPy over many at once.

    The moves of a dimension are grouped by their length (a leaf trading with a leaf sibling
    is ``(+1, -1)``, a leaf with its total ``(+1, +1)``: both length 2). For one group per
    dimension, every combination of moves is evaluated in one vectorised pass: each slot
    pattern (which position of each move a corner takes) is one fancy-indexing of the value
    array, broadcast over all combinations.
    """

    def __init__(
        self, structure: TableStructure, values: FloatArray, cost: FloatArray, per_axis: int
    ) -> None:
        self.structure = structure
        self.values = values
        self.cost = cost.reshape(values.shape)
        self.per_axis = per_axis
        self._groups: dict[tuple[int, int], list[_Group]] = {}

    def groups(self, axis: int, position: int) -> list[_Group]:
        key = (axis, position)
        if key not in self._groups:
            by_length: dict[int, tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]]
            by_length = {}
            for codes, signs in self.structure.moves(axis, position):
                rows, row_signs = by_length.setdefault(len(codes), ([], []))
                rows.append(codes)
                row_signs.append(signs)
            self._groups[key] = [
                (np.array(rows, dtype=np.int64), np.array(row_signs, dtype=np.int64))
                for rows, row_signs in by_length.values()
            ]
        return self._groups[key]

    def best(
        self,
        cell: int,
        hidden: BoolArray,
        lower: float,
        upper: float,
        *,
        only_hidden: bool = False,
    ) -> npt.NDArray[np.int64] | None:
        coordinates = np.unravel_index(cell, self.structure.shape)
        per_axis: list[list[_Group]] = []
        for axis, position in enumerate(coordinates):
            groups = self.groups(axis, int(position))
            if not groups:
                return None
            per_axis.append(
                [
                    self._prune(axis, coordinates, group, hidden, lower, upper, only_hidden)
                    for group in groups
                ]
            )
        best_key: tuple[float, float] | None = None
        best_corners: npt.NDArray[np.int64] | None = None
        for combination in itertools.product(*per_axis):
            found = self._evaluate(combination, hidden, lower, upper, only_hidden)
            if found is not None and (best_key is None or found[0] < best_key):
                best_key, best_corners = found
        return best_corners

    def _evaluate(
        self,
        combination: tuple[_Group, ...],
        hidden: BoolArray,
        lower: float,
        upper: float,
        only_hidden: bool,
    ) -> tuple[tuple[float, float], npt.NDArray[np.int64]] | None:
        counts = tuple(codes.shape[0] for codes, _ in combination)
        low = np.full(counts, np.inf)
        high = np.full(counts, np.inf)
        cost = np.zeros(counts)
        hidden_value = np.zeros(counts)
        all_hidden = np.ones(counts, dtype=bool)
        for slots in itertools.product(*(range(codes.shape[1]) for codes, _ in combination)):
            pairs = list(zip(combination, slots, strict=True))
            index = np.ix_(*(codes[:, slot] for (codes, _), slot in pairs))
            sign = np.ones((), dtype=np.int64)
            for (_, signs), slot in pairs:
                sign = np.multiply.outer(sign, signs[:, slot])
            block = self.values[index]
            newly = ~hidden[index]
            all_hidden = all_hidden & ~newly
            cost = cost + np.where(newly, self.cost[index], 0.0)
            hidden_value = hidden_value + np.where(newly, block, 0.0)
            low = np.where(sign > 0, np.minimum(low, block), low)
            high = np.where(sign < 0, np.minimum(high, block), high)
        valid = (low >= lower - _EPS) & (high >= upper - _EPS)
        if only_hidden:
            valid &= all_hidden
        if not valid.any():
            return None
        score = np.where(valid, cost + hidden_value * 1e-9, np.inf)
        choice = np.unravel_index(int(np.argmin(score)), counts)
        key = (float(cost[choice]), float(hidden_value[choice]))
        chosen = [codes[int(i)] for (codes, _), i in zip(combination, choice, strict=True)]
        corners = np.ravel_multi_index(
            np.meshgrid(*chosen, indexing="ij"), self.structure.shape
        ).ravel()
        return key, np.asarray(corners, dtype=np.int64)

    def _prune(
        self,
        axis: int,
        coordinates: tuple[np.intp, ...],
        group: _Group,
        hidden: BoolArray,
        lower: float,
        upper: float,
        only_hidden: bool = False,
    ) -> _Group:
        codes, signs = group
        if codes.shape[0] <= self.per_axis:
            return group
        line = list(coordinates)
        line[axis] = slice(None)  # type: ignore[call-overload]
        line_values = self.values[tuple(line)][codes]
        line_newly = ~hidden[tuple(line)][codes]
        line_cost = self.cost[tuple(line)][codes]
        positive = np.where(signs > 0, line_values, np.inf).min(axis=1)
        negative = np.where(signs < 0, line_values, np.inf).min(axis=1)
        infeasible = (positive < lower - _EPS) | (negative < upper - _EPS)
        if only_hidden:
            infeasible |= line_newly.any(axis=1)
        newly_cost = (line_cost * line_newly).sum(axis=1)
        # Feasible first, then cheapest, then the one with the largest cells: most room, so
        # one cube protects the cell where a smaller one would need a second.
        order = np.lexsort((-line_values.sum(axis=1), newly_cost, infeasible.astype(np.float64)))
        if only_hidden:
            # A proof may use any move whose cells in this line are all hidden: keep them all
            # (there are few), not just the best few.
            keep = order[: max(self.per_axis, int((~infeasible).sum()))][:64]
        else:
            keep = order[: self.per_axis]
        return codes[keep], signs[keep]


def _failures(
    structure: TableStructure, values: FloatArray, result: SuppressionResult, rule: ProtectionRule
) -> list[tuple[int, str, float]]:
    """Primary cells whose attacker interval is too narrow: certificates first, then the LP."""
    flat = values.ravel()
    certify = Certifier(structure, values)
    cells = [
        int(cell)
        for cell in np.flatnonzero(result.primary.ravel())
        if not certify(
            result.hidden, int(cell), *rule.required_range(float(flat[cell]), primary=True)
        )
    ]
    failed = []
    for interval in intervals(structure, values, result.hidden, cells):
        lower, upper = rule.required_range(float(flat[interval.cell]), primary=True)
        value = float(flat[interval.cell])
        if interval.high < value + upper - _EPS:
            failed.append((interval.cell, "up", upper))
        if interval.low > value - lower + _EPS:
            failed.append((interval.cell, "down", lower))
    return failed


def _check_and_repair(
    structure: TableStructure,
    values: FloatArray,
    result: SuppressionResult,
    rule: ProtectionRule,
    cost: FloatArray,
) -> int:
    # Hiding more cells only widens intervals, so one pass repairs every failure found; the
    # next pass verifies.
    repairs = 0
    for _ in range(10):
        failed = _failures(structure, values, result, rule)
        if not failed:
            return repairs
        for cell, direction, amount in failed:
            _separate(structure, values, result.hidden, cost, cell, direction, amount)
            repairs += 1
    raise RuntimeError("secondary suppression did not converge after 10 LP repair passes")


class Certifier:
    """Proves cells safe by a fully suppressed hypercube.

    A hypercube whose corners are all suppressed is a change of the table that moves the cell
    by its smallest corner while touching only suppressed cells: a proof that the attacker's
    interval is at least that wide. ``False`` only means none was found among the moves
    tried; the caller then asks the attacker's LP.
    """

    def __init__(self, structure: TableStructure, values: FloatArray) -> None:
        self._search = _Hypercubes(structure, values, np.zeros(structure.size), per_axis=8)

    def __call__(self, hidden: BoolArray, cell: int, lower: float, upper: float) -> bool:
        """Whether the cell can move ``lower`` down and ``upper`` up within ``hidden``."""
        return self._search.best(cell, hidden, lower, upper, only_hidden=True) is not None


def _repair(
    structure: TableStructure,
    values: FloatArray,
    result: SuppressionResult,
    rule: ProtectionRule,
    cost: FloatArray,
    cell: int,
) -> int:
    lower, upper = rule.required_range(float(values.ravel()[cell]), primary=True)
    _separate(structure, values, result.hidden, cost, cell, "up", upper)
    if lower > 0:
        _separate(structure, values, result.hidden, cost, cell, "down", lower)
    return 1


def _separate(
    structure: TableStructure,
    values: FloatArray,
    hidden: BoolArray,
    cost: FloatArray,
    cell: int,
    direction: str,
    amount: float,
) -> None:
    """Hide the published cells of the cheapest change that moves ``cell`` by ``amount``.

    The change is first sought in a sub-table around the cell (its codes, their ancestors and
    the largest few codes of each dimension; every other cell held fixed, so a change found
    there is a change of the whole table), widened until one is found.
    """
    coordinates = np.unravel_index(cell, structure.shape)
    margins = [
        values.sum(axis=tuple(a for a in range(values.ndim) if a != axis))
        for axis in range(values.ndim)
    ]
    width = 6
    while True:
        chosen = []
        for axis, dimension in enumerate(structure.dimensions):
            keep = {int(coordinates[axis])}
            node = dimension.parent[int(coordinates[axis])]
            while node >= 0:
                keep.add(node)
                node = dimension.parent[node]
            keep.update(int(i) for i in np.argsort(-margins[axis], kind="stable")[:width])
            chosen.append(np.array(sorted(keep), dtype=np.int64))
        complete = all(
            len(codes) == len(d.codes)
            for codes, d in zip(chosen, structure.dimensions, strict=True)
        )
        columns = np.ravel_multi_index(np.meshgrid(*chosen, indexing="ij"), structure.shape).ravel()
        change = _cheapest_change(structure, values, hidden, cost, columns, cell, direction, amount)
        if change is not None:
            hidden.ravel()[columns[np.abs(change) > _EPS]] = True
            return
        if complete:
            raise RuntimeError(
                f"cell {structure.label(cell)} cannot be protected ({direction} by {amount})"
            )
        width *= 2


def _cheapest_change(
    structure: TableStructure,
    values: FloatArray,
    hidden: BoolArray,
    cost: FloatArray,
    columns: npt.NDArray[np.int64],
    cell: int,
    direction: str,
    amount: float,
) -> FloatArray | None:
    matrix = structure.equations()[:, columns]
    matrix = matrix[np.flatnonzero(matrix.getnnz(axis=1) > 0)]
    n = len(columns)
    flat = values.ravel()[columns]
    weight = np.where(hidden.ravel()[columns], 0.0, cost[columns])
    # y = plus - minus; plus >= 0, 0 <= minus <= value (the cell stays non-negative).
    objective = np.concatenate([weight, weight])
    local = int(np.flatnonzero(columns == cell)[0])
    target = sparse.csr_matrix(([1.0, -1.0], ([0, 0], [local, n + local])), shape=(1, 2 * n))
    a_eq = sparse.vstack([sparse.hstack([matrix, -matrix]), target]).tocsr()
    b_eq = np.concatenate([np.zeros(matrix.shape[0]), [amount if direction == "up" else -amount]])
    bounds = np.column_stack([np.zeros(2 * n), np.concatenate([np.full(n, np.inf), flat])])
    solution = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if solution.status != 0:
        return None
    return np.asarray(solution.x[:n] - solution.x[n:], dtype=np.float64)


def _clean_up(
    structure: TableStructure, values: FloatArray, result: SuppressionResult, rule: ProtectionRule
) -> int:
    flat = values.ravel()
    secondary = np.flatnonzero(result.secondary.ravel())
    cost = _cost(structure, flat, rule)
    order = secondary[np.argsort(-cost[secondary] - flat[secondary] * 1e-6)]
    republished = 0
    for cell in order:
        result.hidden.ravel()[cell] = False
        if _failures(structure, values, result, rule):
            result.hidden.ravel()[cell] = True
        else:
            republished += 1
    return republished


def _hide_adjacent_zeros(structure: TableStructure, values: FloatArray, hidden: BoolArray) -> None:
    """Hide every zero that shares an equation with a suppressed cell (to a fixed point)."""
    magnitude = abs(structure.equations()).tocsc()
    flat_hidden = hidden.ravel()
    zeros = values.ravel() == 0
    while True:
        touched_rows = (magnitude @ flat_hidden.astype(np.float64)) > 0
        touched_cells = (magnitude.T @ touched_rows.astype(np.float64)) > 0
        new = touched_cells & zeros & ~flat_hidden
        if not new.any():
            return
        flat_hidden[new] = True
