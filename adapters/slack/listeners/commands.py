"""``/interview``: answered at once when it needs no thinking, otherwise acked and run after."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from adapters.slack.background import Background
from adapters.slack.blocks import mrkdwn
from adapters.slack.interviews import SlackInterviews
from adapters.slack.parsing import USAGE, plain_text
from adapters.slack.wording import words
from core.commands import Command, parse
from core.errors import InterviewError

COMMAND = "/interview"


def register(app: AsyncApp, interviews: SlackInterviews, background: Background) -> None:
    @app.command(COMMAND)
    async def interview_command(ack: AsyncAck, command: dict, respond: AsyncRespond) -> None:
        try:
            parsed = parse(plain_text(command.get("text", "")))
            if parsed is not None and parsed.command is Command.start:
                # Cheap and local: a wrong role is answered in the ack itself.
                interviews.service.resolve_role(parsed.role)
        except InterviewError as error:  # a CommandError too: worded in slash syntax
            await ack(text=mrkdwn(words(error)))
            return
        if parsed is None or parsed.command is Command.help:
            await ack(text=USAGE)
            return
        if parsed.command is Command.roles:
            await ack(text=interviews.roles_text(interviews.service.roles()))
            return
        await ack()
        background.spawn(interviews.run_command(parsed, command, respond),
                         name=f"slack.command.{parsed.command.value}")
