"""Apply a table's protection rule: the long-format table in, the protected table out.

The protected table keeps every row (cell) of the input. Suppressed cells get
``CONF_STATUS`` ``C`` (primary) or ``D`` (secondary) and a null ``OBS_VALUE``; published cells
``F``. Rounded tables carry ``ROUNDED`` (true on every published cell: a multiple of the base
is a rounded figure too, and flagging only the changed ones would tell which values are
exact). Differentially private tables carry float values and ``OBS_STATUS`` ``E``
(estimated). ``DataFrame.attrs["disclosure"]`` records the rule (``rule``: its name in the
definitions' vocabulary) and the facts a publisher must print beside the table (the rounding
note, epsilon and accuracy). Tables of ratios are protected by their denominators, which this
module does not see: :mod:`ura.stats.protection` does that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from .noise import add_noise
from .primary import threshold_cells
from .rounding import controlled_round
from .rules import ProtectionRule, RuleError, rule_from_definition
from .secondary import suppress
from .structure import MEASURE, TableShapeError, TableStructure

__all__ = ["TableDefinitionLike", "protect", "protect_table"]


class TableDefinitionLike(Protocol):
    """What disclosure control reads from a table definition (the engine's definitions)."""

    @property
    def dimensions(self) -> Sequence[Any]: ...

    @property
    def sensitivity(self) -> str: ...

    @property
    def protection(self) -> Mapping[str, Any]: ...


def protect_table(
    table: pd.DataFrame,
    definition: TableDefinitionLike,
    *,
    hierarchies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Protect a computed table with the rule its definition names.

    Args:
        table: The table in the shared long format (all margins).
        definition: Its definition (``dimensions``, ``sensitivity``, ``protection``).
        hierarchies: Hierarchies beyond ``_T`` (see :meth:`TableStructure.from_frame`).
        seed: Tests only: seed the noise of a ``differential_privacy`` table (the auditor
            refuses it).

    Returns:
        The protected table.
    """
    rule = rule_from_definition(definition.protection, sensitivity=definition.sensitivity)
    names = [d if isinstance(d, str) else str(getattr(d, "id", d)) for d in definition.dimensions]
    return protect(table, rule, dimensions=names, hierarchies=hierarchies, seed=seed)


def protect(
    table: pd.DataFrame,
    rule: ProtectionRule,
    *,
    dimensions: Sequence[str] | None = None,
    hierarchies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    seed: int | None = None,
    lp_limit: int = 4000,
    publish: Sequence[bool] | npt.NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """Protect a long-format count table with a rule.

    Args:
        table: The table (one row per cell, all margins, int counts in ``OBS_VALUE``).
        rule: The rule to apply.
        dimensions: Dimension columns (default: every upper-case column but the measure
            and the contract's attributes).
        hierarchies: Hierarchies beyond ``_T``.
        seed: Tests only: seed the noise of a ``differential_privacy`` table.
        lp_limit: See :func:`.secondary.suppress`.
        publish: One flag per row: whether the cell will be published (default: all).
            The others (the inner cells of a linked group's cover table, see
            :mod:`ura.stats.linked`) are never primary, are hidden from the start and cost
            nothing as complements; they come out flagged ``D``.

    Returns:
        A new table with ``OBS_VALUE``, ``OBS_STATUS``, ``CONF_STATUS`` (and ``ROUNDED``).

    Raises:
        TableShapeError: The table lacks a cell or a margin, or has a missing value.
        RuleError: The rule is ``denominator_threshold`` (a rule for tables of ratios).
    """
    if rule.for_ratios:
        raise RuleError("rule", "denominator_threshold protects ratios by their denominators")
    structure = TableStructure.from_frame(table, dimensions=dimensions, hierarchies=hierarchies)
    values = structure.dense(table)
    if np.isnan(values).any():
        raise TableShapeError("OBS_VALUE is missing in some cells; protect the computed table")
    flat_index = structure.index(table)
    out = table.copy()
    if "OBS_STATUS" not in out.columns:
        out["OBS_STATUS"] = "A"
    record: dict[str, Any] = {
        "rule": rule.name,
        "sensitivity": rule.sensitivity,
        "dimensions": list(structure.names),
        "hierarchies": _hierarchies(structure),
    }
    if rule.adds_noise:
        noisy = add_noise(structure, values, rule, seed=seed)
        out[MEASURE] = noisy.values.ravel()[flat_index].astype(np.float64)
        out["OBS_STATUS"] = "E"
        out["CONF_STATUS"] = "F"
        record.update(
            epsilon=noisy.epsilon,
            delta=noisy.delta,
            accuracy=noisy.accuracy,
            confidence=0.95,
            mechanism=noisy.mechanism,
            scale=noisy.scale,
            consistent=rule.consistent,
            seeded=noisy.seeded,
            note=(
                f"Differentially private counts (epsilon = {noisy.epsilon:.3g}"
                + (f", delta = {noisy.delta:.1g}" if noisy.delta else "")
                + f"): each cell is within ±{noisy.accuracy:.0f} of the true count with 95 % "
                "confidence."
            ),
        )
        out.attrs["disclosure"] = record
        return out
    published = values.copy()
    hidden = np.zeros(values.shape, dtype=bool)
    primary = np.zeros(values.shape, dtype=bool)
    if rule.suppresses:
        unpublished = None
        if publish is not None:
            shown = np.zeros(structure.size, dtype=bool)
            shown[flat_index] = np.asarray(publish, dtype=bool)
            unpublished = ~shown.reshape(structure.shape)
        primary = threshold_cells(values, rule.threshold)
        if unpublished is not None:
            primary &= ~unpublished
        result = suppress(
            structure, values, primary, rule, lp_limit=lp_limit, unpublished=unpublished
        )
        hidden = result.hidden
        record.update(
            threshold=rule.threshold,
            protection_level=rule.protection_level,
            zeros=rule.zeros,
            primary=int(primary.sum()),
            secondary=int(result.secondary.sum()),
            checked_by_lp=result.checked_by_lp,
        )
    if rule.rounds:
        rounding = controlled_round(structure, values, base=rule.base)
        published = rounding.values
        record.update(
            base=rule.base,
            rounding=rounding.method,
            rounding_optimal=rounding.optimal,
            wide_cells=[structure.label(c) for c in rounding.wide],
            note=(
                f"Figures are rounded to a multiple of {rule.base} (controlled rounding: the "
                "table adds up)."
                if rounding.method == "controlled"
                else f"Figures are rounded to a multiple of {rule.base}; some totals differ from "
                "the true figure by more than that so that the table adds up."
            ),
        )
    flat_hidden = hidden.ravel()[flat_index]
    flat_primary = primary.ravel()[flat_index]
    values_out = pd.array(published.ravel()[flat_index].astype(np.int64), dtype="Int64")
    values_out[flat_hidden] = pd.NA
    out[MEASURE] = values_out
    out["CONF_STATUS"] = np.where(flat_primary, "C", np.where(flat_hidden, "D", "F"))
    if rule.rounds:
        out["ROUNDED"] = ~flat_hidden
    out.attrs["disclosure"] = record
    return out


def _hierarchies(structure: TableStructure) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for dimension in structure.dimensions:
        for parent, kids in dimension.groups():
            if dimension.codes[parent] == "_T":
                continue
            found.setdefault(dimension.name, {})[dimension.codes[parent]] = [
                dimension.codes[k] for k in kids
            ]
    return found
