"""Cell suppression: attacks on protected tables must not recover any confidential cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.stats.disclosure.tables import hide_next_smallest, long_table, status, value
from ura.stats.disclosure import (
    DisclosureError,
    ProtectionRule,
    TableStructure,
    audit,
    check_publishable,
    difference,
    intervals,
    protect,
    rule_from_definition,
    threshold_cells,
)
from ura.stats.disclosure.secondary import SuppressionResult, _check_and_repair, _cost

SEX = ("F", "M")
AGE = ("Y_LT14", "Y14-17", "Y18-34", "Y35-64", "Y_GE65")
CITIZEN = ("AF", "IQ", "IR", "SY")


def _attack(protected: pd.DataFrame, original: pd.DataFrame, rule: ProtectionRule) -> None:
    """Recompute every suppressed cell by differencing and by LP; none may come out."""
    record = protected.attrs["disclosure"]
    structure = TableStructure.from_frame(
        original, dimensions=record["dimensions"], hierarchies=record["hierarchies"]
    )
    true = structure.dense(original)
    hidden = np.isnan(structure.dense(protected))
    primary = hidden & (true > 0) & (true < rule.threshold)
    assert primary.sum() == ((true > 0) & (true < rule.threshold)).sum()
    recovered = difference(structure, true, hidden)
    assert not set(recovered) & set(np.flatnonzero(primary.ravel()).tolist())
    for interval in intervals(structure, true, hidden, np.flatnonzero(primary.ravel())):
        cell_value = float(true.ravel()[interval.cell])
        lower, upper = rule.required_range(cell_value, primary=True)
        assert interval.low <= cell_value - lower + 1e-6, structure.label(interval.cell)
        assert interval.high >= cell_value + upper - 1e-6, structure.label(interval.cell)
        assert interval.high >= rule.threshold - 1e-6
        assert interval.width > 0


def test_small_cells_are_hidden_and_cannot_be_recomputed() -> None:
    """A 2-D table's small cells are suppressed with complements no attacker gets past."""
    original = long_table(
        [[2, 30, 41, 12], [17, 3, 25, 9], [22, 19, 1, 40]],
        {"SEX": ("F", "M", "UNK"), "CITIZEN": CITIZEN},
    )
    rule = ProtectionRule()
    protected = protect(original, rule)
    assert status(protected, SEX="F", CITIZEN="AF") == "C"
    assert status(protected, SEX="M", CITIZEN="IQ") == "C"
    assert pd.isna(value(protected, SEX="F", CITIZEN="AF"))
    assert (protected["CONF_STATUS"] == "D").sum() >= 3
    assert value(protected, SEX="_T", CITIZEN="_T") == original["OBS_VALUE"].max()
    _attack(protected, original, rule)
    check_publishable(protected, rule, original=original)


def test_three_dimensions_with_an_age_hierarchy() -> None:
    """Y_LT18 = Y_LT14 + Y14-17 is one more equation the attacker knows; still protected."""
    rng = np.random.default_rng(7)
    leaves = rng.poisson(6, size=(2, 5, 4))
    original = long_table(
        leaves,
        {"SEX": SEX, "AGE": AGE, "CITIZEN": CITIZEN},
        hierarchies={"AGE": {"Y_LT18": ("Y_LT14", "Y14-17")}},
    )
    rule = ProtectionRule()
    protected = protect(original, rule)
    assert protected.attrs["disclosure"]["hierarchies"] == {"AGE": {"Y_LT18": ["Y14-17", "Y_LT14"]}}
    assert protected.attrs["disclosure"]["checked_by_lp"] is True
    _attack(protected, original, rule)
    assert audit(protected, rule, original=original) == []


def test_a_small_total_is_protected_too() -> None:
    """A nationality with three people in all: its total and its cells are hidden."""
    original = long_table(
        [[1, 30], [2, 25], [0, 40]], {"AGE": ("Y18-34", "Y35-64", "Y_GE65")[:3], "SEX": SEX}
    )
    rule = ProtectionRule()
    protected = protect(original, rule)
    assert status(protected, AGE="_T", SEX="F") == "C"
    _attack(protected, original, rule)


def test_hide_next_smallest_leaks_and_the_auditor_refuses_it() -> None:
    """The naive method hides a second cell in the row, but the column gives the cell away."""
    original = long_table(
        [[2, 6, 41], [17, 13, 25], [22, 19, 30]],
        {"GEO": ("TR06", "TR34", "TR35"), "SEX": ("F", "M", "UNK")},
    )
    naive = hide_next_smallest(original, 5, "SEX")
    structure = TableStructure.from_frame(original, dimensions=["GEO", "SEX"])
    true = structure.dense(original)
    hidden = np.isnan(structure.dense(naive))
    recovered = difference(structure, true, hidden)
    assert 2.0 in recovered.values()
    with pytest.raises(DisclosureError) as refused:
        check_publishable(naive, ProtectionRule(), original=original)
    checks = {v.check for v in refused.value.violations}
    assert {"differencing", "interval"} <= checks
    assert any(v.cell == "GEO=TR06, SEX=F" for v in refused.value.violations)


