"""Reference data the statistics read beside the person index: subdivisions with their resident
population (Türkiye's provinces, Kosovo's municipalities) and UNHCR's international figures.

Each data file in ``data/`` carries a header saying what it holds, its version and its source.
"""

from ura.stats.reference.subdivisions import (
    ReferenceDataError,
    Subdivision,
    SubdivisionTable,
    foreigners_per_thousand,
    load_kosovo_municipalities,
    load_subdivisions,
    load_turkiye_provinces,
)

__all__ = [
    "ReferenceDataError",
    "Subdivision",
    "SubdivisionTable",
    "foreigners_per_thousand",
    "load_kosovo_municipalities",
    "load_subdivisions",
    "load_turkiye_provinces",
]
