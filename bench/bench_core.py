"""Core overhead: per-turn time of everything that is not the model.

A scripted 10-question interview through the service with a brain that answers
instantly, measured alone and again with 1,000 other sessions active in the store.
Every answer is made unique (a short closing sentence naming the user and turn) so the
reading cache does not flatter the figures: each turn reads its answer by meaning.
Targets: p99 under 15 ms (reading an answer by meaning, about 3-5 ms of it, replaced the
old word matching's 2 ms budget), and the ratio (busy / alone) under 1.5.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time

from bench.support import SCRIPTED_ANSWERS, InstantBrain, percentile, summary
from bot.logging import configure_logging
from core import InterviewOptions, InterviewService, Where, Who
from core.store import InMemoryStore

QUESTIONS = 10
ROUNDS = 30


async def _interview(service: InterviewService, user: str, timings: list[float] | None,
                     report_timings: list[float] | None = None) -> None:
    who, where = Who(platform="bench", user_id=user), Where(platform="bench", conversation_id=user)
    await service.start(who, where, InterviewOptions(role="sales", questions=QUESTIONS))
    turn = 0
    while True:
        text = f"{SCRIPTED_ANSWERS[turn % len(SCRIPTED_ANSWERS)]} That was case {user}-{turn}."
        started = time.perf_counter()
        reply = await service.answer(who, where, text)
        elapsed = (time.perf_counter() - started) * 1000
        if timings is not None:
            # The closing turn also writes the report: the brain's work, timed on its own.
            target = report_timings if reply.report is not None else timings
            target.append(elapsed)
        turn += 1
        if reply.interview_over:
            return


async def _measure(background_sessions: int) -> tuple[list[float], list[float]]:
    service = InterviewService(brain=InstantBrain(), store=InMemoryStore())
    for number in range(background_sessions):
        who = Who(platform="bench", user_id=f"bg{number}")
        where = Where(platform="bench", conversation_id=f"bg{number}")
        await service.start(who, where, InterviewOptions(role="sales", questions=QUESTIONS))
        await service.answer(who, where, SCRIPTED_ANSWERS[number % len(SCRIPTED_ANSWERS)])
    await _interview(service, "warmup", None)
    timings: list[float] = []
    report_timings: list[float] = []
    gc.collect()
    for round_number in range(ROUNDS):
        await _interview(service, f"u{round_number}", timings, report_timings)
    return timings, report_timings


def main() -> None:
    # Production logging (INFO, JSON) written to /dev/null: formatting cost counts, the
    # terminal does not.
    with open(os.devnull, "w") as sink:
        configure_logging("INFO", "json", stream=sink)
        alone, reports_alone = asyncio.run(_measure(0))
        busy, reports_busy = asyncio.run(_measure(1000))
    print(f"per turn, alone:                {summary(alone)}")
    print(f"per turn, with 1,000 sessions:  {summary(busy)}")
    print(f"closing turn + offline report:  {summary(reports_alone + reports_busy)}")
    p99_alone, p99_busy = percentile(alone, 99), percentile(busy, 99)
    ratio = p99_busy / p99_alone if p99_alone else float("inf")
    print(f"p99 ratio busy/alone:           {ratio:.2f}  (target < 1.5)")
    print(f"p99 under 15 ms:                {'yes' if max(p99_alone, p99_busy) < 15 else 'NO'}")


if __name__ == "__main__":
    main()
