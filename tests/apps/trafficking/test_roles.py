"""Which role holds which trafficking permission (the catalogue after roles_sync)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import make_user
from ura.apps.accounts.models import RoleCode

pytestmark = pytest.mark.django_db

PERMISSIONS = (
    "identify_victim",
    "manage_case",
    "refer_case",
    "approve_closure",
    "reveal_identity",
    "export_htcds",
)
EXPECTED = {
    RoleCode.FIRST_RESPONDER: {"identify_victim"},
    RoleCode.CASEWORKER: {
        "identify_victim",
        "manage_case",
        "refer_case",
        "reveal_identity",
        "export_htcds",
    },
    RoleCode.SUPERVISOR: set(PERMISSIONS),
    RoleCode.PARTNER_NGO: {"manage_case", "reveal_identity"},
    RoleCode.DATA_STEWARD: set(),
    RoleCode.ANALYST: set(),
    RoleCode.AUDITOR: set(),
    RoleCode.ADMINISTRATOR: set(),
}


@pytest.mark.parametrize("role", list(RoleCode))
def test_each_role_holds_exactly_its_trafficking_permissions(role: RoleCode) -> None:
    user = make_user(role=role)
    held = {p for p in PERMISSIONS if user.has_perm(f"trafficking.{p}")}
    assert held == EXPECTED[role]


@pytest.mark.parametrize(
    ("role", "status"),
    [(RoleCode.FIRST_RESPONDER, 200), (RoleCode.PARTNER_NGO, 200), (RoleCode.ANALYST, 403)],
)
def test_the_trafficking_home_page_is_for_those_who_work_on_cases(
    role: RoleCode, status: int
) -> None:
    user = make_user(role=role)
    assert login(Client(), user).get("/trafficking/").status_code == status
