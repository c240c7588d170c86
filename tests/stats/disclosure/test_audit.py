"""The auditor refuses a table that breaks its rule, naming the cells at fault."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.stats.disclosure.tables import long_table
from ura.stats.disclosure import (
    DisclosureError,
    ProtectionRule,
    audit,
    check_publishable,
    protect,
    rule_from_definition,
)

ORIGINAL = long_table(
    [[2, 30, 41, 12], [17, 3, 25, 9], [22, 19, 1, 40]],
    {"SEX": ("F", "M", "UNK"), "CITIZEN": ("AF", "IQ", "IR", "SY")},
)


def _cell(frame: pd.DataFrame, **codes: str) -> int:
    mask = pd.Series(True, index=frame.index)
    for name, code in codes.items():
        mask &= frame[name] == code
    return int(mask[mask].index[0])


def test_a_protected_table_passes() -> None:
    rule = ProtectionRule()
    assert audit(protect(ORIGINAL, rule), rule, original=ORIGINAL) == []


def test_an_unprotected_table_is_refused() -> None:
    with pytest.raises(DisclosureError, match="no disclosure-control record"):
        check_publishable(ORIGINAL.assign(CONF_STATUS="F"), ProtectionRule(), original=ORIGINAL)


def test_a_published_small_cell_is_named() -> None:
    rule = ProtectionRule()
    protected = protect(ORIGINAL, rule)
    row = _cell(protected, SEX="F", CITIZEN="AF")
    protected.loc[row, "OBS_VALUE"] = 2
    protected.loc[row, "CONF_STATUS"] = "F"
    violations = audit(protected, rule, original=ORIGINAL)
    assert any(v.check == "small-cell" and v.cell == "SEX=F, CITIZEN=AF" for v in violations)


def test_a_secondary_cell_published_again_breaks_protection() -> None:
    rule = ProtectionRule()
    protected = protect(ORIGINAL, rule)
    secondary = protected.index[protected["CONF_STATUS"] == "D"]
    for row in secondary:
        protected.loc[row, "OBS_VALUE"] = ORIGINAL.loc[row, "OBS_VALUE"]
        protected.loc[row, "CONF_STATUS"] = "F"
    checks = {v.check for v in audit(protected, rule, original=ORIGINAL)}
    assert "interval" in checks


def test_a_value_left_in_a_suppressed_cell_is_refused() -> None:
    rule = ProtectionRule()
    protected = protect(ORIGINAL, rule)
    row = _cell(protected, SEX="F", CITIZEN="AF")
    protected.loc[row, "OBS_VALUE"] = 2
    violations = audit(protected, rule, original=ORIGINAL)
    assert any(v.check == "flag" and "carries a value" in v.message for v in violations)


def test_rounding_that_is_not_a_multiple_or_not_additive_is_refused() -> None:
    rule = ProtectionRule(name="rounding")
    protected = protect(ORIGINAL, rule)
    row = _cell(protected, SEX="M", CITIZEN="IR")
    protected.loc[row, "OBS_VALUE"] = 27
    row = _cell(protected, SEX="UNK", CITIZEN="SY")
    protected.loc[row, "OBS_VALUE"] = protected.loc[row, "OBS_VALUE"] + 5
    violations = audit(protected, rule, original=ORIGINAL)
    assert any(v.check == "rounding" and v.cell == "SEX=M, CITIZEN=IR" for v in violations)
    assert any(v.check == "additivity" for v in violations)


def test_a_strict_table_with_a_zero_beside_a_hidden_cell_is_refused() -> None:
    original = long_table(
        [[4, 0, 12, 20], [0, 14, 11, 30], [13, 16, 0, 25]],
        {"SEX": ("F", "M", "UNK"), "FORM": ("SEX_EXPL", "LAB_EXPL", "CRIM", "OTH")},
    )
    rule = rule_from_definition(None, sensitivity="strict")
    protected = protect(original, rule)
    row = _cell(protected, SEX="F", FORM="LAB_EXPL")
    assert protected.loc[row, "CONF_STATUS"] == "D"
    protected.loc[row, "OBS_VALUE"] = 0
    protected.loc[row, "CONF_STATUS"] = "F"
    violations = audit(protected, rule, original=original)
    assert any(v.check == "zero" and v.cell == "SEX=F, FORM=LAB_EXPL" for v in violations)


def test_a_table_protected_by_a_weaker_rule_is_refused() -> None:
    """A trafficking table suppressed with the public rule fails the strict rule."""
    original = long_table(
        [[6, 30, 12, 20], [17, 14, 11, 30], [13, 16, 8, 25]],
        {"SEX": ("F", "M", "UNK"), "FORM": ("SEX_EXPL", "LAB_EXPL", "CRIM", "OTH")},
    )
    protected = protect(original, ProtectionRule())
    strict = rule_from_definition(None, sensitivity="strict")
    checks = {v.check for v in audit(protected, strict, original=original)}
    assert {"rule", "small-cell"} <= checks


def test_a_table_with_a_missing_cell_is_refused() -> None:
    rule = ProtectionRule()
    protected = protect(ORIGINAL, rule).iloc[1:]
    violations = audit(protected, rule, original=ORIGINAL)
    assert violations[0].check == "shape"
