"""Input tokens per turn: the bounded prompt vs re-sending the whole transcript each turn.

    python bench/bench_tokens.py

Runs the same scripted 12-question interview twice against the loopback fake of the
Gemini API (tests/fakes/gemini_fake.py), through the real service, the real Gemini brain
and the real google-genai SDK:

* **bounded**: what ships, a running summary of older questions plus the last few
  transcript entries verbatim;
* **full**: the same brain re-sending the whole transcript verbatim every turn.

Token counts are what the fake reports in ``usageMetadata.promptTokenCount`` (characters
/ 4, a fair proxy for English text), read back by the brain from the SDK's
``usage_metadata`` exactly as from Google. The questions are fixed (custom questions) and
the fake follows core's move, so both runs take the same turns.

Prompt caching is counted apart: raw input tokens, cached ones
(``cachedContentTokenCount``, which Google reports for implicit and explicit cache hits)
and the billed equivalent (cached tokens at 10 % of the price). Gemini caches nothing
below a model's minimum (4,096 input tokens for the 3.x Flash models, README "Bounded
prompts"); no turn here comes near it and the report's prefix is sent once per
interview, so cached is 0 in both runs: the honest figure, not a feature left out.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import time
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import InterviewOptions, InterviewService, Where, Who  # noqa: E402
from core.brain.gemini import GeminiBrain  # noqa: E402
from core.brain.llm_prompts import RECENT_ENTRY_CHARS  # noqa: E402
from core.store import InMemoryStore  # noqa: E402
from tests.fakes.gemini_fake import FakeGemini  # noqa: E402

QUESTIONS = [
    "Tell me about a deal you lost and what you learned from it.",
    "How do you prioritise your pipeline at the start of a quarter?",
    "Describe a time you turned around an unhappy customer.",
    "Walk me through how you run a discovery call.",
    "Tell me about a time you missed your number. What did you do next?",
    "How do you handle a prospect who goes silent after a proposal?",
    "Describe a time you worked with product to close a feature gap for a deal.",
    "How do you build a business case for a CFO?",
    "Tell me about the biggest deal you have closed. What made it work?",
    "How do you handle a discount request late in a deal?",
    "Describe a time you had to push back on your manager.",
    "What would your first 90 days in this role look like?",
]

# Typed answers vary: a vague one (core follows up), a specific one, a long story.
VAGUE = "I usually try to stay organised and keep the customer happy; it depends, really."
SPECIFIC = ("At my last company I owned a 120k renewal that was at risk after an outage. I set "
            "up a call with the champion and their CFO, walked through the incident report, and "
            "rebuilt the business case with their own usage data. As a result we renewed on "
            "time and expanded by 20%. Looking back, I would have involved the CFO earlier.")
LONG = SPECIFIC + (" To give more context: the outage had hit their month-end reporting, so the "
                   "finance team was the loudest voice against renewing. I asked our support lead "
                   "for the full timeline, wrote a one-page summary in plain language, and offered "
                   "a service credit tied to a reliability milestone instead of a flat discount. "
                   "I also mapped every stakeholder, met the two skeptics one to one, and agreed a "
                   "success plan with three milestones and weekly check-ins for the first quarter. "
                   "By the second check-in usage was back above pre-outage levels, and the CFO "
                   "signed a two-year term.")


def answer_for(question: int, attempt: int) -> str:
    """Deterministic: every third question starts vague, then specific; some are long."""
    if question % 3 == 0 and attempt == 0:
        return VAGUE
    return LONG if question % 2 == 0 else SPECIFIC


class FullTranscriptBrain(GeminiBrain):
    """The naive strategy: the whole transcript, verbatim, on every turn."""

    recent_entries = sys.maxsize
    earlier_entry_chars = RECENT_ENTRY_CHARS  # every entry as the bounded prompt sends the newest


# Google's smallest prompt it caches for the 3.x Flash models, and the price of a cached token.
CACHE_MIN_TOKENS = 4_096
CACHED_PRICE = 0.10


async def run_interview(brain: GeminiBrain, fake: FakeGemini) -> list[tuple[str, int, int]]:
    """One scripted interview; (what the call was, input tokens, cached) per model call."""
    service = InterviewService(brain=brain, store=InMemoryStore())
    who, where = Who(platform="bench", user_id="u"), Where(platform="bench", conversation_id="c")
    options = InterviewOptions(role="sales", questions=12, custom_questions=QUESTIONS)
    await service.start(who, where, options)
    attempts: dict[int, int] = {}
    for _ in range(60):
        session = await service.session_for(who, where)
        question = session.current
        reply = await service.answer(who, where, answer_for(question, attempts.get(question, 0)))
        attempts[question] = attempts.get(question, 0) + 1
        if reply.interview_over:
            break
    session = await service.session_for(who, where)
    await brain.aclose()
    calls = [(_label(request), max(1, request.prompt_chars // 4),
              request.usage.get("cachedContentTokenCount", 0)) for request in fake.requests]
    # The brain's own accounting (usageMetadata via the SDK) must match what the fake billed.
    assert session.usage.input_tokens == sum(tokens for _, tokens, _ in calls)
    return calls


def _label(request) -> str:
    if request.method == "generateContent":
        return "report"
    match = re.search(r"^Chosen move: (\w+)", request.last_user_text, re.MULTILINE)
    return match.group(1) if match else "?"


async def compare() -> None:
    started = time.perf_counter()
    results = {}
    for label, cls in (("bounded", GeminiBrain), ("full", FullTranscriptBrain)):
        async with FakeGemini() as fake:
            brain = cls(api_key="bench-key", model="gemini-3.8-flash", base_url=fake.base_url,
                        timeout_seconds=10, retry_initial_delay=0.01)
            results[label] = await run_interview(brain, fake)

    bounded, full = results["bounded"], results["full"]
    assert [c[0] for c in bounded] == [c[0] for c in full], "the two runs took different turns"
    print("Input tokens per call, same 12-question interview (tokens = characters / 4)\n")
    print(f"{'call':>4}  {'kind':<10} {'bounded':>9} {'full':>9} {'bounded/full':>13}")
    for number, ((move, b, _), (_, f, _)) in enumerate(zip(bounded, full, strict=True), 1):
        print(f"{number:>4}  {move:<10} {b:>9,} {f:>9,} {b / f:>12.2f}x")
    turns_b = [c for c in bounded if c[0] != "report"]
    turns_f = [c for c in full if c[0] != "report"]
    for label, calls in (("Interview turns", (turns_b, turns_f)), ("With the report call",
                                                                  (bounded, full))):
        raw_b, raw_f = (sum(c[1] for c in run) for run in calls)
        cached_b, cached_f = (sum(c[2] for c in run) for run in calls)
        billed_b, billed_f = (raw - cached * (1 - CACHED_PRICE)
                              for raw, cached in ((raw_b, cached_b), (raw_f, cached_f)))
        print(f"\n{label} ({len(calls[0])} calls): bounded {raw_b:,} vs full {raw_f:,} raw input "
              f"tokens: bounded costs {raw_b / raw_f:.2f}x of re-sending the full history.")
        print(f"  cached: bounded {cached_b:,}, full {cached_f:,}; billed-equivalent (cached at "
              f"{CACHED_PRICE:.0%}): bounded {billed_b:,.0f} vs full {billed_f:,.0f}: "
              f"{billed_b / billed_f:.2f}x.")
    big_turns = sum(1 for c in turns_b + turns_f if c[1] >= CACHE_MIN_TOKENS)
    print(f"\nGemini caches prompts from {CACHE_MIN_TOKENS:,} tokens: {big_turns} turn calls reach "
          f"it (largest turn {max(c[1] for c in turns_b + turns_f):,}); the report call does, "
          "but its prefix (the report instruction) is sent once per interview, so nothing "
          "repeats to hit a cache: billed-equivalent equals raw.")
    last_b, last_f = turns_b[-1][1], turns_f[-1][1]
    print(f"Last turn alone: bounded {last_b:,} vs full {last_f:,} "
          f"({last_b / last_f:.2f}x): the bounded prompt is capped (summary of older "
          "questions + the last few entries) while the full one grows every turn.")
    print(f"\n(ran in {time.perf_counter() - started:.1f} s against the loopback fake)")


def main() -> None:
    # Only the table: the per-call log lines would bury it (warnings still show).
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(compare())


if __name__ == "__main__":
    main()
