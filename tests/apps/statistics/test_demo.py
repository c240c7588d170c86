"""The demo's statistics: built from the cases and a register extract, reviewed by the second
analyst, published where the auditor passes; the pages are populated; re-running adds none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.apps.statistics.conftest import World
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.statistics.models import ProfileRun, StatTable, TableStatus
from ura.web.demo_statistics import BUILDER, REVIEWER, demo_statistics_load


def test_demo_statistics_are_published_and_shown(
    world: World,
    analyst: User,
    second_analyst: User,
    supervisor: User,
    client: Client,
    settings: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    users = {BUILDER: analyst, REVIEWER: second_analyst}
    published = demo_statistics_load(users)
    assert published > 0
    assert ProfileRun.objects.count() == 2
    tables = StatTable.objects.filter(status=TableStatus.PUBLISHED)
    assert tables.count() == published
    assert set(tables.values_list("reviewed_by", flat=True)) == {second_analyst.pk}
    assert {"migr_asyappctza", "migr_resvalid"} <= set(
        tables.values_list("definition_id", flat=True)
    )
    login(client, supervisor)
    page = client.get(reverse("statistics:regional")).content.decode()
    assert "has not been published yet" not in page
    assert "İstanbul" in page
    assert demo_statistics_load(users) == 0
    assert ProfileRun.objects.count() == 2
