"""The recognition rate in the app: built with its source table, from the source's stored
protected counts, and published only after its source; the auditor derives it again."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

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

RATE, SOURCE = "ura_asy_recognition_rate", "migr_asydcfsta"


def frame_from_bytes(data: bytes | memoryview | None) -> pd.DataFrame:
    assert data is not None
    return services.frame_from_bytes(data)


@pytest.fixture
def run(world: World, analyst: User) -> ProfileRun:
    """A run asked for the rate alone."""
    return profile_build(actor=analyst, start=START, end=END, table_ids=[RATE])


def _reviewed(run: ProfileRun, reviewer: User) -> tuple[StatTable, StatTable]:
    rate, source = (run.tables.get(definition_id=t) for t in (RATE, SOURCE))
    for table in (rate, source):
        table_review(actor=reviewer, table_id=table.pk)
    return rate, source


def test_the_rate_is_built_with_its_source_from_the_published_counts(run: ProfileRun) -> None:
    tables = {t.definition_id: t for t in run.tables.all()}
    assert set(tables) == {RATE, SOURCE}
    rate = tables[RATE]
    assert rate.definition_version == 2
    assert rate.disclosure["derived_from"] == SOURCE
    assert rate.audit_passed, rate.violations
    decisions = frame_from_bytes(tables[SOURCE].protected)
    decisions = decisions[decisions["AGE"] == "_T"].set_index(["CITIZEN", "SEX", "DECISION"])
    shares = frame_from_bytes(rate.protected)
    assert set(shares["TIME_PERIOD"]) == {"2025"}  # every decision is in 2025-Q3
    for row in shares.itertuples(index=False):
        total = float(decisions.loc[(row.CITIZEN, row.SEX, "_T"), "OBS_VALUE"])
        positive = float(decisions.loc[(row.CITIZEN, row.SEX, "TOTAL_POS"), "OBS_VALUE"])
        value = row.OBS_VALUE
        if total >= 10:
            assert row.CONF_STATUS == "F"
            assert value == pytest.approx(100 * positive / total)
        else:
            assert row.CONF_STATUS == "C"
            assert pd.isna(value)
    # The analysts' table is the exact rate: 8 positive decisions of 16.
    exact = frame_from_bytes(rate.raw)
    everyone = exact[(exact["CITIZEN"] == "_T") & (exact["SEX"] == "_T")]
    assert everyone["OBS_VALUE"].tolist() == [pytest.approx(50.0)]
    counts = frame_from_bytes(rate.denominators)
    assert {"NUMERATOR", "DENOMINATOR"} <= set(counts.columns)


def test_the_rate_is_published_after_its_source(
    run: ProfileRun, analyst: User, second_analyst: User
) -> None:
    """A share of counts nobody can read yet is not published ahead of them; each table
    keeps its own review."""
    rate, source = _reviewed(run, second_analyst)
    with pytest.raises(ValidationError, match=f"Publish {SOURCE} of this run first"):
        table_publish(actor=analyst, table_id=rate.pk)
    rate.refresh_from_db()
    assert rate.status == TableStatus.REVIEWED
    table_publish(actor=analyst, table_id=source.pk)
    assert table_publish(actor=analyst, table_id=rate.pk).status == TableStatus.PUBLISHED


def test_an_exact_share_put_back_is_refused(
    run: ProfileRun, analyst: User, second_analyst: User
) -> None:
    rate, source = _reviewed(run, second_analyst)
    table_publish(actor=analyst, table_id=source.pk)
    original = frame_from_bytes(rate.protected)
    exact = frame_from_bytes(rate.raw).set_index(["CITIZEN", "SEX"])["OBS_VALUE"]
    tampered = original.copy()
    shown = tampered["CONF_STATUS"] == "F"
    assert shown.any()
    keys = pd.MultiIndex.from_frame(tampered.loc[shown, ["CITIZEN", "SEX"]])
    tampered.loc[shown, "OBS_VALUE"] = exact.reindex(keys).to_numpy()
    assert not tampered["OBS_VALUE"].equals(original["OBS_VALUE"])
    StatTable.objects.filter(pk=rate.pk).update(protected=frame_to_bytes(tampered))
    with pytest.raises(PublicationRefusedError) as refused:
        table_publish(actor=analyst, table_id=rate.pk)
    assert any(f"the published counts of {SOURCE} give" in v for v in refused.value.violations)
    StatTable.objects.filter(pk=rate.pk).update(protected=frame_to_bytes(original))
    assert table_publish(actor=analyst, table_id=rate.pk).status == TableStatus.PUBLISHED


def test_a_rate_without_its_protected_source_in_the_run_is_refused(
    run: ProfileRun, analyst: User, second_analyst: User
) -> None:
    rate, source = _reviewed(run, second_analyst)
    table_publish(actor=analyst, table_id=source.pk)
    StatTable.objects.filter(pk=source.pk).update(protected=None)
    with pytest.raises(ValidationError, match=f"protected counts of {SOURCE}, which has none"):
        table_publish(actor=analyst, table_id=rate.pk)
    StatTable.objects.filter(pk=source.pk).delete()
    with pytest.raises(ValidationError, match=f"this run has no {SOURCE}: build them again"):
        table_publish(actor=analyst, table_id=rate.pk)
    rate.refresh_from_db()
    assert rate.status == TableStatus.REVIEWED


def test_a_rate_built_as_exact_shares_is_not_published(
    run: ProfileRun, analyst: User, second_analyst: User
) -> None:
    """Version 1 of the rate stored exact shares, protected by their true denominators: a
    draft of it left from before is refused, and the analyst builds it again."""
    rate, source = _reviewed(run, second_analyst)
    table_publish(actor=analyst, table_id=source.pk)
    record = {k: v for k, v in rate.disclosure.items() if k != "derived_from"}
    StatTable.objects.filter(pk=rate.pk).update(
        disclosure=record, definition_version=1, protected=rate.raw
    )
    with pytest.raises(PublicationRefusedError) as refused:
        table_publish(actor=analyst, table_id=rate.pk)
    assert refused.value.violations == [
        "The table was built as exact shares (version 1 of its definition), which beside the "
        f"rounded counts of {SOURCE} can give them away: build it again."
    ]
