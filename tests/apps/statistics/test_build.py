"""Building a profile: every table stored unprotected and protected, with the auditor's
verdict; figures equal the known world."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.apps.statistics.conftest import END, START, TABLES, World
from ura.apps.accounts.models import User
from ura.apps.core.models import AuditEvent, Job, JobStatus
from ura.apps.statistics.models import ProfileRun, RunStatus, StatTable, TableStatus
from ura.apps.statistics.services import frame_from_bytes, profile_build
from ura.apps.statistics.tasks import profile_build_start


def _cell(frame: pd.DataFrame, **codes: str) -> object:
    mask = pd.Series(True, index=frame.index)
    for dimension, code in codes.items():
        mask &= frame[dimension] == code
    rows = frame[mask]
    assert len(rows) == 1, (codes, len(rows))
    return rows["OBS_VALUE"].iloc[0]


def test_a_build_stores_each_table_raw_and_protected(world: World, analyst: User) -> None:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=TABLES)
    assert run.status == RunStatus.SUCCEEDED
    assert run.figures["persons"] >= len(world.persons)
    tables = {t.definition_id: t for t in run.tables.all()}
    assert set(tables) == set(TABLES)
    assert run.definitions == {t: tables[t].definition_version for t in TABLES}
    for table in tables.values():
        assert table.status == TableStatus.DRAFT
        assert table.built_by == analyst
        assert table.audit_passed, table.violations
    raw = frame_from_bytes(tables["migr_asyappctza"].raw)
    # 20 Syrian applicants in March 2025 (12 women), 10 Afghans; the 2024 one is outside.
    assert _cell(raw, TIME_PERIOD="2025-03", ASYL_APP="_T", CITIZEN="_T", SEX="_T", AGE="_T") == 30
    assert _cell(raw, TIME_PERIOD="2025-03", ASYL_APP="_T", CITIZEN="SY", SEX="F", AGE="_T") == 12
    protected = frame_from_bytes(tables["migr_asyappctza"].protected)  # type: ignore[arg-type]
    assert (protected["OBS_VALUE"].dropna() % 5 == 0).all()  # rounded to base 5
    assert protected["ROUNDED"].all()
    victims = frame_from_bytes(tables["crim_thb_vexp"].protected)  # type: ignore[arg-type]
    # 13 victims: the strict rule hides every cell below 10 and rounds the rest.
    inner = victims[(victims["EXPLOIT"] != "_T") & (victims["CITIZEN"] != "_T")]
    assert inner["OBS_VALUE"].isna().all()
    assert tables["crim_thb_vexp"].hidden_cells > 0
    # 16 decisions, 8 positive: 12 for Syrian women (6 positive), 4 for Syrian men. The
    # analysts' rate is exact; the published one is the share of the published (rounded)
    # decisions, withheld where fewer than 10 published decisions are behind it.
    exact = frame_from_bytes(tables["ura_asy_recognition_rate"].raw)
    assert _cell(exact, TIME_PERIOD="2025", CITIZEN="_T", SEX="_T") == pytest.approx(50.0)
    assert _cell(exact, TIME_PERIOD="2025", CITIZEN="SY", SEX="F") == pytest.approx(50.0)
    rates = frame_from_bytes(tables["ura_asy_recognition_rate"].protected)  # type: ignore[arg-type]
    decisions = frame_from_bytes(tables["migr_asydcfsta"].protected)  # type: ignore[arg-type]
    for citizen, sex in (("_T", "_T"), ("SY", "F"), ("SY", "M"), ("_T", "M")):
        cell = {"TIME_PERIOD": "2025-Q3", "CITIZEN": citizen, "SEX": sex, "AGE": "_T"}
        positive = _cell(decisions, DECISION="TOTAL_POS", **cell)
        total = _cell(decisions, DECISION="_T", **cell)
        rate = _cell(rates, TIME_PERIOD="2025", CITIZEN=citizen, SEX=sex)
        if total >= 10:  # type: ignore[operator]
            assert rate == pytest.approx(100 * positive / total)  # type: ignore[operator]
        else:
            assert pd.isna(rate)
    assert pd.isna(_cell(rates, TIME_PERIOD="2025", CITIZEN="SY", SEX="M"))  # 4, published 5
    assert AuditEvent.objects.filter(
        object_type="statistics.profilerun", object_id=str(run.pk), action="export"
    ).exists()


def test_only_analysts_build(world: World, supervisor: User) -> None:
    with pytest.raises(PermissionDenied):
        profile_build(actor=supervisor, start=START, end=END, table_ids=TABLES)
    assert not ProfileRun.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused(analyst: User) -> None:
    with pytest.raises(ValidationError):
        profile_build(actor=analyst, start=END, end=START)


def test_an_unknown_table_is_refused(analyst: User) -> None:
    with pytest.raises(ValidationError):
        profile_build(actor=analyst, start=START, end=END, table_ids=["no_such_table"])


@pytest.mark.usefixtures("immediate_tasks")
def test_a_build_runs_as_a_job_with_progress(world: World, analyst: User) -> None:
    job = profile_build_start(actor=analyst, start=START, end=END, as_of=END)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    run = ProfileRun.objects.get()
    assert run.job_id == job.pk
    assert job.result["run"] == run.pk
    assert job.done == job.total
    assert StatTable.objects.filter(run=run).count() == len(run.definitions)
    assert Job.objects.filter(pk=job.pk, requested_by=analyst).exists()
