"""The need-to-know matrix for person records: every role x scope x action x record position.

The expected outcome of every cell comes from the rules written out in this module
(``PERMISSIONS``, ``IN_SCOPE``, ``GRANT_COVERS``), by hand, from the documented intent of the
role catalogue and of ``accounts.policy``. It never asks ``policy.py`` or ``people/roles.py``:
a change there that widens (or narrows) access makes a cell fail here.

How the run time stays reasonable: the users, records and grants are built once per module
(``world``) inside one transaction that is rolled back when the module ends; every test runs
in a savepoint of it, so a test that deletes or changes a record leaves the next one
untouched. Then

* ``test_policy_matrix`` checks ``policy.can`` for the full product
  (8 roles x 4 scopes x view/change/delete/export x 13 positions; one test per role, scope
  and action compares all 13 positions at once, which keeps the per-test overhead down while
  a failure still names every wrong cell);
* ``test_http_matrix`` checks the real surfaces for the full product of roles, scopes and
  positions: the detail page and ``GET`` of the API (view), ``PATCH`` (change) and ``DELETE``
  (delete), in one request sequence per cell; the edit and delete pages, which use the same
  loader as ``PATCH`` and ``DELETE``, are checked for every role and position at one scope
  (``test_edit_and_delete_pages``), which keeps the whole module near a minute;
* ``test_export_matrix`` checks the CSV export per role and scope, as the set of exported ids
  (export works on sets, not on one record);
* ``add`` concerns no existing record, so it is checked per role and scope
  (``test_add_matrix``: ``can_create`` and ``POST``), and the new record must land in the
  user's own unit;
* ``test_list_and_search_leak_nothing`` compares, per role and scope, the records listed and
  found (page and API) with the expected set: many records of other units and agencies share
  the searched name;
* role assignments that have expired, were revoked, or are not valid yet grant nothing.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_agency, make_record, make_unit
from ura.apps.accounts.models import Agency, RoleAssignment, RoleCode, Scope, Unit, User
from ura.apps.accounts.policy import Action, can, can_create
from ura.apps.accounts.services import (
    access_grant_create,
    access_grant_revoke,
    role_assign,
    role_revoke,
    user_create,
)
from ura.apps.people.models import PersonRecord

RECORD_ACTIONS: tuple[Action, ...] = ("view", "change", "delete", "export")

# --- The rules, written out by hand -----------------------------------------------------------
# What each role may do with person records (ARCHITECTURE.md §1 and the role descriptions):
# caseworkers register and handle their records; supervisors also delete; data stewards fix
# data quality (no deletion); first responders register and see what they registered; partner
# NGOs see and update what is referred to them; analysts, auditors and administrators see no
# individual records at all.
PERMISSIONS: dict[RoleCode, frozenset[Action]] = {
    RoleCode.CASEWORKER: frozenset({"view", "add", "change", "export"}),
    RoleCode.SUPERVISOR: frozenset({"view", "add", "change", "delete", "export"}),
    RoleCode.DATA_STEWARD: frozenset({"view", "add", "change", "export"}),
    RoleCode.ANALYST: frozenset(),
    RoleCode.FIRST_RESPONDER: frozenset({"view", "add"}),
    RoleCode.PARTNER_NGO: frozenset({"view", "change"}),
    RoleCode.AUDITOR: frozenset(),
    RoleCode.ADMINISTRATOR: frozenset(),
}
TWO_FACTOR_ROLES = frozenset({RoleCode.AUDITOR, RoleCode.ADMINISTRATOR})


class Position(enum.Enum):
    """Where a record stands relative to the user looking at it."""

    OWN = "created_by_user"
    SAME_UNIT = "same_unit_other_creator"
    SAME_AGENCY = "same_agency_other_unit"
    OTHER_AGENCY = "other_agency"
    GRANT_USER = "other_agency_grant_to_user"
    GRANT_USER_CHANGE = "other_agency_grant_to_user_can_change"
    GRANT_UNIT = "other_agency_grant_to_unit"
    GRANT_UNIT_CHANGE = "other_agency_grant_to_unit_can_change"
    GRANT_AGENCY = "other_agency_grant_to_agency"
    GRANT_AGENCY_CHANGE = "other_agency_grant_to_agency_can_change"
    GRANT_EXPIRED = "other_agency_expired_grant_to_user_can_change"
    GRANT_REVOKED = "other_agency_revoked_grant_to_user_can_change"
    GRANT_ELSEWHERE = "other_agency_grants_to_colleague_sibling_unit_third_agency"


# A scope reaches the records the user created, their unit's, their agency's, or all.
IN_SCOPE: dict[Scope, frozenset[Position]] = {
    Scope.OWN: frozenset({Position.OWN}),
    Scope.UNIT: frozenset({Position.OWN, Position.SAME_UNIT}),
    Scope.AGENCY: frozenset({Position.OWN, Position.SAME_UNIT, Position.SAME_AGENCY}),
    Scope.ALL: frozenset(Position),
}
# An active grant to the user, their unit or their agency opens a record for viewing, and for
# changing when it says so; never for deletion or export. Expired and revoked grants, and
# grants to somebody else, open nothing.
_VIEW_GRANTS = frozenset(
    {
        Position.GRANT_USER,
        Position.GRANT_USER_CHANGE,
        Position.GRANT_UNIT,
        Position.GRANT_UNIT_CHANGE,
        Position.GRANT_AGENCY,
        Position.GRANT_AGENCY_CHANGE,
    }
)
GRANT_COVERS: dict[Action, frozenset[Position]] = {
    "view": _VIEW_GRANTS,
    "change": frozenset(
        {Position.GRANT_USER_CHANGE, Position.GRANT_UNIT_CHANGE, Position.GRANT_AGENCY_CHANGE}
    ),
    "delete": frozenset(),
    "export": frozenset(),
}


def expected(role: RoleCode, scope: Scope, action: Action, position: Position) -> bool:
    """The rule: the role must hold the permission, and the record be in scope or granted."""
    if action not in PERMISSIONS[role]:
        return False
    return position in IN_SCOPE[scope] or position in GRANT_COVERS[action]


# --- The world --------------------------------------------------------------------------------


class Validity(enum.Enum):
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"


@dataclass
class World:
    agency: Agency
    unit: Unit
    users: dict[tuple[RoleCode, Scope], User] = field(default_factory=dict)
    invalid_users: dict[tuple[RoleCode, Validity], User] = field(default_factory=dict)
    own_records: dict[int, PersonRecord] = field(default_factory=dict)  # user id -> record
    shared: dict[Position, PersonRecord] = field(default_factory=dict)
    clients: dict[int, Client] = field(default_factory=dict)  # user id -> signed-in client
    decoy_ids: set[int] = field(default_factory=set)  # visible by scope, not named "Karimi"

    def record(self, user: User, position: Position) -> PersonRecord:
        if position is Position.OWN:
            return self.own_records[user.pk]
        return self.shared[position]

    def position_of(self, user: User, record: PersonRecord) -> Position:
        """Where any record of the world stands relative to ``user``."""
        if record.created_by_id == user.pk:
            return Position.OWN
        for position, shared in self.shared.items():
            if shared.pk == record.pk and position not in IN_SCOPE[Scope.AGENCY]:
                return position
        if record.owning_unit_id == user.unit_id:
            return Position.SAME_UNIT
        if record.owning_agency_id == user.agency_id:
            return Position.SAME_AGENCY
        return Position.OTHER_AGENCY

    def all_records(self) -> list[PersonRecord]:
        return list(PersonRecord.objects.all())


_PER_USER_GRANTS = (
    (Position.GRANT_USER, False),
    (Position.GRANT_USER_CHANGE, True),
    (Position.GRANT_EXPIRED, True),
    (Position.GRANT_REVOKED, True),
)


def _build_world() -> World:
    agency = make_agency(code="home-agency")
    unit = make_unit(agency=agency, code="home-unit")
    sibling_unit = make_unit(agency=agency, code="sibling-unit")
    foreign_unit = make_unit(code="foreign-unit")
    third_unit = make_unit(code="third-unit")
    world = World(agency=agency, unit=unit)

    def new_user(name: str, in_unit: Unit) -> User:
        return user_create(actor=None, username=name, password=None, unit=in_unit)

    colleague = new_user("colleague", unit)
    sibling = new_user("sibling", sibling_unit)
    foreigner = new_user("foreigner", foreign_unit)
    # Every record of the world bears the same name, so a search cannot narrow by name alone.
    name = {"given_names": "Amina", "family_name": "Karimi"}
    world.shared[Position.SAME_UNIT] = make_record(owner=colleague, **name)
    world.shared[Position.SAME_AGENCY] = make_record(owner=sibling, **name)
    for position in Position:
        if position not in IN_SCOPE[Scope.AGENCY]:
            world.shared[position] = make_record(owner=foreigner, **name)
    # A record in scope for unit members whose name does not match the search.
    world.decoy_ids.add(make_record(owner=colleague, given_names="Omar", family_name="Sayed").pk)
    world.decoy_ids.add(make_record(owner=foreigner, given_names="Omar", family_name="Sayed").pk)

    def grant(position: Position, **grantee: Any) -> None:
        access_grant_create(actor=None, obj=world.shared[position], reason="referral", **grantee)

    grant(Position.GRANT_UNIT, unit=unit)
    grant(Position.GRANT_UNIT_CHANGE, unit=unit, can_change=True)
    grant(Position.GRANT_AGENCY, agency=agency)
    grant(Position.GRANT_AGENCY_CHANGE, agency=agency, can_change=True)
    grant(Position.GRANT_ELSEWHERE, user=colleague, can_change=True)
    grant(Position.GRANT_ELSEWHERE, unit=sibling_unit, can_change=True)
    grant(Position.GRANT_ELSEWHERE, agency=third_unit.agency, can_change=True)

    def member(username: str) -> User:
        user = new_user(username, unit)
        world.own_records[user.pk] = make_record(owner=user, **name)
        yesterday = timezone.now() - timedelta(days=1)
        for position, can_change in _PER_USER_GRANTS:
            made = access_grant_create(
                actor=None,
                obj=world.shared[position],
                reason="referral",
                user=user,
                can_change=can_change,
                expires_at=yesterday if position is Position.GRANT_EXPIRED else None,
            )
            if position is Position.GRANT_REVOKED:
                access_grant_revoke(actor=None, grant=made)
        return user

    for role in RoleCode:
        for scope in Scope:
            user = member(f"{role.value}-{scope.value}")
            role_assign(actor=None, user=user, role_code=role, scope=scope)
            world.users[role, scope] = user
        for validity in Validity:
            user = member(f"{role.value}-{validity.value}")
            world.invalid_users[role, validity] = user
            if validity is Validity.EXPIRED:
                until = timezone.now() - timedelta(minutes=1)
                role_assign(
                    actor=None, user=user, role_code=role, scope=Scope.ALL, valid_until=until
                )
            else:
                assignment = role_assign(actor=None, user=user, role_code=role, scope=Scope.ALL)
                if validity is Validity.REVOKED:
                    role_revoke(actor=None, assignment=assignment)
                else:
                    RoleAssignment.objects.filter(pk=assignment.pk).update(
                        valid_from=timezone.now() + timedelta(days=1)
                    )
    for user in [*world.users.values(), *world.invalid_users.values()]:
        world.clients[user.pk] = _signed_in(user)
    return world


def _signed_in(user: User) -> Client:
    """A client with ``user``'s session; privileged roles also pass two-factor."""
    client = Client()
    client.force_login(user, backend="ura.apps.accounts.backends.RoleBackend")
    if any(a.role.code in TWO_FACTOR_ROLES for a in user.role_assignments.all()):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The users, records and grants, built once; rolled back when the module ends."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


