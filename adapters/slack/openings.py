"""Finding a channel interview's thread again, from Slack itself.

Slash commands carry no thread, so ``/interview hint`` typed in a channel must work out
which thread holds the user's interview. The adapter remembers that in memory, but a
restart (or another replica) forgets it while the session lives on in the shared store.
So each channel interview's opening message carries message metadata naming its
candidate, and when memory has nothing, the channel's recent history is searched for
it: Slack is the one record every replica shares, and core's store needs no new index.
"""

from __future__ import annotations

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = structlog.get_logger(__name__)

STARTED_EVENT = "interview_started"
# Recent top-level messages to look through; sessions expire after a day of quiet anyway.
SEARCH_LIMIT = 200


def opening_metadata(user_id: str) -> dict:
    """The metadata that marks an opening message as the start of ``user_id``'s interview."""
    return {"event_type": STARTED_EVENT, "event_payload": {"user": user_id}}


async def opening_threads(client: AsyncWebClient, channel_id: str, user_id: str) -> list[str]:
    """Threads of the user's interviews in a channel, newest first.

    Empty when Slack refuses to show the history (e.g. an install from before the
    ``channels:history`` scope): the caller then knows no more than its memory.
    """
    try:
        response = await client.conversations_history(channel=channel_id, limit=SEARCH_LIMIT,
                                                      include_all_metadata=True)
    except SlackApiError as error:
        log.warning("slack.history_unavailable", error=error.response.get("error"))
        return []
    return [str(message["ts"]) for message in response.get("messages") or []
            if message.get("ts") and _opens_interview_of(message, user_id)]


def _opens_interview_of(message: dict, user_id: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == STARTED_EVENT and payload.get("user") == user_id
