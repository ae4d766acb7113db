"""Faults: a failing model and a re-delivering Slack, and still no turn lost or doubled.

The deadline benchmark's load (200 candidates per surface) through the same real
Slack and Discord adapters, with the real ``GeminiBrain``
(google-genai) pointed at the fake Gemini server, which fails 20% of calls: a 429,
a 500, a hang beyond the client timeout, or (for streamed replies) a stream cut
mid-way. The SDK retries 429 and 500 a few times; what still fails reaches the
candidate as a "please send it again" message, and the candidate sends it again.
Slack also re-delivers 10% of message events (same event_id, ``X-Slack-Retry-Num``),
some at once and some while the turn is still being answered. Healthy model calls
take 0.2-1 s here rather than 2-8 s: faults are the subject, and a slower model would
need a longer client timeout, making the run too long for two minutes.

Reported per surface: turns lost (target 0: every message ends in a reply or a clear
retry message, and the re-sent answer succeeds), duplicate turns (target 0), and the
share of turns that failed after all retries for which the candidate saw a clear
retry message (target 100%).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

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
    ref,
    settle,
    slack_surface,
)
from core.brain.base import TurnPlan, TurnRequest
from core.brain.gemini import GeminiBrain
from core.errors import BrainError
from core.models import TextDelta
from core.service import InterviewService
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini, Recorded, Step, auto_reply, cut, error, hang

CANDIDATES = 200
FAILURE_RATE = 0.20  # of calls to the model, retries included
REDELIVERY_RATE = 0.10  # of Slack message events
MODEL_SECONDS = (0.2, 1.0)  # how long a healthy call takes
STREAM_CHUNK_CHARS = 48  # about a dozen tokens per streamed chunk, as Gemini sends them
CLIENT_TIMEOUT = 2.0  # the GeminiBrain's per-call timeout (production: 30 s)
HANG_SECONDS = CLIENT_TIMEOUT + 1.5  # a hung call outlasts the client's patience
ARRIVAL_WINDOW = 2.0
THINK_SECONDS = (0.3, 1.5)
MAX_SENDS = 6  # a candidate sends one message at most this often before giving up
START = "start role:sales questions:5"
LABELS = ["start", "a1", "a2", "a3"]
WAIT = 30.0
SEED = 11
API_KEY = "AIzaSyBENCHKEY-not-a-real-key-000000000"  # the fake accepts anything

_NEW_ANSWER = re.compile(r"The candidate's new message:\n<candidate_answer>\n\((a\d+)\)")


class FaultyModel:
    """The fake Gemini's responder: a plausible interviewer that fails a share of calls.

    Healthy replies end with ``[ref <label>]`` of the answer they reply to, so the
    benchmark can tell which reply belongs to which answer.
    """

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.random = random.Random(seed)
        self.calls = 0
        self.injected: Counter[str] = Counter()

    def __call__(self, recorded: Recorded) -> Step:
        self.calls += 1
        healthy = _signed(auto_reply(recorded), recorded)
        if self.random.random() >= self.rate:
            return hang(self.random.uniform(*MODEL_SECONDS), then=healthy)
        streamed = recorded.method == "streamGenerateContent"
        kinds = ["429", "500", "hang"] + (["cut"] if streamed else [])
        kind = self.random.choice(kinds)
        self.injected[kind] += 1
        if kind == "429":
            return error(429, "Resource has been exhausted (e.g. check quota).")
        if kind == "500":
            return error(500, "An internal error has occurred.")
        if kind == "hang":
            return hang(HANG_SECONDS, then=healthy)
        return cut(healthy.text[: len(healthy.text) // 2])  # the ref is never in the half shown


def _signed(step: Step, recorded: Recorded) -> Step:
    """Append ``[ref label]`` to a turn plan's message (a report passes through unchanged)."""
    data = json.loads(step.text)
    if "message" not in data:
        return step
    match = _NEW_ANSWER.search(recorded.last_user_text)
    data["message"] += f"\n\n{ref(match.group(1) if match else 'start')}"
    return Step("json", json.dumps(data))


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


async def _run(make_surface: Callable[[InterviewService], AbstractAsyncContextManager[Surface]],
               seed: int) -> list[str]:
    model = FaultyModel(FAILURE_RATE, seed)
    async with FakeGemini(responder=model, chunk_chars=STREAM_CHUNK_CHARS) as gemini:
        brain = CountedGeminiBrain(api_key=API_KEY, base_url=gemini.base_url,
                                   timeout_seconds=CLIENT_TIMEOUT, retry_attempts=3,
                                   retry_initial_delay=0.05, retry_max_delay=0.2)
        service = InterviewService(brain=brain, store=InMemoryStore())
        try:
            async with make_surface(service) as surface:
                candidates = [surface.enrol(number) for number in range(CANDIDATES)]
                outcomes = Outcomes()
                rng = random.Random(seed)
                retry_texts = brain_error_messages()
                started = time.perf_counter()
                async with LagProbe() as lag:
                    await asyncio.gather(*(_candidate(surface, c, random.Random(rng.random()),
                                                      outcomes, retry_texts) for c in candidates))
                elapsed = time.perf_counter() - started
                await settle(surface)
                lines = await _report(surface, candidates, outcomes, model, brain, elapsed)
                return [*lines, lag.line(surface.name)]
        finally:
            await brain.aclose()


async def _report(surface: Surface, candidates: list[Candidate], outcomes: Outcomes,
                  model: FaultyModel, brain: CountedGeminiBrain, elapsed: float) -> list[str]:
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
    injected = ", ".join(f"{kind} {count}" for kind, count in sorted(model.injected.items()))
    lines = ack_lines(surface, target="(under faults: context)")
    lines += [
        f"{name} model calls: {model.calls}, failed on purpose: {sum(model.injected.values())} "
        f"({100 * sum(model.injected.values()) / max(1, model.calls):.1f}%: {injected})",
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
        lines.append(f"slack events re-delivered: {outcomes.redelivered} of "
                     f"{len(surface.acks['message event'])}")
    lines.append(f"{name} run: {len(candidates)} candidates, {outcomes.sent} messages sent, "
                 f"{elapsed:.1f} s wall time")
    return lines


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def main() -> None:
    print(f"{CANDIDATES} candidates per surface; the fake Gemini fails {FAILURE_RATE:.0%} of "
          f"calls (429, 500, hang > {CLIENT_TIMEOUT:.0f} s timeout, cut stream); Slack re-delivers "
          f"{REDELIVERY_RATE:.0%} of events", flush=True)

    with quiet_logs():
        for make_surface in (slack_surface, discord_surface):
            for line in asyncio.run(_run(make_surface, SEED)):
                print(line, flush=True)


if __name__ == "__main__":
    main()
