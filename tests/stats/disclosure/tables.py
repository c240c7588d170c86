"""Build long-format tables with all their margins from leaf counts, as the engine does."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd


def long_table(
    leaves: npt.ArrayLike,
    dimensions: Mapping[str, Sequence[str]],
    *,
    hierarchies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> pd.DataFrame:
    """The long-format table of ``leaves`` (one axis per dimension, leaf codes in order) with
    ``_T`` on every dimension and the parents of ``hierarchies`` added up."""
    counts = np.asarray(leaves, dtype=np.int64)
    names = list(dimensions)
    members: list[dict[str, list[int]]] = []
    for axis, name in enumerate(names):
        leaf_codes = list(dimensions[name])
        assert counts.shape[axis] == len(leaf_codes)
        groups = {code: [i] for i, code in enumerate(leaf_codes)}
        for parent, kids in (hierarchies or {}).get(name, {}).items():
            groups[parent] = [i for kid in kids for i in groups[kid]]
        groups["_T"] = list(range(len(leaf_codes)))
        members.append(groups)
    rows = []
    for combination in itertools.product(*(list(m) for m in members)):
        block = counts
        for axis, code in enumerate(combination):
            block = np.take(block, members[axis][code], axis=axis)
        rows.append((*combination, int(block.sum())))
    frame = pd.DataFrame(rows, columns=[*names, "OBS_VALUE"])
    frame["OBS_VALUE"] = frame["OBS_VALUE"].astype("int64")
    frame["OBS_STATUS"] = "A"
    return frame


def value(frame: pd.DataFrame, **codes: str) -> object:
    """The OBS_VALUE of the cell with these codes."""
    mask = np.ones(len(frame), dtype=bool)
    for name, code in codes.items():
        mask &= (frame[name] == code).to_numpy()
    assert mask.sum() == 1, codes
    return frame.loc[mask, "OBS_VALUE"].iloc[0]


def status(frame: pd.DataFrame, **codes: str) -> str:
    """The CONF_STATUS of the cell with these codes."""
    mask = np.ones(len(frame), dtype=bool)
    for name, code in codes.items():
        mask &= (frame[name] == code).to_numpy()
    return str(frame.loc[mask, "CONF_STATUS"].iloc[0])


def hide_next_smallest(frame: pd.DataFrame, threshold: int, row_dimension: str) -> pd.DataFrame:
    """The naive method: hide each small cell and the next smallest cell of its line along
    ``row_dimension`` (the cells with the same codes in every other dimension), flagged and
    recorded as if protected by the suppression rule."""
    out = frame.copy()
    values = out["OBS_VALUE"].to_numpy()
    small = (values > 0) & (values < threshold)
    hidden = small.copy()
    others = [
        c
        for c in out.columns
        if c.isupper()
        and c not in {row_dimension, "OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "ROUNDED"}
    ]
    for index in np.flatnonzero(small):
        same_line = np.ones(len(out), dtype=bool)
        for column in others:
            same_line &= (out[column] == out[column].iloc[index]).to_numpy()
        same_line &= (out[row_dimension] != "_T").to_numpy()
        same_line[index] = False
        candidates = np.flatnonzero(same_line & ~hidden)
        if candidates.size:
            hidden[candidates[np.argmin(values[candidates])]] = True
    out["CONF_STATUS"] = np.where(small, "C", np.where(hidden, "D", "F"))
    column = pd.array(values, dtype="Int64")
    column[hidden] = pd.NA
    out["OBS_VALUE"] = column
    out.attrs["disclosure"] = {"rule": "suppression", "dimensions": [*others, row_dimension]}
    return out
