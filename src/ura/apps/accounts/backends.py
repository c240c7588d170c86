"""Permissions come from active role assignments, never from Django groups or superuser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import ModelBackend

from ura.apps.accounts.models import User
from ura.apps.accounts.policy import role_permissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from django.db.models import Model


class RoleBackend(ModelBackend):
    """Authenticates with user name and password; permissions are the active roles'.

    Superuser status grants nothing here: Ura never creates superusers, and if one is
    created by hand it still sees only what its roles allow.
    """

    def get_all_permissions(
        self, user_obj: AbstractUser | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached: set[str] | None = getattr(user_obj, "_ura_perm_cache", None)
        if cached is None:
            cached = role_permissions(user_obj)
            user_obj._ura_perm_cache = cached  # type: ignore[attr-defined]  # a per-request cache on the instance
        return cached

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a session, with their unit and its agency: every page's
        header names them, which otherwise costs two more queries per request."""
        try:
            user = User.objects.select_related("unit__agency").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)
