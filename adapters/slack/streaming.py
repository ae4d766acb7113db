"""Showing a turn while the interviewer writes it.

A fast turn (the usual case with the offline brain) is one ``chat.postMessage``.
When the reply takes longer than ``grace`` seconds, the candidate sees it grow:

* in a channel thread, through Slack's streaming API (``client.chat_stream``:
  chat.startStream / appendStream / stopStream), which needs a thread to reply in;
* in a DM, or where the workspace refuses streaming, as a posted preview that is
  edited with ``chat.update`` no faster than once per ``interval``.

Core's final ``Reply`` is authoritative: whatever was previewed is replaced by it,
and its buttons are attached to the finished message. Previews are best effort: a
preview call Slack refuses (a rate limit on chat.update, a stream that will not
start) is skipped, never waited out and never allowed to fail the turn; the final
reply then goes out the plainest way that works.

Streamed text is Slack's standard markdown, not mrkdwn: core's ``**bold**`` is kept,
and the characters Slack reads as markup (``<``, ``>``, ``&``, ``\\``) are escaped the
markdown way, with a backslash (``markdown_pieces``). HTML entities are not markdown:
``&amp;`` would be shown as it is written. So a candidate's ``<!channel>`` echoed by
the model is shown as text, never turned into a live mention.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import structlog
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_chat_stream import AsyncChatStream

from adapters.slack.blocks import SlackMessage, mrkdwn, sections
from adapters.slack.outbox import Outbox
from adapters.slack.places import SlackPlace
from core.models import Reply, TextDelta

log = structlog.get_logger(__name__)

THINKING = "_Thinking…_"
STREAM_TEXT_LIMIT = 12_000  # chat.appendStream's markdown_text limit
MARKDOWN_SPECIAL = {"\\": "\\\\", "<": "\\<", ">": "\\>", "&": "\\&"}
# chat.startStream errors that mean "not in this workspace" (token, plan, scopes): no
# point trying again there. Anything else (rate limits, outages) fails one turn only.
STREAMING_REFUSALS = frozenset({
    "not_allowed_token_type", "unknown_method", "method_deprecated", "deprecated_endpoint",
    "missing_scope", "no_permission", "access_denied", "accesslimited",
    "enterprise_is_restricted", "team_access_not_granted", "feature_not_enabled",
})


class StreamingSupport:
    """Which workspaces refused chat.startStream for good (by error code, not any error)."""

    def __init__(self) -> None:
        self._refused: dict[str, str] = {}  # team id -> the refusal code

    def works(self, team_id: str) -> bool:
        return team_id not in self._refused

    def refused(self, team_id: str, code: str | None) -> None:
        if code in STREAMING_REFUSALS:
            self._refused[team_id] = code
            log.info("slack.streaming_off", error=code)


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
        self._stream_whole = True  # False once an append was lost: the stream is not the reply
        self._preview_ts: str | None = None
        self._last_push = 0.0
        self._due = False  # the grace is over: show the turn as soon as there is something
        self._done = False

    @property
    def _opened(self) -> bool:
        return self._stream is not None or self._preview_ts is not None

    async def deliver(self, events: AsyncIterator[TextDelta | Reply]) -> Reply:
        # Finishing and abandoning take the lock, so the timer is never cancelled halfway
        # through posting a preview (which would orphan it); a late timer does nothing.
        timer = asyncio.create_task(self._open_after_grace())
        final: Reply | None = None
        try:
            async for event in events:
                if isinstance(event, Reply):
                    # Posted while the turn still holds the user's session, so the reply
                    # to their next answer (maybe in another process) cannot overtake it.
                    await self._finish(event)
                    final = event
                else:
                    await self._feed(event.text)
            assert final is not None, "answer_stream always ends with a Reply"
            return final
        except BaseException:
            if final is None:  # a reply already shown stays
                await self._abandon()
            raise
        finally:
            timer.cancel()

    # ------------------------------------------------------------- while writing

    async def _open_after_grace(self) -> None:
        await asyncio.sleep(self.grace)
        async with self._lock:
            self._due = True
            # A stream needs words: in a thread that streams, it opens with the first ones.
            if not self._done and not self._opened and (self._text or not self._streams()):
                await self._open()

    def _streams(self) -> bool:
        return self.place.is_thread and self.support.works(self.place.team_id)

    async def _feed(self, text: str) -> None:
        async with self._lock:
            self._text += text
            self._pending += text
            now = asyncio.get_running_loop().time()
            if self._due and not self._opened:
                await self._open()
            elif self._opened and now - self._last_push >= self.interval:
                await self._push()

    async def _open(self) -> None:
        """Make the turn visible: a stream in a thread when there is text, else a preview."""
        self._due = False  # one try a turn: a refused preview is not asked for again
        team = self.place.team_id
        if self._text and self._streams():
            try:
                await self._start_stream()
                return
            except SlackApiError as error:
                code = error.response.get("error")
                self.support.refused(team, code)  # only a refusal code switches it off
                self._stream = None
                log.info("slack.stream_unavailable", error=code)
        try:
            response = await self.outbox.previews.chat_postMessage(
                channel=self.place.channel_id, thread_ts=self.place.thread_ts,
                **self._preview().as_kwargs())
        except SlackClientError as error:  # no preview this turn; the reply still comes
            log.info("slack.preview_skipped", error=_code(error))
            return
        self._preview_ts = str(response.get("ts", ""))
        self._pending = ""
        self._last_push = asyncio.get_running_loop().time()

    async def _start_stream(self) -> None:
        assert self.place.thread_ts is not None
        # The preview client: a stream call refused for rate limits is skipped, not waited out.
        self._stream = await self.outbox.previews.chat_stream(
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
        for piece in markdown_pieces(text, STREAM_TEXT_LIMIT):
            await self._stream.append(markdown_text=piece)

    async def _push(self) -> None:
        try:
            if self._stream is not None:
                await self._append(self._pending)
            elif self._preview_ts is not None:
                await self.outbox.update(self.place, self._preview_ts, self._preview(),
                                         client=self.outbox.previews)
        except SlackClientError as error:  # best effort: skip this push, never wait it out
            log.info("slack.preview_skipped", error=_code(error))
            if self._stream is None:
                return  # a skipped edit: the next one shows the text still pending
            self._stream_whole = False  # a lost append: the final reply replaces the stream
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
                await self._replace(self._preview_ts, messages)
            else:
                await self.outbox.post_all(self.place, messages)

    async def _finish_stream(self, reply: Reply, messages: list[SlackMessage]) -> None:
        assert self._stream is not None
        exact = (self._stream_whole and self._text.strip() == reply.text.strip()
                 and len(messages) == 1)
        try:
            if exact:
                # The streamed words are the reply: add the last ones and the trailing
                # blocks (progress, buttons) as the stream stops.
                pieces = markdown_pieces(self._pending, STREAM_TEXT_LIMIT)
                for piece in pieces[:-1]:
                    await self._stream.append(markdown_text=piece)
                trailer = [b for b in messages[0].blocks if b.get("type") != "section"]
                await self._stream.stop(markdown_text=pieces[-1] if pieces else None,
                                        blocks=trailer or None)
                return
            await self._stream.stop()
        except SlackClientError as error:  # e.g. the stream expired: replace it below
            log.info("slack.stream_stop_failed", error=_code(error))
        # Core overrode what was streamed (or it is too long, or incomplete): replace it.
        if self._stream.ts:
            await self._replace(self._stream.ts, messages)
        else:
            await self.outbox.post_all(self.place, messages)

    async def _replace(self, ts: str, messages: list[SlackMessage]) -> None:
        """Turn the preview at ``ts`` into the reply; if Slack will not edit it now, post anew."""
        try:
            await self.outbox.update(self.place, ts, messages[0], client=self.outbox.previews)
        except SlackClientError as error:
            log.info("slack.final_edit_refused", error=_code(error))
            await self.outbox.post_all(self.place, messages)
            await self._remove(ts)
            return
        await self.outbox.post_all(self.place, messages[1:])

    async def _remove(self, ts: str) -> None:
        try:
            await self.outbox.delete(self.place, ts)
        except SlackClientError as error:
            log.warning("slack.preview_cleanup_failed", error=_code(error))

    async def _abandon(self) -> None:
        """The turn failed: remove the half-written preview (the caller explains the error)."""
        async with self._lock:
            self._done = True
            if self._stream is not None:
                try:
                    await self._stream.stop(markdown_text="_(interrupted)_")
                except SlackClientError as error:  # e.g. the stream was already stopped
                    log.warning("slack.preview_cleanup_failed", error=_code(error))
            elif self._preview_ts is not None:
                await self._remove(self._preview_ts)


def _code(error: SlackClientError) -> str:
    return str(error.response.get("error")) if isinstance(error, SlackApiError) \
        else type(error).__name__


def markdown_pieces(text: str, limit: int) -> list[str]:
    """``text`` with Slack's markup characters backslash-escaped, in pieces of ``limit``.

    Cutting after escaping could split an escape from its character, so the text is
    cut first, character by character, counting what each character becomes.
    """
    pieces: list[str] = []
    piece: list[str] = []
    size = 0
    for char in text:
        shown = MARKDOWN_SPECIAL.get(char, char)
        if size + len(shown) > limit:
            pieces.append("".join(piece))
            piece, size = [], 0
        piece.append(shown)
        size += len(shown)
    if piece:
        pieces.append("".join(piece))
    return pieces
