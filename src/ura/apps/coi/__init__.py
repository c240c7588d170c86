"""The country of origin information library: sources, documents and their passages, imports,
saved searches, and the search pages; built on the pure engine :mod:`ura.coi`."""
