"""Posting to Slack: the few Web API calls the adapter makes, in one place."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackMessage
from adapters.slack.places import SlackPlace


class Outbox:
    """Messages into a place (a DM, or a channel thread) through the bot's Web API client."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, place: SlackPlace, message: SlackMessage) -> str:
        response = await self.client.chat_postMessage(
            channel=place.channel_id, thread_ts=place.thread_ts, unfurl_links=False,
            unfurl_media=False, **message.as_kwargs())
        return str(response.get("ts", ""))

    async def post_all(self, place: SlackPlace, messages: list[SlackMessage]) -> list[str]:
        return [await self.post(place, message) for message in messages]

    async def update(self, place: SlackPlace, ts: str, message: SlackMessage) -> None:
        await self.client.chat_update(channel=place.channel_id, ts=ts, **message.as_kwargs())

    async def delete(self, place: SlackPlace, ts: str) -> None:
        await self.client.chat_delete(channel=place.channel_id, ts=ts)

    async def ephemeral(self, place: SlackPlace, user_id: str, text: str) -> None:
        """A message only ``user_id`` sees (e.g. "this is not your interview")."""
        await self.client.chat_postEphemeral(channel=place.channel_id, user=user_id, text=text,
                                             thread_ts=place.thread_ts)
