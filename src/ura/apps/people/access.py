"""The only loaders of person records: each decides need-to-know and leaves an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ura.apps.accounts.policy import Action, scoped
from ura.apps.core.models import AuditAction
from ura.apps.core.protected import Masked, sensitive_fields
from ura.apps.core.services import audit_record
from ura.apps.people.models import PersonRecord, PersonRecordVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser


def access_person_record_by_id(
    user: AbstractUser | AnonymousUser,
    record_id: int,
    *,
    action: Action = "view",
    shown: bool = False,
) -> PersonRecord:
    """Load a person record for ``action``.

    A load for ``view`` is audited as a ``view`` event; so is a load for another action
    when ``shown`` says the caller shows the record's values to the user (the edit form,
    the delete confirmation), because that is a read too.

    Raises:
        Http404: the record does not exist or lies outside the user's view (a user of
            another agency cannot tell the two apart).
        PermissionDenied: the user may see the record but not perform ``action`` on it.
    """
    visible = scoped(user, PersonRecord.objects.all(), "view")
    record = visible.filter(pk=record_id).first()
    if record is None:
        audit_record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            object_type="people.personrecord",
            object_id=str(record_id),
            detail={"attempted": action, "outcome": "not_found"},
        )
        raise Http404("No such person record.")
    if (
        action != "view"
        and not scoped(user, PersonRecord.objects.filter(pk=record.pk), action).exists()
    ):
        audit_record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            obj=record,
            detail={"attempted": action, "outcome": "forbidden"},
        )
        raise PermissionDenied(f"You may not {action} this record.")
    if action == "view" or shown:
        audit_record(actor=user, action=AuditAction.VIEW, obj=record)
    return record


def person_record_history(
    user: AbstractUser | AnonymousUser, record: PersonRecord
) -> list[dict[str, Any]]:
    """Earlier versions of a record the caller has already loaded through
    ``access_person_record_by_id``, newest first, each with the values that differ from the
    version after it; sensitive values the user may not see are masked. Reading the history
    is audited as a view of the record's history."""
    versions = list(PersonRecordVersion.objects.filter(record=record).order_by("-version"))
    if not versions:
        return []
    classes = sensitive_fields(PersonRecord)
    later: dict[str, Any] = {name: _plain(getattr(record, name)) for name in versions[0].data}
    history = []
    for version in versions:
        changed = []
        for name, value in version.data.items():
            if later.get(name) == value:
                continue
            cls = classes.get(name)
            hidden = cls is not None and not user.has_perm(cls.permission)
            changed.append(
                {
                    "field": name,
                    "before": Masked(cls) if hidden and cls else value,
                    "after": Masked(cls) if hidden and cls else later.get(name),
                }
            )
        history.append({"version": version, "changed": changed})
        later = dict(version.data)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=record,
        detail={"history": [v.version for v in versions]},
    )
    return history


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
