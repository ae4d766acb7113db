"""Messages: DMs with the bot (``message.im``) and replies in channel interview threads."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from adapters.slack.background import Background
from adapters.slack.interviews import SlackInterviews

# Message subtypes a person produces; edits, joins, deletions and bot posts are not answers.
HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast"}


def is_human_message(event: dict, bot_user_id: str | None) -> bool:
    return (event.get("subtype") in HUMAN_SUBTYPES
            and not event.get("bot_id")
            and bool(event.get("user"))
            and event.get("user") != bot_user_id)


def register(app: AsyncApp, interviews: SlackInterviews, background: Background) -> None:
    @app.event("message")
    async def on_message(ack: AsyncAck, body: dict, event: dict, context: AsyncBoltContext) -> None:
        await ack()
        if not is_human_message(event, context.bot_user_id):
            return
        team = body.get("team_id") or event.get("team") or context.team_id or ""
        background.spawn(interviews.on_message(team, event), name="slack.message")
