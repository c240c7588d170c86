"""Writes on cases: need-to-know, optimistic locking, history and audit in one transaction.

Every write that changes a case names the case version the user last read
(``expected_version``). The case row is updated with ``UPDATE … WHERE version = expected``:
when someone else wrote in between, nothing changes and ``CaseConflictError`` carries the
current version (the API answers 409). Adding a note or a document counts as a change of the
case too, so that two people never act on different pictures of the same case unawares.

Each write also appends a ``CaseEvent`` (the case's own history, what four-eyes guards read)
and an audit event without personal data. Referrals and transfers are in ``cases.handoffs``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import can_create, role_permissions, scopes_for
from ura.apps.accounts.selectors import active_users_by_ids
from ura.apps.cases import workflow
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.models import (
    Case,
    CaseAssignment,
    CaseDocument,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    CasePerson,
    CaseTask,
    Notification,
    PersonRole,
    Priority,
    ReferenceCounter,
    Vulnerability,
)
from ura.apps.cases.roles import ASSIGN
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_diff, audit_record
from ura.apps.people.selectors import person_ids_visible

if TYPE_CHECKING:
    from django.core.files import File

    from ura.apps.accounts.models import User

#: Uploads larger than this are refused (scans of identity documents and decisions fit).
DOCUMENT_MAX_BYTES = 25 * 1024 * 1024


class CaseConflictError(Exception):
    """The case changed after the version the user read; nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"The case was changed by someone else (now version {current_version}); "
            "reload it and try again."
        )
        self.current_version = current_version


# --- Shared steps ------------------------------------------------------------------------------


def case_write(*, case: Case, expected_version: int, **fields: Any) -> Case:
    """Apply ``fields`` to the case and step its version, if it is still at
    ``expected_version``; ``case`` is refreshed in place.

    Raises:
        CaseConflictError: someone else wrote the case in between.
    """
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if not updated:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise CaseConflictError(current or 0)
    case.refresh_from_db()
    return case


def case_history_add(
    *,
    case: Case,
    actor: User | None,
    kind: CaseEventKind,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    occurred_on: dt.date | None = None,
    **detail: Any,
) -> CaseEvent:
    """Append one event to the case's history (no personal data in ``detail``: ids, codes).

    ``occurred_on`` is the day it happened when recorded later (default: today); the time of
    recording is kept apart in ``occurred_at``."""
    return CaseEvent.objects.create(
        case=case,
        version=case.version,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        occurred_on=occurred_on or timezone.localdate(),
        detail=detail,
    )


def notify(*, users: Iterable[User], case: Case, message: str) -> None:
    """Tell ``users`` (in the app) that something happened to ``case``. ``message`` names the
    case by its reference only, never by a person's name."""
    Notification.objects.bulk_create(
        [Notification(user=u, case=case, message=message[:300]) for u in users]
    )


def _audit_update(actor: User, case: Case, what: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        detail={"change": what, "version": case.version, **detail},
    )


def _checked(actor: User, case_id: int, action: str = "change") -> Case:
    # Checked before the write's transaction: a refusal leaves an ``access_denied`` event
    # that must not be rolled back with the write it refused.
    return access_case_by_id(actor, case_id, action=action)  # type: ignore[arg-type]


def _clean_vulnerabilities(flags: Iterable[str]) -> list[str]:
    flags = list(dict.fromkeys(flags))
    unknown = sorted(set(flags) - set(Vulnerability.values))
    if unknown:
        raise ValidationError({"vulnerabilities": _("Unknown flags: %s") % ", ".join(unknown)})
    return sorted(flags)


def _clean_priority(priority: str) -> str:
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Priority must be normal, high or urgent.")})
    return priority


