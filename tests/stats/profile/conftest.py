"""Hand-made protected tables for the migration profile tests."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def long_table(
    dimension: str,
    values: Mapping[str, Mapping[str, int | float | None]],
    *,
    hidden: Mapping[tuple[str, str], str] | None = None,
    rounded: bool = False,
    measure: str = "persons",
    unit: str = "PER",
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A protected long-format table of one dimension by TIME_PERIOD.

    ``values`` maps period -> code -> value (``_T`` included where given); ``hidden`` maps
    (period, code) -> CONF_STATUS ``C``/``D``: such cells lose their value, as disclosure
    control leaves them. ``extra`` adds dimensions with one code each.
    """
    rows = []
    for period, cells in values.items():
        for code, value in cells.items():
            status = (hidden or {}).get((period, code), "F")
            rows.append(
                {
                    "FREQ": "A",
                    "TIME_PERIOD": period,
                    dimension: code,
                    **(extra or {}),
                    "OBS_VALUE": None if status != "F" else value,
                    "OBS_STATUS": "A",
                    "CONF_STATUS": status,
                    "ROUNDED": rounded,
                }
            )
    frame = pd.DataFrame(rows)
    frame["OBS_VALUE"] = frame["OBS_VALUE"].astype("Float64")
    frame.attrs.update({"table": "t", "version": 1, "measure": measure, "unit": unit})
    return frame
