"""Evidence in plain words: why the model thinks two records are (not) the same person.

A pair's match weight is the prior weight plus one weight per comparison (log2 Bayes
factors, term-frequency adjustment included), so the items below add up to the pair's
``match_weight`` and can be drawn as a waterfall.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """One line of the waterfall: what was compared, what was found, how much it weighs
    (positive: for a match; negative: against)."""

    name: str
    description: str
    weight: float
    level: int | None = None  # Splink's comparison vector value (gamma); None for the prior


def _levels_with_gamma(comparison: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    levels = comparison["comparison_levels"]
    non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
    out: list[tuple[int, Mapping[str, Any]]] = []
    value = len(non_null) - 1
    for lvl in levels:
        if lvl.get("is_null_level"):
            out.append((-1, lvl))
        else:
            out.append((value, lvl))
            value -= 1
    return out


def _level_weight(level: Mapping[str, Any]) -> float:
    if level.get("is_null_level"):
        return 0.0
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return 0.0
    return math.log2(float(m) / float(u))


def explain(pair: Mapping[str, Any], model: str | Mapping[str, Any]) -> list[Evidence]:
    """Evidence items for one scored pair (a row of ``LinkResult.pairs`` as a dict), given
    the model (JSON text or dict). The first item is the prior ("starting point"); then one
    item per comparison, in the model's order. Weights come from the pair's ``mw_`` and
    ``mw_tf_adj_`` columns when present, otherwise from the model's m and u."""
    settings: Mapping[str, Any] = json.loads(model) if isinstance(model, str) else model
    prior = float(settings["probability_two_random_records_match"])
    items = [
        Evidence(
            "Starting point",
            "how likely two records picked at random are the same person",
            math.log2(prior / (1 - prior)),
        )
    ]
    for comparison in settings["comparisons"]:
        out = comparison["output_column_name"]
        gamma = pair.get(f"gamma_{out}")
        if gamma is None:
            continue
        level = next((lvl for g, lvl in _levels_with_gamma(comparison) if g == int(gamma)), None)
        if level is None:
            raise ValueError(f"level {gamma} not in comparison {out!r} of this model")
        weight = pair.get(f"mw_{out}")
        weight = _level_weight(level) if weight is None else float(weight)
        tf = pair.get(f"mw_tf_adj_{out}")
        if tf is not None:
            weight += float(tf)
        items.append(
            Evidence(
                comparison.get("comparison_description") or out,
                level.get("label_for_charts") or "",
                weight,
                int(gamma),
            )
        )
    return items
