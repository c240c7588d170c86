"""Linked tables in the app: built together, stored with the group named, and audited as a
group again when one of them is published. And the stored records of tables built before the
rule names were unified."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from django.apps import apps
from django.db import connection

from tests.apps.statistics.conftest import END, START, World
from ura.apps.accounts.models import User
from ura.apps.statistics import services
from ura.apps.statistics.models import ProfileRun, StatTable, TableStatus
from ura.apps.statistics.services import (
    PublicationRefusedError,
    frame_to_bytes,
    profile_build,
    table_publish,
    table_review,
)
from ura.stats import definitions as stats_definitions


def frame_from_bytes(data: bytes | memoryview | None) -> pd.DataFrame:
    assert data is not None
    return services.frame_from_bytes(data)


_APPLICANTS = """
id: {id}
version: 1
title: Applicants for international protection
measure: persons
unit: PER
frequency: A
age_reference: event
select: {{event_types: [asylum_application]}}
dimensions:
  - {{id: CITIZEN, source: citizenship}}
  - {dimension}
sensitivity: public
protection: {{rule: suppression, threshold: 9}}
linked: applicants
"""


@pytest.fixture
def linked_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The standard set plus applicants by citizenship x sex and by citizenship x age,
    declared linked, with a threshold of 9 so that the world's 8 Syrian men are small."""
    for path in stats_definitions.DEFINITIONS_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for table_id, dimension in (
        ("ura_applicants_sex", "{id: SEX, source: sex}"),
        ("ura_applicants_age", "{id: AGE, source: age}"),
    ):
        (tmp_path / f"{table_id}.yaml").write_text(
            _APPLICANTS.format(id=table_id, dimension=dimension), encoding="utf-8"
        )
    original = stats_definitions.load_definitions

    def load(directory: Path = tmp_path, ids: object = None) -> object:
        return original(directory, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "load_definitions", load)
    return tmp_path


def test_a_linked_table_is_built_protected_and_published_with_its_group(
    world: World, analyst: User, second_analyst: User, linked_definitions: Path
) -> None:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=["ura_applicants_sex"])
    tables = {t.definition_id: t for t in run.tables.all()}
    assert set(tables) == {"ura_applicants_sex", "ura_applicants_age"}
    for table in tables.values():
        assert table.audit_passed, table.violations
        assert table.disclosure["rule"] == "suppression"
        assert table.disclosure["linked"] == "applicants"
    by_sex = frame_from_bytes(tables["ura_applicants_sex"].protected)
    by_age = frame_from_bytes(tables["ura_applicants_age"].protected)
    # The citizenship totals are one set of cells in both tables.
    totals_sex = by_sex[by_sex["SEX"] == "_T"].set_index("CITIZEN")
    totals_age = by_age[by_age["AGE"] == "_T"].set_index("CITIZEN")
    assert totals_sex["CONF_STATUS"].to_dict() == totals_age["CONF_STATUS"].to_dict()
    # Both are cut from one cover table: 30 applicants in 2025 (20 Syrian, 10 Afghan).
    for table in tables.values():
        raw = frame_from_bytes(table.raw)
        assert raw.loc[
            (raw.iloc[:, 2] == "_T") & (raw.iloc[:, 3] == "_T"), "OBS_VALUE"
        ].tolist() == [30]
    assert (by_sex["CONF_STATUS"] == "C").any()

    table = tables["ura_applicants_sex"]
    table_review(actor=second_analyst, table_id=table.pk)
    assert table_publish(actor=analyst, table_id=table.pk).status == TableStatus.PUBLISHED


def test_publishing_a_cell_the_linked_table_suppresses_is_refused(
    world: World, analyst: User, second_analyst: User, linked_definitions: Path
) -> None:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=["ura_applicants_age"])
    by_sex = run.tables.get(definition_id="ura_applicants_sex")
    by_age = run.tables.get(definition_id="ura_applicants_age")
    protected = frame_from_bytes(by_sex.protected)
    hidden = protected["CONF_STATUS"] != "F"
    assert hidden.any()
    raw = frame_from_bytes(by_sex.raw).set_index(["TIME_PERIOD", "CITIZEN", "SEX"])["OBS_VALUE"]
    # Someone edits the stored table by sex to publish its suppressed cells.
    for index in protected.index[hidden]:
        key = tuple(protected.loc[index, ["TIME_PERIOD", "CITIZEN", "SEX"]])
        protected.loc[index, "OBS_VALUE"] = int(raw.get(key, 0))
        protected.loc[index, "CONF_STATUS"] = "F"
    StatTable.objects.filter(pk=by_sex.pk).update(protected=frame_to_bytes(protected))
    table_review(actor=second_analyst, table_id=by_age.pk)
    with pytest.raises(PublicationRefusedError) as refused:
        table_publish(actor=analyst, table_id=by_age.pk)
    assert any(v.startswith("linked applicants [") for v in refused.value.violations)


def test_a_linked_table_without_its_group_is_not_published(
    world: World, analyst: User, second_analyst: User, linked_definitions: Path
) -> None:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=["ura_applicants_age"])
    run.tables.filter(definition_id="ura_applicants_sex").delete()
    table = run.tables.get()
    table_review(actor=second_analyst, table_id=table.pk)
    with pytest.raises(PublicationRefusedError) as refused:
        table_publish(actor=analyst, table_id=table.pk)
    assert any("ura_applicants_sex" in v for v in refused.value.violations)


@pytest.mark.django_db
def test_stored_records_get_the_definitions_rule_names(analyst: User) -> None:
    migration = importlib.import_module("ura.apps.statistics.migrations.0003_disclosure_rule_names")
    run = ProfileRun.objects.create(
        period_start=START, period_end=END, as_of=END, engine="duckdb", source="ura"
    )
    old = {
        "crim_thb_vexp": {"method": "suppression+rounding", "threshold": 10},
        "ura_dashboard": {"method": "dp", "epsilon": 1.0},
        "migr_eiord": {"method": "suppression"},
        "ura_empty": {},
    }
    for table_id, record in old.items():
        StatTable.objects.create(
            run=run,
            definition_id=table_id,
            definition_version=1,
            title=table_id,
            measure="persons",
            unit="PER",
            frequency="A",
            sensitivity="public",
            raw=b"",
            disclosure=record,
        )
    editor = SimpleNamespace(connection=connection)
    migration.forwards(apps, editor)
    stored = {t.definition_id: t.disclosure for t in StatTable.objects.all()}
    assert stored == {
        "crim_thb_vexp": {"rule": "strict", "threshold": 10},
        "ura_dashboard": {"rule": "differential_privacy", "epsilon": 1.0},
        "migr_eiord": {"rule": "suppression"},
        "ura_empty": {},
    }
    migration.backwards(apps, editor)
    assert {t.definition_id: t.disclosure for t in StatTable.objects.all()} == old
