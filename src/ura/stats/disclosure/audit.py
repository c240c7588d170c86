"""The auditor: re-check a protected table against its rule before it is published.

:func:`audit` returns every violation it finds, each naming the cell at fault;
:func:`check_publishable` raises :class:`DisclosureError` unless there are none. The
auditor does not trust the protection step: it re-derives what it needs from the original
(unprotected) table and the rule, and attacks the published table itself:

- the table: same cells as the original, known confidentiality codes, suppressed cells
  without a value and published cells with one;
- suppression: no published cell below the threshold; every primary confidential cell is
  suppressed, cannot be recomputed by differencing, and its attacker interval reaches the
  required range: proven at once by a fully suppressed hypercube (a change of the table that
  moves the cell by that much and only touches suppressed cells), otherwise by the LP over the
  published cells and the table's equations; under the strict
  rule no published zero shares an equation with a suppressed cell;
- rounding: every published value is a multiple of the base, flagged ``ROUNDED``, within one
  base of the true value (unless the table's note lists it as a fallback total), and every
  fully published equation adds up;
- differential privacy: the table records its epsilon (not above the rule's) and its
  accuracy, was not drawn with a test seed, and has no negative value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .attacker import difference, intervals
from .rules import STRICT_THRESHOLD, ProtectionRule
from .secondary import Certifier
from .structure import TableShapeError, TableStructure

__all__ = ["DisclosureError", "Violation", "audit", "check_publishable"]

_CONF = frozenset({"F", "C", "D", "N"})
_HIDDEN = frozenset({"C", "D", "N"})
_EPS = 1e-6


@dataclass(frozen=True)
class Violation:
    """One way a table breaks its rule.

    Attributes:
        check: Short name of the failed check (``small-cell``, ``interval``, ...).
        cell: The cell at fault, by its codes (empty for a table-level violation).
        message: What is wrong, for the analyst.
    """

    check: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f" [{self.cell}]" if self.cell else ""
        return f"{self.check}{where}: {self.message}"


class DisclosureError(Exception):
    """A protected table breaks its rule and must not be published."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        shown = "; ".join(str(v) for v in self.violations[:5])
        more = f" (and {len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        super().__init__(f"{len(self.violations)} disclosure violation(s): {shown}{more}")


