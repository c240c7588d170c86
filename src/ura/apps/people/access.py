"""The only loaders of person records: each decides need-to-know and leaves an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ura.apps.accounts.policy import Action, scoped
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record
from ura.apps.people.models import PersonRecord

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
