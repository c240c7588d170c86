"""Controlled rounding to base 5: adjacent multiples, and the table still adds up."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import (
    ProtectionRule,
    TableStructure,
    audit,
    controlled_round,
    protect,
)
from ura.stats.disclosure.rounding import _fallback


def _check(structure: TableStructure, true: np.ndarray, rounded: np.ndarray, base: int = 5) -> None:
    flat = rounded.ravel()
    assert (flat % base == 0).all()
    assert (np.abs(flat - true.ravel()) < base).all()
    # Zero-restricted: multiples of the base are kept as they are.
    exact = true.ravel() % base == 0
    assert (flat[exact] == true.ravel()[exact]).all()
    assert np.allclose(structure.equations() @ flat, 0)


def test_two_dimensional_table_is_rounded_and_stays_additive() -> None:
    original = long_table(
        [[1, 7, 12], [3, 3, 44], [21, 9, 6]],
        {"SEX": ("F", "M", "UNK"), "AGE": ("Y14-17", "Y18-34", "Y35-64")},
    )
    structure = TableStructure.from_frame(original)
    true = structure.dense(original)
    rounding = controlled_round(structure, true)
    assert rounding.method == "controlled"
    _check(structure, true, rounding.values)


def test_rounded_table_carries_flags_and_a_note() -> None:
    original = long_table([[1, 7], [3, 44]], {"SEX": ("F", "M"), "CITIZEN": ("SY", "AF")})
    rule = ProtectionRule(name="rounding")
    protected = protect(original, rule)
    assert protected["ROUNDED"].all()
    assert (protected["CONF_STATUS"] == "F").all()
    assert (protected["OBS_VALUE"].astype(int) % 5 == 0).all()
    assert "multiple of 5" in protected.attrs["disclosure"]["note"]
    assert audit(protected, rule, original=original) == []


def test_hierarchy_is_kept_when_rounding() -> None:
    original = long_table(
        [[3, 4, 11, 8], [6, 2, 13, 1]],
        {"SEX": ("F", "M"), "AGE": ("Y_LT14", "Y14-17", "Y18-34", "Y35-64")},
        hierarchies={"AGE": {"Y_LT18": ("Y_LT14", "Y14-17")}},
    )
    structure = TableStructure.from_frame(original)
    true = structure.dense(original)
    _check(structure, true, controlled_round(structure, true).values)


def test_fallback_is_additive_and_names_the_wide_totals() -> None:
    """The fallback adds totals up from rounded leaves; totals may move by a base or more."""
    original = long_table([[2, 2, 2, 2, 2, 2]], {"A": ("a",), "B": tuple("uvwxyz")})
    structure = TableStructure.from_frame(original)
    true = structure.dense(original)
    rounding = _fallback(structure, true, 5)
    flat = rounding.values.ravel()
    assert (flat % 5 == 0).all()
    assert np.allclose(structure.equations() @ flat, 0)
    assert rounding.wide  # the totals of 12 became 0
    assert all(abs(flat[c] - true.ravel()[c]) >= 5 for c in rounding.wide)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hnp.arrays(
        np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 60)
    )
)
def test_random_two_dimensional_tables_have_a_controlled_rounding(leaves: np.ndarray) -> None:
    """Cox (1987): every 2-D table has a zero-restricted controlled rounding."""
    original = long_table(
        leaves,
        {
            "A": [f"a{i}" for i in range(leaves.shape[0])],
            "B": [f"b{i}" for i in range(leaves.shape[1])],
        },
    )
    structure = TableStructure.from_frame(original)
    true = structure.dense(original)
    rounding = controlled_round(structure, true)
    assert rounding.method == "controlled"
    _check(structure, true, rounding.values)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hnp.arrays(
        np.int64,
        st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3)),
        elements=st.integers(0, 40),
    )
)
def test_random_three_dimensional_tables_are_rounded_additively(leaves: np.ndarray) -> None:
    original = long_table(
        leaves,
        {
            "A": [f"a{i}" for i in range(leaves.shape[0])],
            "B": [f"b{i}" for i in range(leaves.shape[1])],
            "C": [f"c{i}" for i in range(leaves.shape[2])],
        },
    )
    structure = TableStructure.from_frame(original)
    true = structure.dense(original)
    rounding = controlled_round(structure, true)
    flat = rounding.values.ravel()
    assert (flat % 5 == 0).all()
    assert np.allclose(structure.equations() @ flat, 0)
    if rounding.method == "controlled":
        _check(structure, true, rounding.values)
