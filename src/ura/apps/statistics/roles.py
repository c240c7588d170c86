"""What each role may do with migration statistics (see accounts.roles).

Published tables are aggregated, protected figures: every role may read and download them.
Building a profile, seeing the unprotected tables and drafts, reviewing and publishing is
the analysts' work; the four-eyes rule (a reviewer is not the builder) is the services'.
"""

from ura.apps.accounts.models import RoleCode

VIEW = "statistics.view_statistics"
ANALYSE = "statistics.analyse_statistics"
REVIEW = "statistics.review_table"
PUBLISH = "statistics.publish_table"

GRANTS = {
    RoleCode.CASEWORKER: [VIEW],
    RoleCode.SUPERVISOR: [VIEW],
    RoleCode.DATA_STEWARD: [VIEW],
    RoleCode.ANALYST: [VIEW, ANALYSE, REVIEW, PUBLISH],
    RoleCode.FIRST_RESPONDER: [VIEW],
    RoleCode.PARTNER_NGO: [VIEW],
    RoleCode.AUDITOR: [VIEW],
    RoleCode.ADMINISTRATOR: [VIEW],
}