def _fresh(user: User) -> User:
    """The user reloaded, so no permission cache of an earlier test carries over."""
    return User.objects.get(pk=user.pk)


# --- The policy -------------------------------------------------------------------------------

MATRIX = [
    pytest.param(role, scope, action, id=f"{role.value}-{scope.value}-{action}")
    for role in RoleCode
    for scope in Scope
    for action in RECORD_ACTIONS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "scope", "action"), MATRIX)
def test_policy_matrix(world: World, role: RoleCode, scope: Scope, action: Action) -> None:
    """``policy.can`` allows exactly what the rules above allow, at every record position.

    The positions are compared as one mapping so that a failure names each wrong cell.
    """
    user = _fresh(world.users[role, scope])
    observed = {p.value: can(user, action, world.record(user, p)) for p in Position}
    assert observed == {p.value: expected(role, scope, action, p) for p in Position}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "validity"),
    [pytest.param(r, v, id=f"{r.value}-{v.value}") for r in RoleCode for v in Validity],
)
def test_inactive_role_assignments_grant_nothing(
    world: World, role: RoleCode, validity: Validity
) -> None:
    """An expired, revoked or not-yet-valid assignment, even with scope ``all``, allows no
    action on any record, not even one the user created or was granted, and no creation."""
    user = _fresh(world.invalid_users[role, validity])
    records = world.all_records()
    allowed = [(action, r.pk) for action in RECORD_ACTIONS for r in records if can(user, action, r)]
    assert allowed == []
    assert not can_create(user, PersonRecord)
    client = world.clients[user.pk]
    own = world.own_records[user.pk]
    assert client.get(f"/people/{own.pk}/").status_code == 404
    assert client.get(f"/api/v1/people/records/{own.pk}").status_code == 404
    assert _api_ids(client, "") is None  # with no active role, the list is refused


