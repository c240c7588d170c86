"""Linkage: the name layer, the Splink model on DuckDB or Spark, clustering, evaluation.

Pure engine package: never imports Django.
"""
