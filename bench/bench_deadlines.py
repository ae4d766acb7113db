"""Deadlines under a slow model: acks stay fast while every turn takes seconds.

200 candidates start an interview and answer concurrently through the Slack HTTP
adapter (signed slash commands, message events and button presses to the real Bolt
app) and then through the Discord adapter (INTERACTION_CREATE and MESSAGE_CREATE from
the fake gateway to the real discord.py client). The brain is the real ``GeminiBrain``
(google-genai, streaming) talking to the fake Gemini in a process of its own, which
takes 2-8 s per call. Each candidate starts, answers once, presses **Hint**, then sends
two answers back to back (the second while the first is still being answered).

Reported per surface: the share of acknowledgements under Slack's and Discord's
3 seconds (target 100%) with p50 / p99 (target p99 < 100 ms) for commands, messages and
button presses, and whether every message got exactly one reply, in order (target:
0 missing, 0 duplicated).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bench.loopback import (
    Candidate,
    LagProbe,
    Surface,
    Tally,
    ack_lines,
    candidate_answers,
    discord_surface,
    exchange,
    labelled_answer,
    quiet_logs,
    settle,
    slack_surface,
)
from bench.gemini_process import SLOW_SECONDS, gemini_process
from core.brain.gemini import GeminiBrain
from core.service import InterviewService
from core.store import InMemoryStore

CANDIDATES = 200
ARRIVAL_WINDOW = 2.0  # candidates arrive over this many seconds, as people would
THINK_SECONDS = (0.2, 1.0)  # between seeing a reply and sending the next answer
START = "start role:sales questions:5"  # five questions: three answers never end the interview
WAIT = 60.0  # a candidate gives up waiting for a reply after this long
SEED = 7
API_KEY = "AIzaSyBENCHKEY-not-a-real-key-000000000"  # the fake accepts anything
LABELS = ["start", "a1", "h", "a2", "a3"]


def _answer(candidate: Candidate, number: int) -> str:
    return labelled_answer(f"a{number}", candidate.number + number - 1)


async def _candidate(surface: Surface, candidate: Candidate, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, ARRIVAL_WINDOW))
    if await exchange(surface, candidate, ["start"], lambda: surface.start(candidate, START),
                      timeout=WAIT) != "reply":
        return
    await asyncio.sleep(rng.uniform(*THINK_SECONDS))
    first = _answer(candidate, 1)
    if await exchange(surface, candidate, ["a1"], lambda: surface.say(candidate, first),
                      timeout=WAIT) != "reply":
        return
    await asyncio.sleep(rng.uniform(*THINK_SECONDS))
    if await exchange(surface, candidate, ["h"], lambda: surface.press_hint(candidate),
                      timeout=WAIT) != "reply":
        return
    await asyncio.sleep(rng.uniform(*THINK_SECONDS))

    async def two_in_a_row() -> None:
        await surface.say(candidate, _answer(candidate, 2))
        await surface.say(candidate, _answer(candidate, 3))  # while a2 is being answered

    await exchange(surface, candidate, ["a2", "a3"], two_in_a_row, timeout=2 * WAIT)


async def _run(make_surface: Callable[[InterviewService], AbstractAsyncContextManager[Surface]],
               seed: int, gemini_url: str) -> list[str]:
    brain = GeminiBrain(api_key=API_KEY, base_url=gemini_url, timeout_seconds=30)
    service = InterviewService(brain=brain, store=InMemoryStore())
    try:
        async with make_surface(service) as surface:
            candidates = [surface.enrol(number) for number in range(CANDIDATES)]
            rng = random.Random(seed)
            started = time.perf_counter()
            async with LagProbe() as lag:
                await asyncio.gather(*(_candidate(surface, c, random.Random(rng.random()))
                                       for c in candidates))
            elapsed = time.perf_counter() - started
            await settle(surface)
            return [*await _report(surface, candidates, elapsed), lag.line(surface.name)]
    finally:
        await brain.aclose()


async def _report(surface: Surface, candidates: list[Candidate], elapsed: float) -> list[str]:
    lines = ack_lines(surface)
    tally = Tally()
    for candidate in candidates:
        turns = [("start", None), ("a1", _answer(candidate, 1)), ("h", None)] + [
            (f"a{k}", _answer(candidate, k)) for k in (2, 3)]
        stored = candidate_answers(await surface.session(candidate))
        tally.add(turns, surface.shown(candidate), stored)
    lines += tally.lines(surface.name)
    lines.append(f"{surface.name} every message got exactly one reply, in order: "
                 f"{'yes' if not (tally.lost or tally.duplicated or tally.out_of_order) else 'NO'}"
                 f"  (lost {tally.lost}, duplicated {tally.duplicated}, "
                 f"out of order {tally.out_of_order})")
    lines.append(f"{surface.name} run: {len(candidates)} candidates, "
                 f"{elapsed:.1f} s wall time")
    if surface.name == "slack":
        lines.append("slack note: slash command acks include slack-bolt's own ack polling "
                     "(every 10 ms); events are acked before their listener runs")
    return lines


def main() -> None:
    low, high = SLOW_SECONDS
    print(f"{CANDIDATES} candidates per surface, arriving over {ARRIVAL_WINDOW:.0f} s; "
          f"GeminiBrain (google-genai, streaming) against the fake Gemini in its own process, "
          f"{low:.0f}-{high:.0f} s per call", flush=True)

    with quiet_logs():
        for make_surface in (slack_surface, discord_surface):
            with gemini_process("slow", SEED) as gemini:
                lines = asyncio.run(_run(make_surface, SEED, gemini.base_url))
            lines.append(f"{make_surface.__name__.split('_')[0]} model calls: "
                         f"{gemini.stats.get('calls', '?')}")
            for line in lines:
                print(line, flush=True)


if __name__ == "__main__":
    main()
