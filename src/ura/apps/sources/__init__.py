"""Agency sources: mapping files, ingest batches, quarantine and data-quality reports."""
