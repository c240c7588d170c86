"""What each role may do in the trafficking app (see accounts.roles).

These permissions say *what* a user may do on a trafficking case; *which* cases they reach is
decided by the case engine: every trafficking case is restricted, so only users assigned to it
and explicit grantees (the partner organisation a case was referred to) see it at all.
``cases.roles`` gives first responders cases view/add and partner NGO staff view/change.
"""

from ura.apps.accounts.models import RoleCode

IDENTIFY = "trafficking.identify_victim"
MANAGE = "trafficking.manage_case"
REFER = "trafficking.refer_case"
APPROVE_CLOSURE = "trafficking.approve_closure"
REVEAL = "trafficking.reveal_identity"
EXPORT_HTCDS = "trafficking.export_htcds"

GRANTS = {
    RoleCode.FIRST_RESPONDER: [IDENTIFY],
    RoleCode.CASEWORKER: [IDENTIFY, MANAGE, REFER, REVEAL, EXPORT_HTCDS],
    RoleCode.SUPERVISOR: [IDENTIFY, MANAGE, REFER, APPROVE_CLOSURE, REVEAL, EXPORT_HTCDS],
    # Partner organisations work on the cases referred to them: they accept or reject the
    # referral, record services and the phases of assistance, and may need to know whom
    # they are helping.
    RoleCode.PARTNER_NGO: [MANAGE, REVEAL],
}
