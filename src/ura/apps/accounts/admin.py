"""Django admin for administrators: agencies, units, users and role assignments.

Writes made here go through the same audit trail: ``save_model`` calls the services' audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ura.apps.accounts.models import AccessGrant, Agency, ApiToken, Role, RoleAssignment, Unit, User
from ura.apps.accounts.policy import forget_cached_assignments
from ura.apps.accounts.services import api_token_revoke
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_diff, audit_record, model_snapshot


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every change made in the admin leaves an audit event with old and new values."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = model_snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        after = model_snapshot(obj)
        after.pop("password", None)
        if before:
            before.pop("password", None)
        action = AuditAction.UPDATE if change else AuditAction.CREATE
        if isinstance(obj, RoleAssignment):
            action = AuditAction.PERMISSION_CHANGE
            forget_cached_assignments(obj.user)
        audit_record(
            actor=request.user, action=action, obj=obj, changes=audit_diff(type(obj), before, after)
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = model_snapshot(obj)
        before.pop("password", None)
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
        super().delete_model(request, obj)
        audit_record(
            actor=request.user,
            action=AuditAction.DELETE,
            object_type=object_type,
            object_id=object_id,
            changes=audit_diff(type(obj), before, None),
        )


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "kind", "country", "province_code", "parent", "is_active")
    list_filter = ("kind", "country", "is_active")
    search_fields = ("name", "code")


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "agency", "code")
    list_filter = ("agency",)
    search_fields = ("name", "code")


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "scope", "valid_from", "valid_until", "revoked_at")


@admin.register(User)
class UraUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]  # the stubs make UserAdmin generic
    list_display = ("username", "first_name", "last_name", "unit", "is_active", "last_login")
    list_filter = ("is_active", "agency")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Organisation", {"fields": ("unit",)}),
        ("Status", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = (RoleAssignmentInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for assignment in instances:
            before = (
                model_snapshot(RoleAssignment.objects.get(pk=assignment.pk))
                if assignment.pk
                else None
            )
            if assignment.granted_by_id is None:
                assignment.granted_by = request.user
            assignment.save()
            audit_record(
                actor=request.user,
                action=AuditAction.PERMISSION_CHANGE,
                obj=assignment,
                changes=audit_diff(RoleAssignment, before, model_snapshot(assignment)),
            )
        for deleted in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action=AuditAction.PERMISSION_CHANGE,
                obj=deleted,
                detail={"change": "role_assignment_deleted"},
            )
            deleted.delete()
        formset.save_m2m()
        forget_cached_assignments(form.instance)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "scope", "valid_from", "valid_until", "revoked_at")
    list_filter = ("role", "scope")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Roles are defined in code (accounts.roles); the admin shows them read-only."""

    list_display = ("name", "code", "default_scope", "requires_two_factor")
    filter_horizontal = ("permissions",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "content_type",
        "object_id",
        "user",
        "unit",
        "agency",
        "can_change",
        "expires_at",
        "revoked_at",
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    actions = ("revoke",)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        # Through the service, so that each revocation is audited like one from the CLI.
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
