"""What each role may do in the readmission procedure (see accounts.roles).

Which cases these permissions reach is decided by the cases app's roles and scopes
(``cases.access``): a caseworker's unit, a supervisor's agency. A request leaves the
administration signed by an authorised official, so only supervisors send it.
``view_dashboard`` shows aggregate figures only; analysts hold it without seeing any case.
"""

from ura.apps.accounts.models import RoleCode

MANAGE = "readmission.manage_request"
SEND = "readmission.send_request"
DEEMED_CONSENT = "readmission.apply_deemed_consent"
VIEW_DASHBOARD = "readmission.view_dashboard"

GRANTS = {
    RoleCode.CASEWORKER: [MANAGE],
    RoleCode.SUPERVISOR: [MANAGE, SEND, DEEMED_CONSENT, VIEW_DASHBOARD],
    RoleCode.ANALYST: [VIEW_DASHBOARD],
}