def data_apply(data: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with ``changes`` applied: each key a dotted path ("interview.date"); a value
    of None removes the path.

    Raises:
        ValidationError: a path runs through a value that is not an object.
    """
    result: dict[str, Any] = _deep_copy(data)
    for path, value in changes.items():
        parts = [p for p in path.split(".") if p]
        if not parts:
            raise ValidationError({"data": _("Empty path.")})
        node = result
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValidationError({"data": _("%s is not an object.") % part})
            node = child
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return result


def _deep_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, Mapping) else v for k, v in data.items()}


def _next_reference(prefix: str, year: int) -> str:
    """The next reference for ``prefix`` and ``year``: one atomic increment of the counter
    row (locked until the transaction ends), so two cases never share a reference."""
    ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
    ReferenceCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    number = ReferenceCounter.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}-{year}-{number:06d}"


# --- Opening and changing a case ---------------------------------------------------------------


def case_create(
    *,
    actor: User,
    procedure_code: str,
    person_id: str,
    person_role: str = PersonRole.PRINCIPAL_APPLICANT,
    household_group: str = "1",
    priority: str = Priority.NORMAL,
    vulnerabilities: Sequence[str] = (),
    data: Mapping[str, Any] | None = None,
    opened_on: dt.date | None = None,
    restricted: bool = False,
) -> Case:
    """Open a case of a procedure for a person of the index, owned by the actor's unit; the
    actor is its first assigned user.

    The case keeps the procedure version in force on ``opened_on`` (today by default) for its
    whole life. Cases of procedures that demand it (trafficking) are always restricted.

    Raises:
        PermissionDenied: the actor may not open cases or belongs to no unit.
        ValidationError: unknown procedure, person, role, priority or vulnerability flag.
    """
    agency_id, unit_id = actor.agency_id, actor.unit_id
    if not can_create(actor, Case) or agency_id is None or unit_id is None:
        raise PermissionDenied("You may not open cases.")
    today = timezone.localdate()
    opened_on = opened_on or today
    if opened_on > today:
        raise ValidationError({"opened_on": _("A case cannot be opened in the future.")})
    procedure = workflow.procedure_for_new_case(procedure_code, opened_on)
    if person_role not in PersonRole.values:
        raise ValidationError({"person_role": _("Unknown role.")})
    if person_id not in person_ids_visible(actor=actor, person_ids=[person_id]):
        raise ValidationError({"person_id": _("No such person in the person index.")})
    flags = _clean_vulnerabilities(vulnerabilities)
    with transaction.atomic():
        case = Case.objects.create(
            owning_agency_id=agency_id,
            owning_unit_id=unit_id,
            created_by=actor,
            reference=_next_reference(procedure.reference_prefix, opened_on.year),
            procedure_code=procedure.code,
            procedure_version=procedure.version,
            state=procedure.initial_state,
            priority=_clean_priority(priority),
            vulnerabilities=flags,
            data=dict(data or {}),
            opened_on=opened_on,
            restricted=restricted or procedure.restricted,
        )
        CasePerson.objects.create(
            case=case,
            person_id=person_id,
            role=person_role,
            household_group=household_group,
            added_by=actor,
        )
        CaseAssignment.objects.create(case=case, user=actor, assigned_by=actor)
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.CREATED,
            to_state=case.state,
            procedure=procedure.code,
            procedure_version=procedure.version,
        )
        workflow.deadlines_refresh(case)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=case,
            changes=audit_diff(
                Case,
                None,
                {
                    "procedure_code": case.procedure_code,
                    "procedure_version": case.procedure_version,
                    "state": case.state,
                    "priority": case.priority,
                    "vulnerabilities": flags,
                    "restricted": case.restricted,
                },
            ),
            detail={"reference": case.reference, "data_paths": sorted(case.data)},
        )
    return case


def case_update(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    priority: str | None = None,
    vulnerabilities: Sequence[str] | None = None,
    data_changes: Mapping[str, Any] | None = None,
    recorded_by: workflow.StepOwner | None = None,
) -> Case:
    """Change a case's priority, vulnerability flags or structured data.

    Data a procedure app owns (``workflow.register_app_steps``) changes only when that app's
    services pass their ``recorded_by``.

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``.
        CaseConflictError: the case changed since ``expected_version``.
        ValidationError: an invalid value.
        workflow.AppOwnedError: data a procedure app records itself.
    """
    case = _checked(actor, case_id)
    step_owner_check(actor, case, None, data_changes, recorded_by)
    fields: dict[str, Any] = {}
    if priority is not None:
        fields["priority"] = _clean_priority(priority)
    if vulnerabilities is not None:
        fields["vulnerabilities"] = _clean_vulnerabilities(vulnerabilities)
    if data_changes:
        fields["data"] = data_apply(case.data, data_changes)
    before = {"priority": case.priority, "vulnerabilities": case.vulnerabilities}
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version, **fields)
        paths = sorted(data_changes or {})
        case_history_add(case=case, actor=actor, kind=CaseEventKind.UPDATED, data_paths=paths)
        if data_changes:
            workflow.deadlines_refresh(case)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            changes=audit_diff(
                Case,
                before,
                {"priority": case.priority, "vulnerabilities": case.vulnerabilities},
            ),
            detail={"version": case.version, "data_paths": paths},
        )
    return case


# --- Persons -----------------------------------------------------------------------------------


def case_person_add(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    person_id: str,
    role: str,
    household_group: str = "1",
) -> CasePerson:
    """Link another person of the index (a family member, a dependant child…) to a case.

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ValidationError: unknown person or role, or the person is already in the case.
    """
    case = _checked(actor, case_id)
    if role not in PersonRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if person_id not in person_ids_visible(actor=actor, person_ids=[person_id]):
        raise ValidationError({"person_id": _("No such person in the person index.")})
    if case.persons.filter(person_id=person_id).exists():
        raise ValidationError({"person_id": _("The person is already in the case.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        link = CasePerson.objects.create(
            case=case,
            person_id=person_id,
            role=role,
            household_group=household_group,
            added_by=actor,
        )
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.PERSON_ADDED,
            person_id=person_id,
            role=role,
        )
        _audit_update(actor, case, "person_added", person_id=person_id, role=role)
    return link


def case_person_remove(*, actor: User, case_id: int, expected_version: int, person_id: str) -> None:
    """Unlink a person from a case (the principal applicant stays).

    Raises:
        ValidationError: the person is not in the case, or is its principal applicant.
    """
    case = _checked(actor, case_id)
    link = case.persons.filter(person_id=person_id).first()
    if link is None:
        raise ValidationError({"person_id": _("The person is not in the case.")})
    if link.role == PersonRole.PRINCIPAL_APPLICANT:
        raise ValidationError({"person_id": _("The principal applicant cannot be removed.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        link.delete()
        case_history_add(
            case=case, actor=actor, kind=CaseEventKind.PERSON_REMOVED, person_id=person_id
        )
        _audit_update(actor, case, "person_removed", person_id=person_id)


# --- Assignment --------------------------------------------------------------------------------


def _assignees(case: Case, user_ids: Iterable[int]) -> list[User]:
    """The users to assign: active, of the case's owning agency, able to see cases."""
    ids = list(dict.fromkeys(user_ids))
    users = active_users_by_ids(user_ids=ids)
    bad = [
        i
        for i in ids
        if i not in users
        or users[i].agency_id != case.owning_agency_id
        or not scopes_for(users[i], "cases.view_case")
    ]
    if bad:
        raise ValidationError(
            {"user_ids": _("Cases are assigned to case workers of the owning agency only.")}
        )
    return [users[i] for i in ids]


def _assigned_now(case: Case, user: User) -> bool:
    return case.assignments.filter(user_id=user.pk, ended_at__isnull=True).exists()


def _require_assign(actor: User) -> None:
    if ASSIGN not in role_permissions(actor):
        raise PermissionDenied("You may not assign cases.")


def _assign(actor: User, case: Case, expected_version: int, users: list[User]) -> list[User]:
    current = set(case.assignments.filter(ended_at__isnull=True).values_list("user_id", flat=True))
    new = [u for u in users if u.pk not in current]
    case_write(case=case, expected_version=expected_version)
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=case, user=u, assigned_by=actor) for u in new]
    )
    for user in new:
        case_history_add(case=case, actor=actor, kind=CaseEventKind.ASSIGNED, user_id=user.pk)
    notify(
        users=new,
        case=case,
        message=_("You were assigned to case %(reference)s.") % {"reference": case.reference},
    )
    _audit_update(actor, case, "assigned", user_ids=[u.pk for u in new])
    return new


