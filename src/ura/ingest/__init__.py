"""Ingest: mapping files, readers, validation and quarantine for agency extracts (pure; no Django)."""
