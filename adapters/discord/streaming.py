"""Show a reply while the brain writes it, in Discord messages (core's preview policy decides when).

``core.preview.ThrottledPreview`` decides when to draw (a grace before the first
preview, at most one edit per interval, the final reply wins, discard on error); this
module decides how. A message holds 2,000 characters, so each preview message is
closed before it reaches ``preview_limit`` and the text goes on in a new message.

When the stream ends, the final ``Reply`` is authoritative: the previews are edited
to its text (with the buttons and the report) and surplus ones removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

import discord
import structlog

from adapters.discord.render import MESSAGE_LIMIT, Outgoing, render_reply
from core.models import Reply, TextDelta
from core.preview import GRACE_SECONDS, INTERVAL_SECONDS, ThrottledPreview
from core.text import split_message

log = structlog.get_logger(__name__)

PREVIEW_LIMIT = MESSAGE_LIMIT - 100  # room for the final text to differ a little


class Delivery(Protocol):
    """Where a reply goes: a channel or an interaction's follow-ups."""

    async def send(self, outgoing: Outgoing) -> discord.Message: ...

    async def edit(self, message: discord.Message, outgoing: Outgoing) -> discord.Message: ...


class StreamingReply:
    """Consumes ``service.answer_stream`` events and keeps Discord messages in step."""

    def __init__(
        self,
        delivery: Delivery,
        *,
        grace: float = GRACE_SECONDS,
        interval: float = INTERVAL_SECONDS,
        preview_limit: int = PREVIEW_LIMIT,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._delivery = delivery
        self._policy = ThrottledPreview(self, grace=grace, interval=interval, sleep=sleep)
        self._limit = preview_limit
        self._committed = 0  # characters of the text already closed into earlier messages
        self._closed = 0  # preview messages that are full and will not grow
        self._messages: list[discord.Message] = []
        self._shown: list[str] = []

    @property
    def messages(self) -> list[discord.Message]:
        return list(self._messages)

    async def run(self, events: AsyncIterator[TextDelta | Reply]) -> Reply:
        """Show the stream; return the final reply once it is on screen (the preview is
        discarded if the turn fails)."""
        return await self._policy.run(events)

    # ----------------------------------------------------------------- the policy's calls

    async def show(self, text: str) -> None:
        tail = text[self._committed :]
        while len(tail) > self._limit:
            # Close the current message at a boundary and carry on in a new one.
            piece = split_message(tail, self._limit)[0]
            await self._write(self._closed, piece)
            self._committed += tail.find(piece) + len(piece)
            self._closed += 1
            tail = text[self._committed :]
        if tail.strip():
            await self._write(self._closed, tail.strip())

    async def finish(self, reply: Reply) -> None:
        """Replace the preview with the authoritative reply."""
        outgoing = render_reply(reply, embeds=getattr(self._delivery, "can_embed", True))
        for index, message_out in enumerate(outgoing):
            if index < len(self._messages):
                if self._shown[index] == message_out.content and not (
                    message_out.buttons or message_out.embeds
                ):
                    continue
                self._messages[index] = await self._delivery.edit(self._messages[index], message_out)
                self._shown[index] = message_out.content or ""
            else:
                self._messages.append(await self._delivery.send(message_out))
                self._shown.append(message_out.content or "")
        for message in self._messages[len(outgoing) :]:
            await message.delete()
        del self._messages[len(outgoing) :]
        del self._shown[len(outgoing) :]

    async def discard(self) -> None:
        """Remove the preview after a failed turn (the text was not authoritative)."""
        for message in self._messages:
            try:
                await message.delete()
            except discord.HTTPException:
                log.warning("discord.preview_delete_failed", message=message.id)
        self._messages.clear()
        self._shown.clear()

    async def _write(self, index: int, text: str) -> None:
        """Show ``text`` in preview message ``index`` (no request if it already shows it)."""
        if index < len(self._messages):
            if self._shown[index] != text:
                self._messages[index] = await self._delivery.edit(self._messages[index], Outgoing(content=text))
                self._shown[index] = text
        else:
            self._messages.append(await self._delivery.send(Outgoing(content=text)))
            self._shown.append(text)
