"""Logged exceptions keep their type and traceback but never their message."""

from __future__ import annotations

import logging
import sys

import pytest

from ura.web.log_redaction import WithholdExceptionMessages


def test_exception_message_is_withheld_but_type_and_frames_kept() -> None:
    """A ValueError quoting a person's name is logged as ValueError without the name."""
    name = "Amina Haddad"  # data, as it would arrive at run time: not in any source line
    try:
        raise ValueError(f"invalid date of birth for {name}")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    assert WithholdExceptionMessages().filter(record)
    text = logging.Formatter().format(record)
    assert name not in text
    assert "ValueError" in text
    assert "test_exception_message_is_withheld_but_type_and_frames_kept" in text


@pytest.mark.parametrize("level", [logging.INFO, logging.WARNING])
def test_records_without_exceptions_pass_unchanged(level: int) -> None:
    record = logging.LogRecord("t", level, __file__, 1, "plain message", None, None)
    assert WithholdExceptionMessages().filter(record)
    assert record.getMessage() == "plain message"


def test_console_handler_follows_the_current_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Log lines go to the stderr of the moment, not a stream closed since configuration."""
    from ura.web.log_redaction import CurrentStderrHandler

    handler = CurrentStderrHandler()
    handler.emit(logging.LogRecord("t", logging.WARNING, __file__, 1, "first", None, None))
    assert "first" in capsys.readouterr().err
