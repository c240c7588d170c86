"""Country of origin information, the pure core: text extraction, passages with stable
anchors, near-duplicate detection, multilingual analysis, the ecoi.net query syntax and the
embedded search backend (tantivy). Never imports Django; the ``coi`` app builds on it."""

from ura.coi.citation import Citation, Verification, VerificationStatus, cite, verify
from ura.coi.duplicates import DuplicateCandidate, DuplicateIndex, Signature, signature
from ura.coi.extract import ExtractionError, Passage, extract, file_checksum, passage_hash
from ura.coi.index import (
    FacetFilter,
    Filters,
    Highlight,
    Hit,
    IndexBusyError,
    IndexSchemaError,
    SearchBackend,
    SearchDocument,
    SearchResults,
    Sort,
    TantivyBackend,
)
from ura.coi.query import QuerySyntaxError, parse_query

__all__ = [
    "Citation",
    "DuplicateCandidate",
    "DuplicateIndex",
    "ExtractionError",
    "FacetFilter",
    "Filters",
    "Highlight",
    "Hit",
    "IndexBusyError",
    "IndexSchemaError",
    "Passage",
    "QuerySyntaxError",
    "SearchBackend",
    "SearchDocument",
    "SearchResults",
    "Signature",
    "Sort",
    "TantivyBackend",
    "Verification",
    "VerificationStatus",
    "cite",
    "extract",
    "file_checksum",
    "parse_query",
    "passage_hash",
    "signature",
    "verify",
]
