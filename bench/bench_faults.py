"""Faults: a failing model and a re-delivering Slack, and still no turn lost or doubled.

The deadline benchmark's load (200 candidates per surface) through the same real
Slack and Discord adapters, with the real ``GeminiBrain`` (google-genai) pointed at the
fake Gemini in a process of its own, which fails 20% of calls: a 429, a 500, a hang
beyond the client timeout, or (for streamed replies) a stream cut mid-way. The SDK
retries 429 and 500 a few times; what still fails reaches the candidate as a "please
send it again" message, and the candidate sends it again. Healthy calls take 0.2-1 s,
well inside the client's 10 s timeout even on a busy machine, so the timeouts counted
are the injected hangs, not a slow machine.

Slack re-delivers 10% of message events (same event_id, ``X-Slack-Retry-Num``), some at
once and some while the turn is still being answered, and every re-delivery goes to a
second process of the Slack app (``python -m bot slack --http``) sharing the Redis
store, as a load balancer would send it: it must be recognised there and dropped.

Reported per surface: turns lost (target 0: every message ends in a reply or a clear
retry message, and the re-sent answer succeeds), duplicate turns (target 0), and the
share of turns that failed after all retries for which the candidate saw a clear
retry message (target 100%).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager

from bench.gemini_process import HEALTHY_SECONDS, gemini_process
from bench.loopback import (
    Candidate,
    LagProbe,
    Surface,
    Tally,
    ack_lines,
    brain_error_messages,
    candidate_answers,
    discord_surface,
    exchange,
    labelled_answer,
    quiet_logs,
    settle,
    slack_surface,
)
from core.brain.base import TurnPlan, TurnRequest
from core.brain.gemini import GeminiBrain
from core.errors import BrainError
from core.models import TextDelta
from bench.processes import bot_processes, redis_server
from core.service import InterviewService
from core.store import InMemoryStore, SessionStore
from core.stores.redis import RedisStore
from tests.fakes.slack_fake import BOT_TOKEN, SIGNING_SECRET

CANDIDATES = 200
FAILURE_RATE = 0.20  # of calls to the model, retries included (bench.gemini_process)
REDELIVERY_RATE = 0.10  # of Slack message events
CLIENT_TIMEOUT = 10.0  # the GeminiBrain's per-call timeout (production: 30 s)
HANG_SECONDS = CLIENT_TIMEOUT + 1.5  # a hung call outlasts the client's patience
ARRIVAL_WINDOW = 2.0
THINK_SECONDS = (0.3, 1.5)
MAX_SENDS = 6  # a candidate sends one message at most this often before giving up
START = "start role:sales questions:5"
LABELS = ["start", "a1", "a2", "a3"]
WAIT = 45.0  # a hang (11.5 s) and the re-sent turn fit in it
SEED = 11
API_KEY = "AIzaSyBENCHKEY-not-a-real-key-000000000"  # the fake accepts anything

class CountedGeminiBrain(GeminiBrain):
    """The real Gemini brain, counting the turns that failed after all of the SDK's retries."""

    def __init__(self, **settings) -> None:
        super().__init__(**settings)
        self.failed: Counter[str] = Counter()  # user id -> failed turns

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        try:
            return await super().plan_turn(request)
        except BrainError:
            self.failed[request.session.who.user_id] += 1
            raise

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        try:
            async for event in super().stream_turn(request):
                yield event
        except BrainError:
            self.failed[request.session.who.user_id] += 1
            raise


# ---------------------------------------------------------------------- a candidate


class Outcomes:
    """What happened to messages across all candidates of one surface."""

    def __init__(self) -> None:
        self.sent = 0
        self.events = 0  # message events (answers), re-sends included
        self.lost = 0  # neither a reply nor a retry message within the wait
        self.retried = 0  # re-sent after a retry message
        self.retries_answered = 0  # ...and the re-sent message got its reply
        self.gave_up = 0  # still failing after MAX_SENDS
        self.redelivered = 0


async def _candidate(surface: Surface, candidate: Candidate, rng: random.Random,
                     outcomes: Outcomes, retry_texts: tuple[str, ...]) -> None:
    await asyncio.sleep(rng.uniform(0, ARRIVAL_WINDOW))
    for label in LABELS:
        if not await _until_answered(surface, candidate, label, rng, outcomes, retry_texts):
            return  # lost, or given up: the tally counts the turns never taken as lost
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def _until_answered(surface: Surface, candidate: Candidate, label: str,
                          rng: random.Random, outcomes: Outcomes,
                          retry_texts: tuple[str, ...]) -> bool:
    """Send one message; after each clear retry message, read it and send it again."""
    text = _text(candidate, label)
    for attempt in range(MAX_SENDS):
        outcomes.sent += 1
        outcomes.retried += attempt > 0
        result = await exchange(surface, candidate, [label],
                                lambda: _send(surface, candidate, label, text, rng, outcomes),
                                timeout=WAIT, retry_texts=retry_texts)
        if result == "reply":
            outcomes.retries_answered += attempt > 0
            return True
        if result == "lost":
            outcomes.lost += 1
            return False
        candidate.retry_messages += 1
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))
    outcomes.gave_up += 1
    return False


def _text(candidate: Candidate, label: str) -> str:
    return labelled_answer(label, candidate.number + LABELS.index(label))


async def _send(surface: Surface, candidate: Candidate, label: str, text: str,
                rng: random.Random, outcomes: Outcomes) -> None:
    if label == "start":
        await surface.start(candidate, START)
        return
    outcomes.events += 1
    # Every tenth event exactly, so the share is the same in every run.
    redeliver = surface.name == "slack" and outcomes.events % round(1 / REDELIVERY_RATE) == 0
    outcomes.redelivered += redeliver
    await surface.say(candidate, text, redeliver_after=rng.uniform(0, 1.0) if redeliver else None)


