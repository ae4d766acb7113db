"""Buttons: Hint / Skip / End & get feedback under each question, and the forget-me prompt."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from adapters.slack.background import Background
from adapters.slack.interviews import SlackInterviews
from adapters.slack.practice_blocks import FORGET_CANCEL, FORGET_CONFIRM

BUTTONS = re.compile(r"^interview_(hint|skip|end)$")
FORGET_BUTTONS = re.compile(rf"^({FORGET_CONFIRM}|{FORGET_CANCEL})$")


def register(app: AsyncApp, interviews: SlackInterviews, background: Background) -> None:
    @app.action(BUTTONS)
    async def on_button(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        background.spawn(interviews.on_button(body, action), name=f"slack.{action['action_id']}")

    @app.action(FORGET_BUTTONS)
    async def on_forget_button(ack: AsyncAck, body: dict, action: dict,
                               respond: AsyncRespond) -> None:
        await ack()
        background.spawn(interviews.practice.on_forget_button(body, action, respond),
                         name=f"slack.{action['action_id']}")
