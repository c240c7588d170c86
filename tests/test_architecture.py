"""Rules about where code goes that import-linter cannot express.

Pages and API endpoints never query models directly (Zulip's rule): they go through an app's
selectors, services or access loaders, where need-to-know and audit are applied.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ura"
THIN_MODULES = sorted(
    [
        *SRC.glob("apps/*/*views.py"),
        *SRC.glob("apps/*/api.py"),
        SRC / "web" / "views.py",
        SRC / "web" / "api.py",
    ]
)


def manager_uses(path: Path) -> list[int]:
    """Line numbers where ``<something>.objects`` or ``._default_manager`` is used."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}
    ]


def test_the_rule_sees_a_query(tmp_path: Path) -> None:
    """The check finds ``Model.objects`` when it is there (so its silence means something)."""
    probe = tmp_path / "views.py"
    probe.write_text("def v(request):\n    return Record.objects.all()\n", encoding="utf-8")
    assert manager_uses(probe) == [2]


@pytest.mark.parametrize("path", THIN_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_and_api_never_query_models_directly(path: Path) -> None:
    """Views and API endpoints use selectors, services and access loaders, never managers."""
    assert manager_uses(path) == [], f"{path}: use a selector, service or access_* loader"
