"""Need-to-know: the one place that decides who may do what to which protected record.

A user may perform ``action`` on a record when

1. one of the user's *active* role assignments grants the model permission
   ``<app>.<action>_<model>``, and
2. the record falls inside that assignment's scope: ``own`` (the user created it, or the
   model's ``own_filter`` says it is theirs), ``unit`` (owned by the user's unit), ``agency``
   (owned by the user's agency) or ``all``; **or** an active explicit grant on the record
   names the user, their unit or their agency (grants cover ``view``, and ``change`` when
   the grant allows it).

Every ``access_*`` loader and every scoped selector in Ura is built on ``scope_filter``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from ura.apps.accounts.models import AccessGrant, RoleAssignment
from ura.apps.accounts.models import Scope as Scope  # re-exported: other apps ask scopes_for
from ura.apps.core.context import forget_request_memo

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from ura.apps.accounts.models import User

Action = Literal["view", "add", "change", "delete", "export"]
ACTIONS: tuple[Action, ...] = ("view", "add", "change", "delete", "export")
M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_ura_active_assignments"
_SCOPES_ATTR = "_ura_scopes_by_permission"


def active_assignments(user: AbstractUser | AnonymousUser) -> list[RoleAssignment]:
    """The user's role assignments in force now (cached on the user object per request),
    with their roles and the roles' permissions (two queries: a permission's content type
    comes from ``ContentType``'s own cache, see ``_scopes_by_permission``)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[RoleAssignment] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.active()
            .filter(user_id=user.pk)
            .select_related("role")
            .prefetch_related("role__permissions")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _scopes_by_permission(user: AbstractUser | AnonymousUser) -> dict[str, frozenset[Scope]]:
    """``app_label.codename`` of each permission the user's active roles grant, with the
    scopes it is granted in; worked out once per user object (a request), not per check.

    A page asks for scopes and permissions dozens of times (every need-to-know filter, every
    menu entry); each used to walk every assignment's permissions again.
    """
    cached: dict[str, frozenset[Scope]] | None = getattr(user, _SCOPES_ATTR, None)
    if cached is None:
        found: dict[str, set[Scope]] = {}
        for assignment in active_assignments(user):
            for perm in assignment.role.permissions.all():
                # Content types never change while the server runs; Django caches them.
                app_label = ContentType.objects.get_for_id(perm.content_type_id).app_label
                found.setdefault(f"{app_label}.{perm.codename}", set()).add(Scope(assignment.scope))
        cached = {name: frozenset(scopes) for name, scopes in found.items()}
        if user.is_authenticated and user.is_active:  # as active_assignments caches
            setattr(user, _SCOPES_ATTR, cached)
    return cached


def requires_two_factor(user: AbstractUser | AnonymousUser) -> bool:
    """Whether one of the user's active roles demands TOTP (administrators, auditors)."""
    return any(a.role.requires_two_factor for a in active_assignments(user))


