"""What each role may do in the international protection procedure (see accounts.roles).

Which cases these permissions reach is decided by the cases app's roles and scopes
(``cases.access``): a caseworker's unit, a supervisor's agency. ``view_backlog`` shows
aggregate figures only; analysts hold it without seeing any case.
"""

from ura.apps.accounts.models import RoleCode

REGISTER = "asylum.register_application"
INTERVIEW = "asylum.conduct_interview"
DECIDE = "asylum.decide_case"
APPROVE = "asylum.approve_decision"
MANAGE = "asylum.manage_case"
DETAIN = "asylum.order_detention"
VIEW_BACKLOG = "asylum.view_backlog"

GRANTS = {
    RoleCode.CASEWORKER: [REGISTER, INTERVIEW, DECIDE, MANAGE],
    RoleCode.SUPERVISOR: [REGISTER, INTERVIEW, DECIDE, MANAGE, APPROVE, DETAIN, VIEW_BACKLOG],
    RoleCode.ANALYST: [VIEW_BACKLOG],
}
