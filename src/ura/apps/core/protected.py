"""Protected records: ownership by agency and unit, field sensitivity classes, masking.

A protected model inherits ``ProtectedModel`` and declares its sensitive fields with
``sensitive(field, Sensitivity.X)``. Every page, API response, export and audit diff shows a
sensitive value only to a user holding the matching ``core.see_<class>`` permission.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser


class Sensitivity(models.TextChoices):
    """Field sensitivity classes; each has a ``core.see_<value>`` permission."""

    TRAFFICKING = "trafficking", _("Trafficking")
    HEALTH = "health", _("Health")
    BIOMETRIC = "biometric", _("Biometric")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")

    @property
    def permission(self) -> str:
        return f"core.see_{self.value}"


F = TypeVar("F", bound=models.Field)  # type: ignore[type-arg]


def sensitive(field: F, sensitivity: Sensitivity) -> F:
    """Declare ``field`` as belonging to a sensitivity class and return it.

    Example:
        ``number = sensitive(models.CharField(max_length=40), Sensitivity.IDENTITY_DOCUMENT)``
    """
    field.sensitivity = sensitivity  # type: ignore[attr-defined]
    return field


def field_sensitivity(model: type[models.Model], field_name: str) -> Sensitivity | None:
    """Return the sensitivity class declared on ``model.field_name``, or None."""
    field = model._meta.get_field(field_name)
    value = getattr(field, "sensitivity", None)
    return value if isinstance(value, Sensitivity) else None


def sensitive_fields(model: type[models.Model]) -> dict[str, Sensitivity]:
    """Map each sensitive concrete field of ``model`` to its class."""
    found: dict[str, Sensitivity] = {}
    for field in model._meta.concrete_fields:
        value = getattr(field, "sensitivity", None)
        if isinstance(value, Sensitivity):
            found[field.name] = value
    return found


@dataclass(frozen=True)
class Masked:
    """Stands in for a value the user may not see. Renders as a neutral marker."""

    sensitivity: Sensitivity

    def __str__(self) -> str:
        return str(_("restricted"))

    def as_json(self) -> dict[str, str]:
        return {"masked": True, "sensitivity": self.sensitivity.value}  # type: ignore[dict-item]


def visible_value(
    user: AbstractUser | AnonymousUser, instance: models.Model, field_name: str
) -> Any:
    """Return ``instance.field_name`` or a ``Masked`` marker if the user may not see it."""
    sensitivity = field_sensitivity(type(instance), field_name)
    if sensitivity is not None and not user.has_perm(sensitivity.permission):
        return Masked(sensitivity)
    return getattr(instance, field_name)


def visible_values(
    user: AbstractUser | AnonymousUser, instance: models.Model, fields: Iterable[str]
) -> dict[str, Any]:
    """``visible_value`` for several fields at once."""
    return {name: visible_value(user, instance, name) for name in fields}


class SensitiveData(models.Model):
    """Carries the ``see_<class>`` permissions; has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(f"see_{s.value}", f"See {s.label} data") for s in Sensitivity]

    def __str__(self) -> str:
        return "sensitive data permissions"


class ProtectedModel(models.Model):
    """A record owned by an agency and unit, visible on need-to-know (see accounts.policy).

    ``version`` supports optimistic locking: an update names the version it read and fails
    if someone else saved in between.
    """

    owning_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning agency"),
    )
    owning_unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
        default_permissions = ("view", "add", "change", "delete", "export")
