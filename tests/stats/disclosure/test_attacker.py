"""The fast attacker and auditor answer exactly as one fresh LP per bound would.

The reference here is the slow path the auditor used to take for every cell it could not
prove by a hypercube: ``scipy.optimize.linprog`` solved from scratch for each bound of each
cell, over every equation that touches a suppressed cell. The fast path (hypercube
certificates searched many cells at a time, small LPs around a cell, one warm-started HiGHS
model per component) must give the same intervals and the same verdicts, on seeded random
tables and on tables built to leak.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scipy.optimize import linprog

from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import (
    ProtectionRule,
    TableStructure,
    attacker,
    audit,
    intervals,
    protect,
    threshold_cells,
)
from ura.stats.disclosure.attacker import unproven_intervals
from ura.stats.disclosure.secondary import Certifier

RULE = ProtectionRule()
_EPS = 1e-6
Pattern = tuple[str, npt.NDArray[np.bool_]]
# (leaf shape, hierarchies): two to four dimensions, one with an AGE hierarchy.
SHAPES: list[tuple[tuple[int, ...], dict[str, dict[str, tuple[str, ...]]]]] = [
    ((5, 6), {}),
    ((3, 4, 3), {}),
    ((3, 3, 2, 2), {}),
    ((4, 3, 4), {"C": {"c01": ("c0", "c1")}}),
]


def _table(
    seed: int, shape: tuple[int, ...], hierarchies: dict[str, dict[str, tuple[str, ...]]]
) -> pd.DataFrame:
    """Skewed counts, many of them small or zero, with every margin."""
    rng = np.random.default_rng(seed)
    leaves = rng.poisson(rng.gamma(0.8, 6.0, size=shape))
    names = [chr(ord("A") + axis) for axis in range(len(shape))]
    return long_table(
        leaves,
        {
            name: [f"{name.lower()}{i}" for i in range(n)]
            for name, n in zip(names, shape, strict=True)
        },
        hierarchies=hierarchies,
    )


CASES = [
    (seed, shape, tree)
    for seed, (shape, tree) in itertools.product(range(2), SHAPES)
    if _table(seed, shape, tree)["OBS_VALUE"].max() >= RULE.threshold
]


def _reference(
    structure: TableStructure,
    true: npt.NDArray[np.float64],
    hidden: npt.NDArray[np.bool_],
    cell: int,
) -> tuple[float, float]:
    """The cell's interval by two fresh ``linprog`` calls over every suppressed cell."""
    matrix = structure.equations()
    flat_hidden = hidden.ravel()
    variables = np.flatnonzero(flat_hidden)
    part = matrix[:, variables]
    rows = np.flatnonzero(part.getnnz(axis=1) > 0)
    if rows.size == 0:
        return 0.0, np.inf
    rhs = -(matrix[rows] @ np.where(flat_hidden, 0.0, true.ravel()))
    objective = np.zeros(variables.size)
    objective[np.searchsorted(variables, cell)] = 1.0
    bounds = []
    for sign in (1.0, -1.0):
        result = linprog(
            sign * objective, A_eq=part[rows], b_eq=rhs, bounds=(0, None), method="highs"
        )
        if result.status == 3:
            bounds.append(-np.inf)
            continue
        assert result.status == 0, result.message
        bounds.append(float(result.fun))
    return bounds[0], -bounds[1]


@functools.cache
def _patterns(
    case: int,
) -> tuple[pd.DataFrame, pd.DataFrame, TableStructure, npt.NDArray[np.float64], list[Pattern]]:
    """One table, its protected version, and suppression patterns: as protected, weakened
    (each secondary cell published again with probability one half), drawn at random."""
    seed, shape, tree = CASES[case]
    frame = _table(seed, shape, tree)
    protected = protect(frame, RULE, hierarchies=tree)
    record = protected.attrs["disclosure"]
    structure = TableStructure.from_frame(
        frame, dimensions=record["dimensions"], hierarchies=record["hierarchies"]
    )
    true = structure.dense(frame)
    hidden = np.isnan(structure.dense(protected))
    primary = threshold_cells(true, RULE.threshold)
    rng = np.random.default_rng(seed)
    weakened = hidden & ~(~primary & (rng.random(hidden.shape) < 0.5))
    drawn = primary | (rng.random(hidden.shape) < 0.3)
    patterns = [("protected", hidden), ("weakened", weakened), ("drawn", drawn)]
    return frame, protected, structure, true, patterns


