"""Protection rules read from a table definition; the strict rule is never lowered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import (
    STRICT_THRESHOLD,
    ProtectionRule,
    RuleError,
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
    rule = rule_from_definition({"method": "rounding", "threshold": 20}, sensitivity="strict")
    assert rule.method == "suppression+rounding"
    assert rule.threshold == 20  # raised, never lowered
    assert rule_from_definition({}, sensitivity="strict").threshold == STRICT_THRESHOLD
    with pytest.raises(RuleError, match="dp"):
        rule_from_definition({"method": "dp"}, sensitivity="strict")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"method": "hide"}, "protection.method"),
        ({"threshold": 0}, "protection.threshold"),
        ({"threshold": True}, "protection.threshold"),
        ({"epsilon": -1}, "protection.epsilon"),
        ({"treshold": 5}, "unknown key"),
        ({"dominance": [2]}, "protection.dominance"),
        ({"zeros": "hide"}, "protection.zeros"),
    ],
)
def test_invalid_rules_name_the_key(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        rule_from_definition(spec)


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
    protected = protect_table(table, _Definition(["SEX", "GEO"], "public", {"method": "rounding"}))
    assert protected.attrs["disclosure"]["method"] == "rounding"


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
