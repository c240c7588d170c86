"""Linkage: the name layer, the Splink model on DuckDB or Spark, clustering and evaluation (pure; no Django)."""
