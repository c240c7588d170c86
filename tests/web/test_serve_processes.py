"""``ura serve --workers N``: several server processes behind one port (decision 0007)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ura.cli import app
from ura.web.multiprocess import server_options

VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_options_keep_personal_data_out_of_logs_and_never_preload() -> None:
    """No access log (request lines carry search terms), each process loads Django itself."""
    options = server_options(host="10.0.0.5", port=8080, workers=3, threads=8)
    assert options["bind"] == "10.0.0.5:8080"
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 8, "gthread")
    assert options["accesslog"] is None
    assert options["keepalive"] > 5  # longer than a person's pause between two clicks
    assert options["preload_app"] is False


def test_zero_workers_is_refused() -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers must be 1 or more" in result.output


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_two_processes_serve_one_port_and_stop_on_sigterm(tmp_path: Path) -> None:
    """The arbiter starts two processes that answer on the port; SIGTERM stops them all."""
    port = _free_port()
    env = {
        **os.environ,
        "URA_ENV": "development",
        "URA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ura.sqlite3'}",
    }
    server = subprocess.Popen(  # noqa: S603 - our own command
        [str(VENV_BIN / "ura"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.3)
        assert body == b'{"status": "ok"}'
        # ura serve → gunicorn arbiter (the same process) → two serving processes.
        deadline = time.monotonic() + 30
        while len(_children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_children(server.pid)) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output.decode()
    assert b"2 server processes" in output
