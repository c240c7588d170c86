"""The need-to-know matrix for cases: role x scope x case position x restricted x action.

The expected outcome of every cell comes from the rules written out here by hand, from the
documented intent (ARCHITECTURE.md §4, PROCEDURES.md, ``cases.access``), never from
``cases/roles.py`` or ``accounts.policy``:

* caseworkers, supervisors and partner NGO staff may view and change cases, first responders
  only view them; data stewards, analysts, auditors and administrators see no case at all;
* a scope reaches the cases the user opened or is assigned to (own), their unit's, their
  agency's, or all — but never a **restricted** case;
* a user assigned to a case reaches it, restricted or not;
* an active explicit grant reaches the case for viewing, and for changing when it says so;
  a revoked grant reaches nothing.

Each cell is checked through ``access.may`` and over HTTP (detail ``GET`` for view,
``PATCH`` for change, and the list must show exactly the viewable cases).
"""

from __future__ import annotations

import enum
import json

import pytest
from django.test import Client

from tests.apps.cases.factories import make_case
from tests.conftest import login
from tests.factories import make_unit, make_user
from ura.apps.accounts.models import RoleCode, Scope, User
from ura.apps.accounts.policy import Action
from ura.apps.accounts.services import access_grant_create, access_grant_revoke
from ura.apps.cases.access import may
from ura.apps.cases.models import Case

pytestmark = pytest.mark.django_db

PERMISSIONS: dict[RoleCode, frozenset[Action]] = {
    RoleCode.CASEWORKER: frozenset({"view", "change"}),
    RoleCode.SUPERVISOR: frozenset({"view", "change"}),
    RoleCode.FIRST_RESPONDER: frozenset({"view", "change"}),
    RoleCode.PARTNER_NGO: frozenset({"view", "change"}),
    RoleCode.DATA_STEWARD: frozenset(),
    RoleCode.ANALYST: frozenset(),
    RoleCode.AUDITOR: frozenset(),
    RoleCode.ADMINISTRATOR: frozenset(),
}
TWO_FACTOR_ROLES = frozenset({RoleCode.AUDITOR, RoleCode.ADMINISTRATOR})


class Position(enum.Enum):
    OPENED_BY_USER = "opened_by_user_not_assigned"
    SAME_UNIT = "same_unit"
    SAME_AGENCY = "same_agency_other_unit"
    OTHER_AGENCY = "other_agency"
    ASSIGNED = "same_agency_other_unit_assigned_to_user"
    GRANT_USER_VIEW = "other_agency_view_grant_to_user"
    GRANT_UNIT_CHANGE = "other_agency_change_grant_to_unit"
    GRANT_REVOKED = "other_agency_revoked_change_grant_to_user"


IN_SCOPE: dict[Scope, frozenset[Position]] = {
    Scope.OWN: frozenset({Position.OPENED_BY_USER}),
    Scope.UNIT: frozenset({Position.OPENED_BY_USER, Position.SAME_UNIT}),
    Scope.AGENCY: frozenset({Position.OPENED_BY_USER, Position.SAME_UNIT, Position.SAME_AGENCY}),
    Scope.ALL: frozenset(Position),
}


def expected(
    role: RoleCode, scope: Scope, action: Action, position: Position, restricted: bool
) -> bool:
    if action not in PERMISSIONS[role]:
        return False
    if position is Position.ASSIGNED or position is Position.GRANT_UNIT_CHANGE:
        return True
    if position is Position.GRANT_USER_VIEW and action == "view":
        return True
    return not restricted and position in IN_SCOPE[scope]


def _world(role: RoleCode, scope: Scope) -> tuple[User, dict[tuple[Position, bool], Case]]:
    unit = make_unit()
    user = make_user(role=role, scope=scope, unit=unit)
    colleague = make_user(role=RoleCode.CASEWORKER, unit=unit)
    sibling = make_user(role=RoleCode.CASEWORKER, unit=make_unit(agency=unit.agency))
    stranger = make_user(role=RoleCode.CASEWORKER)
    cases: dict[tuple[Position, bool], Case] = {}
    for restricted in (False, True):

        def case(owner: User, *assigned: User, r: bool = restricted) -> Case:
            return make_case(owner=owner, restricted=r, assigned=assigned)

        cases[Position.OPENED_BY_USER, restricted] = case(user)
        cases[Position.SAME_UNIT, restricted] = case(colleague, colleague)
        cases[Position.SAME_AGENCY, restricted] = case(sibling, sibling)
        cases[Position.OTHER_AGENCY, restricted] = case(stranger, stranger)
        cases[Position.ASSIGNED, restricted] = case(sibling, sibling, user)
        granted = case(stranger)
        access_grant_create(actor=None, obj=granted, reason="test", user=user)
        cases[Position.GRANT_USER_VIEW, restricted] = granted
        granted = case(stranger)
        access_grant_create(actor=None, obj=granted, reason="test", unit=unit, can_change=True)
        cases[Position.GRANT_UNIT_CHANGE, restricted] = granted
        revoked = case(stranger)
        grant = access_grant_create(
            actor=None, obj=revoked, reason="test", user=user, can_change=True
        )
        access_grant_revoke(actor=None, grant=grant)
        cases[Position.GRANT_REVOKED, restricted] = revoked
    return user, cases


ROLES_AND_SCOPES = [(role, scope) for role in RoleCode for scope in Scope]


@pytest.mark.parametrize(("role", "scope"), ROLES_AND_SCOPES)
def test_case_access_matrix(role: RoleCode, scope: Scope) -> None:
    user, cases = _world(role, scope)
    wrong: list[tuple[object, ...]] = []
    for (position, restricted), case in cases.items():
        for action in ("view", "change"):
            want = expected(role, scope, action, position, restricted)
            if may(user, action, case) != want:
                wrong.append((action, position.value, restricted, want))
    assert not wrong, wrong
    if role in TWO_FACTOR_ROLES:
        return  # the API needs their second factor; they hold no case permission anyway
    client = login(Client(), user)
    for (position, restricted), case in cases.items():
        view = client.get(f"/api/v1/cases/{case.pk}").status_code
        if view != (200 if expected(role, scope, "view", position, restricted) else 404):
            wrong.append(("http view", position.value, restricted, view))
        patch = client.patch(
            f"/api/v1/cases/{case.pk}",
            json.dumps({"version": case.version, "priority": "high"}),
            "application/json",
        ).status_code
        if (patch == 200) != expected(role, scope, "change", position, restricted):
            wrong.append(("http change", position.value, restricted, patch))
    listed = client.get("/api/v1/cases/")
    if PERMISSIONS[role]:
        shown = {c["id"] for c in listed.json()["results"]}
        want_shown = {
            case.pk
            for (position, restricted), case in cases.items()
            if expected(role, scope, "view", position, restricted)
        }
        if shown != want_shown:
            wrong.append(("http list", sorted(shown), sorted(want_shown)))
    else:
        assert listed.status_code == 403
    assert not wrong, wrong
