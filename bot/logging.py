"""Structured logging for every surface: key=value on a console, JSON lines in production.

A processor drops anything that looks like a credential, so a token can never
reach the logs even if a caller passes one by mistake.
"""

from __future__ import annotations

import logging
import re
import sys

import structlog

_SECRET_KEYS = re.compile(r"token|secret|api_key|apikey|password|authorization", re.IGNORECASE)
_SECRET_VALUES = re.compile(
    r"(xox[abprs]-[\w-]+|xapp-[\w-]+|AIza[\w-]{20,}|Bot [\w.-]{20,}|Bearer [\w.-]+|"
    r"[MN][\w-]{23,25}\.[\w-]{6}\.[\w-]{27,})"
)


def redact(value: str) -> str:
    return _SECRET_VALUES.sub("[redacted]", value)


def _scrub(_, __, event_dict: dict) -> dict:
    for key, value in list(event_dict.items()):
        if _SECRET_KEYS.search(key) and key != "tokens_in" and not key.startswith("tokens"):
            event_dict[key] = "[redacted]"
        elif isinstance(value, str):
            event_dict[key] = redact(value)
    return event_dict


class _RedactingFilter(logging.Filter):
    """Library loggers (discord, slack_bolt, google_genai) are scrubbed too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog event: _scrub has cleaned it already
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str = "INFO", fmt: str = "console", stream=None) -> None:
    renderer = (structlog.processors.JSONRenderer() if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    shared = [structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
              structlog.processors.TimeStamper(fmt="iso"),
              structlog.processors.format_exc_info,  # tracebacks as text, so _scrub sees them
              _scrub]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processor=renderer, foreign_pre_chain=shared))
    handler.addFilter(_RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
