"""Showing a turn while the interviewer writes it.

A fast turn (the usual case with the offline brain) is one ``chat.postMessage``.
When the reply takes longer than ``grace`` seconds, the candidate sees it grow:

* in a channel thread, through Slack's streaming API (``client.chat_stream``:
  chat.startStream / appendStream / stopStream), which needs a thread to reply in;
* in a DM, or where the workspace refuses streaming, as a posted preview that is
  edited with ``chat.update`` no faster than once per ``interval``.

Core's final ``Reply`` is authoritative: whatever was previewed is replaced by it,
and its buttons are attached to the finished message. Streamed words get the same
escapes as every other message (``blocks.escape``): a candidate's ``<!channel>``
echoed by the model is shown as text, never turned into a live mention.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import structlog
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_chat_stream import AsyncChatStream

from adapters.slack.blocks import SlackMessage, escape, mrkdwn, sections
from adapters.slack.outbox import Outbox
from adapters.slack.places import SlackPlace
from core.models import Reply, TextDelta

log = structlog.get_logger(__name__)

THINKING = "_Thinking…_"
STREAM_TEXT_LIMIT = 12_000  # chat.appendStream's markdown_text limit


@dataclass
class StreamingSupport:
    """Whether chat.startStream works here; switched off after the first refusal."""

    chat_stream: bool = True


class ReplyStream:
    """Delivers one turn: ``TextDelta``s as they arrive, then the final ``Reply``."""

    def __init__(self, outbox: Outbox, place: SlackPlace, candidate_id: str,
                 render: Callable[[Reply], list[SlackMessage]], support: StreamingSupport,
                 *, grace: float = 1.0, interval: float = 1.0) -> None:
        self.outbox = outbox
        self.place = place
        self.candidate_id = candidate_id
        self.render = render
        self.support = support
        self.grace = grace
        self.interval = interval
        self._lock = asyncio.Lock()
        self._text = ""  # everything written so far
        self._pending = ""  # written but not yet shown
        self._stream: AsyncChatStream | None = None
        self._preview_ts: str | None = None
        self._last_push = 0.0
        self._done = False

    @property
    def _opened(self) -> bool:
        return self._stream is not None or self._preview_ts is not None

    async def deliver(self, events: AsyncIterator[TextDelta | Reply]) -> Reply:
        # Finishing and abandoning take the lock, so the timer is never cancelled halfway
        # through posting a preview (which would orphan it); a late timer does nothing.
        timer = asyncio.create_task(self._open_after_grace())
        try:
            final: Reply | None = None
            async for event in events:
                if isinstance(event, Reply):
                    final = event
                else:
                    await self._feed(event.text)
            assert final is not None, "answer_stream always ends with a Reply"
            await self._finish(final)
            return final
        except BaseException:
            await self._abandon()
            raise
        finally:
            timer.cancel()

    # ------------------------------------------------------------- while writing

    async def _open_after_grace(self) -> None:
        await asyncio.sleep(self.grace)
        async with self._lock:
            if self._done or self._opened:
                return
            try:
                await self._open()
            except Exception as error:  # the final post will meet (and report) the same trouble
                log.warning("slack.preview_failed", error=type(error).__name__)

    async def _feed(self, text: str) -> None:
        async with self._lock:
            self._text += text
            self._pending += text
            now = asyncio.get_running_loop().time()
            if self._opened and now - self._last_push >= self.interval:
                await self._push()

    async def _open(self) -> None:
        """Make the turn visible: a stream in a thread when there is text, else a preview."""
        if self._text and self.place.is_thread and self.support.chat_stream:
            try:
                await self._start_stream()
                return
            except SlackApiError as error:
                # Older workspaces and some plans refuse streaming: edit a message instead.
                self.support.chat_stream = False
                self._stream = None
                log.info("slack.stream_unavailable", error=error.response.get("error"))
        self._preview_ts = await self.outbox.post(self.place, self._preview())
        self._pending = ""
        self._last_push = asyncio.get_running_loop().time()

    async def _start_stream(self) -> None:
        assert self.place.thread_ts is not None
        self._stream = await self.outbox.client.chat_stream(
            channel=self.place.channel_id, thread_ts=self.place.thread_ts,
            recipient_team_id=self.place.team_id, recipient_user_id=self.candidate_id,
            buffer_size=1,  # we already batch to at most one call per interval
        )
        await self._append(self._pending)
        self._pending = ""
        self._last_push = asyncio.get_running_loop().time()

    async def _append(self, text: str) -> None:
        """Add text to the stream, escaped, in pieces Slack accepts (12,000 characters a call)."""
        assert self._stream is not None
        for piece in escaped_pieces(text, STREAM_TEXT_LIMIT):
            await self._stream.append(markdown_text=piece)

    async def _push(self) -> None:
        if self._stream is not None:
            await self._append(self._pending)
        elif self._preview_ts is not None:
            await self.outbox.update(self.place, self._preview_ts, self._preview())
        self._pending = ""
        self._last_push = asyncio.get_running_loop().time()

    def _preview(self) -> SlackMessage:
        shown = mrkdwn(self._text) + " …" if self._text else THINKING
        # A preview is one message: its tail waits for the final reply.
        return SlackMessage(text=shown[:3000], blocks=sections(shown)[:49])

    # ------------------------------------------------------------- at the end

    async def _finish(self, reply: Reply) -> None:
        async with self._lock:
            self._done = True
            messages = self.render(reply)
            if self._stream is not None:
                await self._finish_stream(reply, messages)
            elif self._preview_ts is not None:
                await self.outbox.update(self.place, self._preview_ts, messages[0])
                await self.outbox.post_all(self.place, messages[1:])
            else:
                await self.outbox.post_all(self.place, messages)

    async def _finish_stream(self, reply: Reply, messages: list[SlackMessage]) -> None:
        assert self._stream is not None
        # The last words go with chat.stopStream, unless they are too many for one call.
        tail = escape(self._pending)
        if len(tail) > STREAM_TEXT_LIMIT:
            await self._append(self._pending)
            tail = ""
        exact = self._text.strip() == reply.text.strip() and len(messages) == 1
        if exact:
            # The streamed words are the reply: just add the trailing blocks (progress, buttons).
            trailer = [b for b in messages[0].blocks if b.get("type") != "section"]
            await self._stream.stop(markdown_text=tail or None, blocks=trailer or None)
            return
        await self._stream.stop(markdown_text=tail or None)
        # Core overrode what was streamed (or it is too long): replace it with the reply.
        ts = self._stream.ts
        if ts:
            await self.outbox.update(self.place, ts, messages[0])
            await self.outbox.post_all(self.place, messages[1:])
        else:
            await self.outbox.post_all(self.place, messages)

    async def _abandon(self) -> None:
        """The turn failed: remove the half-written preview (the caller explains the error)."""
        async with self._lock:
            self._done = True
            try:
                if self._stream is not None:
                    await self._stream.stop(markdown_text="_(interrupted)_")
                elif self._preview_ts is not None:
                    await self.outbox.delete(self.place, self._preview_ts)
            except SlackClientError as error:  # e.g. the stream was already stopped
                log.warning("slack.preview_cleanup_failed", error=type(error).__name__)


def escaped_pieces(text: str, limit: int) -> list[str]:
    """``text`` escaped, cut into pieces of at most ``limit`` characters.

    Cutting after escaping could split an ``&amp;`` in two, so the text is cut first,
    character by character, counting what each character becomes.
    """
    pieces: list[str] = []
    piece: list[str] = []
    size = 0
    for char in text:
        shown = escape(char)
        if size + len(shown) > limit:
            pieces.append("".join(piece))
            piece, size = [], 0
        piece.append(shown)
        size += len(shown)
    if piece:
        pieces.append("".join(piece))
    return pieces
