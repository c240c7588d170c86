"""Statistical disclosure control: nothing unprotected leaves the analyst's workspace.

A computed table in the shared long format (see ``docs/statistics-disclosure.md``) goes
through :func:`protect` (or :func:`protect_table` with its definition) and then through the
auditor, :func:`check_publishable`, which refuses a table that breaks its rule.

Example:
    >>> import pandas as pd
    >>> from ura.stats.disclosure import ProtectionRule, protect, check_publishable
    >>> table = pd.DataFrame(
    ...     {"SEX": ["F", "M", "_T"], "OBS_VALUE": [2, 40, 42]}
    ... )
    >>> safe = protect(table, ProtectionRule(name="rounding"))
    >>> safe["OBS_VALUE"].tolist()
    [0, 40, 40]
"""

from .attacker import Interval, difference, intervals
from .audit import DisclosureError, Violation, audit, check_publishable
from .noise import NoisyTable, add_noise
from .primary import dominance_cells, p_percent_cells, threshold_cells
from .protect import TableDefinitionLike, protect, protect_table
from .rounding import Rounding, controlled_round
from .rules import (
    DEFAULT_THRESHOLD,
    PARAMETERS,
    RULES,
    STRICT_THRESHOLD,
    ProtectionRule,
    RuleError,
    RuleName,
    rule_from_definition,
)
from .secondary import SuppressionResult, suppress
from .structure import TOTAL, Dimension, TableShapeError, TableStructure

__all__ = [
    "DEFAULT_THRESHOLD",
    "PARAMETERS",
    "RULES",
    "STRICT_THRESHOLD",
    "TOTAL",
    "Dimension",
    "DisclosureError",
    "Interval",
    "NoisyTable",
    "ProtectionRule",
    "Rounding",
    "RuleError",
    "RuleName",
    "SuppressionResult",
    "TableDefinitionLike",
    "TableShapeError",
    "TableStructure",
    "Violation",
    "add_noise",
    "audit",
    "check_publishable",
    "controlled_round",
    "difference",
    "dominance_cells",
    "intervals",
    "p_percent_cells",
    "protect",
    "protect_table",
    "rule_from_definition",
    "suppress",
    "threshold_cells",
]
