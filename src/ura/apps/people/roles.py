"""What each role may do with person records (see accounts.roles)."""

from ura.apps.accounts.models import RoleCode

_RECORD = "people.{}_personrecord"
VIEW, ADD, CHANGE, DELETE, EXPORT = (
    _RECORD.format(a) for a in ("view", "add", "change", "delete", "export")
)
SEE_ID, SEE_HEALTH, SEE_TIP, SEE_BIO = (
    "core.see_identity_document",
    "core.see_health",
    "core.see_trafficking",
    "core.see_biometric",
)

REVIEW = "people.review_personlink"
VIEW_RUNS, START_RUN = "people.view_linkagerun", "people.add_linkagerun"

GRANTS = {
    RoleCode.CASEWORKER: [VIEW, ADD, CHANGE, EXPORT, SEE_ID, SEE_HEALTH],
    RoleCode.SUPERVISOR: [
        *(VIEW, ADD, CHANGE, DELETE, EXPORT, SEE_ID, SEE_HEALTH, SEE_TIP, SEE_BIO),
        REVIEW,
        VIEW_RUNS,
    ],
    RoleCode.DATA_STEWARD: [
        VIEW,
        ADD,
        CHANGE,
        EXPORT,
        SEE_ID,
        SEE_BIO,
        REVIEW,
        VIEW_RUNS,
        START_RUN,
    ],
    RoleCode.FIRST_RESPONDER: [VIEW, ADD, SEE_ID, SEE_TIP],
    RoleCode.PARTNER_NGO: [VIEW, CHANGE, SEE_TIP, SEE_HEALTH],
    # Analysts, auditors and administrators see no individual records; run figures are
    # aggregates.
    RoleCode.ANALYST: [VIEW_RUNS],
    RoleCode.AUDITOR: [VIEW_RUNS],
}
