"""Keeps personal data out of logs: exception messages are withheld, tracebacks kept.

An exception's message can quote the data that caused it (a name that failed validation,
a database row in an integrity error). Log readers get the exception type and the code
path, which is what debugging needs; the message stays out.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class WithholdExceptionMessages(logging.Filter):
    """Replace the exception in a log record by one of the same name without its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc_type, _exc, traceback = record.exc_info
            stand_in_type = type(
                exc_type.__name__, (Exception,), {"__module__": exc_type.__module__}
            )
            stand_in = stand_in_type("(message withheld: it may contain personal data)")
            record.exc_info = (stand_in_type, stand_in, traceback)
            record.exc_text = None
        return True


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record.

    A plain StreamHandler keeps the stream it found when logging was configured; when that
    stream is later replaced (test runners capture output per test), it would write to a
    closed file.
    """

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """Ignored: the stream is always the current ``sys.stderr``."""
