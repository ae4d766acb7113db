"""The Hint / Skip / End & get feedback buttons under each question."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncAck, AsyncApp

from adapters.slack.background import Background
from adapters.slack.interviews import SlackInterviews

BUTTONS = re.compile(r"^interview_(hint|skip|end)$")


def register(app: AsyncApp, interviews: SlackInterviews, background: Background) -> None:
    @app.action(BUTTONS)
    async def on_button(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        background.spawn(interviews.on_button(body, action), name=f"slack.{action['action_id']}")
