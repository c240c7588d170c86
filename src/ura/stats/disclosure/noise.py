"""Differentially private counts for open dashboards (OpenDP).

The table's leaf cells (those no equation defines as a sum) are disjoint counts: adding or
removing one person changes at most ``max_contributions`` of them by one each. Noise from
OpenDP's vector mechanisms (discrete Laplace for pure epsilon-DP, discrete Gaussian for
zero-concentrated DP) is calibrated to that sensitivity with OpenDP's own privacy map, so the
stated epsilon is what OpenDP certifies, not a hand-computed one.

- ``consistent`` (default): only the leaves are noised; every margin is added up from the
  noisy leaves after they are made non-negative. The table adds up; margins carry the summed
  noise of their leaves.
- otherwise: every cell is noised independently; one person touches ``2**d`` cells of a
  ``d``-dimensional table with all margins (more with hierarchies), and the sensitivity is
  multiplied accordingly. Margins are then not consistent.

Post-processing (clamping at zero, adding up) does not weaken the guarantee. The accuracy
beside the table is OpenDP's: with 95 % confidence a noised leaf is within ``±accuracy`` of its
true count before clamping.

OpenDP draws from a cryptographically secure generator and cannot be seeded. Tests pass a
``seed``: the same noise distribution is then drawn from NumPy, and the table is marked as
seeded; the auditor refuses to publish it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from .rules import ProtectionRule
from .structure import Dimension, TableStructure

__all__ = ["NoisyTable", "add_noise"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NoisyTable:
    """A differentially private table.

    Attributes:
        values: Dense noisy counts (non-negative integers as floats).
        epsilon: The privacy loss OpenDP certifies for the whole table.
        delta: The delta of an (epsilon, delta) guarantee (0 for pure DP).
        accuracy: Half-width of the 95 % interval of one noised cell's error.
        mechanism: ``laplace`` or ``gaussian``.
        scale: The noise scale used.
        seeded: True when drawn from a seeded NumPy generator (tests only, not private).
    """

    values: FloatArray
    epsilon: float
    delta: float
    accuracy: float
    mechanism: str
    scale: float
    seeded: bool


def add_noise(
    structure: TableStructure,
    values: FloatArray,
    rule: ProtectionRule,
    *,
    seed: int | None = None,
    alpha: float = 0.05,
) -> NoisyTable:
    """Noise a count table under the rule's epsilon and mechanism.

    Args:
        structure: The table's structure.
        values: Dense non-negative integer counts.
        rule: Gives ``epsilon``, ``mechanism``, ``delta``, ``max_contributions`` and
            ``consistent``.
        seed: Draw from NumPy with this seed (tests only; the table is marked seeded).
        alpha: One minus the confidence of the stated accuracy.

    Returns:
        The noisy table with its guarantee and accuracy.

    Raises:
        ValueError: Counts are missing or negative.
    """
    import opendp.prelude as dp  # heavy import, only where noise is added

    dp.enable_features("contrib")
    flat = values.ravel()
    if np.isnan(flat).any() or (flat < 0).any():
        raise ValueError("differential privacy needs non-negative counts in every cell")
    leaves = _leaves(structure)
    noised_cells = leaves if rule.consistent else np.ones(structure.size, dtype=bool)
    # Cells one person's record touches: one leaf and every margin above it.
    touched = 1 if rule.consistent else _cells_per_leaf(structure)
    sensitivity = rule.max_contributions * touched
    domain = dp.vector_domain(dp.atom_domain(T=int))
    if rule.mechanism == "laplace":

        def _laplace(s: float) -> Any:
            return dp.m.make_laplace(domain, dp.l1_distance(T=int), scale=s)

        scale = _search_scale(lambda s: float(_laplace(s).map(sensitivity)), rule.epsilon)
        measurement = _laplace(scale)
        epsilon = float(measurement.map(sensitivity))
        delta = 0.0
        accuracy = float(dp.discrete_laplacian_scale_to_accuracy(scale, alpha))
    else:
        # Worst case: all of a person's contributions fall in the same cells.
        l2 = math.ceil(rule.max_contributions * math.sqrt(touched))

        def _gaussian(s: float) -> Any:
            return dp.m.make_gaussian(domain, dp.l2_distance(T=int), scale=s)

        def _epsilon(s: float) -> float:
            approx: Any = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(_gaussian(s)), rule.delta)
            return float(approx.map(l2)[0])

        scale = _search_scale(_epsilon, rule.epsilon)
        measurement = _gaussian(scale)
        epsilon = _epsilon(scale)
        delta = rule.delta
        accuracy = float(dp.discrete_gaussian_scale_to_accuracy(scale, alpha))
    counts = flat[noised_cells].astype(np.int64).tolist()
    if seed is None:
        noisy = np.asarray(measurement(counts), dtype=np.float64)
    else:
        noisy = np.asarray(counts, dtype=np.float64) + _seeded_noise(
            rule.mechanism, scale, len(counts), seed
        )
    result = flat.astype(np.float64).copy()
    result[noised_cells] = np.maximum(noisy, 0.0)
    if rule.consistent:
        result = _add_up(structure, result, leaves)
    return NoisyTable(
        values=result.reshape(values.shape),
        epsilon=epsilon,
        delta=delta,
        accuracy=accuracy,
        mechanism=rule.mechanism,
        scale=scale,
        seeded=seed is not None,
    )


def _search_scale(loss: Callable[[float], float], epsilon: float) -> float:
    """Smallest scale whose certified loss is at most ``epsilon`` (bisection on OpenDP's map)."""
    low, high = 1e-3, 1.0
    while float(loss(high)) > epsilon:
        high *= 2.0
    for _ in range(60):
        middle = (low + high) / 2.0
        if float(loss(middle)) > epsilon:
            low = middle
        else:
            high = middle
    return high


def _seeded_noise(mechanism: str, scale: float, size: int, seed: int) -> FloatArray:
    generator = np.random.default_rng(seed)
    if mechanism == "laplace":
        # Discrete Laplace = difference of two geometric variables.
        p = 1.0 - math.exp(-1.0 / scale)
        return np.asarray(
            generator.geometric(p, size) - generator.geometric(p, size), dtype=np.float64
        )
    return np.round(generator.normal(0.0, scale, size))


def _leaves(structure: TableStructure) -> npt.NDArray[np.bool_]:
    matrix = sparse.coo_matrix(structure.equations())
    is_parent = np.zeros(structure.size, dtype=bool)
    is_parent[matrix.col[matrix.data > 0]] = True
    return np.asarray(~is_parent)


def _cells_per_leaf(structure: TableStructure) -> int:
    """Cells one leaf record counts in: its code and every ancestor, in every dimension."""
    product = 1
    for dimension in structure.dimensions:
        depth = 1
        for position in range(len(dimension.codes)):
            level, node = 1, dimension.parent[position]
            while node >= 0:
                level, node = level + 1, dimension.parent[node]
            depth = max(depth, level)
        product *= depth
    return product


def _add_up(
    structure: TableStructure, values: FloatArray, leaves: npt.NDArray[np.bool_]
) -> FloatArray:
    """Recompute every non-leaf cell as the sum of the leaves below it."""
    shaped = np.where(leaves, values, 0.0).reshape(structure.shape)
    for axis, dimension in enumerate(structure.dimensions):
        # Process parents bottom-up so nested hierarchies add up level by level.
        order = sorted(
            (position for position, _ in dimension.groups()),
            key=lambda p: -_depth_below(dimension, p),
        )
        moved = np.moveaxis(shaped, axis, 0)
        for parent in order:
            kids = list(dimension.children(parent))
            moved[parent] = moved[kids].sum(axis=0)
    return shaped.ravel()


def _depth_below(dimension: Dimension, position: int) -> int:
    kids = dimension.children(position)
    return 1 + max((_depth_below(dimension, k) for k in kids), default=0)