def test_strict_rule_hides_zeros_next_to_suppressed_cells_and_rounds() -> None:
    """Trafficking tables: threshold 10, no zero beside a hidden cell, rounded to 5."""
    original = long_table(
        [[4, 0, 12, 20], [0, 14, 11, 30], [13, 16, 0, 25]],
        {"SEX": ("F", "M", "UNK"), "FORM": ("SEX_EXPL", "LAB_EXPL", "CRIM", "OTH")},
    )
    rule = rule_from_definition({"rule": "suppression", "threshold": 3}, sensitivity="strict")
    assert rule.threshold == 10
    assert rule.name == "strict"
    protected = protect(original, rule)
    assert status(protected, SEX="F", FORM="SEX_EXPL") == "C"
    assert status(protected, SEX="F", FORM="LAB_EXPL") == "D"  # the zero beside it
    published = protected.loc[protected["CONF_STATUS"] == "F", "OBS_VALUE"].astype(int)
    assert (published % 5 == 0).all()
    assert protected.loc[protected["CONF_STATUS"] == "F", "ROUNDED"].all()
    _attack(protected, original, rule)
    check_publishable(protected, rule, original=original)


def test_value_cost_prefers_hiding_small_complements() -> None:
    """With cost "value" the complements hide less in total than the largest candidates."""
    original = long_table(
        [[2, 3, 100], [50, 60, 200], [40, 45, 300]], {"A": ("a", "b", "c"), "B": ("x", "y", "z")}
    )
    rule = ProtectionRule(cost="value")
    protected = protect(original, rule)
    hidden_total = original.loc[protected["CONF_STATUS"] == "D", "OBS_VALUE"].sum()
    assert hidden_total < 300
    _attack(protected, original, rule)


def test_lp_repair_finds_complements_on_its_own() -> None:
    """The LP separation step alone (no hypercube) protects every primary cell."""
    frame = long_table(
        [[1, 0, 0], [0, 0, 9], [0, 8, 7]], {"A": ("a", "b", "c"), "B": ("x", "y", "z")}
    )
    structure = TableStructure.from_frame(frame)
    true = structure.dense(frame)
    rule = ProtectionRule()
    primary = threshold_cells(true, 5)
    result = SuppressionResult(primary=primary, hidden=primary.copy())
    cost = _cost(structure, true.ravel(), rule)
    assert _check_and_repair(structure, true, result, rule, cost) >= 1
    assert result.secondary.any()
    for interval in intervals(structure, true, result.hidden, np.flatnonzero(primary)):
        assert interval.high >= 5 - 1e-6
    assert not set(difference(structure, true, result.hidden)) & set(np.flatnonzero(primary))


_leaf_counts = st.integers(min_value=0, max_value=30)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(np.int64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=_leaf_counts))
def test_random_two_dimensional_tables_resist_attack(leaves: np.ndarray) -> None:
    original = long_table(
        leaves,
        {
            "A": [f"a{i}" for i in range(leaves.shape[0])],
            "B": [f"b{i}" for i in range(leaves.shape[1])],
        },
    )
    rule = ProtectionRule()
    if original["OBS_VALUE"].max() < rule.threshold:
        return  # the whole table is one small cell: nothing can protect it
    protected = protect(original, rule)
    _attack(protected, original, rule)
    assert audit(protected, rule, original=original) == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hnp.arrays(
        np.int64,
        st.tuples(st.integers(2, 3), st.integers(2, 4), st.integers(2, 3)),
        elements=_leaf_counts,
    )
)
def test_random_three_dimensional_tables_resist_attack(leaves: np.ndarray) -> None:
    original = long_table(
        leaves,
        {
            name: [f"{name.lower()}{i}" for i in range(n)]
            for name, n in zip(("A", "B", "C"), leaves.shape, strict=True)
        },
    )
    rule = ProtectionRule()
    if original["OBS_VALUE"].max() < rule.threshold:
        return
    protected = protect(original, rule)
    _attack(protected, original, rule)
    assert audit(protected, rule, original=original) == []


def test_a_dimension_without_a_total_is_a_set_of_separate_slices() -> None:
    """TIME_PERIOD without ``_T``: each period is protected on its own, none leaks."""
    first = long_table([[2, 30, 41], [17, 3, 25]], {"SEX": ("F", "M"), "CITIZEN": CITIZEN[:3]})
    second = long_table([[12, 1, 41], [17, 13, 25]], {"SEX": ("F", "M"), "CITIZEN": CITIZEN[:3]})
    original = pd.concat(
        [first.assign(TIME_PERIOD="2025"), second.assign(TIME_PERIOD="2026")], ignore_index=True
    )
    rule = ProtectionRule()
    protected = protect(original, rule)
    structure = TableStructure.from_frame(original)
    period = structure.dimensions[structure.names.index("TIME_PERIOD")]
    assert period.parent == (-1, -1)
    assert status(protected, TIME_PERIOD="2026", SEX="F", CITIZEN="IQ") == "C"
    _attack(protected, original, rule)
    check_publishable(protected, rule, original=original)
