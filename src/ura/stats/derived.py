"""Ratios published from the published counts of another table (``derived_from``).

A share printed beside the counts it is a share of must be a share of the *published*
counts. ``migr_asydcfsta`` publishes decisions rounded to 5; an exact recognition rate
beside them gives the true counts away: 4 positive decisions of 13 make 30.769...%, the
rounded total (10 or 15) says the true one is within 4 of it, and 13 is the only total in
that range of which 30.769...% is a whole number of decisions (``tests/stats/test_derived.py``
runs the attack). Eurostat computes its recognition rates from the rounded figures; so does
this module: the ratio's numerator and denominator are cells of the source table *after*
its disclosure control, added up over the source's periods inside each of the ratio's.

- :func:`ratio_counts` picks the numerator's and the denominator's cells of a source table
  (computed or protected) for every cell of the ratio;
- :func:`derive_ratio` is the exact ratio from the computed (unprotected) source, the
  analysts' version;
- :func:`protect_derived` is the published ratio from the protected source: a share where
  the published denominator reaches the rule's threshold and every count it is made of is
  published; ``C`` where the denominator is below the threshold, ``D`` where a count it is
  made of is suppressed;
- :func:`audit_derived` re-derives the ratio from the protected source and refuses any cell
  that is not exactly published numerator / published denominator or that should be hidden.

A period of the ratio that the source covers only in part (a year of which only two quarters
were built) is left out. Definitions: :class:`ura.stats.definitions.Derivation`, checked
against the source by :func:`ura.stats.definitions.derived_sources`. Pure pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ura.stats.compute import periods
from ura.stats.definitions import TOTAL, DefinitionError, Derivation, TableDefinition
from ura.stats.protection import Protected

__all__ = ["audit_derived", "derive_ratio", "protect_derived", "ratio_counts"]

#: How far a published share may be from published numerator / denominator (float noise).
_TOLERANCE: Final = 1e-9
#: The status of a period made of several: estimated over provisional over normal.
_STATUSES: Final = ("A", "P", "E")


def _derivation(ratio: TableDefinition, source: TableDefinition) -> Derivation:
    derivation = ratio.derived_from
    if derivation is None or derivation.table != source.id:
        raise DefinitionError(f"{ratio.id} is not derived from {source.id}")
    return derivation


def _period_map(
    ratio: TableDefinition, source: TableDefinition, start: dt.date, end: dt.date
) -> dict[str, str]:
    """Source period code -> the ratio period it lies in, for the ratio periods the source
    covers entirely."""
    inner = periods(start, end, source.frequency)
    covered = [
        p
        for p in periods(start, end, ratio.frequency)
        if p.start >= inner[0].start and p.end <= inner[-1].end
    ]
    found = {}
    for part in inner:
        for whole in covered:
            if whole.start <= part.start <= whole.end:
                found[part.code] = whole.code
    return found


def _picked(
    table: pd.DataFrame,
    source: TableDefinition,
    ratio: TableDefinition,
    pick: Mapping[str, str],
    period_of: Mapping[str, str],
) -> pd.DataFrame:
    """The sum of the cells ``pick`` selects per cell of the ratio, whether all of them are
    published, and the highest status rank among them."""
    keys = ["TIME_PERIOD", *ratio.dimension_ids]
    mask = np.ones(len(table), dtype=bool)
    for dim in source.dimension_ids:
        if dim not in ratio.dimension_ids:
            mask &= (table[dim].astype(str) == pick.get(dim, TOTAL)).to_numpy()
    part = table.loc[mask]
    value = pd.to_numeric(part["OBS_VALUE"], errors="coerce").astype("float64")
    flags = part["CONF_STATUS"].astype(str) if "CONF_STATUS" in part else "F"
    ranks = part["OBS_STATUS"].astype(str).map({s: i for i, s in enumerate(_STATUSES)})
    frame = pd.DataFrame(
        {
            "TIME_PERIOD": part["TIME_PERIOD"].astype(str).map(period_of),
            **{d: part[d].astype(str) for d in ratio.dimension_ids},
            "value": value.fillna(0.0),
            "shown": (flags == "F") & value.notna(),
            "rank": ranks.fillna(0).astype("int64"),
        }
    ).dropna(subset=["TIME_PERIOD"])
    return frame.groupby(keys, sort=True).agg(
        value=("value", "sum"), shown=("shown", "all"), rank=("rank", "max")
    )


def ratio_counts(
    table: pd.DataFrame,
    source: TableDefinition,
    ratio: TableDefinition,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The numerator and the denominator of every cell of a derived ratio.

    Args:
        table: The source table, computed or protected (long format; a cell it lacks is a
            zero).
        source: Its definition.
        ratio: The ratio's definition (``derived_from`` names ``source``).
        start: A day in the first period built.
        end: A day in the last period built.
        as_of: The day the data were extracted: a period of the ratio ending after it is
            provisional (``P``), as the engine flags it.

    Returns:
        One row per cell of the ratio that has a picked cell in ``table`` (``TIME_PERIOD``
        and the ratio's dimensions, as strings), sorted: ``NUMERATOR`` and ``DENOMINATOR``
        (sums of the picked cells), ``NUMERATOR_SHOWN`` and ``DENOMINATOR_SHOWN`` (every
        picked cell published: a value and ``CONF_STATUS`` ``F``), ``OBS_STATUS`` (``E``
        when a picked cell is estimated, ``P`` when one is provisional or the period ends
        after ``as_of``, else ``A``).

    Raises:
        DefinitionError: ``ratio`` is not derived from ``source``.
    """
    derivation = _derivation(ratio, source)
    keys = ["TIME_PERIOD", *ratio.dimension_ids]
    period_of = _period_map(ratio, source, start, end)
    numerator = _picked(table, source, ratio, derivation.numerator, period_of)
    denominator = _picked(table, source, ratio, derivation.denominator, period_of)
    index = denominator.index.union(numerator.index)
    if index.empty:
        columns = [*keys, "NUMERATOR", "DENOMINATOR", "NUMERATOR_SHOWN", "DENOMINATOR_SHOWN"]
        return pd.DataFrame(columns=[*columns, "OBS_STATUS"])
    out = pd.DataFrame(index=pd.MultiIndex.from_tuples(list(index), names=keys))
    rank = np.zeros(len(index), dtype="int64")
    for name, frame in (("NUMERATOR", numerator), ("DENOMINATOR", denominator)):
        aligned = frame.reindex(out.index)
        out[name] = aligned["value"].fillna(0.0).to_numpy()
        out[f"{name}_SHOWN"] = aligned["shown"].astype("boolean").fillna(True).to_numpy(bool)
        rank = np.maximum(rank, aligned["rank"].fillna(0).astype("int64").to_numpy())
    if as_of is not None:
        late = {p.code for p in periods(start, end, ratio.frequency) if p.end > as_of}
        provisional = out.index.get_level_values("TIME_PERIOD").isin(sorted(late))
        rank = np.where(provisional, np.maximum(rank, _STATUSES.index("P")), rank)
    out["OBS_STATUS"] = [_STATUSES[r] for r in rank]
    return out.reset_index().sort_values(keys, kind="stable").reset_index(drop=True)


