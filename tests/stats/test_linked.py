"""Linked tables: two breakdowns of one population, attacked together.

The two tables count residence permits by sex x province and by age x province: they share
the permits by province (and the grand total). Protected one at a time, each passes its own
auditor, but a reader who puts them side by side recovers a suppressed cell; protected
through their cover table (sex x age x province), neither leaks.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ura.stats.definitions import (
    DefinitionError,
    TableDefinition,
    linked_groups,
    load_definitions,
    parse_definition,
)
from ura.stats.linked import audit_linked, cover_definition, member_table, protect_linked
from ura.stats.protection import protect_counts


def _definition(table_id: str, dimensions: str, *, protection: str = "", extra: str = "") -> str:
    return f"""
id: {table_id}
version: 1
title: Residence permits
measure: events
unit: NR
frequency: A
age_reference: event
select: {{event_types: [residence_permit]}}
dimensions:
{dimensions}
sensitivity: public
protection: {protection or "{rule: suppression, threshold: 5}"}
linked: permits
{extra}"""


SEX = "  - {id: SEX, source: sex}\n  - {id: GEO, source: province}"
AGE = "  - {id: AGE, source: age}\n  - {id: GEO, source: province}"


def _pair(protection: str = "") -> tuple[TableDefinition, TableDefinition]:
    return (
        parse_definition(_definition("permits_sex", SEX, protection=protection)),
        parse_definition(_definition("permits_age", AGE, protection=protection)),
    )


def _cover(leaves: Sequence[Sequence[Sequence[int]]]) -> pd.DataFrame:
    """The computed cover table SEX x AGE x GEO of ``leaves[sex][age][geo]``, all margins."""
    axes = {"SEX": ["F", "M"], "AGE": ["Y18-34", "Y35-64"], "GEO": ["TR06", "TR34", "TR35"]}
    counts = np.asarray(leaves)
    rows = []
    for codes in itertools.product(*([*c, "_T"] for c in axes.values())):
        block = counts
        for axis, (name, code) in enumerate(zip(axes, codes, strict=True)):
            keep = range(len(axes[name])) if code == "_T" else [axes[name].index(code)]
            block = np.take(block, list(keep), axis=axis)
        rows.append(("A", "2024", *codes, int(block.sum())))
    frame = pd.DataFrame(rows, columns=["FREQ", "TIME_PERIOD", *axes, "OBS_VALUE"])
    frame["OBS_STATUS"] = "A"
    frame["CONF_STATUS"] = "F"
    return frame


# Found by attacking random tables; F x TR34 = 1 + 3 = 4 permits.
LEAVES = [[[1, 1, 0], [20, 3, 1]], [[2, 12, 2], [2, 6, 2]]]


def _cell(table: pd.DataFrame, **codes: str) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for name, code in codes.items():
        mask &= (table[name] == code).to_numpy()
    assert mask.sum() == 1
    return table.loc[mask].iloc[0]


def test_tables_protected_one_at_a_time_leak_a_cell_through_each_other() -> None:
    by_sex, by_age = _pair()
    cover_def = cover_definition([by_sex, by_age])
    cover = _cover(LEAVES)
    tables = []
    for member in (by_sex, by_age):
        raw = member_table(cover, cover_def, member)
        alone = protect_counts(raw, member)
        assert alone.violations == []  # each table passes its own auditor
        tables.append((member, raw, alone.table))
    sex_table, age_table = tables[0][2], tables[1][2]
    # F x TR34 (4 permits) is suppressed in the table by sex, with the province total...
    assert _cell(sex_table, SEX="F", GEO="TR34")["CONF_STATUS"] == "C"
    assert _cell(sex_table, SEX="_T", GEO="TR34")["CONF_STATUS"] == "D"
    # ...which the table by age publishes: the reader subtracts the men.
    total = _cell(age_table, AGE="_T", GEO="TR34")
    men = _cell(sex_table, SEX="M", GEO="TR34")
    assert (total["CONF_STATUS"], men["CONF_STATUS"]) == ("F", "F")
    assert int(total["OBS_VALUE"]) - int(men["OBS_VALUE"]) == 4
    violations = audit_linked(tables)
    assert any("SEX=F, GEO=TR34" in v and "recomputed exactly (4)" in v for v in violations)
    assert any("published as 22 in permits_age" in v for v in violations)


def test_tables_protected_together_do_not_leak() -> None:
    by_sex, by_age = _pair()
    cover_def = cover_definition([by_sex, by_age])
    cover = _cover(LEAVES)
    protected = protect_linked(cover, [by_sex, by_age])
    assert protected["permits_sex"].violations == []
    assert protected["permits_age"].violations == []
    age_table = protected["permits_age"].table
    assert _cell(age_table, AGE="_T", GEO="TR34")["CONF_STATUS"] == "D"
    tables = [
        (m, member_table(cover, cover_def, m), protected[m.id].table) for m in (by_sex, by_age)
    ]
    assert audit_linked(tables) == []
    record = protected["permits_age"].record
    assert record["rule"] == "suppression"
    assert record["linked"] == "permits"
    assert record["members"] == ["permits_sex", "permits_age"]
    assert record["dimensions"] == ["TIME_PERIOD", "AGE", "GEO"]
    assert record["primary"] == int((age_table["CONF_STATUS"] == "C").sum())
    # Every primary cell stays primary: nothing below the threshold is published.
    for member in (by_sex, by_age):
        keys = ["TIME_PERIOD", *member.dimension_ids]
        both = member_table(cover, cover_def, member).merge(
            protected[member.id].table, on=keys, suffixes=("", "_out")
        )
        small = (both["OBS_VALUE"] > 0) & (both["OBS_VALUE"] < 5)
        assert small.any()
        assert (both.loc[small, "CONF_STATUS_out"] == "C").all()


def test_a_rounded_group_rounds_each_common_cell_once() -> None:
    by_sex, by_age = _pair("{rule: rounding, base: 5}")
    cover_def = cover_definition([by_sex, by_age])
    cover = _cover(LEAVES)
    protected = protect_linked(cover, [by_sex, by_age])
    assert protected["permits_sex"].violations == []
    assert protected["permits_age"].violations == []
    sex_table = protected["permits_sex"].table
    age_table = protected["permits_age"].table
    for geo in ("TR06", "TR34", "TR35", "_T"):
        by_sex_total = _cell(sex_table, SEX="_T", GEO=geo)["OBS_VALUE"]
        assert by_sex_total == _cell(age_table, AGE="_T", GEO=geo)["OBS_VALUE"]
        assert by_sex_total % 5 == 0
    tables = [
        (m, member_table(cover, cover_def, m), protected[m.id].table) for m in (by_sex, by_age)
    ]
    assert audit_linked(tables) == []
    # Rounded separately, a common cell could get two values: the group auditor refuses it.
    tampered = age_table.copy()
    row = (tampered["AGE"] == "_T") & (tampered["GEO"] == "TR34")
    tampered.loc[row, "OBS_VALUE"] = tampered.loc[row, "OBS_VALUE"] + 5
    violations = audit_linked([tables[0], (by_age, tables[1][1], tampered)])
    assert any("AGE=_T" in v and "GEO=TR34" in v and "but published as" in v for v in violations)


def test_a_noisy_group_spends_its_budget_once() -> None:
    by_sex, by_age = _pair("{rule: differential_privacy, epsilon: 1.0}")
    protected = protect_linked(_cover(LEAVES), [by_sex, by_age], seed=4)
    sex_table = protected["permits_sex"].table
    age_table = protected["permits_age"].table
    assert protected["permits_sex"].record["epsilon"] == pytest.approx(1.0)
    for geo in ("TR06", "TR34", "TR35", "_T"):
        assert (
            _cell(sex_table, SEX="_T", GEO=geo)["OBS_VALUE"]
            == _cell(age_table, AGE="_T", GEO=geo)["OBS_VALUE"]
        )


def test_the_cover_table_has_every_members_dimensions() -> None:
    by_sex, by_age = _pair()
    cover_def = cover_definition([by_sex, by_age])
    assert cover_def.id == "permits"
    assert cover_def.dimension_ids == ("SEX", "GEO", "AGE")
    member = member_table(_cover(LEAVES), cover_def, by_age)
    assert list(member.columns) == [
        "FREQ", "TIME_PERIOD", "AGE", "GEO", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS",
    ]  # fmt: skip
    assert int(_cell(member, AGE="_T", GEO="TR34")["OBS_VALUE"]) == 22
    with pytest.raises(DefinitionError, match="two or more"):
        cover_definition([by_sex])


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (_definition("permits_age", AGE).replace("measure: events", "measure: persons"),
         "measure: differs from permits_age"),
        (_definition("permits_age", AGE, protection="{rule: suppression, threshold: 3}"),
         "protection: differs"),
        (_definition("permits_age", AGE).replace("frequency: A", "frequency: M"),
         "frequency: differs"),
        (_definition("permits_age", SEX), "the same as permits_age's"),
        (_definition("permits_age", AGE.replace("province}", "province, other: OTH}")),
         "GEO is defined differently"),
    ],
)  # fmt: skip
def test_a_linked_group_must_be_one_population_under_one_rule(
    tmp_path: Path, other: str, message: str
) -> None:
    (tmp_path / "permits_age.yaml").write_text(other, encoding="utf-8")
    (tmp_path / "permits_sex.yaml").write_text(_definition("permits_sex", SEX), encoding="utf-8")
    with pytest.raises(DefinitionError, match=message) as caught:
        load_definitions(tmp_path, ids=["permits_age"])
    assert "permits_sex.yaml" in str(caught.value)


def test_a_group_needs_two_tables_and_totals_on_what_a_member_lacks(tmp_path: Path) -> None:
    (tmp_path / "permits_sex.yaml").write_text(_definition("permits_sex", SEX), encoding="utf-8")
    with pytest.raises(DefinitionError, match="no other table is in group 'permits'"):
        load_definitions(tmp_path)
    no_total = AGE.replace("{id: AGE, source: age}", "{id: AGE, source: age, total: false}")
    (tmp_path / "permits_age.yaml").write_text(
        _definition("permits_age", no_total), encoding="utf-8"
    )
    with pytest.raises(DefinitionError, match="AGE has no total"):
        load_definitions(tmp_path)


def test_a_strict_group_is_refused(tmp_path: Path) -> None:
    for table_id, dims in (("permits_sex", SEX), ("permits_age", AGE)):
        (tmp_path / f"{table_id}.yaml").write_text(
            _definition(table_id, dims, protection="{rule: strict}"), encoding="utf-8"
        )
    with pytest.raises(DefinitionError, match="zeros next to suppressed cells"):
        load_definitions(tmp_path)


def test_no_two_standard_tables_are_one_population() -> None:
    """The standard set has no linked group: no two of its tables count the same events
    the same way over the same periods (docs/statistics-disclosure.md lists the tables that
    are related in weaker ways). A new definition that is a breakdown of an existing one
    must declare ``linked``."""
    definitions = load_definitions()
    assert linked_groups(definitions.values()) == {}
    seen: dict[tuple[object, ...], str] = {}
    for definition in definitions.values():
        key = (
            definition.measure, definition.select, definition.frequency,
            definition.age_reference, definition.valid_until, definition.ended_by,
        )  # fmt: skip
        assert key not in seen, f"{definition.id} and {seen[key]} count one population"
        seen[key] = definition.id
