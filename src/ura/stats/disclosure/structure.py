"""The additive structure of a long-format table: codes, hierarchies, dense arrays, equations.

A table in the shared long format has one string column per dimension and contains all its
margins: every dimension that is aggregated has a total coded ``_T``. Within a dimension the
codes form a forest: ``_T`` is the parent of the codes no other code claims; a hierarchy adds
levels (``Y_LT18`` = ``Y_LT14`` + ``Y14-17``; a province = its municipalities). Every parent
equals the sum of its children for every combination of the other dimensions' codes; those
equations are what an attacker knows, and what controlled rounding must keep.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

__all__ = [
    "MEASURE",
    "TOTAL",
    "Dimension",
    "TableShapeError",
    "TableStructure",
]

TOTAL: Final = "_T"
MEASURE: Final = "OBS_VALUE"
# Columns of the shared contract that are not dimensions.
ATTRIBUTES: Final = frozenset({MEASURE, "OBS_STATUS", "CONF_STATUS", "ROUNDED", "UNIT_MEASURE"})
# Hierarchies every table of the standard set shares; a table's own are passed explicitly.
DEFAULT_HIERARCHIES: Final[Mapping[str, Mapping[str, Sequence[str]]]] = {
    "AGE": {"Y_LT18": ("Y_LT14", "Y14-17")},
}

IntArray = npt.NDArray[np.int64]


class TableShapeError(ValueError):
    """A table does not have the shape the contract promises (a missing or duplicate cell,
    a hierarchy naming a code the table lacks); the message names the cells at fault."""


@dataclass(frozen=True)
class Dimension:
    """One dimension: its codes and, for each code, its parent's position (-1 for a root).

    Attributes:
        name: Column name (``SEX``, ``AGE``, ``GEO``, ...).
        codes: The codes, in the order of the dense array's axis.
        parent: ``parent[i]`` is the position of code ``i``'s parent, -1 for a root.
    """

    name: str
    codes: tuple[str, ...]
    parent: tuple[int, ...]

    def children(self, position: int) -> tuple[int, ...]:
        """Positions of the code's children."""
        return tuple(i for i, p in enumerate(self.parent) if p == position)

    def groups(self) -> list[tuple[int, tuple[int, ...]]]:
        """Every (parent, children) relation of this dimension."""
        found = []
        for position in range(len(self.codes)):
            kids = self.children(position)
            if kids:
                found.append((position, kids))
        return found

    def is_leaf(self, position: int) -> bool:
        """Whether the code has no children."""
        return position not in self.parent

    def leaves_under(self, position: int) -> list[list[int]]:
        """Each chain from the code down to one of its leaf descendants (the code first)."""
        kids = self.children(position)
        if not kids:
            return [[position]]
        return [[position, *chain] for kid in kids for chain in self.leaves_under(kid)]


