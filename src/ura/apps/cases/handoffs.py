"""Hand-offs between agencies: referral and transfer (PROCEDURES.md, Primero's model).

*Referral*: the case stays with its owner; the recipient agency (or one unit of it) sees the
case through an explicit ``AccessGrant`` while the referral is open — in progress → accepted
or rejected → done; the referring side may revoke it at any time. Rejecting, completing or
revoking a referral revokes the grant.

*Transfer*: ownership passes to a unit of another agency when that unit accepts. While the
request waits, the receiving unit sees the case (a grant) so that it can decide.

Both are refused unless a person of the case has consented (a recorded, unwithdrawn consent
of kind ``referral`` for referrals and ``transfer`` for transfers, for the recipient agency
or any recipient), except for a user holding ``cases.override_consent`` who gives a reason;
every override is audited with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import role_permissions, scopes_for
from ura.apps.accounts.selectors import agency_by_id, unit_by_id
from ura.apps.accounts.services import access_grant_create, access_grant_revoke
from ura.apps.cases.access import access_case_by_id, cases_for
from ura.apps.cases.models import (
    Case,
    CaseAssignment,
    CaseEventKind,
    Consent,
    ConsentKind,
    Referral,
    ReferralStatus,
    Transfer,
    TransferStatus,
)
from ura.apps.cases.roles import OVERRIDE_CONSENT
from ura.apps.cases.services import case_history_add, case_write, notify
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record

if TYPE_CHECKING:
    from ura.apps.accounts.models import Agency, User


class ConsentRequiredError(Exception):
    """No consent in force covers the hand-off, and no override was given."""

    code = "consent"

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"A person of the case must consent ({kind}) before the case is handed over; "
            "record the consent first."
        )
        self.kind = kind


def _consent_or_override(
    *, actor: User, case: Case, kind: ConsentKind, recipient: Agency, override_reason: str
) -> Consent | None:
    """The consent in force that covers handing ``case`` to ``recipient``; None when the
    actor overrides.

    Raises:
        ConsentRequiredError: no such consent and no override reason.
        PermissionDenied: an override without the ``cases.override_consent`` permission.
    """
    consent = (
        Consent.objects.filter(case=case, kind=kind, withdrawn_at__isnull=True)
        .filter(Q(recipient_agency__isnull=True) | Q(recipient_agency=recipient))
        .order_by("-given_on", "-pk")
        .first()
    )
    if consent is not None:
        return consent
    if not override_reason.strip():
        raise ConsentRequiredError(kind)
    if OVERRIDE_CONSENT not in role_permissions(actor):
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            obj=case,
            detail={"attempted": "consent_override", "outcome": "forbidden", "kind": kind},
        )
        raise PermissionDenied("You may not hand over a case without consent.")
    return None


def _audit_override(actor: User, case: Case, kind: str, handoff: str, pk: int, reason: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        obj=case,
        detail={
            "change": "consent_override",
            "consent_kind": kind,
            handoff: pk,
            # The override's justification is the point of this event (PROCEDURES.md).
            "reason": reason.strip()[:300],
        },
    )


def _audit(actor: User, case: Case, change: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        detail={"change": change, "version": case.version, **detail},
    )


def _is_recipient(actor: User, agency_id: int, unit_id: int | None) -> bool:
    return actor.agency_id == agency_id and (unit_id is None or actor.unit_id == unit_id)


# --- Referral ----------------------------------------------------------------------------------


def referral_submit(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    to_agency_id: int,
    service: str,
    to_unit_id: int | None = None,
    can_change: bool = False,
    override_consent_reason: str = "",
) -> Referral:
    """Refer a case to another agency (or one of its units) for a service.

    The recipient gets an explicit grant on the case: view, and change when ``can_change``
    (each recipient user still needs a role that lets them see or work on cases).

    Raises:
        Http404, PermissionDenied, CaseConflictError: as for every case write.
        ConsentRequiredError: nobody consented, and no override was given.
        ValidationError: unknown recipient, a unit of another agency, no service named.
    """
    case = access_case_by_id(actor, case_id, action="change")
    agency = agency_by_id(to_agency_id)
    unit = unit_by_id(to_unit_id) if to_unit_id is not None else None
    if agency is None or (to_unit_id is not None and (unit is None or unit.agency_id != agency.pk)):
        raise ValidationError({"to_agency_id": _("No such recipient.")})
    if unit is not None and unit.pk == case.owning_unit_id:
        raise ValidationError({"to_unit_id": _("The case is already with this unit.")})
    if not service.strip():
        raise ValidationError({"service": _("Say which service is requested.")})
    consent = _consent_or_override(
        actor=actor,
        case=case,
        kind=ConsentKind.REFERRAL,
        recipient=agency,
        override_reason=override_consent_reason,
    )
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        referral = Referral.objects.create(
            case=case,
            from_agency_id=case.owning_agency_id,
            from_unit_id=case.owning_unit_id,
            to_agency=agency,
            to_unit=unit,
            service=service.strip()[:200],
            can_change=can_change,
            consent=consent,
            consent_overridden=consent is None,
            override_reason=override_consent_reason.strip()[:300] if consent is None else "",
            submitted_by=actor,
        )
        referral.grant = access_grant_create(
            actor=actor,
            obj=case,
            reason=f"referral {referral.pk}",
            unit=unit,
            agency=None if unit is not None else agency,
            can_change=can_change,
        )
        referral.save(update_fields=["grant"])
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.REFERRAL,
            referral_id=referral.pk,
            status=referral.status,
            to_agency_id=agency.pk,
            to_unit_id=to_unit_id,
        )
        _audit(actor, case, "referral_submitted", referral_id=referral.pk, to_agency_id=agency.pk)
        if consent is None:
            _audit_override(
                actor,
                case,
                ConsentKind.REFERRAL,
                "referral_id",
                referral.pk,
                override_consent_reason,
            )
    return referral


def _referral(actor: User, referral_id: int) -> Referral:
    referral = (
        Referral.objects.filter(pk=referral_id, case__in=cases_for(actor, "view"))
        .select_related("case", "grant")
        .first()
    )
    if referral is None:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.referral",
            object_id=str(referral_id),
            detail={"attempted": "view", "outcome": "not_found"},
        )
        raise Http404("No such referral.")
    return referral


def _referral_step(
    *,
    actor: User,
    referral_id: int,
    expected_version: int,
    side: str,
    allowed_from: tuple[ReferralStatus, ...],
    to: ReferralStatus,
    note: str = "",
    revoke_grant: bool,
) -> Referral:
    referral = _referral(actor, referral_id)
    case = referral.case
    if side == "recipient":
        allowed = _is_recipient(actor, referral.to_agency_id, referral.to_unit_id) and bool(
            scopes_for(actor, "cases.view_case")
        )
    else:  # the referring side: whoever may change the case in the owning agency
        allowed = actor.agency_id == referral.from_agency_id and bool(
            cases_for(actor, "change").filter(pk=case.pk).exists()
        )
    if not allowed:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            obj=referral,
            detail={"attempted": to.value, "outcome": "forbidden"},
        )
        raise PermissionDenied(f"Only the {side} side may do this.")
    if referral.status not in allowed_from:
        raise ValidationError(
            {"status": _("The referral is %(status)s.") % {"status": referral.get_status_display()}}
        )
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        now = timezone.now()
        referral.status = to
        if side == "recipient" and to in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED):
            referral.responded_by, referral.responded_at = actor, now
            referral.response_note = note[:500]
        if to in (ReferralStatus.REJECTED, ReferralStatus.DONE, ReferralStatus.REVOKED):
            referral.closed_at = now
        referral.save()
        if revoke_grant and referral.grant is not None and referral.grant.revoked_at is None:
            access_grant_revoke(actor=actor, grant=referral.grant)
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.REFERRAL,
            referral_id=referral.pk,
            status=referral.status,
        )
        _audit(actor, case, f"referral_{to.value}", referral_id=referral.pk)
        if side == "recipient":
            notify(
                users=[referral.submitted_by],
                case=case,
                message=_("Referral of case %(reference)s: %(status)s.")
                % {"reference": case.reference, "status": referral.get_status_display()},
            )
    return referral


def referral_accept(
    *, actor: User, referral_id: int, expected_version: int, note: str = ""
) -> Referral:
    """The recipient accepts a referral in progress.

    Raises:
        Http404: the referral's case is not visible to the actor.
        PermissionDenied: the actor is not of the recipient agency (and unit).
        ValidationError: the referral is not in progress.
        CaseConflictError: the case changed since ``expected_version``.
    """
    return _referral_step(
        actor=actor,
        referral_id=referral_id,
        expected_version=expected_version,
        side="recipient",
        allowed_from=(ReferralStatus.IN_PROGRESS,),
        to=ReferralStatus.ACCEPTED,
        note=note,
        revoke_grant=False,
    )


def referral_reject(
    *, actor: User, referral_id: int, expected_version: int, note: str = ""
) -> Referral:
    """The recipient rejects a referral in progress; its access ends. Raises as
    ``referral_accept``."""
    return _referral_step(
        actor=actor,
        referral_id=referral_id,
        expected_version=expected_version,
        side="recipient",
        allowed_from=(ReferralStatus.IN_PROGRESS,),
        to=ReferralStatus.REJECTED,
        note=note,
        revoke_grant=True,
    )


def referral_complete(*, actor: User, referral_id: int, expected_version: int) -> Referral:
    """The recipient reports the referred service done; its access ends. Raises as
    ``referral_accept``."""
    return _referral_step(
        actor=actor,
        referral_id=referral_id,
        expected_version=expected_version,
        side="recipient",
        allowed_from=(ReferralStatus.ACCEPTED,),
        to=ReferralStatus.DONE,
        revoke_grant=True,
    )


def referral_revoke(*, actor: User, referral_id: int, expected_version: int) -> Referral:
    """The referring side withdraws a referral in progress or accepted; the recipient's
    access ends.

    Raises:
        PermissionDenied: the actor is not of the referring agency or may not change the
            case.
    """
    return _referral_step(
        actor=actor,
        referral_id=referral_id,
        expected_version=expected_version,
        side="referring",
        allowed_from=(ReferralStatus.IN_PROGRESS, ReferralStatus.ACCEPTED),
        to=ReferralStatus.REVOKED,
        revoke_grant=True,
    )


# --- Transfer ----------------------------------------------------------------------------------


def transfer_request(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    to_unit_id: int,
    reason: str,
    override_consent_reason: str = "",
) -> Transfer:
    """Ask a unit of another agency to take over a case. The unit sees the case while the
    request waits.

    Raises:
        PermissionDenied: the actor is not of the owning agency or may not change the case;
            an override without permission.
        ConsentRequiredError: nobody consented to a transfer, and no override was given.
        ValidationError: unknown unit, the case's own unit, a transfer already waiting.
        CaseConflictError: the case changed since ``expected_version``.
    """
    case = access_case_by_id(actor, case_id, action="change")
    if actor.agency_id != case.owning_agency_id:
        raise PermissionDenied("Only the owning agency may transfer a case.")
    unit = unit_by_id(to_unit_id)
    if unit is None or not unit.agency.is_active:
        raise ValidationError({"to_unit_id": _("No such unit.")})
    if unit.pk == case.owning_unit_id:
        raise ValidationError({"to_unit_id": _("The case is already with this unit.")})
    if case.transfers.filter(status=TransferStatus.REQUESTED).exists():
        raise ValidationError({"to_unit_id": _("A transfer of this case is already waiting.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    consent = _consent_or_override(
        actor=actor,
        case=case,
        kind=ConsentKind.TRANSFER,
        recipient=unit.agency,
        override_reason=override_consent_reason,
    )
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        transfer = Transfer.objects.create(
            case=case,
            from_agency_id=case.owning_agency_id,
            from_unit_id=case.owning_unit_id,
            to_agency_id=unit.agency_id,
            to_unit=unit,
            reason=reason.strip()[:500],
            consent=consent,
            consent_overridden=consent is None,
            override_reason=override_consent_reason.strip()[:300] if consent is None else "",
            requested_by=actor,
        )
        transfer.grant = access_grant_create(
            actor=actor, obj=case, reason=f"transfer {transfer.pk}", unit=unit
        )
        transfer.save(update_fields=["grant"])
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.TRANSFER,
            transfer_id=transfer.pk,
            status=transfer.status,
            to_unit_id=unit.pk,
        )
        _audit(actor, case, "transfer_requested", transfer_id=transfer.pk, to_unit_id=unit.pk)
        if consent is None:
            _audit_override(
                actor,
                case,
                ConsentKind.TRANSFER,
                "transfer_id",
                transfer.pk,
                override_consent_reason,
            )
    return transfer


def _transfer_decide(
    *, actor: User, transfer_id: int, expected_version: int, accept: bool, note: str
) -> Transfer:
    transfer = (
        Transfer.objects.filter(pk=transfer_id, case__in=cases_for(actor, "view"))
        .select_related("case", "grant")
        .first()
    )
    if transfer is None:
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.transfer",
            object_id=str(transfer_id),
            detail={"attempted": "decide", "outcome": "not_found"},
        )
        raise Http404("No such transfer.")
    case = transfer.case
    if actor.unit_id != transfer.to_unit_id or not scopes_for(actor, "cases.change_case"):
        audit_record(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            obj=transfer,
            detail={"attempted": "accept" if accept else "reject", "outcome": "forbidden"},
        )
        raise PermissionDenied("Only the receiving unit may decide a transfer.")
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError({"status": _("The transfer was decided already.")})
    with transaction.atomic():
        now = timezone.now()
        fields: dict[str, Any] = {}
        if accept:
            fields = {
                "owning_agency_id": transfer.to_agency_id,
                "owning_unit_id": transfer.to_unit_id,
            }
        case_write(case=case, expected_version=expected_version, **fields)
        transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REJECTED
        transfer.responded_by, transfer.responded_at = actor, now
        transfer.response_note = note[:500]
        transfer.save()
        if transfer.grant is not None and transfer.grant.revoked_at is None:
            access_grant_revoke(actor=actor, grant=transfer.grant)
        if accept:
            # The case leaves the old agency: its people stop working on it, and the one who
            # accepted it is its first assigned user in the new agency.
            ended = list(
                case.assignments.filter(ended_at__isnull=True).values_list("user_id", flat=True)
            )
            case.assignments.filter(ended_at__isnull=True).update(ended_at=now)
            CaseAssignment.objects.create(case=case, user=actor, assigned_by=actor)
            for user_id in ended:
                case_history_add(
                    case=case, actor=actor, kind=CaseEventKind.UNASSIGNED, user_id=user_id
                )
            case_history_add(case=case, actor=actor, kind=CaseEventKind.ASSIGNED, user_id=actor.pk)
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.TRANSFER,
            transfer_id=transfer.pk,
            status=transfer.status,
        )
        _audit(
            actor,
            case,
            f"transfer_{transfer.status}",
            transfer_id=transfer.pk,
            owning_unit_id=case.owning_unit_id,
        )
        notify(
            users=[transfer.requested_by],
            case=case,
            message=_("Transfer of case %(reference)s: %(status)s.")
            % {"reference": case.reference, "status": transfer.get_status_display()},
        )
    return transfer


def transfer_accept(
    *, actor: User, transfer_id: int, expected_version: int, note: str = ""
) -> Transfer:
    """The receiving unit accepts: the case now belongs to it and its agency.

    Raises:
        Http404: no such transfer visible to the actor.
        PermissionDenied: the actor is not of the receiving unit or may not change cases.
        ValidationError: the transfer was decided already.
        CaseConflictError: the case changed since ``expected_version``.
    """
    return _transfer_decide(
        actor=actor,
        transfer_id=transfer_id,
        expected_version=expected_version,
        accept=True,
        note=note,
    )


def transfer_reject(
    *, actor: User, transfer_id: int, expected_version: int, note: str = ""
) -> Transfer:
    """The receiving unit declines; its access ends. Raises as ``transfer_accept``."""
    return _transfer_decide(
        actor=actor,
        transfer_id=transfer_id,
        expected_version=expected_version,
        accept=False,
        note=note,
    )
