"""What each role may do in the removals app (see accounts.roles).

These permissions say *what* a user may do on a removal case; *which* cases they reach is the
case engine's scoping (a caseworker's unit, a supervisor's agency): an officer of another
agency never sees the case. Taking the removal decision, ordering and extending detention
and imposing an entry ban are the governorate's acts, given to supervisors.
"""

from ura.apps.accounts.models import RoleCode

RECORD_APPREHENSION = "removals.record_apprehension"
MANAGE = "removals.manage_removal"
DECIDE = "removals.decide_removal"
ORDER_DETENTION = "removals.order_detention"
EXTEND_DETENTION = "removals.extend_detention"
EXECUTE = "removals.execute_removal"
OVERRIDE_MAXIMUM = "removals.override_detention_maximum"

GRANTS = {
    RoleCode.FIRST_RESPONDER: [RECORD_APPREHENSION],
    RoleCode.CASEWORKER: [RECORD_APPREHENSION, MANAGE, EXECUTE],
    RoleCode.SUPERVISOR: [
        RECORD_APPREHENSION,
        MANAGE,
        DECIDE,
        ORDER_DETENTION,
        EXTEND_DETENTION,
        EXECUTE,
        OVERRIDE_MAXIMUM,
    ],
}
