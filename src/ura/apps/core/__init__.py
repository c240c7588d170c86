"""Platform core: the audit trail, protected-record machinery, background jobs."""
