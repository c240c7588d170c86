"""Ura: an open-source migration management information system."""

__version__ = "0.1.0"
