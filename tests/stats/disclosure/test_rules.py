"""Protection rules read from a table definition; the strict rule is never lowered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import (
    PARAMETERS,
    RULES,
    STRICT_THRESHOLD,
    ProtectionRule,
    RuleError,
    RuleName,
    TableShapeError,
    TableStructure,
    dominance_cells,
    p_percent_cells,
    protect,
    protect_table,
    rule_from_definition,
)


def test_defaults_are_the_threshold_rule() -> None:
    rule = rule_from_definition(None)
    assert rule == ProtectionRule()
    assert rule.suppresses
    assert not rule.rounds


def test_strict_tables_get_the_strictest_rule() -> None:
    rule = rule_from_definition({"rule": "rounding", "base": 10}, sensitivity="strict")
    assert rule.name == "strict"
    assert (rule.threshold, rule.base, rule.zeros) == (STRICT_THRESHOLD, 10, "suppress_adjacent")
    raised = rule_from_definition({"rule": "suppression", "threshold": 20}, sensitivity="strict")
    assert raised.threshold == 20  # raised, never lowered
    assert rule_from_definition({}, sensitivity="strict").threshold == STRICT_THRESHOLD
    with pytest.raises(RuleError, match="differential_privacy"):
        rule_from_definition({"rule": "differential_privacy"}, sensitivity="strict")


def test_the_strict_rule_is_the_same_on_any_table() -> None:
    """``rule: strict`` means suppression and rounding with the strict threshold and zeros,
    whatever the table's sensitivity."""
    rule = rule_from_definition({"rule": "strict", "threshold": 3})
    assert (rule.suppresses, rule.rounds) == (True, True)
    assert (rule.threshold, rule.zeros) == (STRICT_THRESHOLD, "suppress_adjacent")


@pytest.mark.parametrize("name", RULES)
def test_every_rule_takes_only_its_own_parameters(name: RuleName) -> None:
    for key in sorted(set().union(*PARAMETERS.values()) - PARAMETERS[name]):
        with pytest.raises(RuleError, match=f"not a parameter of the {name} rule") as caught:
            rule_from_definition({"rule": name, key: 1})
        assert caught.value.key == key


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"rule": "hide"}, "rule"),
        ({"rule": "dp"}, "rule"),  # the old name of differential_privacy is not accepted
        ({"method": "suppression"}, "method"),  # nor the old key
        ({"threshold": 0}, "threshold"),
        ({"threshold": True}, "threshold"),
        ({"rule": "differential_privacy", "epsilon": -1}, "epsilon"),
        ({"rule": "differential_privacy", "consistent": "yes"}, "consistent"),
        ({"treshold": 5}, "treshold"),
        ({"dominance": [2]}, "dominance"),
        ({"zeros": "hide"}, "zeros"),
    ],
)
def test_invalid_rules_name_the_key(spec: dict[str, Any], key: str) -> None:
    with pytest.raises(RuleError, match=f"protection.{key}") as caught:
        rule_from_definition(spec)
    assert caught.value.key == key


def test_a_ratio_rule_does_not_protect_counts() -> None:
    table = long_table([[3, 40], [25, 30]], {"SEX": ("F", "M"), "GEO": ("TR06", "TR34")})
    rule = rule_from_definition({"rule": "denominator_threshold", "threshold": 10})
    assert rule.for_ratios
    assert not rule.suppresses
    with pytest.raises(RuleError, match="denominators"):
        protect(table, rule)


def test_required_range_reaches_the_threshold() -> None:
    rule = ProtectionRule(threshold=5, protection_level=50)
    assert rule.required_range(1, primary=True) == (1.0, 4.0)
    assert rule.required_range(4, primary=True) == (2.0, 2.0)
    assert rule.required_range(0, primary=False) == (0.0, 1.0)


@dataclass
class _Definition:
    dimensions: list[str]
    sensitivity: str
    protection: dict[str, Any] = field(default_factory=dict)


def test_protect_table_reads_the_rule_from_the_definition() -> None:
    table = long_table([[3, 40], [25, 30]], {"SEX": ("F", "M"), "GEO": ("TR06", "TR34")})
    protected = protect_table(table, _Definition(["SEX", "GEO"], "public", {"rule": "rounding"}))
    assert protected.attrs["disclosure"]["rule"] == "rounding"


def test_a_table_without_its_margins_is_rejected() -> None:
    table = long_table([[3, 40], [25, 30]], {"SEX": ("F", "M"), "GEO": ("TR06", "TR34")})
    with pytest.raises(TableShapeError, match="missing cell"):
        protect(table.iloc[:-1], ProtectionRule())
    with pytest.raises(TableShapeError, match=r"hierarchy parent .TR-WEST"):
        TableStructure.from_frame(table, hierarchies={"GEO": {"TR-WEST": ("TR35",)}})


def test_dominance_and_p_percent_rules_for_magnitude_tables() -> None:
    contributions = {0: [900.0, 50.0, 50.0], 1: [300.0, 300.0, 400.0], 2: [1.0] * 10}
    assert dominance_cells(contributions, n=1, k=85) == {0}
    assert dominance_cells(contributions, n=2, k=60) == {0, 1}
    # Cell 1: the second largest (300) estimates the largest (400) to within 300/400.
    assert p_percent_cells(contributions, p=10) == {0}
    assert p_percent_cells(contributions, p=80) == {0, 1}
