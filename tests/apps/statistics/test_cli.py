"""``ura profile build``: from Ura's database, and from Parquet microdata produced elsewhere;
the regional impact page then reads the published tables."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from tests.apps.statistics.conftest import World
from tests.conftest import login
from ura.apps.accounts.models import User
from ura.apps.statistics.models import ProfileRun, StatTable
from ura.apps.statistics.services import frame_from_bytes, table_publish, table_review
from ura.cli import app
from ura.stats import EVENTS_SCHEMA, PERSONS_SCHEMA

runner = CliRunner()

#: Foreign residents (valid family permits at the end of 2024) by province, and work permits.
RESIDENTS = {"TR-34": 200, "TR-06": 60, "TR-35": 40}
WORK = {"c": 50, "f": 30}  # NACE sections, as the microdata write them


def _write_known_microdata(folder: Path) -> None:
    """Syrian women born in 1990 holding family permits: every inner cell is large, so the
    protected table publishes every province."""
    persons, events = [], []
    n = 0
    for province, count in RESIDENTS.items():
        for _ in range(count):
            n += 1
            persons.append(
                {"person_id": f"P{n}", "sex": "F", "birth_date": dt.date(1990, 1, 1),
                 "citizenship": "SYR"}
            )  # fmt: skip
            events.append(
                {"event_id": f"E{n}", "person_id": f"P{n}", "event_type": "residence_permit",
                 "event_date": dt.date(2024, 3, 1), "province": province, "category": "family",
                 "first": True, "unaccompanied": None, "destination": None,
                 "valid_until": dt.date(2025, 3, 1)}
            )  # fmt: skip
    k = 0
    for sector, count in WORK.items():
        for _ in range(count):
            k += 1
            events.append(
                {"event_id": f"W{k}", "person_id": f"P{k}", "event_type": "work_permit",
                 "event_date": dt.date(2024, 5, 1), "province": "TR-34", "category": sector,
                 "first": None, "unaccompanied": None, "destination": None, "valid_until": None}
            )  # fmt: skip
    pq.write_table(pa.Table.from_pylist(persons, schema=PERSONS_SCHEMA), folder / "persons.parquet")
    pq.write_table(pa.Table.from_pylist(events, schema=EVENTS_SCHEMA), folder / "events.parquet")


def test_build_from_the_database(world: World, analyst: User) -> None:
    result = runner.invoke(
        app,
        ["profile", "build", "--user", analyst.username, "--from", "2025-01-01",
         "--to", "2025-12-31", "--table", "migr_asyappctza", "--table", "crim_thb_vexp"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = ProfileRun.objects.get()
    assert "drafts await review" in result.output
    assert sorted(run.tables.values_list("definition_id", flat=True)) == [
        "crim_thb_vexp",
        "migr_asyappctza",
    ]
    assert run.created_by == analyst


def test_build_refuses_bad_input(analyst: User, supervisor: User, tmp_path: Path) -> None:
    base = ["profile", "build", "--from", "2025-01-01", "--to", "2025-12-31"]
    assert runner.invoke(app, base).exit_code == 2  # no --user
    assert runner.invoke(app, [*base, "--user", "nobody"]).exit_code == 2
    assert runner.invoke(app, [*base, "--user", supervisor.username]).exit_code == 2
    bad_date = ["profile", "build", "--user", analyst.username, "--from", "2025-13-01"]
    assert runner.invoke(app, bad_date).exit_code == 2
    empty = runner.invoke(app, [*base, "--user", analyst.username, "--microdata", str(tmp_path)])
    assert empty.exit_code == 2
    assert "persons" in empty.output
    assert not ProfileRun.objects.exists()


def test_build_from_parquet_microdata_feeds_the_regional_page(
    analyst: User, second_analyst: User, supervisor: User, tmp_path: Path, client: Client
) -> None:
    _write_known_microdata(tmp_path)
    result = runner.invoke(
        app,
        ["profile", "build", "--user", analyst.username, "--from", "2024-01-01",
         "--to", "2024-12-31", "--microdata", str(tmp_path),
         "--table", "migr_resvalid", "--table", "ura_work_permits"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = ProfileRun.objects.get()
    assert run.source == str(tmp_path)
    for table in StatTable.objects.filter(run=run):
        table_review(actor=second_analyst, table_id=table.pk)
        table_publish(actor=second_analyst, table_id=table.pk)
    stock = StatTable.objects.get(definition_id="migr_resvalid")
    protected = frame_from_bytes(stock.protected)  # type: ignore[arg-type]
    others = ("REASON", "CITIZEN", "SEX", "AGE")
    by_province = protected[
        (protected[list(others)] == "_T").all(axis=1)
        & protected["GEO"].str.startswith("TR-")
        & protected["OBS_VALUE"].notna()
    ]
    assert dict(zip(by_province["GEO"], by_province["OBS_VALUE"], strict=True)) == RESIDENTS
    login(client, supervisor)
    page = client.get(reverse("statistics:regional")).content.decode()
    assert "Foreigners per 1,000 residents" in page
    assert '<small>TR-34</small></th><td class="num">200</td>' in page
    # Every province has a verified ADNKS population, so every rate is filled and final:
    # 200 in İstanbul's 15,655,924, 60 in Ankara's 5,803,482, and the national 300 in 85,372,377.
    rates = re.findall(
        r'<small>(TR-\d\d)</small></th><td class="num">[\d,]+</td><td class="num">([^<]*)</td>',
        page,
    )
    assert dict(rates) == {"TR-06": "0.01", "TR-34": "0.01", "TR-35": "0.01"}
    assert re.search(r'Total</th><td class="num">300</td><td class="num">0.00</td>', page)
    assert "İstanbul" in page
    assert 'id="spec-chart-provinces"' in page
    assert "Work permits by economic sector" in page
    assert "has not been published" not in page
    assert "62.5 %" in page  # manufacturing: 50 of 80 work permits
