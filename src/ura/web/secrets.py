"""Secrets come from the environment; the embedded default generates them on first run."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create_secret(env_name: str, path: Path, *, production: bool) -> str:
    """Return the secret named ``env_name``.

    In production the environment must provide it. Elsewhere a random secret is generated
    once and kept in ``path`` (readable by the owner only), so that sessions and the audit
    chain survive restarts of the embedded default and no secret is ever in the repository.

    Raises:
        RuntimeError: in production, when the environment does not set the secret.
    """
    value = os.environ.get(env_name)
    if value:
        return value
    if production:
        raise RuntimeError(f"{env_name} must be set in production (see docs/operations.md)")
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value
