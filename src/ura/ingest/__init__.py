"""Ingest: mapping files, readers, validation and quarantine for agency extracts.

Pure engine package: never imports Django.
"""
