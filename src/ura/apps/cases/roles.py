"""What each role may do with cases (see accounts.roles).

The scope of each role assignment (unit for caseworkers, agency for supervisors, own for
first responders and partner NGO staff) decides which cases the permission reaches; restricted
cases are reached only by assignment or explicit grant (``cases.access``).
"""

from ura.apps.accounts.models import RoleCode

_CASE = "cases.{}_case"
VIEW, ADD, CHANGE, DELETE, EXPORT = (
    _CASE.format(a) for a in ("view", "add", "change", "delete", "export")
)
ASSIGN = "cases.assign_case"
APPROVE = "cases.approve_case"
#: Referral or transfer without recorded consent; every use is audited with its reason.
OVERRIDE_CONSENT = "cases.override_consent"

GRANTS = {
    RoleCode.CASEWORKER: [VIEW, ADD, CHANGE],
    RoleCode.SUPERVISOR: [VIEW, ADD, CHANGE, DELETE, EXPORT, ASSIGN, APPROVE, OVERRIDE_CONSENT],
    # First responders record the steps they take on the cases they opened (scope own): the
    # identification screening of a presumed trafficking victim, for one.
    RoleCode.FIRST_RESPONDER: [VIEW, ADD, CHANGE],
    # Partner organisations work on the cases referred to them (grants) or assigned to them.
    RoleCode.PARTNER_NGO: [VIEW, CHANGE],
    # Data stewards, analysts, auditors and administrators see no individual cases.
}
