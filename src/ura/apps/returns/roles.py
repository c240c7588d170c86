"""What each role may do in the returns app (see accounts.roles).

These permissions say *what* a user may do on an AVRR case; *which* cases they reach is
decided by the case engine: return counsellors (caseworkers) their unit's cases, supervisors
their agency's, and a partner organisation in the country of origin only the cases referred
to it (a grant), where it sees only the data categories the person consented to share.
"""

from ura.apps.accounts.models import RoleCode

COUNSEL = "returns.counsel"
APPROVE = "returns.approve_application"
REINTEGRATE = "returns.reintegrate"

GRANTS = {
    RoleCode.CASEWORKER: [COUNSEL, REINTEGRATE],
    RoleCode.SUPERVISOR: [COUNSEL, APPROVE, REINTEGRATE],
    # The partner organisation receives the returnee and runs the reintegration.
    RoleCode.PARTNER_NGO: [REINTEGRATE],
}
