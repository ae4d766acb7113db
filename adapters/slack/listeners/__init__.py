"""Bolt listeners, one module per kind of request (the shape of Bolt's starter template)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from adapters.slack.background import Background
from adapters.slack.interviews import SlackInterviews
from adapters.slack.listeners import actions, commands, events


def register_listeners(app: AsyncApp, interviews: SlackInterviews, background: Background) -> None:
    commands.register(app, interviews, background)
    events.register(app, interviews, background)
    actions.register(app, interviews, background)
