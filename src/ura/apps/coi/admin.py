"""Django admin for the COI library: read-mostly.

* Sources may be described here by users who manage the library; a save goes through
  ``services.source_create`` / ``source_update`` (validation, optimistic locking, audit).
* Topics may be relabelled or retired (``in use`` off) by the same users, audited; they are
  never deleted, and the default thesaurus (``ura coi thesaurus``) stays the reference.
* Documents, their editions, imports and rejections are read-only: importing, new editions,
  metadata changes and withdrawal need the services (extraction, the search index, duplicate
  checks), which the library's own pages and ``ura coi import`` offer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.coi import services
from ura.apps.coi.models import (
    Document,
    Edition,
    ImportBatch,
    ImportRejection,
    Source,
    Topic,
)
from ura.apps.coi.roles import MANAGE
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_diff, audit_record, model_snapshot


class _HttpsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Web addresses typed without a scheme are taken as https."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReadOnlyAdmin(_HttpsAdmin):
    """Shown (also to users who manage the library), never changed here."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(MANAGE) or super().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ManagedAdmin(_HttpsAdmin):
    """Changed only by users who manage the library; never deleted."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(MANAGE) or super().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(MANAGE))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(MANAGE))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SourceAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(label=_("website"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Source
        fields = services.SOURCE_FIELDS

    def clean_reviewed_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("reviewed_on")
        if day is not None and day > timezone.localdate():
            raise ValidationError(_("A date in the future."))
        return day


@admin.register(Source)
class SourceAdmin(ManagedAdmin):
    form = SourceAdminForm
    list_display = ("name", "acronym", "source_type", "reviewed_on")
    list_filter = ("source_type",)
    search_fields = ("name", "acronym")
    readonly_fields = ("version", "created_at", "updated_at")
    fields = (*services.SOURCE_FIELDS, *readonly_fields)

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.SOURCE_FIELDS}
        try:
            if change:
                saved = services.source_update(
                    actor=request.user,  # type: ignore[arg-type]
                    source_id=obj.pk,
                    expected_version=obj.version,
                    **values,
                )
            else:
                saved = services.source_create(actor=request.user, **values)  # type: ignore[arg-type]
        except services.ConflictError as error:
            # Nothing was written; the admin would otherwise report a success.
            messages.error(request, " ".join(error.messages))
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(Topic)
class TopicAdmin(ManagedAdmin):
    list_display = ("code", "label", "parent", "active")
    list_filter = ("active",)
    search_fields = ("code", "label")
    fields = ("code", "label", "parent", "scope_note", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()  # codes are for ever

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        before = model_snapshot(Topic.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            changes=audit_diff(Topic, before, model_snapshot(obj)),
            detail={"code": obj.code, "via": "admin"},
        )


class EditionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Edition
    extra = 0
    can_delete = False
    fields = ("number", "filename", "media_type", "size", "checksum", "note", "imported_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "document_type", "language", "published", "status", "added_at")
    list_filter = ("status", "document_type", "language", "duplicate_review")
    search_fields = ("title", "title_translated")
    date_hierarchy = "added_at"
    exclude = ("signature",)
    inlines = (EditionInline,)


class RejectionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ImportRejection
    extra = 0
    can_delete = False
    fields = ("filename", "row", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "origin",
        "started_at",
        "finished_at",
        "files_total",
        "imported",
        "new_editions",
        "near_duplicates",
        "rejected",
    )
    list_filter = ("origin",)
    inlines = (RejectionInline,)