def case_assign(
    *, actor: User, case_id: int, expected_version: int, user_ids: Sequence[int]
) -> Case:
    """Assign users of the owning agency to a case (those already assigned stay); each new
    assignee is notified.

    A restricted case is invisible to supervisors until someone brings them in, so the users
    working on it may assign colleagues of the owning agency themselves — a supervisor to
    approve a closure or a decision, a colleague to cover an absence. Anyone else needs the
    assigning permission.

    Raises:
        PermissionDenied: the actor may not assign cases, or not change this one.
        ValidationError: a user is unknown, inactive, of another agency or sees no cases.
        CaseConflictError: the case changed since ``expected_version``.
    """
    case = _checked(actor, case_id)
    if not (case.restricted and _assigned_now(case, actor)):
        _require_assign(actor)
    users = _assignees(case, user_ids)
    with transaction.atomic():
        _assign(actor, case, expected_version, users)
    return case


def cases_assign_bulk(
    *, actor: User, cases: Sequence[tuple[int, int]], user_ids: Sequence[int]
) -> list[Case]:
    """Assign the same users to many cases at once: ``cases`` holds (case id, expected
    version) pairs. All or nothing: one refusal or conflict assigns none.

    Raises:
        as ``case_assign``, for the first case that refuses.
    """
    _require_assign(actor)
    loaded = [(_checked(actor, case_id), version) for case_id, version in cases]
    with transaction.atomic():
        for case, version in loaded:
            _assign(actor, case, version, _assignees(case, user_ids))
    return [case for case, _version in loaded]