def forget_cached_assignments(user: AbstractUser | AnonymousUser) -> None:
    """Drop the per-object cache after roles change (and the request's memo, whose values
    may have been worked out from the old roles)."""
    for attr in (_CACHE_ATTR, _SCOPES_ATTR, "_ura_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
    forget_request_memo()


def role_permissions(user: AbstractUser | AnonymousUser) -> set[str]:
    """``app_label.codename`` of every permission the user's active roles grant."""
    return set(_scopes_by_permission(user))


def permission_name(model: type[models.Model], action: Action) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scopes_for(user: AbstractUser | AnonymousUser, permission: str) -> set[Scope]:
    """The scopes of the active assignments whose role grants ``permission``."""
    return set(_scopes_by_permission(user).get(permission, ()))


def _own_filter(model: type[models.Model], user: AbstractUser) -> Q:
    own = getattr(model, "own_filter", None)
    if callable(own):
        result = own(user)
        if not isinstance(result, Q):
            raise TypeError(f"{model.__name__}.own_filter must return a Q object")
        return result
    return Q(created_by_id=user.pk)


def _grant_filter(model: type[models.Model], user: User, action: Action) -> Q:
    if action not in ("view", "change"):
        return Q(pk__in=[])
    now = timezone.now()
    grantee = Q(user_id=user.pk)
    if user.unit_id is not None:
        grantee |= Q(unit_id=user.unit_id)
    if user.agency_id is not None:
        grantee |= Q(agency_id=user.agency_id)
    grants = AccessGrant.objects.filter(
        grantee,
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        content_type=ContentType.objects.get_for_model(model),
        revoked_at__isnull=True,
    )
    if action == "change":
        grants = grants.filter(can_change=True)
    pk_field = model._meta.pk
    if isinstance(pk_field, models.IntegerField):  # AutoField and BigAutoField too
        # object_id is text so that one table serves every model; cast it to the key's type.
        return Q(
            pk__in=grants.annotate(oid=Cast("object_id", models.BigIntegerField())).values("oid")
        )
    return Q(pk__in=grants.values("object_id"))


def grants_since(
    user: AbstractUser | AnonymousUser, model: type[models.Model], object_id: object
) -> models.QuerySet[AccessGrant]:
    """The active grants that open the row ``object_id`` of ``model`` to the user (to them,
    their unit or their agency), earliest first: when their access by referral began."""
    if not user.is_authenticated or not user.is_active:
        return AccessGrant.objects.none()
    account: Any = user
    grantee = Q(user_id=account.pk)
    if account.unit_id is not None:
        grantee |= Q(unit_id=account.unit_id)
    if account.agency_id is not None:
        grantee |= Q(agency_id=account.agency_id)
    return AccessGrant.objects.filter(
        grantee,
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(object_id),
        revoked_at__isnull=True,
    ).order_by("granted_at")


def grant_filter(
    user: AbstractUser | AnonymousUser, model: type[models.Model], action: Action
) -> Q:
    """A filter matching the rows of ``model`` opened to the user by an active explicit grant
    (to the user, their unit or their agency), provided their roles grant ``action`` on the
    model at all. Models whose rows some users see *only* by grant (restricted cases) add this
    to their own filter; ``scope_filter`` already includes it.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    if not scopes_for(user, permission_name(model, action)):
        return nothing
    account: Any = user
    return _grant_filter(model, account, action)


def reach_filter(
    user: AbstractUser | AnonymousUser, model: type[models.Model], action: Action
) -> Q:
    """The rows of ``model`` the scopes of the user's roles reach for ``action`` (own, unit,
    agency or all), without the rows opened by explicit grants: ``scope_filter`` is this or
    ``grant_filter``. For models that combine the two with a condition of their own (cases:
    scope never reaches a restricted case, a grant does) and would otherwise repeat the
    grants.

    Returns a filter that matches nothing when the user has no such right.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    scopes = scopes_for(user, permission_name(model, action))
    if not scopes:
        return nothing
    if Scope.ALL in scopes:
        return Q()
    account: Any = user
    allowed = nothing
    if Scope.AGENCY in scopes and account.agency_id is not None:
        allowed |= Q(owning_agency_id=account.agency_id)
    if Scope.UNIT in scopes and account.unit_id is not None:
        allowed |= Q(owning_unit_id=account.unit_id)
    if Scope.OWN in scopes:
        allowed |= _own_filter(model, account)
    return allowed


def scope_filter(
    user: AbstractUser | AnonymousUser, model: type[models.Model], action: Action
) -> Q:
    """A filter matching exactly the rows of ``model`` the user may perform ``action`` on.

    Returns a filter that matches nothing when the user has no such right.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    scopes = scopes_for(user, permission_name(model, action))
    if not scopes:
        return nothing
    if Scope.ALL in scopes:
        return Q()
    account: Any = user
    return reach_filter(user, model, action) | _grant_filter(model, account, action)


def scoped(
    user: AbstractUser | AnonymousUser, queryset: models.QuerySet[M], action: Action = "view"
) -> models.QuerySet[M]:
    """``queryset`` narrowed to the rows the user may perform ``action`` on."""
    return queryset.filter(scope_filter(user, queryset.model, action))


def can(user: AbstractUser | AnonymousUser, action: Action, obj: models.Model) -> bool:
    """Whether the user may perform ``action`` on ``obj``."""
    return scoped(user, type(obj)._default_manager.filter(pk=obj.pk), action).exists()


def can_create(user: AbstractUser | AnonymousUser, model: type[models.Model]) -> bool:
    """Whether the user may create records of ``model`` (for their own unit)."""
    return bool(scopes_for(user, permission_name(model, "add")))
