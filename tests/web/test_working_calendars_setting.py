"""URA_WORKING_CALENDARS_FILE: read and checked when the settings load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = "import ura.web.settings as s, json; print(json.dumps(sorted(s.URA_WORKING_CALENDARS)))"


def _load(tmp_path: Path, calendars: object) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "calendars.json"
    path.write_text(json.dumps(calendars), encoding="utf-8")
    env = {**os.environ, "URA_ENV": "test", "URA_VAR_DIR": str(tmp_path / "var")}
    env["URA_WORKING_CALENDARS_FILE"] = str(path)
    return subprocess.run(  # noqa: S603 -- the test's own interpreter and a fixed script
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )


def test_a_valid_file_is_loaded(tmp_path: Path) -> None:
    """Administrators' calendars are available to the case engine by country."""
    result = _load(
        tmp_path,
        {
            "TR": {"country": "TR", "extra": {"2026-10-28": "Republic Day eve"}},
            "XK": {"country": "XK"},
        },
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["TR", "XK"]


@pytest.mark.parametrize(
    ("calendars", "message"),
    [
        ({"TR": {"country": "TR", "holidays": []}}, "unknown key"),
        ({"TR": {"country": "XK"}}, "holds another country"),
    ],
)
def test_a_mistake_stops_start_up(tmp_path: Path, calendars: object, message: str) -> None:
    """A bad calendar fails when Ura starts, naming the problem, not when a deadline is due."""
    result = _load(tmp_path, calendars)
    assert result.returncode != 0
    assert message in result.stderr
