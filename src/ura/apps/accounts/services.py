"""Writes for agencies, units, users, roles, grants and API tokens; each audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.models import (
    AccessGrant,
    Agency,
    AgencyKind,
    ApiToken,
    Role,
    RoleAssignment,
    RoleCode,
    Scope,
    Unit,
    User,
)
from ura.apps.accounts.policy import forget_cached_assignments, requires_two_factor
from ura.apps.accounts.roles import ROLE_DEFINITIONS, collected_grants
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record, object_label

TOKEN_PREFIX = "ura_"  # noqa: S105 (a public marker, not a secret)


def roles_sync() -> list[Role]:
    """Make the roles in the database match the catalogue in code (idempotent).

    Raises:
        LookupError: when an app grants a permission that does not exist.
    """
    grants = collected_grants()
    roles = []
    with transaction.atomic():
        for code, (description, scope, two_factor) in ROLE_DEFINITIONS.items():
            role, _ = Role.objects.update_or_create(
                code=code,
                defaults={
                    "name": str(code.label),
                    "description": description,
                    "default_scope": scope,
                    "requires_two_factor": two_factor,
                },
            )
            perms = []
            for name in sorted(set(grants[code])):
                app_label, codename = name.split(".", 1)
                try:
                    perms.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=codename)
                    )
                except Permission.DoesNotExist as exc:
                    raise LookupError(f"role {code}: unknown permission {name}") from exc
            role.permissions.set(perms)
            roles.append(role)
    return roles


def agency_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: AgencyKind,
    country: str,
    parent: Agency | None = None,
    province_code: str = "",
) -> Agency:
    with transaction.atomic():
        agency = Agency.objects.create(
            code=code,
            name=name,
            kind=kind,
            country=country.upper(),
            parent=parent,
            province_code=province_code,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=agency,
            changes={"name": {"old": None, "new": name}},
        )
    return agency


def unit_create(*, actor: User | None, agency: Agency, code: str, name: str) -> Unit:
    with transaction.atomic():
        unit = Unit.objects.create(agency=agency, code=code, name=name)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=unit,
            changes={"name": {"old": None, "new": name}},
        )
    return unit


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    unit: Unit | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user. ``password=None`` leaves the account without a usable password."""
    with transaction.atomic():
        user = User(
            username=username,
            unit=unit,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=is_staff,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=user,
            changes={
                "username": {"old": None, "new": username},
                "unit": {"old": None, "new": unit.pk if unit else None},
            },
        )
    return user


def role_assign(
    *,
    actor: User | None,
    user: User,
    role_code: RoleCode,
    scope: Scope | None = None,
    valid_until: datetime | None = None,
) -> RoleAssignment:
    """Give ``user`` a role (default scope from the catalogue), optionally until a date."""
    role = Role.objects.get(code=role_code)
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role,
            scope=scope or role.default_scope,
            valid_until=valid_until,
            granted_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            obj=assignment,
            detail={
                "change": "role_assigned",
                "user_id": user.pk,
                "role": role.code,
                "scope": assignment.scope,
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
        )
        if role.code == RoleCode.ADMINISTRATOR and not user.is_staff:
            user.is_staff = True  # administrators work in the Django admin
            user.save(update_fields=["is_staff"])
    forget_cached_assignments(user)
    return assignment


def role_revoke(*, actor: User | None, assignment: RoleAssignment) -> RoleAssignment:
    with transaction.atomic():
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            obj=assignment,
            detail={
                "change": "role_revoked",
                "user_id": assignment.user_id,
                "role": assignment.role.code,
            },
        )
    forget_cached_assignments(assignment.user)
    return assignment


def access_grant_create(
    *,
    actor: User | None,
    obj: models.Model,
    reason: str,
    user: User | None = None,
    unit: Unit | None = None,
    agency: Agency | None = None,
    can_change: bool = False,
    expires_at: datetime | None = None,
) -> AccessGrant:
    """Grant a user, unit or agency access to one record (referrals use this)."""
    object_type, object_id = object_label(obj)
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=object_id,
            user=user,
            unit=unit,
            agency=agency,
            can_change=can_change,
            reason=reason,
            granted_by=actor if actor is not None and actor.is_authenticated else None,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            object_type=object_type,
            object_id=object_id,
            detail={
                "change": "grant_created",
                "grant_id": grant.pk,
                "user_id": user.pk if user else None,
                "unit_id": unit.pk if unit else None,
                "agency_id": agency.pk if agency else None,
                "can_change": can_change,
            },
        )
    return grant


def access_grant_revoke(*, actor: User | None, grant: AccessGrant) -> AccessGrant:
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            object_type=f"{grant.content_type.app_label}.{grant.content_type.model}",
            object_id=grant.object_id,
            detail={"change": "grant_revoked", "grant_id": grant.pk},
        )
    return grant


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(
    *, actor: User | None, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored.

    Raises:
        PermissionDenied: the user holds a role that requires two-factor sign-in
            (administrator, auditor): a bearer token would let it act without the second
            factor. Integrations get their own account with only the roles they need.
    """
    if requires_two_factor(user):
        raise PermissionDenied(
            "This user's roles require two-factor sign-in; create an integration account "
            "without them for API tokens."
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            digest=_token_digest(raw),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action=AuditAction.API_TOKEN,
            obj=token,
            detail={"change": "created", "user_id": user.pk},
        )
    return token, raw


def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action=AuditAction.API_TOKEN, obj=token, detail={"change": "revoked"}
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token as used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(raw), revoked_at__isnull=True)
        .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if requires_two_factor(token.user):
        # The user gained a privileged role after the token was made: the token no longer
        # suffices on its own.
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


#: The unit that holds an agency's ingested records when the mapping names none.
RECORDS_UNIT_CODE = "records"


def agency_records_unit(agency: Agency) -> Unit:
    """The unit that owns the agency's records ingested from extracts, created on first use
    (an extract belongs to the agency, not to a unit of caseworkers)."""
    unit = Unit.objects.filter(agency=agency, code=RECORDS_UNIT_CODE).first()
    if unit is None:
        unit = unit_create(
            actor=None, agency=agency, code=RECORDS_UNIT_CODE, name=str(_("Agency records"))
        )
    return unit