def _share(counts: pd.DataFrame) -> npt.NDArray[np.float64]:
    numerator = counts["NUMERATOR"].to_numpy(dtype=np.float64)
    denominator = counts["DENOMINATOR"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = numerator * 100.0 / denominator
    return np.where(denominator > 0, share, np.nan)


def _table(
    counts: pd.DataFrame,
    ratio: TableDefinition,
    values: npt.NDArray[np.float64],
    flags: npt.NDArray[np.str_],
) -> pd.DataFrame:
    out = counts[["TIME_PERIOD", *ratio.dimension_ids]].copy()
    out.insert(0, "FREQ", ratio.frequency.value)
    out["OBS_VALUE"] = values.astype("float64")
    out["OBS_STATUS"] = counts["OBS_STATUS"].astype(str).to_numpy()
    out["CONF_STATUS"] = flags.astype(object)
    out = out.reset_index(drop=True)
    out.attrs = {
        "table": ratio.id,
        "version": ratio.version,
        "measure": ratio.measure.value,
        "unit": ratio.unit,
        "frequency": ratio.frequency.value,
        "derived_from": ratio.derived_from.table if ratio.derived_from else None,
    }
    return out


def derive_ratio(
    table: pd.DataFrame,
    source: TableDefinition,
    ratio: TableDefinition,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The exact ratio from the computed (unprotected) source table: for analysts.

    Args:
        table: The computed source table.
        source: Its definition.
        ratio: The ratio's definition (``derived_from`` names ``source``).
        start: A day in the first period built.
        end: A day in the last period built.
        as_of: The day the data were extracted (:func:`ratio_counts`).

    Returns:
        The ratio in the long format, one row per cell with a denominator (100 x numerator
        / denominator, float), ``CONF_STATUS`` ``F``; the same values as the engine's
        ``compute_table(ratio, ...)`` over the same periods.

    Raises:
        DefinitionError: ``ratio`` is not derived from ``source``.
    """
    counts = ratio_counts(table, source, ratio, start=start, end=end, as_of=as_of)
    counts = counts[counts["DENOMINATOR"] > 0].reset_index(drop=True)
    return _table(counts, ratio, _share(counts), np.full(len(counts), "F"))


def _published(
    counts: pd.DataFrame, threshold: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.str_]]:
    """The published shares and their flags: ``D`` where a count behind the share is
    suppressed, ``C`` where the published denominator is below ``threshold``."""
    shown = counts["NUMERATOR_SHOWN"].to_numpy(bool) & counts["DENOMINATOR_SHOWN"].to_numpy(bool)
    small = counts["DENOMINATOR_SHOWN"].to_numpy(bool) & (
        counts["DENOMINATOR"].to_numpy(np.float64) < threshold
    )
    flags = np.where(small, "C", np.where(shown, "F", "D"))
    values = np.where(flags == "F", _share(counts), np.nan)
    return values, flags


def protect_derived(
    table: pd.DataFrame,
    source: TableDefinition,
    ratio: TableDefinition,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> Protected:
    """The ratio to publish, from the protected source table, audited.

    Args:
        table: The source table as protected for publication (every cell, the suppressed
            ones flagged ``C``/``D`` without a value).
        source: Its definition.
        ratio: The ratio's definition (``derived_from`` names ``source``; its rule is
            ``denominator_threshold``).
        start: A day in the first period built.
        end: A day in the last period built.
        as_of: The day the data were extracted (:func:`ratio_counts`).

    Returns:
        One cell per combination of the ratio's codes in the protected source: the share of
        the published counts (``F``), or no value with ``C`` (published denominator below
        the threshold, zero included) or ``D`` (a count behind it is suppressed). The
        record names the source (``derived_from``); the violations are
        :func:`audit_derived`'s.

    Raises:
        DefinitionError: ``ratio`` is not derived from ``source``.
    """
    threshold = ratio.rule.threshold
    counts = ratio_counts(table, source, ratio, start=start, end=end, as_of=as_of)
    values, flags = _published(counts, threshold)
    out = _table(counts, ratio, values, flags)
    record: dict[str, Any] = {
        "rule": ratio.rule.name,
        "sensitivity": str(ratio.sensitivity),
        "threshold": threshold,
        "derived_from": source.id,
        "primary": int((flags == "C").sum()),
        "secondary": int((flags == "D").sum()),
        "note": (
            f"Shares of the published figures of {source.id.upper()}, shown only where at "
            f"least {threshold} published events are behind them."
        ),
    }
    out.attrs["disclosure"] = record
    violations = audit_derived(out, table, source, ratio, start=start, end=end, as_of=as_of)
    return Protected(out, record, violations)


def audit_derived(
    protected: pd.DataFrame,
    table: pd.DataFrame,
    source: TableDefinition,
    ratio: TableDefinition,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> list[str]:
    """Every cell of a derived ratio that is not what the protected source allows.

    The ratio is derived again from ``table``: a published share must equal 100 x the
    published numerator / the published denominator, over a denominator of at least the
    threshold and with every count behind it published; a hidden share carries no value;
    the cells are those of the derivation.

    Args:
        protected: The ratio as it would be published.
        table: The protected source table it was derived from.
        source: Its definition.
        ratio: The ratio's definition.
        start: A day in the first period built.
        end: A day in the last period built.
        as_of: The day the data were extracted (:func:`ratio_counts`).

    Returns:
        The violations, as text.
    """
    threshold = ratio.rule.threshold
    keys = ["TIME_PERIOD", *ratio.dimension_ids]
    counts = ratio_counts(table, source, ratio, start=start, end=end, as_of=as_of)
    values, flags = _published(counts, threshold)
    expected = counts[keys].assign(
        want_value=values,
        want_flag=flags,
        want_numerator=counts["NUMERATOR"],
        want_denominator=counts["DENOMINATOR"],
    )
    shown = (
        protected[keys]
        .astype(str)
        .assign(
            shown_value=pd.to_numeric(protected["OBS_VALUE"], errors="coerce").to_numpy(np.float64),
            shown_flag=protected["CONF_STATUS"].astype(str).to_numpy(),
        )
    )
    both = shown.merge(expected, on=keys, how="outer", indicator="side")
    violations = []
    for row in both.itertuples(index=False):
        cell = ", ".join(f"{k}={getattr(row, k)}" for k in keys)
        if row.side == "left_only":
            violations.append(f"{cell}: not a cell of the ratio of {source.id}'s counts")
            continue
        if row.side == "right_only":
            violations.append(f"{cell}: missing")
            continue
        has_value = not np.isnan(row.shown_value)
        if row.shown_flag != "F":
            if has_value:
                violations.append(f"{cell}: suppressed cell carries a value")
            continue
        if row.want_flag == "C":
            violations.append(
                f"{cell}: published over {row.want_denominator:g} published events (< {threshold})"
            )
        elif row.want_flag == "D":
            violations.append(f"{cell}: published although a count of {source.id} behind it is "
                              "suppressed")  # fmt: skip
        elif not has_value or abs(row.shown_value - row.want_value) > _TOLERANCE * max(
            1.0, row.want_value
        ):
            violations.append(
                f"{cell}: published as {row.shown_value:g}; the published counts of {source.id} "
                f"give {row.want_numerator:g} / {row.want_denominator:g} = {row.want_value:g}"
            )
    return violations
