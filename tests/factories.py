"""Test data builders for the platform: agencies, units, users with roles, person records."""

from __future__ import annotations

import itertools
from typing import Any

from ura.apps.accounts.models import Agency, AgencyKind, RoleCode, Scope, Unit, User
from ura.apps.accounts.services import role_assign, user_create
from ura.apps.people.models import PersonRecord

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_agency(
    *,
    code: str | None = None,
    kind: AgencyKind = AgencyKind.MIGRATION_PROVINCIAL,
    country: str = "TR",
) -> Agency:
    n = next(_seq)
    return Agency.objects.create(
        code=code or f"agency-{n}", name=f"Agency {n}", kind=kind, country=country
    )


def make_unit(*, agency: Agency | None = None, code: str | None = None) -> Unit:
    n = next(_seq)
    return Unit.objects.create(
        agency=agency or make_agency(), code=code or f"unit-{n}", name=f"Unit {n}"
    )


def make_user(
    *,
    role: RoleCode | None = None,
    scope: Scope | None = None,
    unit: Unit | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    **assign: Any,
) -> User:
    """A user in ``unit`` (a new one by default) holding ``role`` with ``scope``."""
    user = user_create(
        actor=None,
        username=username or f"user{next(_seq)}",
        password=password,
        unit=unit or make_unit(),
    )
    if role is not None:
        role_assign(actor=None, user=user, role_code=role, scope=scope, **assign)
    return user


def make_record(*, owner: User, **values: Any) -> PersonRecord:
    """A person record owned by ``owner``'s unit and agency, created by ``owner``."""
    fields: dict[str, Any] = {
        "given_names": "Amina",
        "family_name": f"Haddad{next(_seq)}",
        "sex": "F",
        "nationality": "SYR",
        "document_type": "passport",
        "document_number": "N0123456",
        "health_notes": "insulin-dependent diabetes",
        "trafficking_indicators": "debt bondage",
        "biometric_reference": "AFIS-000123",
    }
    fields.update(values)
    assert owner.unit is not None
    return PersonRecord.objects.create(
        owning_agency=owner.unit.agency, owning_unit=owner.unit, created_by=owner, **fields
    )
