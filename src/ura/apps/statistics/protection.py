"""Disclosure control of a computed table, as its definition asks.

The engine's definitions name their rule as ``protection: {rule: ..., parameters}``
(``suppression``, ``rounding``, ``strict``, ``differential_privacy``,
``denominator_threshold``); ``ura.stats.disclosure`` reads ``method``. This module is the one
place that reads one as the other, completes a table with the zero cells the engine leaves
out (disclosure control works on the whole cube, every margin present), and protects a table
of ratios by its denominators. Pure pandas: no database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from ura.stats.definitions import TableDefinition
from ura.stats.disclosure import ProtectionRule, audit, protect, rule_from_definition

#: The definitions' rule names and disclosure control's methods.
RULE_METHODS: Final[Mapping[str, str]] = {
    "suppression": "suppression",
    "rounding": "rounding",
    "strict": "suppression+rounding",
    "differential_privacy": "dp",
}
DENOMINATOR_THRESHOLD: Final = "denominator_threshold"


@dataclass(frozen=True)
class Protected:
    """A protected table with the record of what was done and the auditor's verdict."""

    table: pd.DataFrame
    record: dict[str, Any]
    violations: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        return str(self.record.get("note", ""))


def dimensions_of(definition: TableDefinition) -> list[str]:
    """The table's dimension columns as disclosure control sees them (time first)."""
    return ["TIME_PERIOD", *definition.dimension_ids]


def rule_of(definition: TableDefinition) -> ProtectionRule:
    """The disclosure-control rule a definition names (strict tables raised as the package
    does).

    Raises:
        RuleError: an unknown rule or parameter.
    """
    spec = dict(definition.protection)
    name = str(spec.pop("rule", "suppression"))
    if name not in RULE_METHODS:
        from ura.stats.disclosure import RuleError

        raise RuleError(f"protection.rule {name!r}: not a cell-protection rule")
    spec["method"] = RULE_METHODS[name]
    return rule_from_definition(spec, sensitivity=str(definition.sensitivity))


def complete(table: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """The table with every combination of its dimensions' codes, absent ones as zero
    counts (the engine leaves out cells that counted nobody)."""
    if table.empty:
        return table.copy()
    dims = list(dimensions)
    codes = [sorted(table[d].astype(str).unique()) for d in dims]
    index = pd.MultiIndex.from_product(codes, names=dims)
    out = table.set_index(dims).reindex(index).reset_index()
    out["OBS_VALUE"] = out["OBS_VALUE"].fillna(0).astype("int64")
    status = table.groupby("TIME_PERIOD")["OBS_STATUS"].first()
    out["OBS_STATUS"] = out["TIME_PERIOD"].map(status).fillna("A")
    out["CONF_STATUS"] = "F"
    for column in table.columns:
        if column not in out.columns:
            continue
        if column not in (*dims, "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"):
            out[column] = table[column].iloc[0]
    out = out[list(table.columns)]
    out.attrs = dict(table.attrs)
    return out


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def protect_counts(table: pd.DataFrame, definition: TableDefinition) -> Protected:
    """Protect a count table with its definition's rule and audit the result."""
    rule = rule_of(definition)
    dims = dimensions_of(definition)
    full = complete(table, dims)
    if full.empty:
        out = full.copy()
        out["CONF_STATUS"] = pd.Series(dtype=str)
        record: dict[str, Any] = {"method": rule.method, "sensitivity": rule.sensitivity}
        return Protected(out, record, [])
    safe = protect(full, rule, dimensions=dims)
    record = _json_safe(safe.attrs.get("disclosure", {}))
    violations = [str(v) for v in audit(safe, rule, original=full)]
    safe.attrs = {**table.attrs, "disclosure": record}
    return Protected(safe, record, violations)


def reaudit_counts(
    protected: pd.DataFrame, raw: pd.DataFrame, definition: TableDefinition, record: dict[str, Any]
) -> list[str]:
    """The auditor's violations of a stored protected table, against its stored original."""
    rule = rule_of(definition)
    full = complete(raw, dimensions_of(definition))
    if full.empty:
        return []
    protected = protected.copy()
    protected.attrs["disclosure"] = record
    return [str(v) for v in audit(protected, rule, original=full)]


def protect_ratios(
    table: pd.DataFrame, denominators: pd.DataFrame, definition: TableDefinition
) -> Protected:
    """Protect a table of ratios: a cell whose denominator (the events it is a share of)
    is below the threshold is confidential (``C``, no value)."""
    threshold = int(definition.protection.get("threshold", 10))
    out = table.copy()
    out["OBS_VALUE"] = out["OBS_VALUE"].astype("float64")
    counts = _denominator_of(out, denominators, definition)
    small = counts < threshold
    out.loc[small, "OBS_VALUE"] = np.nan
    out["CONF_STATUS"] = np.where(small, "C", "F")
    record = {
        "method": DENOMINATOR_THRESHOLD,
        "sensitivity": str(definition.sensitivity),
        "threshold": threshold,
        "primary": int(small.sum()),
        "note": f"A share is shown only where it is computed over at least {threshold} events.",
    }
    out.attrs = {**table.attrs, "disclosure": record}
    return Protected(out, record, audit_ratios(out, denominators, definition))


def _denominator_of(
    table: pd.DataFrame, denominators: pd.DataFrame, definition: TableDefinition
) -> pd.Series:
    dims = dimensions_of(definition)
    if table.empty:
        return pd.Series([], dtype="int64")
    lookup = denominators.set_index(dims)["OBS_VALUE"]
    keys = pd.MultiIndex.from_frame(table[dims].astype(str))
    return pd.Series(lookup.reindex(keys).fillna(0).to_numpy(), index=table.index).astype("int64")


def audit_ratios(
    protected: pd.DataFrame, denominators: pd.DataFrame, definition: TableDefinition
) -> list[str]:
    """Every cell of a ratio table published over too small a denominator, or hidden with a
    value."""
    threshold = int(definition.protection.get("threshold", 10))
    counts = _denominator_of(protected, denominators, definition)
    dims = dimensions_of(definition)
    violations = []
    for index, row in protected.iterrows():
        cell = ", ".join(f"{d}={row[d]}" for d in dims)
        shown = not pd.isna(row["OBS_VALUE"])
        if row["CONF_STATUS"] == "F" and counts[index] < threshold:
            violations.append(f"{cell}: published over {counts[index]} events (< {threshold})")
        if row["CONF_STATUS"] != "F" and shown:
            violations.append(f"{cell}: suppressed cell carries a value")
    return violations
