"""Posting to Slack: the few Web API calls the adapter makes, in one place."""

from __future__ import annotations

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackMessage, halves
from adapters.slack.places import SlackPlace

log = structlog.get_logger(__name__)


class Outbox:
    """Messages into a place (a DM, or a channel thread) through the bot's Web API client.

    ``previews`` is a second client on the same token that does not wait out 429s:
    a preview edit refused for rate limits is skipped (the final reply still comes),
    never allowed to hold up the turn for a minute of Retry-After.
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.previews = AsyncWebClient(token=client.token, base_url=client.base_url,
                                       retry_handlers=[AsyncConnectionErrorRetryHandler()])
        self._bot_user_id: str | None = None

    async def post(self, place: SlackPlace, message: SlackMessage) -> str:
        """Post ``message``; if Slack finds it too long in total, post it in two halves."""
        try:
            response = await self.client.chat_postMessage(
                channel=place.channel_id, thread_ts=place.thread_ts, unfurl_links=False,
                unfurl_media=False, **message.as_kwargs())
        except SlackApiError as error:
            if error.response.get("error") != "msg_blocks_too_long" or len(message.blocks) < 2:
                raise
            log.info("slack.message_split", blocks=len(message.blocks))
            first, second = halves(message)
            ts = await self.post(place, first)
            await self.post(place, second)
            return ts
        return str(response.get("ts", ""))

    async def post_all(self, place: SlackPlace, messages: list[SlackMessage]) -> list[str]:
        return [await self.post(place, message) for message in messages]

    async def update(self, place: SlackPlace, ts: str, message: SlackMessage, *,
                     client: AsyncWebClient | None = None) -> None:
        await (client or self.client).chat_update(channel=place.channel_id, ts=ts,
                                                  **message.as_kwargs())

    async def delete(self, place: SlackPlace, ts: str) -> None:
        await self.client.chat_delete(channel=place.channel_id, ts=ts)

    async def ephemeral(self, place: SlackPlace, user_id: str, text: str, *,
                        blocks: list[dict] | None = None) -> None:
        """A message only ``user_id`` sees (e.g. "this is not your interview")."""
        extra = {"blocks": blocks} if blocks else {}
        await self.client.chat_postEphemeral(channel=place.channel_id, user=user_id, text=text,
                                             thread_ts=place.thread_ts, **extra)

    async def bot_user_id(self) -> str:
        """The app's bot user (auth.test, once): ``<@id>`` shows its name as Slack has it."""
        if self._bot_user_id is None:
            self._bot_user_id = str((await self.client.auth_test()).get("user_id") or "")
        return self._bot_user_id