def case_unassign(*, actor: User, case_id: int, expected_version: int, user_id: int) -> Case:
    """End a user's assignment to a case. On a restricted case this ends their access; there,
    as for assigning, the users working on it may do it themselves.

    Raises:
        PermissionDenied: the actor may not assign cases, or not change this one.
        ValidationError: the user is not assigned.
    """
    case = _checked(actor, case_id)
    if not (case.restricted and _assigned_now(case, actor)):
        _require_assign(actor)
    with transaction.atomic():
        ended = case.assignments.filter(user_id=user_id, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        if not ended:
            raise ValidationError({"user_id": _("The user is not assigned to the case.")})
        case_write(case=case, expected_version=expected_version)
        case_history_add(case=case, actor=actor, kind=CaseEventKind.UNASSIGNED, user_id=user_id)
        _audit_update(actor, case, "unassigned", user_id=user_id)
    return case


# --- Notes, documents, tasks, notifications ----------------------------------------------------


def case_note_add(*, actor: User, case_id: int, expected_version: int, text: str) -> CaseNote:
    """Add a note to a case. The audit event records that a note was added, not its text.

    Raises:
        ValidationError: the note is empty.
    """
    case = _checked(actor, case_id)
    if not text.strip():
        raise ValidationError({"text": _("A note needs some text.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        note = CaseNote.objects.create(case=case, author=actor, text=text)
        case_history_add(case=case, actor=actor, kind=CaseEventKind.NOTE_ADDED, note_id=note.pk)
        _audit_update(actor, case, "note_added", note_id=note.pk)
    return note


def _digest_and_size(upload: File[Any]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def case_document_add(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    kind: str,
    upload: File[Any],
    original_name: str,
    content_type: str = "",
) -> CaseDocument:
    """Store an uploaded file with a case under a random, non-guessable name; keep its type,
    original name, size and SHA-256.

    Raises:
        ValidationError: an empty or too large file, or no document type.
        Http404, PermissionDenied, CaseConflictError: as for every case write.
    """
    case = _checked(actor, case_id)
    if not kind.strip():
        raise ValidationError({"kind": _("Say what kind of document this is.")})
    with document_stored(upload) as (stored, sha256, size), transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        document = CaseDocument.objects.create(
            case=case,
            kind=kind.strip()[:64],
            original_name=original_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or "document",
            content_type=content_type[:100],
            size=size,
            sha256=sha256,
            storage_name=stored,
            uploaded_by=actor,
        )
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.DOCUMENT_ADDED,
            document_id=document.pk,
        )
        _audit_update(
            actor, case, "document_added", document_id=document.pk, sha256=sha256, size=size
        )
    return document


@contextlib.contextmanager
def document_stored(upload: File[Any]) -> Iterator[tuple[str, str, int]]:
    """Store a file under a random, non-guessable name for the duration of the block, which
    records it; yields (stored name, SHA-256, size). If the block fails, the file is removed,
    so that storage never holds a file no case knows.

    Raises:
        ValidationError: an empty or too large file.
    """
    sha256, size = _digest_and_size(upload)
    if size == 0 or size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"file": _("A document must hold 1 byte to %d MB.") % (DOCUMENT_MAX_BYTES >> 20)}
        )
    # The stored name tells nothing about the case, the person or the file.
    stored = default_storage.save(f"cases/{secrets.token_urlsafe(32)}", upload)
    try:
        yield stored, sha256, size
    except BaseException:
        default_storage.delete(stored)
        raise


def case_task_add(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    title: str,
    assignee_id: int | None = None,
    due_on: dt.date | None = None,
) -> CaseTask:
    """Add a task to a case, optionally for a user assigned to it (who is notified).

    Raises:
        ValidationError: no title, or the assignee is not assigned to the case.
    """
    case = _checked(actor, case_id)
    if not title.strip():
        raise ValidationError({"title": _("A task needs a title.")})
    assignee = None
    if assignee_id is not None:
        assignee = case.assignments.filter(user_id=assignee_id, ended_at__isnull=True).first()
        if assignee is None:
            raise ValidationError({"assignee_id": _("Tasks go to users assigned to the case.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        task = CaseTask.objects.create(
            case=case,
            title=title.strip()[:200],
            assignee_id=assignee_id,
            due_on=due_on,
            created_by=actor,
        )
        case_history_add(case=case, actor=actor, kind=CaseEventKind.TASK_ADDED, task_id=task.pk)
        if assignee is not None and assignee_id != actor.pk:
            notify(
                users=[assignee.user],
                case=case,
                message=_("New task on case %(reference)s.") % {"reference": case.reference},
            )
        _audit_update(actor, case, "task_added", task_id=task.pk)
    return task


def case_task_complete(
    *, actor: User, case_id: int, expected_version: int, task_id: int
) -> CaseTask:
    """Mark a task of the case done.

    Raises:
        Http404: no such task on this case.
        ValidationError: the task is done already.
    """
    case = _checked(actor, case_id)
    task = case.tasks.filter(pk=task_id).first()
    if task is None:
        raise ValidationError({"task_id": _("No such task on this case.")})
    if task.done_at is not None:
        raise ValidationError({"task_id": _("The task is done already.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        task.done_at, task.done_by = timezone.now(), actor
        task.save(update_fields=["done_at", "done_by"])
        case_history_add(case=case, actor=actor, kind=CaseEventKind.TASK_DONE, task_id=task.pk)
        _audit_update(actor, case, "task_done", task_id=task.pk)
    return task


def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read.

    Raises:
        ValidationError: no such notification of the actor's.
    """
    notification = Notification.objects.filter(pk=notification_id, user=actor).first()
    if notification is None:
        raise ValidationError({"notification_id": _("No such notification.")})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- Consent -----------------------------------------------------------------------------------


# --- Transitions -------------------------------------------------------------------------------


def transition_refusal_record(
    *, actor: User, case: Case, transition: str, refused: workflow.TransitionRefusedError
) -> None:
    """Leave the refused attempt in the audit trail (which guards failed, not the data).
    Callers that wrap a transition in their own transaction record it again after rolling
    back, since the rollback takes this event with it."""
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=case,
        detail={
            "attempted": "transition",
            "transition": transition[:64],
            "outcome": "guards_failed",
            "failures": sorted({f.code for f in refused.failures}),
        },
    )


def _check_occurred_on(case: Case, occurred_on: dt.date) -> None:
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("A step cannot be recorded in the future.")})
    if occurred_on < case.opened_on:
        raise ValidationError({"occurred_on": _("The step cannot precede the case's opening.")})
    latest = (
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    if latest is not None and occurred_on < latest:
        raise ValidationError(
            {"occurred_on": _("The step cannot precede the case's latest recorded step.")}
        )


def step_owner_check(
    actor: User,
    case: Case,
    transition: str | None,
    data_changes: Mapping[str, Any] | None,
    recorded_by: workflow.StepOwner | None,
) -> None:
    """Refuse (and audit the refusal of) a step or data that a procedure app records
    itself, unless ``recorded_by`` is that app's recorder.

    Raises:
        workflow.AppOwnedError: naming where the step or data is recorded.
    """
    try:
        workflow.check_step_owner(
            case, transition=transition, data_paths=data_changes or {}, recorded_by=recorded_by
        )
    except workflow.AppOwnedError:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            obj=case,
            detail={
                "attempted": "transition" if transition else "update",
                "transition": (transition or "")[:64],
                "outcome": "recorded_by_procedure_app",
            },
        )
        raise


def case_transition(
    *,
    actor: User,
    case_id: int,
    transition: str,
    expected_version: int,
    data_changes: Mapping[str, Any] | None = None,
    override_consent_reason: str = "",
    occurred_on: dt.date | None = None,
    recorded_by: workflow.StepOwner | None = None,
) -> Case:
    """Move a case along its procedure: check the transition's guards (permissions from the
    actor's roles, required data, consents, four-eyes), change the state, write history and
    audit, and recompute the deadlines — all in one transaction.

    A consent guard passed only through the procedure's override permission needs
    ``override_consent_reason``; the override is audited with it.

    ``occurred_on`` records a step taken earlier (an interview held yesterday, entered today):
    deadlines count from that day. It may not be in the future, nor before the case was
    opened or before its latest recorded step, so that the history stays in order.

    A transition (or data) that a procedure app records itself (``workflow.register_app_steps``)
    passes only with that app's ``recorded_by``: its services record it with the structured
    data the step needs.

    Raises:
        Http404, PermissionDenied: see ``access_case_by_id``.
        workflow.TransitionRefusedError: one or more guards failed (each is listed).
        CaseConflictError: the case changed since ``expected_version``.
        ValidationError: ``occurred_on`` out of order.
        workflow.AppOwnedError: a step or data a procedure app records itself.
    """
    case = _checked(actor, case_id)
    step_owner_check(actor, case, transition, data_changes, recorded_by)
    if occurred_on is not None:
        _check_occurred_on(case, occurred_on)
    data = data_apply(case.data, data_changes or {})
    try:
        target = workflow.transition_check(
            case=case,
            transition=transition,
            actor_id=actor.pk,
            permissions=frozenset(role_permissions(actor)),
            data=data,
        )
        if target.consent_overridden and not override_consent_reason.strip():
            raise workflow.override_reason_missing()
    except workflow.TransitionRefusedError as refused:
        # Outside the write's transaction, so that the refusal stays in the trail.
        transition_refusal_record(actor=actor, case=case, transition=transition, refused=refused)
        raise
    with transaction.atomic():
        before = case.state
        fields: dict[str, Any] = {"state": target.to_state, "data": data}
        if target.terminal:
            fields["closed_at"] = case.closed_at or timezone.now()
        else:
            fields["closed_at"] = None
        case_write(case=case, expected_version=expected_version, **fields)
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.TRANSITION,
            transition=transition,
            from_state=before,
            to_state=case.state,
            data_paths=sorted(data_changes or {}),
            emits=list(target.emits),
            consent_overridden=target.consent_overridden,
            occurred_on=occurred_on,
        )
        workflow.deadlines_refresh(case)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            changes={"state": {"old": before, "new": case.state}},
            detail={
                "change": "transition",
                "transition": transition,
                "version": case.version,
                "data_paths": sorted(data_changes or {}),
            },
        )
        if target.consent_overridden:
            audit_record(
                actor=actor,
                action=AuditAction.PERMISSION_CHANGE,
                obj=case,
                detail={
                    "change": "consent_override",
                    "transition": transition,
                    # The override's justification is the point of this event.
                    "reason": override_consent_reason.strip()[:300],
                },
            )
    return case
