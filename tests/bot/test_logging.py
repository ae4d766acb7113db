"""Logs are structured and never carry a token, even inside a traceback."""

import io
import json
import logging

import pytest
import structlog

from bot.logging import configure_logging

TOKEN = "xoxb-1234-abcdefghijkl"


@pytest.fixture
def stream():
    buffer = io.StringIO()
    configure_logging("INFO", "json", stream=buffer)
    yield buffer
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def test_a_token_inside_a_traceback_is_redacted_and_the_event_still_logged(stream, capsys):
    try:
        raise RuntimeError(f"invalid_auth for token {TOKEN}")
    except RuntimeError as error:
        structlog.get_logger("test").error("slack.failed", exc_info=error)
    output = stream.getvalue()
    event = json.loads(output.strip().splitlines()[-1])
    assert event["event"] == "slack.failed" and "[redacted]" in event["exception"]
    assert TOKEN not in output and TOKEN not in capsys.readouterr().err


def test_secret_fields_and_library_log_lines_are_scrubbed(stream):
    structlog.get_logger("test").info("connect", token=TOKEN, api_key="AIzaSyA-very-secret-key-123")
    logging.getLogger("slack_bolt").warning("auth failed with Bearer abc.def.ghi and %s", TOKEN)
    output = stream.getvalue()
    assert TOKEN not in output and "very-secret" not in output and "abc.def.ghi" not in output
    assert output.count("[redacted]") >= 3