def check_publishable(
    protected: pd.DataFrame,
    rule: ProtectionRule,
    *,
    original: pd.DataFrame,
    hierarchies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> None:
    """Refuse a table that breaks its rule.

    Raises:
        DisclosureError: With every violation :func:`audit` found.
    """
    violations = audit(protected, rule, original=original, hierarchies=hierarchies)
    if violations:
        raise DisclosureError(violations)


def audit(
    protected: pd.DataFrame,
    rule: ProtectionRule,
    *,
    original: pd.DataFrame,
    hierarchies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> list[Violation]:
    """Every violation of the rule in a protected table.

    Args:
        protected: The table as it would be published.
        rule: The rule its definition names.
        original: The unprotected table it was made from.
        hierarchies: Hierarchies beyond ``_T``; by default those the protected table
            recorded in ``attrs["disclosure"]``.

    Returns:
        The violations (empty: the table may be published).
    """
    record: Mapping[str, Any] = protected.attrs.get("disclosure", {})
    if not record:
        return [Violation("record", "", "the table carries no disclosure-control record")]
    dimensions = record.get("dimensions")
    tree = hierarchies if hierarchies is not None else record.get("hierarchies")
    try:
        structure = TableStructure.from_frame(original, dimensions=dimensions, hierarchies=tree)
        true = structure.dense(original)
        shown = structure.dense(protected)
        flags = _flags(structure, protected)
    except (TableShapeError, KeyError) as error:
        return [Violation("shape", "", str(error))]
    violations: list[Violation] = []
    if record.get("rule") != rule.name:
        violations.append(
            Violation("rule", "", f"protected by {record.get('rule')!r}, the rule is {rule.name!r}")
        )
    if rule.sensitivity == "strict" and (
        rule.threshold < STRICT_THRESHOLD or rule.name != "strict"
    ):
        violations.append(Violation("strict", "", "a strict table needs the strict rule"))
    violations += _flag_checks(structure, shown, flags)
    if rule.adds_noise:
        return violations + _dp_checks(structure, shown, record, rule)
    hidden = np.isin(flags, list(_HIDDEN))
    if rule.suppresses:
        violations += _suppression_checks(structure, true, hidden, flags, rule)
    elif hidden.any():
        violations.append(Violation("suppressed", "", "the rule does not suppress cells"))
    if rule.rounds:
        violations += _rounding_checks(structure, true, shown, hidden, protected, record, rule)
    elif not np.allclose(np.where(hidden, 0, shown), np.where(hidden, 0, true)):
        cell = int(np.flatnonzero(~hidden.ravel() & (shown.ravel() != true.ravel()))[0])
        violations.append(
            Violation("value", structure.label(cell), "the published value differs from the true")
        )
    return violations


def _flags(structure: TableStructure, protected: pd.DataFrame) -> np.ndarray[Any, Any]:
    flat = structure.index(protected)
    flags = np.full(structure.size, "", dtype=object)
    flags[flat] = protected["CONF_STATUS"].astype(str).to_numpy()
    return flags.reshape(structure.shape)


def _flag_checks(
    structure: TableStructure, shown: np.ndarray[Any, Any], flags: np.ndarray[Any, Any]
) -> list[Violation]:
    found = []
    for cell in range(structure.size):
        flag = flags.ravel()[cell]
        value = shown.ravel()[cell]
        if flag not in _CONF:
            found.append(Violation("flag", structure.label(cell), f"unknown CONF_STATUS {flag!r}"))
        elif flag in _HIDDEN and not np.isnan(value):
            found.append(
                Violation("flag", structure.label(cell), "a suppressed cell carries a value")
            )
        elif flag == "F" and np.isnan(value):
            found.append(Violation("flag", structure.label(cell), "a published cell has no value"))
    return found


def _suppression_checks(
    structure: TableStructure,
    true: np.ndarray[Any, Any],
    hidden: np.ndarray[Any, Any],
    flags: np.ndarray[Any, Any],
    rule: ProtectionRule,
) -> list[Violation]:
    found = []
    flat_true = true.ravel()
    flat_hidden = hidden.ravel()
    small = (flat_true > 0) & (flat_true < rule.threshold)
    for cell in np.flatnonzero(small & ~flat_hidden):
        found.append(
            Violation(
                "small-cell",
                structure.label(int(cell)),
                f"published although below the threshold of {rule.threshold}",
            )
        )
    primaries = np.flatnonzero(flat_hidden & (small | (flags.ravel() == "C")))
    if primaries.size:
        recovered = difference(structure, true, hidden)
        for cell in primaries:
            if int(cell) in recovered:
                found.append(
                    Violation(
                        "differencing",
                        structure.label(int(cell)),
                        "recomputed exactly from the margins and the published cells",
                    )
                )
        # A fully suppressed hypercube proves a cell safe at once; the LP attacks the rest.
        certify = Certifier(structure, true)
        unproven = [
            int(cell)
            for cell in primaries
            if not certify(
                hidden, int(cell), *rule.required_range(float(flat_true[cell]), primary=True)
            )
        ]
        for interval in intervals(structure, true, hidden, unproven):
            value = float(flat_true[interval.cell])
            lower, upper = rule.required_range(value, primary=True)
            if interval.low > value - lower + _EPS or interval.high < value + upper - _EPS:
                found.append(
                    Violation(
                        "interval",
                        structure.label(interval.cell),
                        f"an attacker narrows it to [{interval.low:g}, {interval.high:g}]; the "
                        f"rule needs at least [{value - lower:g}, {value + upper:g}]",
                    )
                )
    if rule.zeros == "suppress_adjacent" and flat_hidden.any():
        magnitude = abs(structure.equations())
        touched_rows = (magnitude @ flat_hidden.astype(np.float64)) > 0
        touched = (magnitude.T @ touched_rows.astype(np.float64)) > 0
        for cell in np.flatnonzero(touched & (flat_true == 0) & ~flat_hidden):
            found.append(
                Violation(
                    "zero",
                    structure.label(int(cell)),
                    "a zero is published in a margin with a suppressed cell",
                )
            )
    return found


def _rounding_checks(
    structure: TableStructure,
    true: np.ndarray[Any, Any],
    shown: np.ndarray[Any, Any],
    hidden: np.ndarray[Any, Any],
    protected: pd.DataFrame,
    record: Mapping[str, Any],
    rule: ProtectionRule,
) -> list[Violation]:
    found = []
    flat_shown = shown.ravel()
    flat_true = true.ravel()
    published = ~hidden.ravel()
    wide = set(record.get("wide_cells", []))
    if "ROUNDED" not in protected.columns:
        found.append(Violation("rounding", "", "the table has no ROUNDED flag column"))
    else:
        rounded_flag = np.zeros(structure.size, dtype=bool)
        rounded_flag[structure.index(protected)] = protected["ROUNDED"].astype(bool).to_numpy()
        for cell in np.flatnonzero(published & ~rounded_flag):
            found.append(Violation("rounding", structure.label(int(cell)), "not flagged ROUNDED"))
    for cell in np.flatnonzero(published):
        value = flat_shown[cell]
        label = structure.label(int(cell))
        if value % rule.base != 0:
            found.append(
                Violation("rounding", label, f"{value:g} is not a multiple of {rule.base}")
            )
        elif abs(value - flat_true[cell]) >= rule.base and label not in wide:
            found.append(
                Violation("rounding", label, f"{value:g} is more than one base from the true value")
            )
    matrix = structure.equations().tocsr()
    complete = (abs(matrix) @ (~published).astype(np.float64)) == 0
    sums = matrix @ np.nan_to_num(flat_shown)
    for row in np.flatnonzero(complete & (np.abs(sums) > _EPS)):
        start = matrix.indptr[row]
        head = int(
            matrix.indices[start : matrix.indptr[row + 1]][
                matrix.data[start : matrix.indptr[row + 1]] > 0
            ][0]
        )
        found.append(
            Violation(
                "additivity", structure.label(head), "the rounded total is not the sum of its cells"
            )
        )
    return found


def _dp_checks(
    structure: TableStructure,
    shown: np.ndarray[Any, Any],
    record: Mapping[str, Any],
    rule: ProtectionRule,
) -> list[Violation]:
    found = []
    epsilon = record.get("epsilon")
    if not isinstance(epsilon, int | float):
        found.append(Violation("dp", "", "the table does not state its epsilon"))
    elif epsilon > rule.epsilon * (1 + 1e-9):
        found.append(
            Violation("dp", "", f"epsilon {epsilon:g} exceeds the rule's {rule.epsilon:g}")
        )
    if not isinstance(record.get("accuracy"), int | float):
        found.append(Violation("dp", "", "the table does not state its accuracy"))
    if record.get("seeded", True):
        found.append(Violation("dp", "", "the noise was drawn with a test seed: not private"))
    for cell in np.flatnonzero(np.nan_to_num(shown.ravel()) < 0):
        found.append(Violation("dp", structure.label(int(cell)), "a negative count is published"))
    return found
