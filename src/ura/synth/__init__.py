"""Synthetic population and agency extracts with ground truth (pure; no Django)."""
