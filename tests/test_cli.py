"""The ``ura`` command: administration and demo commands through the real CLI."""

from __future__ import annotations

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
    for username in User.objects.values_list("username", flat=True):
        assert username in result.output
