"""Consent to hand-offs: recorded per person and purpose, and withdrawn — which ends the
referrals and waiting transfers made under it (decision 0017).

A referral or transfer needs a recorded consent in force (``cases.handoffs``) unless the user
holds the audited override permission.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ura.apps.accounts.policy import scopes_for
from ura.apps.accounts.selectors import active_users_of
from ura.apps.accounts.services import access_grant_revoke
from ura.apps.cases.access import access_case_by_id
from ura.apps.cases.models import (
    Case,
    CaseEventKind,
    Consent,
    ConsentKind,
    Referral,
    ReferralStatus,
    Transfer,
    TransferStatus,
)
from ura.apps.cases.services import case_history_add, case_write, notify
from ura.apps.core.models import AuditAction
from ura.apps.core.services import audit_record

if TYPE_CHECKING:
    from ura.apps.accounts.models import User


def _audit_update(actor: User, case: Case, what: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        detail={"change": what, "version": case.version, **detail},
    )


def _checked(actor: User, case_id: int) -> Case:
    return access_case_by_id(actor, case_id, action="change")


def consent_record(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    person_id: str,
    kind: str,
    given_on: dt.date,
    scope: str = "",
    recipient_agency_id: int | None = None,
) -> Consent:
    """Record a person's informed consent for a purpose (referral, transfer, data sharing),
    optionally limited to one recipient agency.

    Raises:
        ValidationError: unknown kind, a person not in the case, a date in the future.
    """
    case = _checked(actor, case_id)
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": _("Unknown kind of consent.")})
    if not case.persons.filter(person_id=person_id).exists():
        raise ValidationError({"person_id": _("The person is not in the case.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Consent cannot be given in the future.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        consent = Consent.objects.create(
            case=case,
            person_id=person_id,
            kind=kind,
            scope=scope[:200],
            recipient_agency_id=recipient_agency_id,
            given_on=given_on,
            recorded_by=actor,
        )
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.CONSENT_RECORDED,
            consent_id=consent.pk,
            consent_kind=kind,
        )
        _audit_update(actor, case, "consent_recorded", consent_id=consent.pk, kind=kind)
    return consent


def consent_withdraw(
    *, actor: User, case_id: int, expected_version: int, consent_id: int
) -> Consent:
    """Record that a consent was withdrawn, and end the hand-offs made under it: a referral
    in progress or accepted is revoked and a transfer still waiting is cancelled, so the
    recipient's access ends at once; the recipients and the users who made them are told.
    New hand-offs need a new consent (or the audited override).

    Raises:
        ValidationError: no such consent on the case, or withdrawn already.
    """
    case = _checked(actor, case_id)
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None or consent.withdrawn_at is not None:
        raise ValidationError({"consent_id": _("No such consent in force on this case.")})
    with transaction.atomic():
        case_write(case=case, expected_version=expected_version)
        now = timezone.now()
        consent.withdrawn_at, consent.withdrawn_by = now, actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        case_history_add(
            case=case, actor=actor, kind=CaseEventKind.CONSENT_WITHDRAWN, consent_id=consent.pk
        )
        _audit_update(actor, case, "consent_withdrawn", consent_id=consent.pk)
        _handoffs_end(actor, case, consent, now)
    return consent


def _handoffs_end(actor: User, case: Case, consent: Consent, now: dt.datetime) -> None:
    """End the referrals and pending transfers that rest on ``consent`` (see above)."""
    open_referrals = Referral.objects.filter(
        case=case,
        consent=consent,
        status__in=[ReferralStatus.IN_PROGRESS, ReferralStatus.ACCEPTED],
    ).select_related("grant")
    for referral in open_referrals:
        referral.status, referral.closed_at = ReferralStatus.REVOKED, now
        referral.save(update_fields=["status", "closed_at"])
        if referral.grant is not None and referral.grant.revoked_at is None:
            access_grant_revoke(actor=actor, grant=referral.grant)
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.REFERRAL,
            referral_id=referral.pk,
            status=referral.status,
            reason="consent_withdrawn",
        )
        _audit_update(actor, case, "referral_revoked", referral_id=referral.pk)
        notify(
            users=_recipients(referral.to_agency_id, referral.to_unit_id, referral.submitted_by),
            case=case,
            message=_("Referral of case %s ended: the person withdrew consent.") % case.reference,
        )
    pending = Transfer.objects.filter(
        case=case, consent=consent, status=TransferStatus.REQUESTED
    ).select_related("grant")
    for transfer in pending:
        transfer.status, transfer.responded_at = TransferStatus.CANCELLED, now
        transfer.save(update_fields=["status", "responded_at"])
        if transfer.grant is not None and transfer.grant.revoked_at is None:
            access_grant_revoke(actor=actor, grant=transfer.grant)
        case_history_add(
            case=case,
            actor=actor,
            kind=CaseEventKind.TRANSFER,
            transfer_id=transfer.pk,
            status=transfer.status,
            reason="consent_withdrawn",
        )
        _audit_update(actor, case, "transfer_cancelled", transfer_id=transfer.pk)
        notify(
            users=_recipients(transfer.to_agency_id, transfer.to_unit_id, transfer.requested_by),
            case=case,
            message=_("Transfer of case %s cancelled: the person withdrew consent.")
            % case.reference,
        )


def _recipients(agency_id: int, unit_id: int | None, requester: User) -> list[User]:
    """Who hears that a hand-off ended: its requester and the active users of the receiving
    unit (or agency) who may work on cases."""
    users = active_users_of(agency_id=agency_id, unit_id=unit_id)
    return [requester, *(u for u in users if scopes_for(u, "cases.view_case"))]
