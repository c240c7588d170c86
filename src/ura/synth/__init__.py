"""Synthetic population and agency extracts with ground truth (pure; no Django).

``generate(persons, seed)`` gives the records as a linkage table plus the truth behind them;
``write_extracts(out_dir, persons=..., seed=...)`` writes the same records as each agency's own
file with a mapping file per source, for ingest. Same seed, same bytes.
"""

from ura.synth.extracts import SYNTH_AGENCIES, SourceFile, SynthManifest, write_extracts
from ura.synth.generator import TRUTH_COLUMNS, cross_script_subset, generate

__all__ = [
    "SYNTH_AGENCIES",
    "TRUTH_COLUMNS",
    "SourceFile",
    "SynthManifest",
    "cross_script_subset",
    "generate",
    "write_extracts",
]
