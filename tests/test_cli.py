"""The ``ura`` command: administration and demo commands through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories import make_unit
from ura.apps.accounts.models import RoleAssignment, RoleCode, User
from ura.apps.core.models import AuditAction, AuditEvent
from ura.cli import app
from ura.web.demo import DEMO_PASSWORD

runner = CliRunner()
STRONG = "a long passphrase for Ura 2026"


def test_help_lists_the_commands() -> None:
    """``ura --help`` names every command a newcomer needs."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "worker", "createadmin", "audit", "token", "migrate"):
        assert command in result.output


@pytest.mark.django_db
def test_createadmin_creates_an_audited_administrator() -> None:
    """The new user holds the administrator role, may use the admin, and is audited."""
    unit = make_unit()
    result = runner.invoke(
        app,
        ["createadmin", "admin.new", "--unit", f"{unit.agency.code}/{unit.code}"],
        input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="admin.new")
    assert user.is_staff
    assert not user.is_superuser
    assert user.check_password(STRONG)
    assert RoleAssignment.objects.get(user=user).role.code == RoleCode.ADMINISTRATOR
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, detail__role=RoleCode.ADMINISTRATOR.value
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit_arg", "password"),
    [("no-such/unit", STRONG), (None, "short"), (None, "password123456")],
)
def test_createadmin_refuses_bad_input_and_creates_nobody(
    unit_arg: str | None, password: str
) -> None:
    """An unknown unit or a weak password gives exit code 2 and no user."""
    unit = make_unit()
    result = runner.invoke(
        app,
        ["createadmin", "admin.bad", "--unit", unit_arg or f"{unit.agency.code}/{unit.code}"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 2
    assert not User.objects.filter(username="admin.bad").exists()


@pytest.mark.django_db
def test_demo_prints_the_logins() -> None:
    """``ura demo`` loads the scenario and prints each demo user and the password."""
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    assert "Removals: 7 forced-return cases" in result.output
    for username in User.objects.values_list("username", flat=True):
        assert username in result.output


def test_pipeline_commands_require_a_steward(tmp_path: Path) -> None:
    """ingest, link and index export refuse to run for nobody, and name what is missing."""
    for args in (["ingest", str(tmp_path / "m.yaml")], ["link"], ["index", "export", "x.parquet"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "--user is required" in result.output


@pytest.mark.django_db
def test_synth_ingest_link_and_export_from_the_command_line(tmp_path: Path) -> None:
    """The data steward's pipeline end to end: extracts, ingest, link, Parquet export."""
    import pyarrow.parquet as pq

    from tests.factories import make_agency, make_user
    from ura.apps.accounts.models import Scope

    agency = make_agency(code="DGMM")
    steward = make_user(role=RoleCode.DATA_STEWARD, scope=Scope.ALL, unit=make_unit(agency=agency))
    out = tmp_path / "extracts"
    assert runner.invoke(app, ["synth", str(out), "--persons", "300"]).exit_code == 0
    mapping = out / "dgmm-registration.mapping.yaml"
    extract = next(out.glob("dgmm_*.csv"))
    ingested = runner.invoke(
        app, ["ingest", str(mapping), str(extract), "--user", steward.username]
    )
    assert ingested.exit_code == 0, ingested.output
    assert "quarantined" in ingested.output
    assert "completeness" in ingested.output  # the data-quality report
    linked = runner.invoke(app, ["link", "--user", steward.username])
    assert linked.exit_code == 0, linked.output
    assert "published" in linked.output
    again = runner.invoke(app, ["link", "--incremental", "--user", steward.username])
    assert "Nothing new to link" in again.output
    target = tmp_path / "index.parquet"
    exported = runner.invoke(app, ["index", "export", str(target), "--user", steward.username])
    assert exported.exit_code == 0, exported.output
    table = pq.read_table(target)
    assert {"source", "record_id", "person_id", "match_probability"} <= set(table.column_names)
    assert table.num_rows > 0
    bad = runner.invoke(app, ["ingest", str(tmp_path / "missing.yaml"), "--user", steward.username])
    assert bad.exit_code == 2
