"""Unprotected tables and drafts never leave the analysts' role, by any URL or API; published
tables download in every format, and downloads are audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from tests.apps.statistics.conftest import END, START, TABLES, World
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.core.models import AuditEvent
from ura.apps.statistics.downloads import FORMATS
from ura.apps.statistics.models import StatTable, TableStatus
from ura.apps.statistics.services import profile_build, table_publish, table_review


@pytest.fixture
def tables(world: World, analyst: User) -> dict[str, StatTable]:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=TABLES)
    return {t.definition_id: t for t in run.tables.all()}


def _urls(table: StatTable) -> list[str]:
    return [
        reverse("statistics:table", args=[table.pk]),
        reverse("statistics:unprotected", args=[table.pk]),
        *(reverse("statistics:download", args=[table.pk, f]) for f in FORMATS),
        f"/api/v1/statistics/tables/{table.pk}",
        *(f"/api/v1/statistics/tables/{table.pk}/download/{f}" for f in FORMATS),
    ]


def test_api_prefix_is_right(client: Client, supervisor: User) -> None:
    login(client, supervisor)
    assert client.get("/api/v1/statistics/tables").status_code == 200


def test_a_non_analyst_reaches_no_draft_and_no_unprotected_cells(
    client: Client, tables: dict[str, StatTable], supervisor: User, second_analyst: User
) -> None:
    login(client, supervisor)
    for table in tables.values():
        for url in _urls(table):
            response = client.get(url)
            assert response.status_code in (403, 404), (url, response.status_code)
    assert client.get("/api/v1/statistics/tables").json() == []
    catalogue = client.get(reverse("statistics:catalogue"))
    assert catalogue.status_code == 200
    assert b"migr_asyappctza" not in catalogue.content
    # Published: readable and downloadable, but the unprotected cells stay out of reach.
    table = tables["migr_asyappctza"]
    table_review(actor=second_analyst, table_id=table.pk)
    table_publish(actor=second_analyst, table_id=table.pk)
    assert client.get(reverse("statistics:table", args=[table.pk])).status_code == 200
    assert client.get(reverse("statistics:unprotected", args=[table.pk])).status_code == 403
    body = client.get(f"/api/v1/statistics/tables/{table.pk}").json()
    values = [c["OBS_VALUE"] for c in body["cells"] if c["OBS_VALUE"] is not None]
    assert values
    assert all(v % 5 == 0 for v in values)


def test_an_analyst_downloads_the_unprotected_cells_audited(
    client: Client, tables: dict[str, StatTable], analyst: User
) -> None:
    login(client, analyst)
    table = tables["migr_asyappctza"]
    response = client.get(reverse("statistics:unprotected", args=[table.pk]))
    assert response.status_code == 200
    assert b"OBS_VALUE" in response.content
    event = AuditEvent.objects.filter(
        object_type="statistics.stattable", object_id=str(table.pk), action="export"
    ).get()
    assert event.detail["unprotected"] is True


def test_published_tables_download_in_every_format_audited(
    client: Client, tables: dict[str, StatTable], second_analyst: User, supervisor: User
) -> None:
    table = tables["migr_asyappctza"]
    table_review(actor=second_analyst, table_id=table.pk)
    table_publish(actor=second_analyst, table_id=table.pk)
    login(client, supervisor)
    for fmt in FORMATS:
        for url in (
            reverse("statistics:download", args=[table.pk, fmt]),
            f"/api/v1/statistics/tables/{table.pk}/download/{fmt}",
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:300])
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
            if fmt == "sdmx-ml":
                names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
                assert any(n.endswith(".structure.xml") for n in names)
            if fmt == "csv":
                assert b"CONF_STATUS" in response.content
    downloads = AuditEvent.objects.filter(
        object_type="statistics.stattable", object_id=str(table.pk), action="export"
    )
    assert downloads.count() == 2 * len(FORMATS)
    assert {e.detail["format"] for e in downloads} == set(FORMATS)
    assert client.get(reverse("statistics:download", args=[table.pk, "pdf"])).status_code == 404
    assert StatTable.objects.get(pk=table.pk).status == TableStatus.PUBLISHED
