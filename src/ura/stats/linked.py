"""Linked tables: breakdowns of one population protected as one problem.

Two tables that count the same events the same way over the same periods share cells: the
margins over the dimensions they have in common (residence permits by province x sex and
by province x age share the permits by province). Protected one at a time, a cell one
table suppresses can be published by the other, or recomputed from it, and an attacker who
reads both learns more than either table allows (the test
``tests/stats/test_linked.py`` shows a suppressed cell recovered exactly that way).

Definitions declare a group with ``linked: <group id>`` (checked by
:func:`ura.stats.definitions.linked_groups`: one population, one rule, shared dimensions
defined alike). The group is protected through its **cover table**, the table with every
member's dimensions (:func:`cover_definition`), of which every member is a margin:

- *suppression*: the cover is protected with the cells no member publishes (its inner
  cells) hidden from the start, never primary and free to use as complements; each member
  is then cut from the protected cover. A cell is therefore suppressed in every member that
  has it, and the attacker's LP over the cover's equations (every member's equations and
  the relations between them) proves every primary cell of every member safe;
- *rounding*: the cover is rounded (controlled, additive), so a cell has one rounded value
  in every member and every member adds up;
- *differential privacy*: the cover's inner cells are noised once and the members added up
  from them, so the group spends the rule's epsilon once, not once per member.

:func:`audit_linked` is the group's auditor: common cells identical across the members, and
(for suppression) no primary cell of any member recovered or narrowed by the LP attacker who
reads every member and knows how they relate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ura.stats.definitions import DefinitionError, Dimension, TableDefinition
from ura.stats.disclosure import TableStructure, audit, difference, intervals, protect
from ura.stats.disclosure.structure import TOTAL
from ura.stats.protection import (
    Hierarchies,
    Protected,
    complete,
    dimensions_of,
    hierarchies_of,
    json_safe,
    margin_of,
)

__all__ = ["audit_linked", "cover_definition", "linked_members", "member_table", "protect_linked"]

_EPS = 1e-6


def cover_definition(members: Sequence[TableDefinition]) -> TableDefinition:
    """The cover table of a linked group: every member's dimensions, in the order they
    first appear, counted as the members count.

    Args:
        members: The group (:func:`ura.stats.definitions.linked_groups`).

    Returns:
        A definition to compute with :func:`ura.stats.compute_table`; its ``id`` is the
        group's.

    Raises:
        DefinitionError: ``members`` is not one linked group.
    """
    groups = {m.linked for m in members}
    if len(members) < 2 or len(groups) != 1 or None in groups:
        raise DefinitionError("a cover table needs two or more tables of one linked group")
    first = members[0]
    dimensions: list[Dimension] = []
    for member in members:
        dimensions += [d for d in member.dimensions if d.id not in {x.id for x in dimensions}]
    return dataclasses.replace(
        first,
        id=str(first.linked),
        title=f"Cover table of {', '.join(m.id for m in members)}",
        description="Every dimension of the linked tables; never published.",
        eurostat=None,
        dimensions=tuple(dimensions),
        path=None,
    )


def member_table(
    cover: pd.DataFrame, cover_def: TableDefinition, member: TableDefinition
) -> pd.DataFrame:
    """A member's table cut from the (computed or protected) cover table: its cells are
    those at ``_T`` on every dimension it lacks, its columns in its own order.

    Args:
        cover: The cover table (all margins).
        cover_def: The cover's definition (:func:`cover_definition`).
        member: The member.

    Returns:
        The member's table.
    """
    out = margin_of(cover, cover_def.dimension_ids, member.dimension_ids)
    columns = list(out.columns)
    positions = sorted(columns.index(d) for d in member.dimension_ids)
    for position, name in zip(positions, member.dimension_ids, strict=True):
        columns[position] = name
    reordered = out[columns]
    reordered.attrs = dict(out.attrs)
    if "table" in reordered.attrs:
        reordered.attrs.update(table=member.id, version=member.version)
    return reordered


def protect_linked(
    cover: pd.DataFrame, members: Sequence[TableDefinition], *, seed: int | None = None
) -> dict[str, Protected]:
    """Protect a linked group through its cover table and audit every member and the group.

    Args:
        cover: The computed cover table (:func:`cover_definition`; cells that counted
            nobody may be absent).
        members: The group.
        seed: Tests only: seed the noise of a ``differential_privacy`` group.

    Returns:
        Each member's protected table by id; its record names the group (``linked``,
        ``members``), its violations include the group auditor's.
    """
    cover_def = cover_definition(members)
    rule = cover_def.rule
    dims = dimensions_of(cover_def)
    full = complete(cover, dims)
    if full.empty:
        empty = full.copy()
        empty["CONF_STATUS"] = pd.Series(dtype=str)
        nothing: dict[str, Any] = {
            "rule": rule.name,
            "sensitivity": rule.sensitivity,
            "linked": cover_def.id,
        }
        return {
            m.id: Protected(member_table(empty, cover_def, m), dict(nothing), []) for m in members
        }
    published = np.zeros(len(full), dtype=bool)
    for member in members:
        published |= _at_total(full, [d for d in dims if d not in dimensions_of(member)])
    safe = protect(
        full,
        rule,
        dimensions=dims,
        hierarchies=hierarchies_of(cover_def, full),
        seed=seed,
        publish=published,
    )
    shared: dict[str, Any] = json_safe(safe.attrs.get("disclosure", {}))
    shared.update(linked=cover_def.id, members=[m.id for m in members])
    tables = []
    for member in members:
        table = member_table(safe, cover_def, member)
        raw = member_table(full, cover_def, member)
        record: dict[str, Any] = {
            **shared,
            "dimensions": dimensions_of(member),
            "hierarchies": hierarchies_of(member, raw),
        }
        if rule.suppresses:
            record["primary"] = int((table["CONF_STATUS"] == "C").sum())
            record["secondary"] = int((table["CONF_STATUS"] == "D").sum())
        if "wide_cells" in record:
            record["wide_cells"] = _member_labels(record["wide_cells"], member, dims)
        table.attrs = {"disclosure": record}
        tables.append((member, raw, table))
    group = audit_linked(tables)
    out = {}
    for member, raw, table in tables:
        alone = [str(v) for v in audit(table, member.rule, original=raw)]
        out[member.id] = Protected(table, dict(table.attrs["disclosure"]), alone + group)
    return out


def _at_total(frame: pd.DataFrame, dimensions: Sequence[str]) -> npt.NDArray[np.bool_]:
    mask = np.ones(len(frame), dtype=bool)
    for name in dimensions:
        mask &= (frame[name].astype(str) == TOTAL).to_numpy()
    return mask


def _member_labels(
    labels: Sequence[str], member: TableDefinition, dims: Sequence[str]
) -> list[str]:
    """The cover's cell labels (``TIME_PERIOD=2024, SEX=F, AGE=_T``) that are the member's
    cells, as the member names them."""
    own = dimensions_of(member)
    found = []
    for label in labels:
        codes = dict(part.split("=", 1) for part in label.split(", "))
        if all(codes.get(d) == TOTAL for d in dims if d not in own):
            found.append(", ".join(f"{d}={codes[d]}" for d in own))
    return found


def audit_linked(
    tables: Sequence[tuple[TableDefinition, pd.DataFrame, pd.DataFrame]],
) -> list[str]:
    """The group auditor: what an attacker who reads every member of a linked group learns.

    The members are placed in their cover table (a member's cell is the cover's cell at
    ``_T`` on the dimensions it lacks). A cell two members publish must carry the same value
    and flag in both, and a cell one suppresses the other must not publish. Under a
    suppression rule, every primary cell of every member (below the threshold or flagged
    ``C``) is attacked with every member's published cells, the cover's equations and
    non-negativity: it must not be recomputed by differencing and its LP interval must reach
    the rule's range. Each member's own audit (:func:`ura.stats.disclosure.audit`) is
    separate.

    Args:
        tables: ``(definition, computed table, protected table)`` of every member.

    Returns:
        The violations, as text (each starting ``linked <group>``).
    """
    definitions = [d for d, _, _ in tables]
    cover_def = cover_definition(definitions)
    rule = cover_def.rule
    dims = dimensions_of(cover_def)
    prefix = f"linked {cover_def.id}"
    placed = []
    for definition, raw, protected in tables:
        own = dimensions_of(definition)
        full = complete(raw, own)
        if full.empty:
            continue
        extra = {d: TOTAL for d in dims if d not in own}
        true = full.assign(**extra)
        shown = protected.assign(**extra)
        placed.append((definition.id, true, shown))
    if not placed:
        return []
    hierarchies: Hierarchies = {}
    for definition, raw, _ in tables:
        for name, tree in hierarchies_of(definition, raw).items():
            hierarchies.setdefault(name, {}).update(tree)
    every = pd.concat([true[dims] for _, true, _ in placed], ignore_index=True)
    structure = TableStructure.from_frame(every, dimensions=dims, hierarchies=hierarchies)
    known = np.zeros(structure.size)
    published = np.zeros(structure.size, dtype=bool)
    true_values = np.zeros(structure.size)
    primary = np.zeros(structure.size, dtype=bool)
    owner: dict[int, tuple[str, str, float]] = {}
    violations: list[str] = []
    for table_id, true, shown in placed:
        true_values[structure.index(true)] = true["OBS_VALUE"].to_numpy(dtype=np.float64)
        positions = structure.index(shown)
        flags = shown["CONF_STATUS"].astype(str).to_numpy()
        values = pd.to_numeric(shown["OBS_VALUE"], errors="coerce").to_numpy(dtype=np.float64)
        for cell, flag, value in zip(positions.tolist(), flags, values, strict=True):
            if cell in owner:
                first_id, first_flag, first_value = owner[cell]
                same = (flag == "F") == (first_flag == "F") and (
                    flag != "F" or abs(value - first_value) < _EPS
                )
                if not same:
                    violations.append(
                        f"{prefix} [{structure.label(cell)}]: {_shown(first_flag, first_value)} "
                        f"in {first_id} but {_shown(flag, value)} in {table_id}"
                    )
                continue
            owner[cell] = (table_id, flag, value)
            if flag == "F":
                published[cell] = True
                known[cell] = value
            elif flag == "C":
                primary[cell] = True
    if not rule.suppresses:
        return violations
    in_member = np.zeros(structure.size, dtype=bool)
    in_member[list(owner)] = True
    small = (true_values > 0) & (true_values < rule.threshold)
    targets = np.flatnonzero(~published & (primary | (small & in_member)))
    if not targets.size:
        return violations
    hidden = (~published).reshape(structure.shape)
    values = known.reshape(structure.shape)
    recovered = difference(structure, values, hidden)
    for cell in targets.tolist():
        if cell in recovered:
            violations.append(
                f"{prefix} [{structure.label(cell)}]: recomputed exactly ({recovered[cell]:g}) "
                "from the linked tables"
            )
    unrecovered = [c for c in targets.tolist() if c not in recovered]
    for interval in intervals(structure, values, hidden, unrecovered):
        value = float(true_values[interval.cell])
        lower, upper = rule.required_range(value, primary=True)
        if interval.low > value - lower + _EPS or interval.high < value + upper - _EPS:
            violations.append(
                f"{prefix} [{structure.label(interval.cell)}]: an attacker reading every "
                f"linked table narrows it to [{interval.low:g}, {interval.high:g}]; the rule "
                f"needs at least [{value - lower:g}, {value + upper:g}]"
            )
    return violations


def _shown(flag: str, value: float) -> str:
    return f"published as {value:g}" if flag == "F" else f"suppressed ({flag})"


def linked_members(
    definitions: Mapping[str, TableDefinition], group: str
) -> tuple[TableDefinition, ...]:
    """The members of ``group`` among ``definitions``, sorted by id."""
    return tuple(sorted((d for d in definitions.values() if d.linked == group), key=lambda d: d.id))