class TableStructure:
    """Dense view of a long-format table and its additivity equations.

    Build one with :meth:`from_frame`; ``values`` is an int64 array with one axis per
    dimension; :meth:`equations` is the sparse matrix ``A`` with ``A @ values.ravel() == 0``.
    """

    def __init__(self, dimensions: Sequence[Dimension]) -> None:
        self.dimensions: tuple[Dimension, ...] = tuple(dimensions)
        self.shape: tuple[int, ...] = tuple(len(d.codes) for d in self.dimensions)
        self.size: int = int(np.prod(self.shape)) if self.shape else 1
        self._equations: sparse.csr_matrix | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Dimension names in axis order."""
        return tuple(d.name for d in self.dimensions)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        dimensions: Sequence[str] | None = None,
        hierarchies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    ) -> TableStructure:
        """Read the dimensions and their hierarchies off a long-format table.

        Args:
            frame: The table (one row per cell, all margins included).
            dimensions: Dimension columns; by default every column but the measure and the
                contract's attributes.
            hierarchies: Per dimension, parent code -> child codes, beyond ``_T``; the AGE
                hierarchy ``Y_LT18`` = ``Y_LT14`` + ``Y14-17`` applies by default where the
                three codes are present.

        Returns:
            The structure (call :meth:`dense` for the values).

        Raises:
            TableShapeError: A hierarchy names a code the table lacks or is not a tree.
        """
        names = list(dimensions) if dimensions is not None else _dimension_columns(frame)
        built = []
        for name in names:
            if name not in frame.columns:
                raise TableShapeError(f"dimension {name!r} is not a column of the table")
            codes = sorted({str(code) for code in frame[name].unique()})
            tree = dict(DEFAULT_HIERARCHIES.get(name, {}))
            tree = {
                parent: kids
                for parent, kids in tree.items()
                if parent in codes and all(k in codes for k in kids)
            }
            tree.update((hierarchies or {}).get(name, {}))
            built.append(_dimension(name, codes, tree))
        return cls(built)

    def index(self, frame: pd.DataFrame) -> IntArray:
        """Flat position of each row of ``frame`` in the dense array.

        Raises:
            TableShapeError: A row's code is unknown to the structure.
        """
        positions = []
        for dimension in self.dimensions:
            lookup = {code: i for i, code in enumerate(dimension.codes)}
            column = frame[dimension.name].astype(str)
            mapped = column.map(lookup)
            if mapped.isna().any():
                unknown = sorted(set(column[mapped.isna()]))[:5]
                raise TableShapeError(f"{dimension.name}: unknown code(s) {unknown}")
            positions.append(mapped.to_numpy(dtype=np.int64))
        if not positions:
            return np.zeros(len(frame), dtype=np.int64)
        flat: IntArray = np.ravel_multi_index(tuple(positions), self.shape).astype(np.int64)
        return flat

    def dense(self, frame: pd.DataFrame, column: str = MEASURE) -> npt.NDArray[np.float64]:
        """The column's values as a dense array (NaN where a value is null).

        Raises:
            TableShapeError: A cell is missing or appears twice.
        """
        flat = self.index(frame)
        counts = np.bincount(flat, minlength=self.size)
        if (counts != 1).any():
            missing = np.flatnonzero(counts == 0)
            doubled = np.flatnonzero(counts > 1)
            parts = []
            if missing.size:
                parts.append(f"{missing.size} missing cell(s), e.g. {self.label(int(missing[0]))}")
            if doubled.size:
                parts.append(
                    f"{doubled.size} duplicate cell(s), e.g. {self.label(int(doubled[0]))}"
                )
            raise TableShapeError("; ".join(parts))
        values = np.full(self.size, np.nan)
        values[flat] = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
        return values.reshape(self.shape)

    def label(self, flat: int) -> str:
        """A cell named by its codes: ``SEX=F, AGE=Y14-17``."""
        coordinates = np.unravel_index(flat, self.shape)
        return ", ".join(
            f"{d.name}={d.codes[int(i)]}" for d, i in zip(self.dimensions, coordinates, strict=True)
        )

    def equations(self) -> sparse.csr_matrix:
        """The additivity equations ``A @ x == 0`` over the flattened table.

        One row per (dimension, parent, combination of the other dimensions' codes):
        ``+1`` at the parent cell, ``-1`` at each child cell.
        """
        if self._equations is not None:
            return self._equations
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        data: list[npt.NDArray[np.float64]] = []
        grid = np.arange(self.size, dtype=np.int64).reshape(self.shape)
        count = 0
        for axis, dimension in enumerate(self.dimensions):
            moved = np.moveaxis(grid, axis, -1).reshape(-1, self.shape[axis])
            for parent, kids in dimension.groups():
                lines = moved.shape[0]
                row_ids = np.arange(count, count + lines, dtype=np.int64)
                count += lines
                rows.append(row_ids)
                cols.append(moved[:, parent])
                data.append(np.ones(lines))
                for kid in kids:
                    rows.append(row_ids)
                    cols.append(moved[:, kid])
                    data.append(-np.ones(lines))
        if rows:
            matrix = sparse.coo_matrix(
                (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                shape=(count, self.size),
            ).tocsr()
        else:
            matrix = sparse.csr_matrix((0, self.size))
        self._equations = matrix
        return matrix

    def moves(self, axis: int, position: int) -> list[tuple[IntArray, IntArray]]:
        """Ways to change one code of a dimension while keeping the dimension additive.

        Each is ``(positions, signs)`` with ``positions[0] == position`` and sign +1 there:
        changing every listed code's cell by ``sign * t`` keeps every parent = sum of its
        children along this dimension. A leaf trades with a sibling (and that sibling's chain
        down to a leaf), or changes together with all its ancestors; a parent changes together
        with a chain down to a leaf; a root with no children has only itself (nothing
        constrains it).
        """
        dimension = self.dimensions[axis]
        own_chains = dimension.leaves_under(position)
        parent = dimension.parent[position]
        found: list[tuple[IntArray, IntArray]] = []
        if parent < 0:
            for chain in own_chains:
                found.append((np.array(chain, dtype=np.int64), np.ones(len(chain), dtype=np.int64)))
            return found
        # Up the tree: the code, its chain down and every ancestor change together (the root
        # is bound by nothing), which hides margins but always exists.
        ancestors = []
        node = parent
        while node >= 0:
            ancestors.append(node)
            node = dimension.parent[node]
        for chain in own_chains:
            codes = np.array([*chain, *ancestors], dtype=np.int64)
            found.append((codes, np.ones(len(codes), dtype=np.int64)))
        for sibling in dimension.children(parent):
            if sibling == position:
                continue
            for own, other in itertools.product(own_chains, dimension.leaves_under(sibling)):
                codes = np.array([*own, *other], dtype=np.int64)
                signs = np.array([1] * len(own) + [-1] * len(other), dtype=np.int64)
                found.append((codes, signs))
        return found

    def cells(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        """Every flat position with its codes."""
        for flat in range(self.size):
            coordinates = np.unravel_index(flat, self.shape)
            yield (
                flat,
                tuple(d.codes[int(i)] for d, i in zip(self.dimensions, coordinates, strict=True)),
            )


def _dimension_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if str(c) not in ATTRIBUTES and str(c).isupper()]


def _dimension(name: str, codes: list[str], tree: Mapping[str, Sequence[str]]) -> Dimension:
    position = {code: i for i, code in enumerate(codes)}
    parent = [-1] * len(codes)
    for head, kids in tree.items():
        if head not in position:
            raise TableShapeError(f"{name}: hierarchy parent {head!r} is not a code of the table")
        for kid in kids:
            if kid not in position:
                raise TableShapeError(f"{name}: hierarchy child {kid!r} is not a code of the table")
            if parent[position[kid]] >= 0:
                raise TableShapeError(f"{name}: code {kid!r} has two parents")
            parent[position[kid]] = position[head]
    if TOTAL in position:
        total = position[TOTAL]
        for code, i in position.items():
            if code != TOTAL and parent[i] < 0:
                parent[i] = total
    # A cycle would make a code its own ancestor.
    for start in range(len(codes)):
        seen = set()
        node = start
        while node >= 0:
            if node in seen:
                raise TableShapeError(f"{name}: the hierarchy has a cycle at {codes[start]!r}")
            seen.add(node)
            node = parent[node]
    return Dimension(name=name, codes=tuple(codes), parent=tuple(parent))
