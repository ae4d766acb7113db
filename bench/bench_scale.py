"""Scale: 10,000 sessions in the in-memory store against 10, the same turns measured in both.

Twenty probe interviews (15 questions, 10 answers given) are made once and copied into a
store that holds only them and into one that also holds 9,980 other sessions of the
same shape (each with its own transcript text). Then every probe answers the same ten
answers in both stores, alternately, so the work per turn is identical and only the
store's size differs.

Prints: resident memory per session beyond its transcript text (target < 30 KB); the
stored size of a session (bank questions kept by id) against the same session with its
question bank copied in, as sessions were stored before; turn latency at 10 and at
10,000 sessions and their p50 ratio; the full garbage collection at 10,000 sessions
with the start-up heap frozen as the bot freezes it, and the longest collection pause
while the turns were measured (target: well under the 220 ms one full collection took
with 10,000 sessions as objects).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import time

import psutil

from bench.support import SCRIPTED_ANSWERS, InstantBrain, percentile, summary
from bot.__main__ import freeze_startup_heap
from bot.logging import configure_logging
from core import InterviewOptions, InterviewService, Where, Who, semantics
from core.errors import NoActiveInterviewError
from core.session import Session, Speaker
from core.store import InMemoryStore

SESSIONS = 10_000
PROBES = 20
HISTORY_TURNS = 10  # answers already in every session
MEASURED_TURNS = 10  # per probe and store


def _ids(name: str) -> tuple[Who, Where]:
    return (Who(platform="bench", user_id=name, display_name=f"User {name}"),
            Where(platform="bench", conversation_id=name))


async def _template(service: InterviewService) -> Session:
    """A real interview with HISTORY_TURNS answers, as every session in the store has."""
    who, where = _ids("template")
    await service.start(who, where, InterviewOptions(role="sales", questions=15))
    for turn in range(HISTORY_TURNS):
        await service.answer(who, where, f"{SCRIPTED_ANSWERS[turn % 5]} (template {turn})")
    session = await service.session_for(who, where)
    assert session is not None
    return session


def _copy(template: Session, name: str) -> Session:
    """The template as another user's session, with text of its own (no string sharing)."""
    who, where = _ids(name)
    data = json.loads(template.model_dump_json())
    for entry in data["transcript"]:
        entry["text"] = f"{entry['text']} ({name})"
    data.update(id=f"id-{name}", key=f"bench:{name}:{name}", who=who.model_dump(),
                where=where.model_dump())
    return Session.model_validate(data)


def _rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


class Pauses:
    """The longest garbage collection pause while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest = max(self.longest, (time.perf_counter() - self._started) * 1000)


async def _run() -> None:
    scratch = InterviewService(brain=InstantBrain(), store=InMemoryStore())
    template = await _template(scratch)
    stored = template.model_dump_json()
    with_bank = json.dumps({**json.loads(stored), "questions": [
        q.model_dump(mode="json") for q in template.questions]})

    small, large = InMemoryStore(), InMemoryStore()
    probes = [f"probe{number}" for number in range(PROBES)]
    for name in probes:
        probe = _copy(template, name)
        await small.put(probe)
        await large.put(probe)
    before, objects_before = _rss(), len(gc.get_objects())
    text_bytes = 0
    for number in range(SESSIONS - PROBES):
        filler = _copy(template, f"user{number}")
        text_bytes += sum(len(entry.text.encode()) for entry in filler.transcript)
        await large.put(filler)
    after, objects_after = _rss(), len(gc.get_objects())
    fillers = SESSIONS - PROBES
    per_session = (after - before) / fillers
    text_per_session = text_bytes / fillers

    services = {"small": InterviewService(brain=InstantBrain(), store=small),
                "large": InterviewService(brain=InstantBrain(), store=large)}
    timings: dict[str, list[float]] = {"small": [], "large": []}
    pauses = Pauses()
    gc.callbacks.append(pauses)
    try:
        for turn in range(MEASURED_TURNS):
            for name in probes:
                for size, service in services.items():  # the same turn in both, alternately
                    # The same answer, told apart by one word so that neither store's turn
                    # finds it in the reading cache.
                    text = f"{SCRIPTED_ANSWERS[(turn + 2) % 5]} ({name} answer {turn}, {size})"
                    started = time.perf_counter()
                    try:
                        await service.answer(*_ids(name), text)
                    except NoActiveInterviewError:  # ended in both stores alike
                        continue
                    timings[size].append((time.perf_counter() - started) * 1000)
    finally:
        gc.callbacks.remove(pauses)
    started = time.perf_counter()
    gc.collect()
    full_frozen = (time.perf_counter() - started) * 1000
    gc.unfreeze()  # the same collection without the start-up heap frozen, for comparison
    started = time.perf_counter()
    gc.collect()
    full_unfrozen = (time.perf_counter() - started) * 1000

    answers = sum(1 for e in template.transcript if e.speaker is Speaker.candidate)
    print(f"sessions in the large store:     {len(large):,} ({answers} answers each)")
    print(f"resident memory per session:     {per_session / 1024:.1f} KB "
          f"(transcript text {text_per_session / 1024:.1f} KB); tracked objects per session "
          f"{(objects_after - objects_before) / fillers:.1f}")
    print(f"beyond the transcript text:      {(per_session - text_per_session) / 1024:.1f} KB "
          "(target < 30 KB)")
    print(f"stored session:                  {len(stored) / 1024:.1f} KB with bank questions by "
          f"id; {len(with_bank) / 1024:.1f} KB with the bank copied in "
          f"({len(with_bank) / len(stored):.0f}x)")
    print(f"turn latency, {PROBES} sessions:       {summary(timings['small'])}")
    print(f"turn latency, {SESSIONS:,} sessions:   {summary(timings['large'])}")
    ratio = percentile(timings["large"], 50) / percentile(timings["small"], 50)
    print(f"p50 ratio {SESSIONS:,} / {PROBES}:           {ratio:.2f} (same turns on the same "
          "sessions in both)")
    print(f"full GC at {SESSIONS:,} sessions:      {full_frozen:.1f} ms with the start-up heap "
          f"frozen, {full_unfrozen:.1f} ms without; longest pause during the turns "
          f"{pauses.longest:.1f} ms")


def main() -> None:
    with open(os.devnull, "w") as sink:
        configure_logging("WARNING", "json", stream=sink)
        semantics.warm_up()
        freeze_startup_heap()  # as ``python -m bot`` does before serving
        try:
            asyncio.run(_run())
        finally:
            gc.unfreeze()


if __name__ == "__main__":
    main()