def _ranges(cells: npt.NDArray[np.int64], true: npt.NDArray[np.float64]) -> np.ndarray:
    return np.array(
        [RULE.required_range(float(true.ravel()[cell]), primary=True) for cell in cells]
    ).reshape(-1, 2)


def _passes(value: float, low: float, high: float, lower: float, upper: float) -> bool:
    return low <= value - lower + _EPS and high >= value + upper - _EPS


@pytest.mark.parametrize("case", range(len(CASES)))
def test_intervals_equal_a_fresh_linprog_per_bound(case: int) -> None:
    _, _, structure, true, patterns = _patterns(case)
    for name, hidden in patterns:
        cells = np.flatnonzero(hidden.ravel())
        for interval in intervals(structure, true, hidden, cells):
            low, high = _reference(structure, true, hidden, interval.cell)
            where = f"{name}: {structure.label(interval.cell)}"
            assert interval.low == pytest.approx(low, abs=_EPS), where
            if np.isinf(high):
                assert np.isinf(interval.high), where
            else:
                assert interval.high == pytest.approx(high, abs=_EPS), where


@pytest.fixture
def small_lps_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Try the small LPs on components of any size (these tables are small)."""
    monkeypatch.setattr(attacker, "_SUB_TABLE_FROM", 0)


@pytest.mark.usefixtures("small_lps_everywhere")
@pytest.mark.parametrize("case", range(len(CASES)))
def test_certificates_and_small_lps_prove_only_what_the_lp_confirms(case: int) -> None:
    """Soundness: a cell proven without the full LP passes it. The cells left get their
    exact interval. The search many cells at a time answers as the one-cell search, also
    when it carries a single partial cube per cell and must search again exhaustively."""
    _, _, structure, true, patterns = _patterns(case)
    for name, hidden in patterns:
        primaries = np.flatnonzero((hidden & threshold_cells(true, RULE.threshold)).ravel())
        ranges = _ranges(primaries, true)
        certifier = Certifier(structure, true)
        proven = certifier.many(hidden, primaries, ranges[:, 0], ranges[:, 1])
        one_by_one = [
            certifier(hidden, int(cell), lower, upper)
            for cell, (lower, upper) in zip(primaries, ranges, strict=True)
        ]
        assert proven.tolist() == one_by_one, name
        narrow = Certifier(structure, true)
        narrow._CARRY = 1
        assert narrow.many(hidden, primaries, ranges[:, 0], ranges[:, 1]).tolist() == one_by_one
        left = {
            interval.cell: interval
            for interval in unproven_intervals(
                structure, true, hidden, primaries[~proven], ranges[~proven, 0], ranges[~proven, 1]
            )
        }
        for cell, (lower, upper), certified in zip(primaries, ranges, proven, strict=True):
            value = float(true.ravel()[cell])
            low, high = _reference(structure, true, hidden, int(cell))
            where = f"{name}: {structure.label(int(cell))}"
            if certified or int(cell) not in left:
                assert _passes(value, low, high, lower, upper), where
            else:
                assert left[int(cell)].low == pytest.approx(low, abs=_EPS), where
                assert left[int(cell)].high == pytest.approx(high, abs=_EPS), where


@pytest.mark.usefixtures("small_lps_everywhere")
def test_small_lps_prove_cells_no_cube_proves() -> None:
    """The stage between the cubes and the component LP is not idle on these tables."""
    by_small_lp = 0
    for case in range(len(CASES)):
        _, _, structure, true, patterns = _patterns(case)
        for _, hidden in patterns:
            primaries = np.flatnonzero((hidden & threshold_cells(true, RULE.threshold)).ravel())
            ranges = _ranges(primaries, true)
            proven = Certifier(structure, true).many(hidden, primaries, ranges[:, 0], ranges[:, 1])
            left = unproven_intervals(
                structure, true, hidden, primaries[~proven], ranges[~proven, 0], ranges[~proven, 1]
            )
            by_small_lp += int((~proven).sum()) - len(left)
    assert by_small_lp > 0


def _publish(
    protected: pd.DataFrame,
    structure: TableStructure,
    true: npt.NDArray[np.float64],
    hidden: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    """The protected table with exactly ``hidden`` suppressed."""
    published = protected.copy()
    published.attrs = protected.attrs
    flat = structure.index(published)
    values = true.ravel()[flat]
    masked = hidden.ravel()[flat]
    published["OBS_VALUE"] = np.where(masked, np.nan, values)
    small = (values > 0) & (values < RULE.threshold)
    published["CONF_STATUS"] = np.where(masked, np.where(small, "C", "D"), "F")
    return published


def _expected_interval_violations(
    structure: TableStructure, true: npt.NDArray[np.float64], hidden: npt.NDArray[np.bool_]
) -> list[tuple[str, str]]:
    """What the auditor must say about every primary cell, by the reference LP alone."""
    found = []
    for cell in np.flatnonzero((hidden & threshold_cells(true, RULE.threshold)).ravel()):
        value = float(true.ravel()[cell])
        lower, upper = RULE.required_range(value, primary=True)
        low, high = _reference(structure, true, hidden, int(cell))
        if not _passes(value, low, high, lower, upper):
            found.append(
                (
                    structure.label(int(cell)),
                    f"an attacker narrows it to [{low:g}, {high:g}]; the rule needs at least "
                    f"[{value - lower:g}, {value + upper:g}]",
                )
            )
    return sorted(found)


@pytest.mark.usefixtures("small_lps_everywhere")
def test_the_auditor_gives_the_verdicts_of_the_lp_alone() -> None:
    """On protected, weakened and random patterns the auditor names exactly the cells the
    reference LP finds too narrow, with the same intervals; some patterns leak."""
    leaks = passes = 0
    for case in range(len(CASES)):
        frame, protected, structure, true, patterns = _patterns(case)
        for name, hidden in patterns:
            published = _publish(protected, structure, true, hidden)
            violations = audit(published, RULE, original=frame)
            found = sorted((v.cell, v.message) for v in violations if v.check == "interval")
            expected = _expected_interval_violations(structure, true, hidden)
            assert found == expected, (CASES[case], name)
            leaks += bool(expected)
            passes += not expected
    assert leaks >= 3
    assert passes >= 3


def test_the_auditor_catches_a_cube_with_an_empty_corner() -> None:
    """A 2 hidden with 30, 17 and a 0: differencing recovers nothing, but the 0 cannot go
    down, so neither can the 2: an attacker knows the cell is between 2 and 19."""
    frame = long_table(
        [[2, 30, 41], [17, 0, 25]], {"SEX": ("F", "M"), "CITIZEN": ("AF", "IQ", "IR")}
    )
    structure = TableStructure.from_frame(frame)
    hidden = np.zeros(structure.shape, dtype=bool)
    for sex, citizen in itertools.product(("F", "M"), ("AF", "IQ")):
        hidden[
            structure.dimensions[0].codes.index(sex), structure.dimensions[1].codes.index(citizen)
        ] = True
    published = _publish(protect(frame, RULE), structure, structure.dense(frame), hidden)
    violations = audit(published, RULE, original=frame)
    assert [(v.check, v.cell, v.message) for v in violations] == [
        (
            "interval",
            "SEX=F, CITIZEN=AF",
            "an attacker narrows it to [2, 19]; the rule needs at least [1, 5]",
        )
    ]
