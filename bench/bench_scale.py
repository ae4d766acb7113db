"""Scale: 10,000 concurrent sessions in the in-memory store, 10-turn transcripts each.

Prints resident memory per session beyond the transcript text itself (target under
30 KB) and the turn latency at that size against 10 sessions, as a ratio.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time

import psutil

from bench.support import SCRIPTED_ANSWERS, InstantBrain, percentile, summary
from bot.logging import configure_logging
from core import InterviewOptions, InterviewService, Where, Who
from core.store import InMemoryStore

SESSIONS = 10_000
TURNS = 10


def _rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


async def _fill(service: InterviewService, count: int) -> int:
    """Open ``count`` sessions with TURNS answers each; return the transcript text bytes."""
    text_bytes = 0
    for number in range(count):
        who = Who(platform="bench", user_id=f"user{number}", display_name=f"User {number}")
        where = Where(platform="bench", conversation_id=f"conv{number}")
        await service.start(who, where, InterviewOptions(role="sales", questions=15))
        for turn in range(TURNS):
            # Unique text per session, as real answers would be (no string sharing).
            await service.answer(who, where, f"{SCRIPTED_ANSWERS[turn % 5]} ({number}-{turn})")
        session = await service.session_for(who, where)
        text_bytes += sum(len(entry.text.encode()) for entry in session.transcript)
    return text_bytes


async def _turn_latencies(service: InterviewService, count: int, turns: int = 200) -> list[float]:
    timings = []
    for number in range(turns):
        who = Who(platform="bench", user_id=f"user{number % count}", display_name="x")
        where = Where(platform="bench", conversation_id=f"conv{number % count}")
        started = time.perf_counter()
        reply = await service.answer(who, where, "Sorry, what do you mean by that?")
        timings.append((time.perf_counter() - started) * 1000)
        assert reply.text
    return timings


async def _run() -> None:
    small = InterviewService(brain=InstantBrain(), store=InMemoryStore())
    await _fill(small, 10)
    small_timings = await _turn_latencies(small, 10)

    store = InMemoryStore()
    large = InterviewService(brain=InstantBrain(), store=store)
    before = _rss()
    text_bytes = await _fill(large, SESSIONS)
    after = _rss()
    per_session = (after - before) / SESSIONS
    text_per_session = text_bytes / SESSIONS
    large_timings = await _turn_latencies(large, SESSIONS)
    print(f"sessions in store:               {len(store):,}")
    print(f"resident memory per session:     {per_session / 1024:.1f} KB "
          f"(transcript text {text_per_session / 1024:.1f} KB)")
    print(f"beyond the transcript text:      {(per_session - text_per_session) / 1024:.1f} KB "
          "(target < 30 KB)")
    print(f"turn latency, 10 sessions:       {summary(small_timings)}")
    print(f"turn latency, {SESSIONS:,} sessions:  {summary(large_timings)}")
    ratio = percentile(large_timings, 50) / percentile(small_timings, 50)
    print(f"p50 ratio 10,000 / 10:           {ratio:.2f}")


def main() -> None:
    with open(os.devnull, "w") as sink:
        configure_logging("WARNING", "json", stream=sink)
        asyncio.run(_run())


if __name__ == "__main__":
    main()
