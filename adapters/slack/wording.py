"""Core's errors in Slack's words: core sends a code and a neutral sentence, Slack names
its own commands (``/interview start``, or ``start sales`` typed in a DM)."""

from __future__ import annotations

from adapters.slack.parsing import slash_message
from core.commands import CommandError
from core.errors import ErrorCode, InterviewError

WORDING = {
    ErrorCode.no_interview: (
        "There's no interview running here. Start one with `/interview start <role>` (for "
        "example `/interview start sales`), or type `start sales` in a DM with me."),
    ErrorCode.already_active: (
        "You already have an interview running here. Answer the current question, or end it "
        "first: `/interview end` for feedback, or `/interview reset` to discard it."),
}


def words(error: Exception) -> str:
    """What to tell the user (plain text with ``**bold**`` and backticks; apply ``mrkdwn``)."""
    if isinstance(error, CommandError):
        return slash_message(error)  # an option we cannot accept, in slash-command syntax
    if isinstance(error, InterviewError) and getattr(error, "generic", False):
        return WORDING.get(error.error_code, error.user_message)
    return getattr(error, "user_message", str(error))
