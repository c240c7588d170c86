"""What each role may do in the country of origin information library (see accounts.roles).

COI is published, public information about countries, not about persons: everyone whose work
needs it may read the library. Adding, editing and withdrawing documents and describing
sources is the COI researchers' work, held here by data stewards and supervisors.
"""

from ura.apps.accounts.models import RoleCode

VIEW = "coi.view_document"
MANAGE = "coi.manage_library"

GRANTS = {
    RoleCode.CASEWORKER: [VIEW],
    RoleCode.SUPERVISOR: [VIEW, MANAGE],
    RoleCode.DATA_STEWARD: [VIEW, MANAGE],
    RoleCode.ANALYST: [VIEW],
    RoleCode.PARTNER_NGO: [VIEW],
    RoleCode.AUDITOR: [VIEW],
}
