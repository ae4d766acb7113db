"""The one streaming preview policy: grace, throttling, final reply wins, discard on error.

Time is a fake clock: ``advance`` moves it and wakes the sleepers that are due, so no
test waits on the wall clock.
"""

from __future__ import annotations

import asyncio

import pytest

from core.models import Reply, ReplyKind, TextDelta
from core.preview import ThrottledPreview


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleepers: list[tuple[float, asyncio.Future]] = []

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        for due, future in list(self.sleepers):
            if due <= self.now and not future.done():
                future.set_result(None)
        self.sleepers = [(due, f) for due, f in self.sleepers if not f.done()]
        await settle()


async def settle() -> None:
    """Let every task run until it waits on something (no wall-clock time passes)."""
    for _ in range(20):
        await asyncio.sleep(0)


class Recorder:
    def __init__(self, fail_show: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail_show = fail_show

    async def show(self, text: str) -> None:
        self.calls.append(("show", text))
        if self.fail_show:
            raise ConnectionError("refused")

    async def finish(self, reply: Reply) -> None:
        self.calls.append(("finish", reply.text))

    async def discard(self) -> None:
        self.calls.append(("discard", ""))


class Events:
    """A turn's events, fed by the test one at a time."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()

    def __aiter__(self):
        return self

    async def __anext__(self):
        event = await self.queue.get()
        if isinstance(event, BaseException):
            raise event
        if event is None:
            raise StopAsyncIteration
        return event

    async def put(self, event) -> None:
        await self.queue.put(event)
        await settle()

    async def end(self, final: Reply) -> None:
        """The turn's reply, then the end of the stream (as ``answer_stream`` does)."""
        await self.queue.put(final)
        await self.put(None)


def reply(text: str) -> Reply:
    return Reply(kind=ReplyKind.question, text=text)


async def start(surface: Recorder, clock: FakeClock, events: Events) -> asyncio.Task:
    preview = ThrottledPreview(surface, grace=1.0, interval=1.0, sleep=clock.sleep)
    task = asyncio.create_task(preview.run(events))
    await settle()  # the grace timer is waiting on the fake clock
    return task


async def test_a_fast_reply_is_one_final_message_and_no_preview():
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await events.put(TextDelta(text="Hello"))
    await events.end(reply("Hello there."))
    assert (await task).text == "Hello there."
    assert surface.calls == [("finish", "Hello there.")]


async def test_previews_start_after_the_grace_and_come_at_most_once_per_interval():
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await events.put(TextDelta(text="One"))
    await clock.advance(0.9)
    assert surface.calls == []  # still within the grace
    await clock.advance(0.1)
    assert surface.calls == [("show", "One")]
    await events.put(TextDelta(text=" two"))
    await events.put(TextDelta(text=" three"))
    await clock.advance(0.5)
    assert surface.calls == [("show", "One")]  # the interval is not over
    await clock.advance(0.5)
    assert surface.calls[-1] == ("show", "One two three")  # both pieces in one edit
    await clock.advance(3)
    assert len(surface.calls) == 2  # nothing new written: no edit
    await events.put(TextDelta(text=" four"))
    assert surface.calls[-1] == ("show", "One two three four")  # the interval had passed
    await events.end(reply("One two three four."))
    assert task.done()  # the final reply is never held back for the interval
    assert surface.calls[-1] == ("finish", "One two three four.")


async def test_the_grace_ending_before_any_words_shows_the_empty_text_once():
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await clock.advance(1)
    assert surface.calls == [("show", "")]  # a surface may show "Thinking…"
    await clock.advance(5)
    assert surface.calls == [("show", "")]
    await events.put(TextDelta(text="Words"))
    assert surface.calls[-1] == ("show", "Words")
    await events.end(reply("Words."))
    await clock.advance(1)
    await task


async def test_the_final_reply_wins_over_a_later_preview():
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await clock.advance(1)
    await events.put(TextDelta(text="draft"))
    await events.end(reply("The real reply."))  # arrives before the next slot
    await clock.advance(10)
    await task
    assert surface.calls == [("show", ""), ("finish", "The real reply.")]


async def test_a_failed_turn_discards_the_preview_and_re_raises():
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await events.put(TextDelta(text="half"))
    await clock.advance(1)
    await events.put(RuntimeError("model failed"))
    with pytest.raises(RuntimeError, match="model failed"):
        await task
    assert surface.calls == [("show", "half"), ("discard", "")]
    await clock.advance(5)
    assert surface.calls[-1] == ("discard", "")  # nothing drawn after the discard


async def test_a_stream_without_a_reply_is_an_error_not_a_final_preview():
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await events.put(TextDelta(text="half"))
    await events.put(None)
    with pytest.raises(RuntimeError, match="without a reply"):
        await task
    assert surface.calls == [("discard", "")]


async def test_a_refused_preview_never_costs_the_final_reply():
    clock, surface, events = FakeClock(), Recorder(fail_show=True), Events()
    task = await start(surface, clock, events)
    await events.put(TextDelta(text="half"))
    await clock.advance(1)
    await events.end(reply("Final."))
    await clock.advance(1)
    assert (await task).text == "Final."
    assert surface.calls == [("show", "half"), ("finish", "Final.")]


async def test_the_reply_is_drawn_before_the_stream_is_read_to_its_end():
    """The service holds the turn until its stream ends: the reply goes out first."""
    clock, surface, events = FakeClock(), Recorder(), Events()
    task = await start(surface, clock, events)
    await events.put(reply("Done."))
    assert surface.calls == [("finish", "Done.")] and not task.done()
    await events.put(None)
    assert (await task).text == "Done."
