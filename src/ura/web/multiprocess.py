"""Several server processes behind one port: ``ura serve --workers N`` (decision 0007).

One Python process runs Python on one core at a time, however many threads it has; on a
server with several cores, several processes serve more requests at once. gunicorn's arbiter
does the process management (start, restart a process that dies, stop gracefully on SIGTERM),
each process running ``SERVER_THREADS`` threads like the single waitress process does. The
processes load the application themselves (no preloading), so no database connection is ever
shared across a fork.

gunicorn runs on Linux and macOS only; on Windows ``ura serve`` stays one waitress process.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class UraServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type information
    """gunicorn configured from code, not from the command line or a configuration file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from ura.web.wsgi import application

        return application


def server_options(*, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings ``ura serve`` uses (a function of its own, so tests can read it)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "proc_name": "ura",
        # No access log: request lines carry search terms, which may be names.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # Decision PDFs and exports can take a while; a request past this is restarted.
        "timeout": 120,
        # Keep idle connections longer than a person waits between clicks (gunicorn's 2 s
        # default closes them just as the next request is sent: a reset); a reverse proxy's
        # upstream keep-alive should be shorter than this.
        "keepalive": 75,
        "graceful_timeout": 30,
        "preload_app": False,
    }


def serve_processes(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (Ctrl+C or SIGTERM)."""
    UraServer(server_options(host=host, port=port, workers=workers, threads=threads)).run()