# ---------------------------------------------------------------------- a run


async def _run(make_surface: Callable[..., AbstractAsyncContextManager[Surface]],
               gemini_url: str, redis_url: str | None) -> list[str]:
    brain = CountedGeminiBrain(api_key=API_KEY, base_url=gemini_url,
                               timeout_seconds=CLIENT_TIMEOUT, retry_attempts=3,
                               retry_initial_delay=0.05, retry_max_delay=0.2)
    # Slack shares its store with the second process; Discord runs in this one alone.
    shared = make_surface is slack_surface and redis_url is not None
    store: SessionStore = RedisStore.from_url(redis_url) if shared else InMemoryStore()
    service = InterviewService(brain=brain, store=store)
    options = {"replica": _replica(redis_url, gemini_url)} if shared else {}
    try:
        async with make_surface(service, **options) as surface:
            candidates = [surface.enrol(number) for number in range(CANDIDATES)]
            outcomes = Outcomes()
            rng = random.Random(SEED)
            retry_texts = brain_error_messages()
            started = time.perf_counter()
            async with LagProbe() as lag:
                await asyncio.gather(*(_candidate(surface, c, random.Random(rng.random()),
                                                  outcomes, retry_texts) for c in candidates))
            elapsed = time.perf_counter() - started
            await settle(surface)
            lines = await _report(surface, candidates, outcomes, brain, elapsed)
            return [*lines, lag.line(surface.name)]
    finally:
        await brain.aclose()
        await store.close()


def _replica(redis_url: str, gemini_url: str):
    """The Slack app's entry point in a second process, on the same Redis and fake Gemini."""
    @contextmanager
    def start(slack_api_url: str) -> Iterator[str]:
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": slack_api_url, "STORE_URL": redis_url,
               "GEMINI_API_KEY": API_KEY, "GEMINI_BASE_URL": gemini_url,
               "GEMINI_TIMEOUT_SECONDS": str(CLIENT_TIMEOUT)}
        with bot_processes(1, ["slack", "--http"], env, health_path=None) as [replica]:
            yield f"{replica.url}/slack/events"

    return start


async def _report(surface: Surface, candidates: list[Candidate], outcomes: Outcomes,
                  brain: CountedGeminiBrain, elapsed: float) -> list[str]:
    name = surface.name
    tally = Tally()
    for candidate in candidates:
        turns = [(label, _text(candidate, label) if label != "start" else None)
                 for label in LABELS]
        stored = candidate_answers(await surface.session(candidate))
        tally.add(turns, surface.shown(candidate), stored)
    failed_turns = sum(brain.failed.values())
    told = sum(min(c.retry_messages, brain.failed[c.user_id]) for c in candidates)
    users_failed = [c for c in candidates if brain.failed[c.user_id]]
    users_told = [c for c in users_failed if c.retry_messages >= brain.failed[c.user_id]]
    lines = ack_lines(surface, target="(under faults: context)")
    lines += [
        f"{name} turns failed after all retries: {failed_turns} (for {len(users_failed)} users)",
        f"{name} clear retry message where a turn failed: {told}/{failed_turns} turns "
        f"({_share(told, failed_turns)}), {len(users_told)}/{len(users_failed)} users "
        f"({_share(len(users_told), len(users_failed))})  (target 100%)",
        f"{name} re-sends after a retry message: {outcomes.retried}, answered at once: "
        f"{outcomes.retries_answered} (the rest failed again and were re-sent), "
        f"candidates who gave up after {MAX_SENDS} tries: {outcomes.gave_up}",
        f"{name} turns lost: {tally.lost} of {tally.turns}  (target 0; messages that got "
        f"neither a reply nor a retry message: {outcomes.lost})",
        f"{name} duplicate turns: {tally.duplicated} of {tally.turns}  (target 0)",
    ]
    lines += tally.lines(name)
    if name == "slack":
        where = "to a second process on the same Redis" if surface.replica else "to this process"
        lines.append(f"slack events re-delivered {where}: {outcomes.redelivered} of "
                     f"{len(surface.acks['message event'])}")
    lines.append(f"{name} run: {len(candidates)} candidates, {outcomes.sent} messages sent, "
                 f"{elapsed:.1f} s wall time")
    return lines


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def main() -> None:
    low, high = HEALTHY_SECONDS
    print(f"{CANDIDATES} candidates per surface; the fake Gemini (own process) answers in "
          f"{low}-{high} s and fails {FAILURE_RATE:.0%} of calls (429, 500, hang > "
          f"{CLIENT_TIMEOUT:.0f} s timeout, cut stream); Slack re-delivers "
          f"{REDELIVERY_RATE:.0%} of events", flush=True)

    env = {"BENCH_GEMINI_HANG_SECONDS": str(HANG_SECONDS)}
    with quiet_logs(), redis_server() as redis_url:
        if redis_url is None:
            print("redis-server is not installed: Slack re-deliveries go to this process")
        for make_surface in (slack_surface, discord_surface):
            with gemini_process("faulty", SEED, env) as gemini:
                lines = asyncio.run(_run(make_surface, gemini.base_url, redis_url))
            injected = gemini.stats.get("injected", {})
            calls = gemini.stats.get("calls", 0)
            lines.insert(0, f"{make_surface.__name__.split('_')[0]} model calls: {calls}, failed "
                            f"on purpose: {sum(injected.values())} "
                            f"({100 * sum(injected.values()) / max(1, calls):.1f}%: "
                            f"{', '.join(f'{k} {v}' for k, v in sorted(injected.items()))})")
            for line in lines:
                print(line, flush=True)


if __name__ == "__main__":
    main()
