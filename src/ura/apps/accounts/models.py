"""Agencies, units, users, roles, role assignments, explicit grants and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from datetime import datetime


class AgencyKind(models.TextChoices):
    MIGRATION_HQ = "migration_hq", _("Migration authority headquarters")
    MIGRATION_PROVINCIAL = "migration_provincial", _("Migration authority provincial office")
    POLICE = "police", _("Police")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    COAST_GUARD = "coast_guard", _("Coast guard")
    LABOUR = "labour", _("Labour")
    SOCIAL_SERVICES = "social_services", _("Social services")
    JUDICIARY = "judiciary", _("Judiciary")
    BAR_ASSOCIATION = "bar_association", _("Bar association")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")


class Agency(models.Model):
    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 (XK for Kosovo)")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    province_code = models.CharField(_("province code"), max_length=16, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    code = models.SlugField(max_length=64)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_in_agency")
        ]
        verbose_name = _("unit")

    def __str__(self) -> str:
        return f"{self.agency.name} / {self.name}"


class User(AbstractUser):
    """A person who signs in. Belongs to one unit (and so one agency)."""

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    # Denormalised from unit.agency for scope filters and the audit snapshot; kept in step
    # by accounts.services.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("agency"),
    )

    class Meta:
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # Django lets superusers bypass every permission check; Ura does not: rights come only
    # from role assignments (see accounts.backends.RoleBackend).
    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        return self.is_active and perm in self.get_all_permissions(obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and any(
            p.startswith(f"{app_label}.") for p in self.get_all_permissions()
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if self.unit_id is not None:
            self.agency_id = Unit.objects.values_list("agency_id", flat=True).get(pk=self.unit_id)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Scope(models.TextChoices):
    """How far a role assignment reaches: the records one created or is assigned to, one's
    unit's, one's agency's, or all records."""

    OWN = "own", _("Own records")
    UNIT = "unit", _("Unit")
    AGENCY = "agency", _("Agency")
    ALL = "all", _("All agencies")


class RoleCode(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DATA_STEWARD = "data_steward", _("Data steward")
    ANALYST = "analyst", _("Analyst")
    FIRST_RESPONDER = "first_responder", _("First responder")
    PARTNER_NGO = "partner_ngo", _("Partner NGO worker")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Role(models.Model):
    """A named bundle of permissions. The catalogue is defined in ``accounts.roles``."""

    code = models.CharField(max_length=32, choices=RoleCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.ManyToManyField(Permission, blank=True, related_name="+")
    default_scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.UNIT)
    requires_two_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.name


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self, at: datetime | None = None) -> RoleAssignmentQuerySet:
        at = at or timezone.now()
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at),
            valid_from__lte=at,
            revoked_at__isnull=True,
        )


class RoleAssignment(models.Model):
    """A user holds a role, with a scope, for a period. Expired or revoked ones grant nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    scope = models.CharField(max_length=8, choices=Scope.choices)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} ({self.scope})"


class AccessGrant(models.Model):
    """An explicit grant of access to one record, to a user, a unit or an agency.

    Referrals create these; they can expire and be revoked.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_grants",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    can_change = models.BooleanField(default=False)
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, unit__isnull=True, agency__isnull=True)
                    | Q(user__isnull=True, unit__isnull=False, agency__isnull=True)
                    | Q(user__isnull=True, unit__isnull=True, agency__isnull=False)
                ),
                name="access_grant_has_exactly_one_grantee",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"grant on {self.content_type_id}:{self.object_id}"


class ApiToken(models.Model):
    """A bearer token for system-to-system integration. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
