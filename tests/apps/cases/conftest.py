"""Fixtures for the case tests: uploads go to a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Uploaded documents land in the test's own directory, never under ./var."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