# --- The HTTP surfaces ------------------------------------------------------------------------

HTTP_MATRIX = [
    pytest.param(role, scope, position, id=f"{role.value}-{scope.value}-{position.value}")
    for role in RoleCode
    for scope in Scope
    for position in Position
]


def _status_for(role: RoleCode, scope: Scope, position: Position, action: Action, ok: int) -> int:
    """404 when the user may not see the record, 403 when they see it but may not act."""
    if not expected(role, scope, "view", position):
        return 404
    return ok if expected(role, scope, action, position) else 403


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "scope", "position"), HTTP_MATRIX)
def test_http_matrix(world: World, role: RoleCode, scope: Scope, position: Position) -> None:
    """The detail page, API GET, PATCH and DELETE answer 200/403/404 (204 for deletion)
    exactly as the rules say, and a refused change or deletion changes nothing."""
    user = world.users[role, scope]
    record = world.record(user, position)
    client = world.clients[user.pk]
    api = f"/api/v1/people/records/{record.pk}"
    patch = json.dumps({"version": record.version, "notes": "seen"})
    observed = {
        "view page": client.get(f"/people/{record.pk}/").status_code,
        "view api": client.get(api).status_code,
        "change api": client.patch(api, patch, "application/json").status_code,
    }
    changed = PersonRecord.objects.get(pk=record.pk).notes == "seen"
    observed["delete api"] = client.delete(api).status_code
    wanted = {
        "view page": _status_for(role, scope, position, "view", 200),
        "view api": _status_for(role, scope, position, "view", 200),
        "change api": _status_for(role, scope, position, "change", 200),
        "delete api": _status_for(role, scope, position, "delete", 204),
    }
    assert observed == wanted
    assert changed is (wanted["change api"] == 200)
    assert PersonRecord.objects.filter(pk=record.pk).exists() is (wanted["delete api"] != 204)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "position"),
    [pytest.param(r, p, id=f"{r.value}-{p.value}") for r in RoleCode for p in Position],
)
def test_edit_and_delete_pages(world: World, role: RoleCode, position: Position) -> None:
    """The edit and delete pages follow the same rules as PATCH and DELETE (checked at the
    widest scope short of ``all``, where in-scope and out-of-scope positions both occur)."""
    scope = Scope.AGENCY
    user = world.users[role, scope]
    page = f"/people/{world.record(user, position).pk}/"
    client = world.clients[user.pk]
    observed = {
        "edit page": client.get(f"{page}edit").status_code,
        "delete page": client.get(f"{page}delete").status_code,
    }
    assert observed == {
        "edit page": _status_for(role, scope, position, "change", 200),
        "delete page": _status_for(role, scope, position, "delete", 200),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "scope"),
    [pytest.param(r, s, id=f"{r.value}-{s.value}") for r in RoleCode for s in Scope],
)
def test_export_matrix(world: World, role: RoleCode, scope: Scope) -> None:
    """The CSV export holds exactly the records the user may export; roles without the
    export permission get 403."""
    user = world.users[role, scope]
    response = world.clients[user.pk].get("/people/export.csv")
    if "export" not in PERMISSIONS[role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()[1:]
    exported = {int(line.split(",", 1)[0]) for line in lines}
    wanted = {
        r.pk
        for r in world.all_records()
        if expected(role, scope, "export", world.position_of(user, r))
    }
    assert exported == wanted


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "scope"),
    [pytest.param(r, s, id=f"{r.value}-{s.value}") for r in RoleCode for s in Scope],
)
def test_add_matrix(world: World, role: RoleCode, scope: Scope) -> None:
    """Roles with the add permission may register records, whatever their scope, and the
    record belongs to their own unit; the others get 403 on the page and the API."""
    user = world.users[role, scope]
    client = world.clients[user.pk]
    allowed = "add" in PERMISSIONS[role]
    assert can_create(_fresh(user), PersonRecord) is allowed
    assert client.get("/people/new").status_code == (200 if allowed else 403)
    response = client.post(
        "/api/v1/people/records",
        json.dumps({"given_names": "Nour", "family_name": "Haddad"}),
        "application/json",
    )
    assert response.status_code == (201 if allowed else 403)
    created = PersonRecord.objects.filter(family_name="Haddad")
    if allowed:
        record = created.get()
        assert (record.owning_unit_id, record.owning_agency_id, record.created_by_id) == (
            world.unit.pk,
            world.agency.pk,
            user.pk,
        )
        assert can(_fresh(user), "view", record) is expected(role, scope, "view", Position.OWN)
    else:
        assert not created.exists()


