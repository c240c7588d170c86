"""Protection rules: what a table definition's ``protection`` mapping means.

A table definition (see ``docs/statistics-disclosure.md``) carries a ``sensitivity``
(``public``, ``restricted``, ``strict``) and a ``protection`` mapping, for example::

    protection:
      method: suppression        # suppression | rounding | suppression+rounding | dp
      threshold: 5               # cells with 0 < n < threshold are primary confidential
      protection_level: 50       # percent of a cell's value an attacker must not narrow below
      zeros: publish             # publish | suppress_adjacent
      base: 5                    # rounding base
      cost: count                # information loss: count | value

``strict`` tables (trafficking victims) always get at least :data:`STRICT_THRESHOLD`, zeros
next to suppressed cells suppressed, and controlled rounding on top of suppression, whatever
their mapping says: the rule is raised, never lowered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

__all__ = [
    "DEFAULT_THRESHOLD",
    "STRICT_THRESHOLD",
    "Method",
    "ProtectionRule",
    "RuleError",
    "rule_from_definition",
]

Method = Literal["suppression", "rounding", "suppression+rounding", "dp"]
Sensitivity = Literal["public", "restricted", "strict"]

DEFAULT_THRESHOLD: Final = 5
# Trafficking tables: Eurostat's and UNODC's practice for victim counts is to hide small cells
# more aggressively than for migration flows; 10 is the floor Ura applies.
STRICT_THRESHOLD: Final = 10
_METHODS: Final = ("suppression", "rounding", "suppression+rounding", "dp")
_SENSITIVITIES: Final = ("public", "restricted", "strict")
_KEYS: Final = frozenset(
    {
        "method",
        "threshold",
        "protection_level",
        "zeros",
        "base",
        "cost",
        "epsilon",
        "mechanism",
        "max_contributions",
        "delta",
        "consistent",
        "dominance",
        "p_percent",
    }
)


class RuleError(ValueError):
    """A protection rule is invalid; the message names the key and value at fault."""


@dataclass(frozen=True)
class ProtectionRule:
    """The disclosure-control rule of one table.

    Attributes:
        method: What protects the table: cell suppression, controlled rounding, both, or
            differentially private noise.
        sensitivity: The table's sensitivity class; ``strict`` raises the rule.
        threshold: Counts with ``0 < n < threshold`` are primary confidential.
        protection_level: Percent of a primary cell's value by which an attacker's interval
            must reach beyond the value on each side (at least 1 unit above; below down to 0
            at most). The upper end must also reach ``threshold``, so that an attacker cannot
            tell that the cell is small.
        zeros: ``publish`` zeros as they are, or ``suppress_adjacent`` zeros that share a
            margin with a suppressed cell (the strict rule).
        base: Rounding base (Eurostat publishes asylum figures rounded to 5).
        cost: Information loss minimised by secondary suppression: the ``count`` of suppressed
            cells or the ``value`` they hide.
        epsilon: Privacy-loss budget of the whole table for ``dp``.
        mechanism: ``laplace`` (pure epsilon-DP, discrete Laplace) or ``gaussian`` (discrete
            Gaussian, zero-concentrated DP, reported as (epsilon, delta)).
        delta: The delta at which a Gaussian table's epsilon is stated.
        max_contributions: How many leaf cells one person can count in (1 for persons;
            more for event tables where one person has several events).
        consistent: Noise the leaf cells only and add the margins up from them (margins
            consistent, noisier); otherwise every cell is noised with the budget shared.
        dominance: ``(n, k)`` for magnitude tables: a cell whose ``n`` largest contributors
            make more than ``k`` percent of it is primary confidential. Not used for counts,
            where every contribution is 1 and the threshold rule already covers it.
        p_percent: ``p`` of the p% rule for magnitude tables (same remark).
    """

    method: Method = "suppression"
    sensitivity: Sensitivity = "public"
    threshold: int = DEFAULT_THRESHOLD
    protection_level: float = 50.0
    zeros: Literal["publish", "suppress_adjacent"] = "publish"
    base: int = 5
    cost: Literal["count", "value"] = "count"
    epsilon: float = 1.0
    mechanism: Literal["laplace", "gaussian"] = "laplace"
    delta: float = 1e-6
    max_contributions: int = 1
    consistent: bool = True
    dominance: tuple[int, float] | None = None
    p_percent: float | None = None

    @property
    def suppresses(self) -> bool:
        """Whether cells are suppressed under this rule."""
        return self.method in ("suppression", "suppression+rounding")

    @property
    def rounds(self) -> bool:
        """Whether published values are rounded under this rule."""
        return self.method in ("rounding", "suppression+rounding")

    def required_range(self, value: float, *, primary: bool) -> tuple[float, float]:
        """How far below and above its value an attacker's interval must reach.

        Args:
            value: The cell's true value.
            primary: Whether the cell is primary confidential (else a secondary, which only
                must not be recomputable exactly).

        Returns:
            ``(lower, upper)``: the interval must contain ``[value - lower, value + upper]``.
        """
        if not primary:
            return (min(value, 1.0), 1.0)
        upper = max(math.ceil(value * self.protection_level / 100.0), 1.0)
        upper = max(upper, float(self.threshold) - value)
        lower = min(value, max(math.ceil(value * self.protection_level / 100.0), 1.0))
        return (float(lower), float(upper))


def rule_from_definition(
    protection: Mapping[str, Any] | None, *, sensitivity: str = "public"
) -> ProtectionRule:
    """Read a definition's ``protection`` mapping into a rule, raised for strict tables.

    Args:
        protection: The mapping from the table definition (``None``: the defaults).
        sensitivity: The definition's sensitivity class.

    Returns:
        The rule to apply.

    Raises:
        RuleError: An unknown key, method or value out of range.
    """
    if sensitivity not in _SENSITIVITIES:
        raise RuleError(f"sensitivity {sensitivity!r}: expected one of {', '.join(_SENSITIVITIES)}")
    spec = dict(protection or {})
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise RuleError(f"protection: unknown key(s) {', '.join(unknown)}")
    method = spec.get("method", "suppression")
    if method not in _METHODS:
        raise RuleError(f"protection.method {method!r}: expected one of {', '.join(_METHODS)}")
    rule = ProtectionRule(
        method=method,
        sensitivity=sensitivity,  # type: ignore[arg-type]  # checked above
        threshold=_int(spec, "threshold", DEFAULT_THRESHOLD, minimum=1),
        protection_level=_float(spec, "protection_level", 50.0, minimum=0.0),
        zeros=_choice(spec, "zeros", ("publish", "suppress_adjacent")),  # type: ignore[arg-type]
        base=_int(spec, "base", 5, minimum=2),
        cost=_choice(spec, "cost", ("count", "value")),  # type: ignore[arg-type]
        epsilon=_float(spec, "epsilon", 1.0, minimum=1e-6),
        mechanism=_choice(spec, "mechanism", ("laplace", "gaussian")),  # type: ignore[arg-type]
        delta=_float(spec, "delta", 1e-6, minimum=1e-12),
        max_contributions=_int(spec, "max_contributions", 1, minimum=1),
        consistent=bool(spec.get("consistent", True)),
        dominance=_dominance(spec.get("dominance")),
        p_percent=(_float(spec, "p_percent", 0.0, minimum=0.0) if "p_percent" in spec else None),
    )
    if sensitivity == "strict":
        if rule.method == "dp":
            raise RuleError("protection.method 'dp' is not allowed for a strict table")
        rule = replace(
            rule,
            method="suppression+rounding",
            threshold=max(rule.threshold, STRICT_THRESHOLD),
            zeros="suppress_adjacent",
        )
    return rule


def _int(spec: Mapping[str, Any], key: str, default: int, *, minimum: int) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(f"protection.{key} {value!r}: expected an integer >= {minimum}")
    return int(value)


def _float(spec: Mapping[str, Any], key: str, default: float, *, minimum: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise RuleError(f"protection.{key} {value!r}: expected a number >= {minimum}")
    return float(value)


def _choice(spec: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = spec.get(key, choices[0])
    if value not in choices:
        raise RuleError(f"protection.{key} {value!r}: expected one of {', '.join(choices)}")
    return str(value)


def _dominance(value: Any) -> tuple[int, float] | None:
    if value is None:
        return None
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], int | float)
        and value[0] >= 1
        and 0 < value[1] <= 100
    ):
        return (int(value[0]), float(value[1]))
    raise RuleError(f"protection.dominance {value!r}: expected [n, k] with n >= 1, 0 < k <= 100")
