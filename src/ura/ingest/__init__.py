"""Ingest: mapping files, readers, validation and quarantine for agency extracts.

A mapping file (YAML, see docs/mapping-files.md) describes one agency source: its format and
how its columns become the canonical person record (ura.records). :func:`ingest` streams every
data row of the source out exactly once, as :class:`Accepted` (a CanonicalRecord) or as
:class:`Rejected` (the row as received with every reason), so that
``read == accepted + quarantined`` always holds and nothing is lost.

Pure engine package: never imports Django.
"""

from ura.ingest.countries import ALPHA2_TO_ALPHA3, ISO3166_ALPHA3
from ura.ingest.engine import ingest
from ura.ingest.mapping import IngestError, Mapping, MappingError, load_mapping, parse_mapping
from ura.ingest.outcomes import Accepted, IngestSummary, Reason, Rejected, summarise
from ura.ingest.quality import QualityAccumulator, QualityReport, quality_report

__all__ = [
    "ALPHA2_TO_ALPHA3",
    "ISO3166_ALPHA3",
    "Accepted",
    "IngestError",
    "IngestSummary",
    "Mapping",
    "MappingError",
    "QualityAccumulator",
    "QualityReport",
    "Reason",
    "Rejected",
    "ingest",
    "load_mapping",
    "parse_mapping",
    "quality_report",
    "summarise",
]
