"""Core overhead: per-turn time of everything that is not the model, on each embedded store.

Scripted 10-question interviews through the service with a brain that answers
instantly, on the in-memory store and on the default SQLite store (a file, every turn
committed with fsync, as in production). Each store is measured twice, interleaved
turn by turn so that whatever else the machine does falls on both alike:
- alone: the only interview in its store;
- busy: one of 1,000 sessions that all take turns; between two measured turns, three
  other sessions answer, so the store is written all the time.
Every answer is unique (a closing sentence naming the user and turn) so the reading
cache does not flatter the figures: each turn reads its answer by meaning.
Targets: p99 under 15 ms (reading an answer by meaning is about 3-5 ms of it), and the
p99 ratio busy / alone under 1.5.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import time
from collections.abc import Callable
from itertools import count

from bench.support import SCRIPTED_ANSWERS, InstantBrain, percentile, summary
from bot.logging import configure_logging
from core import InterviewOptions, InterviewService, Where, Who
from core.store import InMemoryStore, SessionStore
from core.stores.sqlite import SqliteStore

QUESTIONS = 10
ROUNDS = 20  # measured interviews per condition
BACKGROUND = 1_000
BETWEEN = 3  # background turns between two measured ones


def _ids(user: str) -> tuple[Who, Where]:
    return Who(platform="bench", user_id=user), Where(platform="bench", conversation_id=user)


def _answer(user: str, turn: int) -> str:
    return f"{SCRIPTED_ANSWERS[turn % len(SCRIPTED_ANSWERS)]} That was case {user}-{turn}."


class Interviews:
    """One scripted interview after another in one service; ``turn`` times the next answer."""

    def __init__(self, service: InterviewService, prefix: str) -> None:
        self.service, self.prefix = service, prefix
        self.numbers = count()
        self.user = ""
        self.turns = 0

    async def turn(self) -> tuple[float, bool]:
        """(milliseconds, whether it was the closing turn with the report)."""
        if not self.user:
            self.user, self.turns = f"{self.prefix}{next(self.numbers)}", 0
            await self.service.start(*_ids(self.user),
                                     InterviewOptions(role="sales", questions=QUESTIONS))
        text = _answer(self.user, self.turns)
        started = time.perf_counter()
        reply = await self.service.answer(*_ids(self.user), text)
        elapsed = (time.perf_counter() - started) * 1000
        self.turns += 1
        if reply.interview_over:
            self.user = ""
        return elapsed, reply.interview_over


async def _background(service: InterviewService) -> Callable:
    """1,000 open interviews; each call lets the next three of them answer."""
    for number in range(BACKGROUND):
        who, where = _ids(f"bg{number}")
        await service.start(who, where, InterviewOptions(role="sales", questions=15))
    turns = count()

    async def step() -> None:
        for _ in range(BETWEEN):
            turn = next(turns)
            user = f"bg{turn % BACKGROUND}"
            await service.answer(*_ids(user), _answer(user, turn // BACKGROUND))

    return step


async def _measure(make_store: Callable[[str], SessionStore]) -> dict[str, list[float]]:
    alone = InterviewService(brain=InstantBrain(), store=make_store("alone"))
    busy = InterviewService(brain=InstantBrain(), store=make_store("busy"))
    others = await _background(busy)
    runs = {"alone": Interviews(alone, "a"), "busy": Interviews(busy, "b")}
    for run in runs.values():  # warm-up: one whole interview each, not timed
        while not (await run.turn())[1]:
            pass
    timings: dict[str, list[float]] = {"alone": [], "busy": [], "report": []}
    finished = {"alone": 0, "busy": 0}
    gc.collect()
    while min(finished.values()) < ROUNDS:
        for name, run in runs.items():  # alternate: alone, busy, alone, busy...
            if finished[name] >= ROUNDS:
                continue
            if name == "busy":
                await others()
            elapsed, closing = await run.turn()
            # The closing turn also writes the report: the brain's work, timed on its own.
            timings["report" if closing else name].append(elapsed)
            finished[name] += closing
    for service in (alone, busy):
        await service.store.close()
    return timings


def _report(label: str, timings: dict[str, list[float]]) -> tuple[float, float]:
    print(f"{label}, alone:                {summary(timings['alone'])}")
    print(f"{label}, 1 of 1,000 busy:      {summary(timings['busy'])}")
    print(f"{label}, closing turn + report: {summary(timings['report'])}")
    p99_alone, p99_busy = percentile(timings["alone"], 99), percentile(timings["busy"], 99)
    ratio = p99_busy / p99_alone if p99_alone else float("inf")
    print(f"{label}, p99 ratio busy/alone: {ratio:.2f}  (target < 1.5)")
    return max(p99_alone, p99_busy), ratio


def main() -> None:
    # Production logging (INFO, JSON) written to /dev/null: formatting cost counts, the
    # terminal does not.
    with open(os.devnull, "w") as sink, tempfile.TemporaryDirectory() as folder:
        configure_logging("INFO", "json", stream=sink)
        memory = asyncio.run(_measure(lambda name: InMemoryStore()))
        sqlite = asyncio.run(_measure(lambda name: SqliteStore(f"{folder}/{name}.sqlite3")))
    worst = []
    for label, timings in (("memory", memory), ("sqlite", sqlite)):
        worst.append(_report(label, timings))
    print(f"p99 under 15 ms on both stores: {'yes' if max(p for p, _ in worst) < 15 else 'NO'}; "
          f"ratio under 1.5 on both: {'yes' if max(r for _, r in worst) < 1.5 else 'NO'}")


if __name__ == "__main__":
    main()
