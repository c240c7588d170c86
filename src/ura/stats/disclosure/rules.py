"""Protection rules: what a table definition's ``protection`` mapping means.

A table definition (see ``docs/statistics-definitions.md``) carries a ``sensitivity``
(``public``, ``restricted``, ``strict``) and a ``protection`` mapping naming its rule and the
rule's parameters, for example::

    protection:
      rule: suppression          # suppression | rounding | strict | differential_privacy
                                 # | denominator_threshold
      threshold: 5               # cells with 0 < n < threshold are primary confidential
      protection_level: 50       # percent of a cell's value an attacker must not narrow below
      zeros: publish             # publish | suppress_adjacent
      cost: count                # information loss: count | value

This is the one vocabulary of protection rules: the definitions, :class:`ProtectionRule`,
the record a protected table carries (``attrs["disclosure"]["rule"]``) and the auditor all
use these names. Each rule takes only its own parameters (:data:`PARAMETERS`); any other key
is refused with the key named.

``strict`` is suppression with controlled rounding on top, a threshold of at least
:data:`STRICT_THRESHOLD` and zeros next to suppressed cells suppressed. Tables of
``sensitivity: strict`` (trafficking victims) always get it, whatever their mapping says:
the rule is raised, never lowered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, get_args

__all__ = [
    "DEFAULT_THRESHOLD",
    "PARAMETERS",
    "RATIO_THRESHOLD",
    "RULES",
    "STRICT_THRESHOLD",
    "ProtectionRule",
    "RuleError",
    "RuleName",
    "rule_from_definition",
]

RuleName = Literal[
    "suppression", "rounding", "strict", "differential_privacy", "denominator_threshold"
]
Sensitivity = Literal["public", "restricted", "strict"]

DEFAULT_THRESHOLD: Final = 5
# Trafficking tables: Eurostat's and UNODC's practice for victim counts is to hide small cells
# more aggressively than for migration flows; 10 is the floor Ura applies.
STRICT_THRESHOLD: Final = 10
# A share computed over fewer events than this is withheld (a rate over 3 decisions says
# what happened to each of 3 persons).
RATIO_THRESHOLD: Final = 10
RULES: Final[tuple[RuleName, ...]] = get_args(RuleName)
_SENSITIVITIES: Final = ("public", "restricted", "strict")
_SUPPRESSION: Final = frozenset(
    {"threshold", "protection_level", "zeros", "cost", "dominance", "p_percent"}
)
_DEFAULT_THRESHOLDS: Final = {"strict": STRICT_THRESHOLD, "denominator_threshold": RATIO_THRESHOLD}
#: The parameters each rule takes (besides ``rule`` itself).
PARAMETERS: Final[Mapping[RuleName, frozenset[str]]] = {
    "suppression": _SUPPRESSION,
    "rounding": frozenset({"base"}),
    "strict": (_SUPPRESSION - {"zeros"}) | {"base"},
    "differential_privacy": frozenset(
        {"epsilon", "mechanism", "delta", "max_contributions", "consistent"}
    ),
    "denominator_threshold": frozenset({"threshold"}),
}


class RuleError(ValueError):
    """A protection rule is invalid; the message names the key and value at fault.

    Attributes:
        key: The key of the ``protection`` mapping at fault (``rule``, ``threshold``, ...;
            empty when the sensitivity is).
        problem: What is wrong with it.
    """

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"protection.{key}: {problem}" if key else problem)


@dataclass(frozen=True)
class ProtectionRule:
    """The disclosure-control rule of one table.

    Attributes:
        name: What protects the table: cell ``suppression``, controlled ``rounding``, both
            under the ``strict`` rule, ``differential_privacy`` (noise), or, for a table of
            ratios, ``denominator_threshold`` (a ratio over fewer than ``threshold`` events
            is withheld).
        sensitivity: The table's sensitivity class; ``strict`` raises the rule.
        threshold: Counts with ``0 < n < threshold`` are primary confidential (for
            ``denominator_threshold``: the smallest denominator a published ratio has).
        protection_level: Percent of a primary cell's value by which an attacker's interval
            must reach beyond the value on each side (at least 1 unit above; below down to 0
            at most). The upper end must also reach ``threshold``, so that an attacker cannot
            tell that the cell is small.
        zeros: ``publish`` zeros as they are, or ``suppress_adjacent`` zeros that share a
            margin with a suppressed cell (the strict rule).
        base: Rounding base (Eurostat publishes asylum figures rounded to 5).
        cost: Information loss minimised by secondary suppression: the ``count`` of suppressed
            cells or the ``value`` they hide.
        epsilon: Privacy-loss budget of the whole table for ``differential_privacy``.
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

    name: RuleName = "suppression"
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
        """Whether cells of a count table are suppressed under this rule."""
        return self.name in ("suppression", "strict")

    @property
    def rounds(self) -> bool:
        """Whether published values are rounded under this rule."""
        return self.name in ("rounding", "strict")

    @property
    def adds_noise(self) -> bool:
        """Whether the table is published with differentially private noise."""
        return self.name == "differential_privacy"

    @property
    def for_ratios(self) -> bool:
        """Whether the rule protects a table of ratios by its denominators."""
        return self.name == "denominator_threshold"

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
        protection: The mapping from the table definition: ``rule`` and that rule's
            parameters (``None``: the default suppression rule).
        sensitivity: The definition's sensitivity class.

    Returns:
        The rule to apply.

    Raises:
        RuleError: An unknown rule, a key the rule does not take, or a value out of range;
            ``key`` names the key at fault.
    """
    if sensitivity not in _SENSITIVITIES:
        raise RuleError(
            "", f"sensitivity {sensitivity!r}: expected one of {', '.join(_SENSITIVITIES)}"
        )
    spec = dict(protection or {})
    name = spec.pop("rule", "suppression")
    if name not in RULES:
        raise RuleError("rule", f"{name!r} is not one of {', '.join(RULES)}")
    unknown = sorted(str(key) for key in set(spec) - PARAMETERS[name])
    if unknown:
        raise RuleError(
            unknown[0],
            f"not a parameter of the {name} rule (it takes "
            f"{', '.join(sorted(PARAMETERS[name])) or 'none'})",
        )
    strict = name == "strict"
    rule = ProtectionRule(
        name=name,
        sensitivity=sensitivity,  # type: ignore[arg-type]  # checked above
        threshold=_int(spec, "threshold", _DEFAULT_THRESHOLDS.get(name, DEFAULT_THRESHOLD), 1),
        protection_level=_float(spec, "protection_level", 50.0, minimum=0.0),
        zeros=_choice(spec, "zeros", ("publish", "suppress_adjacent")),  # type: ignore[arg-type]
        base=_int(spec, "base", 5, 2),
        cost=_choice(spec, "cost", ("count", "value")),  # type: ignore[arg-type]
        epsilon=_float(spec, "epsilon", 1.0, minimum=1e-6),
        mechanism=_choice(spec, "mechanism", ("laplace", "gaussian")),  # type: ignore[arg-type]
        delta=_float(spec, "delta", 1e-6, minimum=1e-12),
        max_contributions=_int(spec, "max_contributions", 1, 1),
        consistent=_boolean(spec, "consistent", default=True),
        dominance=_dominance(spec.get("dominance")),
        p_percent=(_float(spec, "p_percent", 0.0, minimum=0.0) if "p_percent" in spec else None),
    )
    if sensitivity == "strict":
        if rule.adds_noise:
            raise RuleError("rule", "differential_privacy is not allowed for a strict table")
        if rule.for_ratios:
            return replace(rule, threshold=max(rule.threshold, STRICT_THRESHOLD))
        strict = True
    if strict:
        rule = replace(
            rule,
            name="strict",
            threshold=max(rule.threshold, STRICT_THRESHOLD),
            zeros="suppress_adjacent",
        )
    return rule


def _boolean(spec: Mapping[str, Any], key: str, *, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise RuleError(key, f"{value!r}: expected true or false")
    return value


def _int(spec: Mapping[str, Any], key: str, default: int, minimum: int) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(key, f"{value!r}: expected an integer >= {minimum}")
    return int(value)


def _float(spec: Mapping[str, Any], key: str, default: float, *, minimum: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise RuleError(key, f"{value!r}: expected a number >= {minimum}")
    return float(value)


def _choice(spec: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = spec.get(key, choices[0])
    if value not in choices:
        raise RuleError(key, f"{value!r}: expected one of {', '.join(choices)}")
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
    raise RuleError("dominance", f"{value!r}: expected [n, k] with n >= 1, 0 < k <= 100")
