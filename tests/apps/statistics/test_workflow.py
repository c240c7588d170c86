"""The release workflow: draft → reviewed (by another analyst) → published (auditor again)."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.apps.statistics.conftest import END, START, World
from ura.apps.accounts.models import User
from ura.apps.core.models import AuditEvent
from ura.apps.statistics.models import StatTable, TableStatus
from ura.apps.statistics.services import (
    PublicationRefusedError,
    frame_from_bytes,
    frame_to_bytes,
    profile_build,
    table_publish,
    table_review,
)


@pytest.fixture
def draft(world: World, analyst: User) -> StatTable:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=["migr_asyappctza"])
    return run.tables.get()


def _steps(table: StatTable) -> list[str]:
    return [
        str(e.detail.get("step"))
        for e in AuditEvent.objects.filter(
            object_type="statistics.stattable", object_id=str(table.pk)
        ).order_by("pk")
        if e.detail.get("step")
    ]


def test_review_then_publish_by_another_analyst(
    draft: StatTable, analyst: User, second_analyst: User
) -> None:
    reviewed = table_review(actor=second_analyst, table_id=draft.pk)
    assert reviewed.status == TableStatus.REVIEWED
    assert reviewed.reviewed_by == second_analyst
    published = table_publish(actor=analyst, table_id=draft.pk)
    assert published.status == TableStatus.PUBLISHED
    assert published.published_by == analyst
    assert published.audit_passed
    assert _steps(draft) == ["review", "publish"]


def test_the_builder_may_not_review_their_own_table(draft: StatTable, analyst: User) -> None:
    with pytest.raises(PermissionDenied):
        table_review(actor=analyst, table_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == TableStatus.DRAFT


def test_a_draft_cannot_be_published_unreviewed(draft: StatTable, second_analyst: User) -> None:
    with pytest.raises(ValidationError):
        table_publish(actor=second_analyst, table_id=draft.pk)


def test_non_analysts_neither_review_nor_publish(draft: StatTable, supervisor: User) -> None:
    with pytest.raises(PermissionDenied):
        table_review(actor=supervisor, table_id=draft.pk)
    with pytest.raises(PermissionDenied):
        table_publish(actor=supervisor, table_id=draft.pk)


def test_the_auditor_refuses_a_tampered_table_and_shows_why(
    draft: StatTable, analyst: User, second_analyst: User
) -> None:
    table_review(actor=second_analyst, table_id=draft.pk)
    # Someone puts a true, unrounded count back into the protected table.
    protected = frame_from_bytes(draft.protected)  # type: ignore[arg-type]
    raw = frame_from_bytes(draft.raw)
    key = ["TIME_PERIOD", "ASYL_APP", "CITIZEN", "SEX", "AGE"]
    merged = protected.merge(raw[[*key, "OBS_VALUE"]], on=key, how="left", suffixes=("", "_true"))
    odd = merged["OBS_VALUE_true"].fillna(0) % 5 != 0
    assert odd.any()
    protected.loc[odd.to_numpy(), "OBS_VALUE"] = merged.loc[odd, "OBS_VALUE_true"].astype("int64")
    StatTable.objects.filter(pk=draft.pk).update(protected=frame_to_bytes(protected))
    with pytest.raises(PublicationRefusedError) as refused:
        table_publish(actor=analyst, table_id=draft.pk)
    assert refused.value.violations
    draft.refresh_from_db()
    assert draft.status == TableStatus.REVIEWED
    assert not draft.audit_passed
    assert draft.violations == refused.value.violations
    assert _steps(draft) == ["review", "publish_refused"]
    assert pd.notna(protected["OBS_VALUE"]).any()
