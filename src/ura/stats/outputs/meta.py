"""What an output needs to know about a table, and the names of the codes it shows.

The outputs read a table definition by duck typing (``id``, ``version``, ``title``,
``dimensions``, ``unit``, ``protection``…), so they do not depend on the engine's classes;
:func:`table_meta` turns any such object into a :class:`TableMeta`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

import pandas as pd
from babel import Locale

from ura.ingest.countries import ALPHA2_TO_ALPHA3
from ura.stats.outputs.codes import CODE_NAMES
from ura.stats.reference.subdivisions import load_kosovo_municipalities, load_turkiye_provinces

#: The flag columns of the shared long format, besides the dimensions and OBS_VALUE.
OBS_STATUS: Final = "OBS_STATUS"
CONF_STATUS: Final = "CONF_STATUS"
ROUNDED: Final = "ROUNDED"
FLAG_COLUMNS: Final = (OBS_STATUS, CONF_STATUS, ROUNDED)
SUPPRESSED: Final = frozenset({"C", "D", "N"})
TIME_DIMENSION: Final = "TIME_PERIOD"
#: Columns a long-format table may hold besides its dimensions.
VALUE_COLUMNS: Final = frozenset({"OBS_VALUE", OBS_STATUS, CONF_STATUS, ROUNDED, "UNIT_MEASURE"})
FREQ_NAMES: Final = {"A": "Annual", "Q": "Quarterly", "M": "Monthly", "W": "Weekly", "D": "Daily"}

SEX_NAMES: Final = {"F": "Females", "M": "Males", "UNK": "Unknown", "_T": "Total"}
AGE_NAMES: Final = {
    "Y_LT14": "Less than 14 years",
    "Y14-17": "From 14 to 17 years",
    "Y_LT18": "Less than 18 years",
    "Y18-34": "From 18 to 34 years",
    "Y35-64": "From 35 to 64 years",
    "Y_GE65": "65 years or over",
    "UNK": "Unknown",
    "_T": "Total",
}
OBS_STATUS_NAMES: Final = {
    "A": "Normal value",
    "B": "Time series break",
    "E": "Estimated value",
    "F": "Forecast value",
    "M": "Missing value; data cannot exist",
    "P": "Provisional value",
}
CONF_STATUS_NAMES: Final = {
    "F": "Free",
    "C": "Confidential statistical information (primary)",
    "D": "Secondary confidentiality set by the sender",
    "N": "Not for publication, restricted for internal use only",
}
_ALPHA3_TO_ALPHA2: Final = {a3: a2 for a2, a3 in ALPHA2_TO_ALPHA3.items()}
_ENGLISH: Final = Locale("en")


class OutputError(ValueError):
    """A table cannot be written: a column is missing or a flag is outside its code list."""


@dataclass(frozen=True, slots=True)
class TableMeta:
    """The facts about a table that every output writes beside the cells.

    Attributes:
        id: Table id, upper-case SDMX-style (``RESPERM_FIRST``).
        version: Definition version.
        title: Human title.
        dimensions: Dimension ids in display order.
        unit: Unit of measure code (``PER`` persons, ``PER_THS_RES`` per 1,000 residents).
        source: Where the figures come from (shown in the Notes sheet and SDMX header).
        protection: The disclosure-control rule applied, in words.
        reference_date: The reference date or period of the table (ISO text).
        notes: Further table-level notes (e.g. "rounded to base 5").
        code_names: Extra names for codes, per dimension (override the built-in ones).
        absent_is_zero: A combination of codes missing from the table counted nobody (the
            engine leaves zero cells out); False for ratios, which are then not available.
    """

    id: str
    version: str
    title: str
    dimensions: tuple[str, ...]
    unit: str = "PER"
    source: str = ""
    protection: str = ""
    reference_date: str = ""
    notes: tuple[str, ...] = ()
    code_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    absent_is_zero: bool = True


def table_meta(definition: object, **overrides: object) -> TableMeta:
    """A :class:`TableMeta` read from a table definition by its attributes.

    The dimensions are the definition's, with ``FREQ`` first when the definition has a
    ``frequency`` (the engine's tables carry a FREQ column) and ``TIME_PERIOD`` last, as in
    Eurostat's SDMX structures.

    Args:
        definition: Any object with ``id``, ``version``, ``title`` and ``dimensions`` (ids, or
            objects with an ``id``); ``unit``, ``protection`` (text, a mapping with ``rule``
            and parameters, or an object with ``rule``), ``source``, ``reference_date``,
            ``description`` and ``eurostat`` (a dataset code) are read when present.
        **overrides: Values that replace or complete what the definition holds.

    Returns:
        The meta, with ``overrides`` applied.
    """
    declared = [
        d if isinstance(d, str) else str(getattr(d, "id", d))
        for d in getattr(definition, "dimensions", ())
    ]
    dimensions = [d for d in declared if d not in ("FREQ", TIME_DIMENSION)]
    if "FREQ" in declared or getattr(definition, "frequency", None) is not None:
        dimensions.insert(0, "FREQ")
    dimensions.append(TIME_DIMENSION)
    notes = []
    if getattr(definition, "description", None):
        notes.append(" ".join(str(definition.description).split()))  # type: ignore[attr-defined]
    if getattr(definition, "eurostat", None):
        notes.append(f"Aligned with Eurostat dataset {definition.eurostat}.")  # type: ignore[attr-defined]
    values: dict[str, object] = {
        "id": str(getattr(definition, "id", "")),
        "version": str(getattr(definition, "version", "")),
        "title": str(getattr(definition, "title", "")),
        "dimensions": tuple(dimensions),
        "unit": str(getattr(definition, "unit", "") or "PER"),
        "source": str(getattr(definition, "source", "") or ""),
        "protection": protection_text(getattr(definition, "protection", "")),
        "reference_date": str(getattr(definition, "reference_date", "") or ""),
        "notes": tuple(notes),
        "absent_is_zero": str(getattr(definition, "measure", "")) != "ratio"
        and str(getattr(definition, "unit", "")) != "PC",
    }
    values.update(overrides)
    for key in ("dimensions", "notes"):
        if isinstance(values[key], list):
            values[key] = tuple(values[key])  # type: ignore[arg-type]  # a list of str
    return TableMeta(**values)  # type: ignore[arg-type]  # keys are TableMeta's fields


def protection_text(protection: object) -> str:
    """A protection rule in words: ``suppression (threshold 5)``."""
    if isinstance(protection, str):
        return protection
    if isinstance(protection, Mapping):
        rule = str(protection.get("rule", ""))
        parameters = ", ".join(
            f"{key.replace('_', ' ')} {value}" for key, value in protection.items() if key != "rule"
        )
        return f"{rule} ({parameters})" if parameters else rule
    return str(getattr(protection, "rule", protection))


def check_table(table: pd.DataFrame, meta: TableMeta) -> pd.DataFrame:
    """The table with its flag columns completed and checked against their code lists.

    A table without ``OBS_STATUS`` gets ``A``; without ``CONF_STATUS``, ``F``; without
    ``ROUNDED``, False.

    Raises:
        OutputError: a dimension or OBS_VALUE column is missing, a column is neither a
            dimension nor a value or flag, a flag is outside its code list, or a suppressed
            cell (CONF_STATUS C/D/N) still has a value.
    """
    missing = [c for c in (*meta.dimensions, "OBS_VALUE") if c not in table.columns]
    if missing:
        raise OutputError(f"{meta.id}: the table has no column(s) {', '.join(missing)}")
    # A column the definition does not name would make two cells share one key.
    extra = [c for c in table.columns if c not in meta.dimensions and c not in VALUE_COLUMNS]
    if extra:
        raise OutputError(
            f"{meta.id}: column(s) {', '.join(extra)} are not dimensions of the table"
        )
    table = table.copy()
    if OBS_STATUS not in table.columns:
        table[OBS_STATUS] = "A"
    if CONF_STATUS not in table.columns:
        table[CONF_STATUS] = "F"
    if ROUNDED not in table.columns:
        table[ROUNDED] = False
    table[ROUNDED] = table[ROUNDED].fillna(False).astype(bool)
    for column, names in ((OBS_STATUS, OBS_STATUS_NAMES), (CONF_STATUS, CONF_STATUS_NAMES)):
        bad = sorted(set(table[column].astype(str)) - set(names))
        if bad:
            raise OutputError(f"{meta.id}: {column} codes not in its code list: {', '.join(bad)}")
    leaking = table[table[CONF_STATUS].isin(SUPPRESSED) & table["OBS_VALUE"].notna()]
    if not leaking.empty:
        raise OutputError(f"{meta.id}: {len(leaking)} suppressed cell(s) still carry a value")
    for dimension in meta.dimensions:
        table[dimension] = table[dimension].astype(str)
    return table


def code_name(
    dimension: str, code: str, extra: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """The English name of a code of a dimension, or the code itself when none is known.

    Countries (CITIZEN, GEO, DESTINATION and other country dimensions) are named from CLDR
    for ISO 3166-1 alpha-2 and alpha-3 codes; ``_T`` is "Total" in every dimension.
    """
    if extra and code in extra.get(dimension, {}):
        return extra[dimension][code]
    if code == "_T":
        return "Total"
    if code == "UNK":
        return "Unknown"
    if dimension == "SEX":
        return SEX_NAMES.get(code, code)
    if dimension == "AGE":
        return AGE_NAMES.get(code, code)
    if dimension == "FREQ":
        return FREQ_NAMES.get(code, code)
    if code in CODE_NAMES.get(dimension, {}):
        return CODE_NAMES[dimension][code]
    if code == "OTH":
        return "Other"
    subdivision = _subdivision_names().get(code)
    if subdivision:
        return subdivision
    alpha2 = code if len(code) == 2 else _ALPHA3_TO_ALPHA2.get(code, "")
    territory = _ENGLISH.territories.get(alpha2) if alpha2.isalpha() else None
    return str(territory) if territory else code


@cache
def _subdivision_names() -> dict[str, str]:
    rows = (*load_turkiye_provinces().rows, *load_kosovo_municipalities().rows)
    return {row.code: row.name for row in rows}


def names_for(table: pd.DataFrame, meta: TableMeta, dimension: str) -> dict[str, str]:
    """Code -> name for every code of ``dimension`` in ``table``, in the table's order."""
    codes: Sequence[str] = list(dict.fromkeys(table[dimension].astype(str)))
    return {code: code_name(dimension, code, meta.code_names) for code in codes}