# --- Lists and searches -----------------------------------------------------------------------

_DETAIL_LINK = re.compile(r'href="/people/(\d+)/"')


def _page_ids(client: Client, query: str) -> set[int] | None:
    """Ids linked from every page of the list page; None when the page is refused."""
    ids: set[int] = set()
    page = 1
    while True:
        response = client.get(f"/people/?{query}&page={page}")
        if response.status_code == 403:
            return None
        assert response.status_code == 200
        ids |= {int(i) for i in _DETAIL_LINK.findall(response.content.decode())}
        if 'rel="next"' not in response.content.decode():
            return ids
        page += 1


def _api_ids(client: Client, query: str) -> set[int] | None:
    """Ids in every page of the API list; None when the list is refused."""
    ids: set[int] = set()
    page = 1
    while True:
        response = client.get(f"/api/v1/people/records?{query}&page={page}")
        if response.status_code == 403:
            return None
        assert response.status_code == 200
        body = response.json()
        ids |= {r["id"] for r in body["results"]}
        if body["page"] >= body["pages"]:
            return ids
        page += 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "scope"),
    [pytest.param(r, s, id=f"{r.value}-{s.value}") for r in RoleCode for s in Scope],
)
def test_list_and_search_leak_nothing(world: World, role: RoleCode, scope: Scope) -> None:
    """The list and a name search, on the page and in the API, show exactly the records the
    user may view: none of the many same-named records of other units and agencies leak.
    Roles that may not view records are refused the list, on the page and in the API."""
    user = world.users[role, scope]
    client = world.clients[user.pk]
    visible = {
        r.pk
        for r in world.all_records()
        if expected(role, scope, "view", world.position_of(user, r))
    }
    found = visible - world.decoy_ids
    if "view" not in PERMISSIONS[role]:
        assert _page_ids(client, "") is None
        assert _api_ids(client, "") is None
        return
    assert _api_ids(client, "") == visible
    assert _api_ids(client, "q=karimi") == found
    assert _page_ids(client, "") == visible
    assert _page_ids(client, "q=Karimi") == found
    assert _page_ids(client, "q=Amina+KARIMI") == found


