"""The table's equations, and the hypercube moves that keep every one of them."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest

import ura.stats.disclosure
from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import TableShapeError, TableStructure

DIMENSIONS = {
    "SEX": ("F", "M", "UNK"),
    "AGE": ("Y_LT14", "Y14-17", "Y18-34", "Y35-64"),
    "GEO": ("TR06-01", "TR06-02", "TR34-01"),
}
HIERARCHIES = {"GEO": {"TR06": ("TR06-01", "TR06-02"), "TR34": ("TR34-01",)}}


def _table() -> tuple[TableStructure, np.ndarray]:
    rng = np.random.default_rng(3)
    frame = long_table(
        rng.integers(0, 20, size=(3, 4, 3)),
        DIMENSIONS,
        hierarchies={**HIERARCHIES, "AGE": {"Y_LT18": ("Y_LT14", "Y14-17")}},
    )
    structure = TableStructure.from_frame(frame, hierarchies=HIERARCHIES)
    return structure, structure.dense(frame)


def test_the_equations_hold_on_a_table_with_hierarchies() -> None:
    structure, values = _table()
    age = structure.dimensions[structure.names.index("AGE")]
    assert age.codes[age.parent[age.codes.index("Y14-17")]] == "Y_LT18"
    assert np.allclose(structure.equations() @ values.ravel(), 0)
    values.ravel()[0] += 1
    assert not np.allclose(structure.equations() @ values.ravel(), 0)


@pytest.mark.parametrize("cell", range(0, 4 * 6 * 6, 5))
def test_every_hypercube_keeps_every_equation(cell: int) -> None:
    """The tensor product of one move per dimension is a change the attacker cannot see."""
    structure, _ = _table()
    coordinates = np.unravel_index(cell, structure.shape)
    per_axis = [structure.moves(axis, int(p)) for axis, p in enumerate(coordinates)]
    matrix = structure.equations()
    for combination in itertools.islice(itertools.product(*per_axis), 50):
        change = np.zeros(structure.shape)
        block = np.ix_(*(codes for codes, _ in combination))
        sign = np.ones(())
        for _, signs in combination:
            sign = np.multiply.outer(sign, signs)
        change[block] = sign
        assert change.ravel()[cell] == 1
        assert np.allclose(matrix @ change.ravel(), 0)


def test_a_duplicated_cell_is_named() -> None:
    frame = long_table([[1, 2]], {"A": ("a",), "B": ("x", "y")})
    doubled = frame._append(frame.iloc[0])
    with pytest.raises(TableShapeError, match="duplicate cell"):
        TableStructure.from_frame(doubled).dense(doubled)


def test_the_package_examples_run() -> None:
    assert doctest.testmod(ura.stats.disclosure).failed == 0
