"""Country of origin information, the pure core: text extraction, passages with stable
anchors, near-duplicate detection, multilingual analysis, the ecoi.net query syntax and the
embedded search backend (tantivy). Never imports Django; the ``coi`` app builds on it."""
