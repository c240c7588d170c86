"""A computed table protected as its definition asks: completed with its zero cells, the
rule applied with the definition's code groups, ratios protected by their denominators, and
the auditor's verdict recorded."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from ura.stats.definitions import TableDefinition, load_definitions
from ura.stats.disclosure import RuleError
from ura.stats.protection import (
    audit_ratios,
    complete,
    hierarchies_of,
    protect_counts,
    protect_ratios,
    reaudit_counts,
)

DEFINITIONS = load_definitions(ids=["migr_asydcfsta", "migr_eiord", "ura_asy_recognition_rate"])


def _table(
    rows: Sequence[tuple[str, ...]], values: Sequence[float], dims: list[str]
) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["TIME_PERIOD", *dims])
    frame.insert(0, "FREQ", "A")
    frame["OBS_VALUE"] = list(values)
    frame["OBS_STATUS"] = "A"
    frame["CONF_STATUS"] = "F"
    return frame


def _orders() -> pd.DataFrame:
    """Orders to leave by citizenship x sex x age; the engine left out the empty cells."""
    cells = {
        ("SYR", "F", "Y18-34"): 2, ("SYR", "M", "Y18-34"): 30, ("SYR", "M", "Y35-64"): 12,
        ("AFG", "M", "Y18-34"): 25, ("AFG", "F", "Y35-64"): 7,
    }  # fmt: skip
    rows: dict[tuple[str, ...], int] = {}
    for (citizen, sex, age), n in cells.items():
        for c in (citizen, "_T"):
            for s in (sex, "_T"):
                for a in (age, "_T"):
                    rows[("2025", c, s, a)] = rows.get(("2025", c, s, a), 0) + n
    return _table(list(rows), list(rows.values()), ["CITIZEN", "SEX", "AGE"])


def test_completion_adds_the_empty_cells_as_zeros() -> None:
    table = _orders()
    full = complete(table, ["TIME_PERIOD", "CITIZEN", "SEX", "AGE"])
    assert len(full) == 3 * 3 * 3
    assert list(full.columns) == list(table.columns)
    empty = full[(full.CITIZEN == "AFG") & (full.SEX == "F") & (full.AGE == "Y18-34")]
    assert empty["OBS_VALUE"].tolist() == [0]


def test_a_count_table_is_protected_audited_and_recorded() -> None:
    definition = DEFINITIONS["migr_eiord"]
    protected = protect_counts(_orders(), definition)
    assert protected.violations == []
    assert len(protected.table) == 27
    assert protected.record["rule"] == "suppression"
    assert protected.record["threshold"] == 5
    assert protected.record["primary"] == 3  # SYR x F x Y18-34 (2) and two of its margins
    small = protected.table[protected.table["CONF_STATUS"] == "C"]
    assert set(small["OBS_VALUE"].isna()) == {True}
    stored = protected.table.copy()
    stored.attrs = {}
    assert reaudit_counts(stored, _orders(), definition, protected.record) == []
    stored.loc[stored["CONF_STATUS"] == "C", "OBS_VALUE"] = 2
    stored.loc[stored["CONF_STATUS"] == "C", "CONF_STATUS"] = "F"
    violations = reaudit_counts(stored, _orders(), definition, protected.record)
    assert any("small-cell" in v for v in violations)


def test_a_record_of_another_rule_is_refused() -> None:
    definition = DEFINITIONS["migr_eiord"]
    protected = protect_counts(_orders(), definition)
    record = {**protected.record, "rule": "rounding"}
    violations = reaudit_counts(protected.table, _orders(), definition, record)
    assert any(v.startswith("rule: protected by 'rounding'") for v in violations)


def test_code_groups_are_hierarchies_not_more_codes() -> None:
    """TOTAL_POS is the positive decisions, not a sixth outcome beside them under _T."""
    definition: TableDefinition = DEFINITIONS["migr_asydcfsta"]
    outcomes = {"GENCONV": 12, "SUB_PROT": 8, "REJECTED": 30}
    rows = [("2025", code) for code in outcomes] + [("2025", "TOTAL_POS"), ("2025", "_T")]
    values = [*outcomes.values(), 20, 50]
    table = _table(rows, values, ["DECISION"])
    assert hierarchies_of(definition, table) == {"DECISION": {"TOTAL_POS": ["GENCONV", "SUB_PROT"]}}
    narrow = dataclass_with(definition, dimensions=definition.dimensions[:1])
    protected = protect_counts(table, narrow)
    assert protected.violations == []
    shown = dict(zip(protected.table["DECISION"], protected.table["OBS_VALUE"], strict=True))
    assert shown["_T"] == shown["GENCONV"] + shown["SUB_PROT"] + shown["REJECTED"]
    assert shown["TOTAL_POS"] == shown["GENCONV"] + shown["SUB_PROT"]


def dataclass_with(definition: TableDefinition, **changes: object) -> TableDefinition:
    import dataclasses

    return dataclasses.replace(definition, **changes)  # type: ignore[arg-type]


def test_a_table_of_shares_is_protected_by_its_denominators() -> None:
    definition = DEFINITIONS["ura_asy_recognition_rate"]
    rows = [("2025", "SYR", "F"), ("2025", "SYR", "M"), ("2025", "_T", "_T")]
    rates = _table(rows, [50.0, 25.0, 40.0], ["CITIZEN", "SEX"])
    denominators = _table(rows, [12, 4, 16], ["CITIZEN", "SEX"])
    protected = protect_ratios(rates, denominators, definition)
    assert protected.violations == []
    assert protected.table["CONF_STATUS"].tolist() == ["F", "C", "F"]
    assert protected.table["OBS_VALUE"].isna().tolist() == [False, True, False]
    assert protected.record["rule"] == "denominator_threshold"
    assert protected.record["threshold"] == 10
    published = protected.table.copy()
    published.loc[1, "CONF_STATUS"] = "F"
    published.loc[1, "OBS_VALUE"] = 25.0
    assert audit_ratios(published, denominators, definition) == [
        "TIME_PERIOD=2025, CITIZEN=SYR, SEX=M: published over 4 events (< 10)"
    ]
    with pytest.raises(RuleError, match="needs its denominators"):
        protect_counts(rates, definition)
