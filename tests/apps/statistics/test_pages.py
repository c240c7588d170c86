"""The pages render, with their release actions, charts, regional and international figures."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.apps.statistics.conftest import END, START, World
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.core.models import Job
from ura.apps.statistics.models import StatTable
from ura.apps.statistics.services import profile_build, table_publish, table_review
from ura.stats.reference.unhcr import CITATION


@pytest.fixture
def table(world: World, analyst: User) -> StatTable:
    run = profile_build(actor=analyst, start=START, end=END, table_ids=["migr_asyappctza"])
    return run.tables.get()


def test_catalogue_and_table_for_the_builder_and_the_reviewer(
    client: Client, table: StatTable, analyst: User, second_analyst: User
) -> None:
    login(client, analyst)
    page = client.get(reverse("statistics:catalogue")).content.decode()
    assert "migr_asyappctza" in page
    assert "Draft" in page
    page = client.get(reverse("statistics:table", args=[table.pk])).content.decode()
    assert "Mark reviewed" not in page  # the builder may not review
    assert "Another analyst" in page
    assert 'class="vega-chart"' in page
    assert "vega-embed.min.js" in page
    # The 30 applicants of March 2025, rounded (a multiple of 5 already) and flagged.
    assert re.search(r'<td class="num">30 <small class="flags">r</small></td>', page)
    client.logout()
    login(client, second_analyst)
    page = client.get(reverse("statistics:table", args=[table.pk])).content.decode()
    assert "Mark reviewed" in page
    response = client.post(reverse("statistics:review", args=[table.pk]), follow=True)
    assert "Publish" in response.content.decode()
    response = client.post(reverse("statistics:publish", args=[table.pk]), follow=True)
    assert "The table is published." in response.content.decode()


def test_filters_choose_the_cross_table(client: Client, table: StatTable, analyst: User) -> None:
    login(client, analyst)
    url = reverse("statistics:table", args=[table.pk])
    page = client.get(url, {"rows": "SEX", "cols": "CITIZEN", "TIME_PERIOD": "2025-03"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "SEX \\ CITIZEN" in text


def test_regional_page_from_published_tables(
    client: Client, world: World, analyst: User, second_analyst: User, supervisor: User
) -> None:
    login(client, supervisor)
    page = client.get(reverse("statistics:regional")).content.decode()
    assert "has not been published yet" in page


def test_international_page_cites_unhcr_and_shows_the_source_figures(
    client: Client, supervisor: User
) -> None:
    login(client, supervisor)
    page = client.get(reverse("statistics:international")).content.decode()
    assert CITATION in page.replace("&#x27;", "'")
    assert "56,417" in page  # Türkiye's asylum applications in 2019


def test_runs_page_starts_a_build_job(
    client: Client, world: World, analyst: User, supervisor: User, immediate_tasks: None
) -> None:
    login(client, supervisor)
    assert client.get(reverse("statistics:runs")).status_code == 403
    client.logout()
    login(client, analyst)
    assert client.get(reverse("statistics:runs")).status_code == 200
    response = client.post(
        reverse("statistics:runs"),
        {"start": START.isoformat(), "end": END.isoformat(), "as_of": "", "engine": "duckdb"},
    )
    job = Job.objects.get(kind="statistics_profile_build")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/jobs/{job.pk}/")
    bad = client.post(
        reverse("statistics:runs"),
        {"start": END.isoformat(), "end": START.isoformat(), "engine": "duckdb"},
    )
    assert bad.status_code == 200
    assert "ends before it starts" in bad.content.decode()


def test_the_navigation_shows_statistics(client: Client, supervisor: User) -> None:
    login(client, supervisor)
    assert reverse("statistics:catalogue") in client.get("/").content.decode()


def test_after_publication_the_supervisor_sees_the_table(
    client: Client, table: StatTable, second_analyst: User, supervisor: User
) -> None:
    table_review(actor=second_analyst, table_id=table.pk)
    table_publish(actor=second_analyst, table_id=table.pk)
    login(client, supervisor)
    page = client.get(reverse("statistics:catalogue")).content.decode()
    assert "migr_asyappctza" in page
    page = client.get(reverse("statistics:table", args=[table.pk])).content.decode()
    assert "Unprotected" not in page
    assert "Mark reviewed" not in page
