"""What each role may do with sources, ingest batches and the quarantine."""

from ura.apps.accounts.models import RoleCode

VIEW_SOURCE = "sources.view_source"
INGEST = "sources.add_ingestbatch"
VIEW_BATCH = "sources.view_ingestbatch"
VIEW_QUARANTINE = "sources.view_quarantinedrow"

GRANTS = {
    # Data stewards run the pipelines and fix what the quarantine shows.
    RoleCode.DATA_STEWARD: [VIEW_SOURCE, INGEST, VIEW_BATCH, VIEW_QUARANTINE],
    # Supervisors follow their agency's data quality (figures, not rows).
    RoleCode.SUPERVISOR: [VIEW_SOURCE, VIEW_BATCH],
    # Analysts judge whether figures can be trusted from the quality reports.
    RoleCode.ANALYST: [VIEW_SOURCE, VIEW_BATCH],
    RoleCode.AUDITOR: [VIEW_SOURCE, VIEW_BATCH],
}
