"""The streaming preview policy, written once: when a reply being written is shown.

A chat surface shows a turn while the model writes it. Every surface follows the same
timing, and plugs in only how to draw (``PreviewSurface``):

- **grace**: nothing is shown for the first ``grace`` seconds, so a fast reply (the
  offline brain answers in milliseconds) costs one message and no edits;
- **interval**: after that, the text so far is shown at most once per ``interval``
  (about one edit a second, as llmcord does: Discord and Slack both rate-limit edits),
  and only when it has grown;
- **final reply wins**: once the turn's ``Reply`` arrives no preview is shown any
  more, and the surface replaces whatever was shown with the reply (``finish``) at
  once, as llmcord does: the reply is never held back for the interval (a turn queued
  behind this one must not overtake it);
- **discard on error**: a turn that fails (or is cancelled) has its half-written
  preview removed (``discard``); the caller explains the error.

A preview being drawn is never cut mid-request: finishing or discarding waits for it.
The sleep is injectable (it is the policy's only clock), so tests drive the timing with
a fake clock and never wait on the wall clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

import structlog

from core.models import Reply, TextDelta

log = structlog.get_logger(__name__)

GRACE_SECONDS = 1.0
INTERVAL_SECONDS = 1.0


class PreviewSurface(Protocol):
    """How one surface draws a turn; the policy decides when."""

    async def show(self, text: str) -> None:
        """Show the text written so far (the whole of it; ``""`` when the grace ends before
        any words, for surfaces that show a placeholder)."""

    async def finish(self, reply: Reply) -> None:
        """Replace whatever was shown with the authoritative reply (or post it)."""

    async def discard(self) -> None:
        """Remove whatever was shown: the turn failed."""


class ThrottledPreview:
    """Runs one turn's events through a ``PreviewSurface``."""

    def __init__(self, surface: PreviewSurface, *, grace: float = GRACE_SECONDS,
                 interval: float = INTERVAL_SECONDS,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self._surface = surface
        self._grace = grace
        self._interval = interval
        self._sleep = sleep
        self._text = ""
        self._grown = asyncio.Event()
        self._lock = asyncio.Lock()  # held while a preview is drawn
        self._closed = False
        self.shown = 0  # previews drawn this turn

    async def run(self, events: AsyncIterator[TextDelta | Reply]) -> Reply:
        """Show the stream, then the final reply; on any error discard the preview and re-raise.

        The reply is drawn as soon as it arrives, before the stream is read to its end:
        the service holds the conversation's turn until then, so a message queued behind
        this turn (a hint pressed meanwhile) is answered after this reply, never before.
        """
        pump = asyncio.create_task(self._pump())
        reply: Reply | None = None
        try:
            async for event in events:
                if reply is not None:
                    continue  # nothing follows the reply; whatever does is not shown
                if isinstance(event, Reply):
                    await self._close(pump)
                    await self._surface.finish(event)
                    reply = event
                else:
                    self._text += event.text
                    self._grown.set()
        except BaseException:
            await self._close(pump)
            if reply is None:  # a reply on screen is saved and stays: only a preview goes
                await self._surface.discard()
            raise
        if reply is None:  # the service promises one; never show a half-written turn as final
            await self._close(pump)
            await self._surface.discard()
            raise RuntimeError("answer stream ended without a reply")
        return reply

    async def _pump(self) -> None:
        await self._sleep(self._grace)
        first = True
        while True:
            if not first:
                await self._grown.wait()
            first = False
            self._grown.clear()
            async with self._lock:
                if self._closed:
                    return
                await self._surface.show(self._text)
                self.shown += 1
            await self._sleep(self._interval)

    async def _close(self, pump: asyncio.Task[None]) -> None:
        """No preview after this; one being drawn is let finish first."""
        async with self._lock:
            self._closed = True
        pump.cancel()
        try:
            await pump
        except asyncio.CancelledError:
            pass
        except Exception as error:  # a preview is best effort: the final reply still goes out
            log.warning("preview.show_failed", error=type(error).__name__)
