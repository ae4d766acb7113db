"""Show a reply while the brain writes it: throttled edits, a new message before 2,000 characters.

Discord rate-limits message edits, and a message holds 2,000 characters. So the
preview is written at most once per ``interval`` (about a second, never faster),
each preview message is closed before it reaches ``preview_limit`` and the text
goes on in a new message. The first write waits one interval too: a fast brain
(the offline one answers in milliseconds) then costs a single message, no edits.

When the stream ends, the final ``Reply`` is authoritative: the previews are
edited to its text (with the buttons and the report) and surplus ones removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import discord
import structlog

from adapters.discord.render import MESSAGE_LIMIT, Outgoing, render_reply
from core.models import Reply, TextDelta
from core.text import split_message

log = structlog.get_logger(__name__)

EDIT_INTERVAL_SECONDS = 1.0
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
        interval: float = EDIT_INTERVAL_SECONDS,
        preview_limit: int = PREVIEW_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._delivery = delivery
        self._interval = interval
        self._limit = preview_limit
        self._clock = clock
        self._text = ""
        self._committed = 0  # characters of _text already closed into earlier messages
        self._closed = 0  # preview messages that are full and will not grow
        self._messages: list[discord.Message] = []
        self._shown: list[str] = []
        self._next_write = clock() + interval
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task[None] | None = None
        self._timer_writing = False

    @property
    def messages(self) -> list[discord.Message]:
        return list(self._messages)

    async def run(self, events: AsyncIterator[TextDelta | Reply]) -> Reply:
        """Show the stream; return the final reply once it is on screen."""
        reply: Reply | None = None
        try:
            async for event in events:
                if isinstance(event, TextDelta):
                    self._text += event.text
                    await self._schedule()
                else:
                    reply = event
        finally:
            await self._stop_timer()
        if reply is None:  # the service promises one; never show a half-written turn as final
            raise RuntimeError("answer stream ended without a reply")
        await self._finish(reply)
        return reply

    async def discard(self) -> None:
        """Remove the preview after a failed turn (the text was not authoritative)."""
        await self._stop_timer()
        for message in self._messages:
            try:
                await message.delete()
            except discord.HTTPException:
                log.warning("discord.preview_delete_failed", message=message.id)
        self._messages.clear()
        self._shown.clear()

    # ----------------------------------------------------------------- preview

    async def _schedule(self) -> None:
        if self._clock() >= self._next_write:
            await self._flush()
        elif self._timer is None or self._timer.done():
            self._timer_writing = False
            self._timer = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(max(0.0, self._next_write - self._clock()))
        self._timer_writing = True  # from here on the timer is let finish, never cut mid-request
        await self._flush()

    async def _stop_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is None or timer.done():
            return
        if self._timer_writing:
            await timer
            return
        timer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await timer

    async def _flush(self) -> None:
        async with self._lock:
            if self._clock() < self._next_write:
                return
            wrote = False
            tail = self._text[self._committed :]
            while len(tail) > self._limit:
                # Close the current message at a boundary and carry on in a new one.
                piece = split_message(tail, self._limit)[0]
                wrote |= await self._write(self._closed, piece)
                self._committed += tail.find(piece) + len(piece)
                self._closed += 1
                tail = self._text[self._committed :]
            if tail.strip():
                wrote |= await self._write(self._closed, tail.strip())
            if wrote:
                self._next_write = self._clock() + self._interval

    async def _write(self, index: int, text: str) -> bool:
        """Show ``text`` in preview message ``index``; True if a request was made."""
        if index < len(self._messages):
            if self._shown[index] == text:
                return False
            self._messages[index] = await self._delivery.edit(self._messages[index], Outgoing(content=text))
            self._shown[index] = text
        else:
            self._messages.append(await self._delivery.send(Outgoing(content=text)))
            self._shown.append(text)
        return True

    # ----------------------------------------------------------------- final

    async def _finish(self, reply: Reply) -> None:
        """Replace the preview with the authoritative reply."""
        outgoing = render_reply(reply, embeds=getattr(self._delivery, "can_embed", True))
        async with self._lock:
            for index, message_out in enumerate(outgoing):
                if index < len(self._messages):
                    if self._shown[index] == message_out.content and not (
                        message_out.buttons or message_out.embeds
                    ):
                        continue
                    await self._wait_for_slot()
                    self._messages[index] = await self._delivery.edit(self._messages[index], message_out)
                    self._shown[index] = message_out.content or ""
                else:
                    self._messages.append(await self._delivery.send(message_out))
                    self._shown.append(message_out.content or "")
            for message in self._messages[len(outgoing) :]:
                await message.delete()
            del self._messages[len(outgoing) :]
            del self._shown[len(outgoing) :]

    async def _wait_for_slot(self) -> None:
        """Never edit faster than the interval, the final edit included."""
        delay = self._next_write - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)
        self._next_write = self._clock() + self._interval