# --- Combinations -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_permission_reaches_only_as_far_as_the_assignment_that_grants_it(
    world: World,
) -> None:
    """A caseworker at scope ``all`` who is also a supervisor at scope ``own`` may view
    every record, but delete (which only the supervisor role grants) only their own."""
    user = user_create(actor=None, username="two-hats", password=None, unit=world.unit)
    role_assign(actor=None, user=user, role_code=RoleCode.CASEWORKER, scope=Scope.ALL)
    role_assign(actor=None, user=user, role_code=RoleCode.SUPERVISOR, scope=Scope.OWN)
    own = make_record(owner=user)
    user = _fresh(user)
    others = [world.shared[p] for p in Position if p is not Position.OWN]
    assert all(can(user, "view", r) for r in [own, *others])
    assert can(user, "delete", own)
    assert [r.pk for r in others if can(user, "delete", r)] == []


@pytest.mark.django_db
def test_a_deactivated_user_may_do_nothing(world: World) -> None:
    """A deactivated account keeps its role assignments on paper but may do nothing, and
    its session no longer opens the API."""
    user = world.users[RoleCode.SUPERVISOR, Scope.ALL]
    User.objects.filter(pk=user.pk).update(is_active=False)
    user = _fresh(user)
    assert [a for a in RECORD_ACTIONS for r in world.all_records() if can(user, a, r)] == []
    assert not can_create(user, PersonRecord)
    own = world.own_records[user.pk]
    assert world.clients[user.pk].get(f"/api/v1/people/records/{own.pk}").status_code == 401
