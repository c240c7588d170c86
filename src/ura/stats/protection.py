"""Disclosure control of a computed table, as its definition asks: the step between
:func:`ura.stats.compute_table` and publication.

A definition's ``protection`` block is read at load time into a
:class:`~ura.stats.disclosure.ProtectionRule` (``definition.rule``). This module completes a
computed table with the zero cells the engine leaves out (disclosure control works on the
whole cube, every margin present), passes the definition's code groups (``TOTAL_POS``,
``Y_LT18``) as hierarchies, applies the rule, protects a table of ratios by its
denominators, and audits the result. Tables protected together with others are in
:mod:`ura.stats.linked`. Pure pandas: no database.

Example:
    >>> from ura.stats import load_definitions
    >>> definition = load_definitions(ids=["migr_eiord"])["migr_eiord"]
    >>> definition.rule.name
    'suppression'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ura.stats.definitions import TableDefinition
from ura.stats.disclosure import RuleError, audit, protect
from ura.stats.disclosure.structure import TOTAL

__all__ = [
    "Protected",
    "audit_ratios",
    "complete",
    "dimensions_of",
    "hierarchies_of",
    "json_safe",
    "margin_of",
    "protect_counts",
    "protect_ratios",
    "reaudit_counts",
]

Hierarchies = dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class Protected:
    """A protected table with the record of what was done and the auditor's verdict.

    Attributes:
        table: The protected table (every cell of the completed table).
        record: What was done, JSON-safe (``rule``, thresholds, counts of hidden cells, the
            note to print beside the table...).
        violations: The auditor's findings; empty when the table may be published.
    """

    table: pd.DataFrame
    record: dict[str, Any]
    violations: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """The note a publisher prints beside the table (rounding, noise), or ``""``."""
        return str(self.record.get("note", ""))


def dimensions_of(definition: TableDefinition) -> list[str]:
    """The table's dimension columns as disclosure control sees them (time first)."""
    return ["TIME_PERIOD", *definition.dimension_ids]


def hierarchies_of(definition: TableDefinition, table: pd.DataFrame) -> Hierarchies:
    """The definition's code groups present in ``table`` as disclosure-control hierarchies
    (``TOTAL_POS`` = ``GENCONV`` + ``CONDREF`` + ``SUB_PROT``): without them a group code
    would be read as one more child of ``_T``. Members the table lacks counted nobody and
    are left out."""
    found: Hierarchies = {}
    for dimension in definition.dimensions:
        if not dimension.groups or dimension.id not in table.columns:
            continue
        codes = set(table[dimension.id].astype(str))
        for parent, members in dimension.groups.items():
            present = [m for m in members if m in codes]
            if parent in codes and present:
                found.setdefault(dimension.id, {})[parent] = present
    return found


def complete(table: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """The table with every combination of its dimensions' codes, absent ones as zero
    counts (the engine leaves out cells that counted nobody).

    Args:
        table: A computed table in the shared long format.
        dimensions: Its dimension columns (``TIME_PERIOD`` included).

    Returns:
        A new table with one row per combination, ``CONF_STATUS`` ``F`` everywhere.
    """
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


def json_safe(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays as plain Python (for a JSON field)."""
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
    """Protect a count table with its definition's rule and audit the result.

    Args:
        table: The computed table (cells that counted nobody may be absent).
        definition: Its definition.

    Returns:
        The protected, completed table with its record and the auditor's violations.

    Raises:
        RuleError: The definition's rule is for tables of ratios.
    """
    rule = definition.rule
    if rule.for_ratios:
        raise RuleError("rule", f"{definition.id}: a table of ratios needs its denominators")
    dims = dimensions_of(definition)
    full = complete(table, dims)
    if full.empty:
        out = full.copy()
        out["CONF_STATUS"] = pd.Series(dtype=str)
        record: dict[str, Any] = {"rule": rule.name, "sensitivity": rule.sensitivity}
        return Protected(out, record, [])
    safe = protect(full, rule, dimensions=dims, hierarchies=hierarchies_of(definition, full))
    record = json_safe(safe.attrs.get("disclosure", {}))
    violations = [str(v) for v in audit(safe, rule, original=full)]
    safe.attrs = {**table.attrs, "disclosure": record}
    return Protected(safe, record, violations)


def reaudit_counts(
    protected: pd.DataFrame,
    raw: pd.DataFrame,
    definition: TableDefinition,
    record: Mapping[str, Any],
) -> list[str]:
    """The auditor's violations of a stored protected count table, against its stored
    original.

    Args:
        protected: The protected table as stored (without its ``attrs``).
        raw: The computed table it was made from.
        definition: Its definition (with the ``protection`` it was protected under).
        record: The record stored with it (:attr:`Protected.record`).

    Returns:
        The violations, as text.
    """
    full = complete(raw, dimensions_of(definition))
    if full.empty:
        return []
    protected = protected.copy()
    protected.attrs["disclosure"] = dict(record)
    return [str(v) for v in audit(protected, definition.rule, original=full)]


def protect_ratios(
    table: pd.DataFrame, denominators: pd.DataFrame, definition: TableDefinition
) -> Protected:
    """Protect a table of ratios: a cell whose denominator (the events it is a share of) is
    below the rule's threshold is confidential (``C``, no value).

    Args:
        table: The computed ratios.
        denominators: The counts they are shares of, by the same dimensions.
        definition: The ratio table's definition (rule ``denominator_threshold``).

    Returns:
        The protected table with its record and the auditor's violations.
    """
    threshold = definition.rule.threshold
    out = table.copy()
    out["OBS_VALUE"] = out["OBS_VALUE"].astype("float64")
    counts = _denominator_of(out, denominators, definition)
    small = counts < threshold
    out.loc[small, "OBS_VALUE"] = np.nan
    out["CONF_STATUS"] = np.where(small, "C", "F")
    record = {
        "rule": definition.rule.name,
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
    value.

    Args:
        protected: The protected ratios.
        denominators: The counts they are shares of.
        definition: The ratio table's definition.

    Returns:
        The violations, as text.
    """
    threshold = definition.rule.threshold
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


def margin_of(cover: pd.DataFrame, dimensions: Sequence[str], keep: Sequence[str]) -> pd.DataFrame:
    """The cells of ``cover`` that make up a table with the ``keep`` dimensions: those at
    ``_T`` on every other dimension, without those columns.

    Args:
        cover: A long-format table with every margin.
        dimensions: Its dimension columns.
        keep: The dimensions of the smaller table (a subset of ``dimensions``).

    Returns:
        The smaller table (a new frame, index reset).
    """
    dropped = [d for d in dimensions if d not in keep]
    mask = np.ones(len(cover), dtype=bool)
    for name in dropped:
        mask &= (cover[name].astype(str) == TOTAL).to_numpy()
    out = cover.loc[mask].drop(columns=dropped).reset_index(drop=True)
    out.attrs = dict(cover.attrs)
    return out
