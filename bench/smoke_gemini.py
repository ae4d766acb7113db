"""Smoke test against the real Gemini API: one two-question interview and its report.

    make smoke                      # or: python -m bench.smoke_gemini [--role sales]

Needs ``GEMINI_API_KEY`` (or ``GOOGLE_API_KEY``) in the environment or ``.env``; without
one it prints why it skipped and exits 0, having sent nothing. It is never part of the
test run or of ``make bench``, and it refuses to call Google when ``CI`` is set.

It runs the real service, the real Gemini brain and the real SDK, exactly as the bot does
(same settings, same prompts, ``store: false``), and prints for every model call the
latency to the first token of the reply (streamed turns), the total time and the tokens,
then the total cost at the model's list price. It fails (exit 1) when a call fails or the
report had to fall back to the offline reviewer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.logging import configure_logging  # noqa: E402
from bot.settings import Settings  # noqa: E402
from core import BrainError, InterviewOptions, InterviewService, Where, Who  # noqa: E402
from core.brain.base import ReportRequest, TurnPlan, TurnRequest  # noqa: E402
from core.brain.gemini import GeminiBrain  # noqa: E402
from core.models import TextDelta  # noqa: E402
from core.report import FeedbackReport  # noqa: E402
from core.store import InMemoryStore  # noqa: E402

# US$ per 1M tokens (input, output incl. thinking), Gemini API paid tier, standard context.
# gemini-3.8-flash: $0.75 / $3.75 (ai.google.dev/gemini-api/docs/pricing, read Nov 2026;
# the input price is listed "through December 31, 2026"). Other models: --price-in/--price-out.
PRICES = {"gemini-3.8-flash": (0.75, 3.75)}

# The default role's questions are pinned so that the answers fit them (a real run then
# looks like a real interview); with --role, the role's own questions come at random.
QUESTIONS = {"software_engineer": ["swe-b1", "swe-t1"]}
ANSWERS = [
    "The hardest one was an intermittent double charge. I added request ids to the logs, "
    "reproduced it under load with a script, and found a race in our retry handler. I fixed "
    "it with an idempotency key and replayed a day of traffic: no duplicates in the month after.",
    "First I would check what changed: recent deploys and the metrics for that page. Then the "
    "browser's network tab, to see whether the time goes to the backend or the frontend, then "
    "profile the slow endpoint and read the slow query log. I would fix the biggest cost "
    "first and measure before and after.",
]
FOLLOW_UPS = [
    "I knew it was fixed because a regression test reproduced the race before the change and "
    "passed after it, and the duplicate-charge alert stayed silent for a month.",
    "I would compare the page's p95 before and after on the dashboard, and add a load test to "
    "CI so the regression cannot come back unnoticed.",
]


@dataclass
class Measured:
    call: str
    first_token_s: float | None
    total_s: float
    tokens_in: int
    tokens_out: int


class TimedGeminiBrain(GeminiBrain):
    """The real brain, timing each call and reading its tokens from the session's usage."""

    def __init__(self, **settings) -> None:
        super().__init__(**settings)
        self.calls: list[Measured] = []

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        usage = request.session.usage
        before, started, first = (usage.input_tokens, usage.output_tokens), time.perf_counter(), None
        async for event in super().stream_turn(request):
            if first is None and isinstance(event, TextDelta):
                first = time.perf_counter() - started
            yield event
        self.calls.append(Measured(request.move.value, first, time.perf_counter() - started,
                                   usage.input_tokens - before[0],
                                   usage.output_tokens - before[1]))

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        usage = request.session.usage
        before, started = (usage.input_tokens, usage.output_tokens), time.perf_counter()
        report = await super().write_report(request)
        self.calls.append(Measured("report", None, time.perf_counter() - started,
                                   usage.input_tokens - before[0],
                                   usage.output_tokens - before[1]))
        return report


def skip_reason(settings: Settings) -> str | None:
    if not settings.has_gemini:
        return ("skipped: no GEMINI_API_KEY (or GOOGLE_API_KEY) is set, so nothing was sent. "
                "Set one (environment or .env) to run one real interview against the Gemini API.")
    if os.environ.get("CI") and not settings.gemini_base_url:
        return "skipped: CI is set; this smoke test calls the real Gemini API and never runs in CI."
    return None


def cost_line(model: str, tokens_in: int, tokens_out: int,
              price_in: float | None, price_out: float | None) -> str:
    listed = PRICES.get(model.removeprefix("models/"))
    if price_in is None or price_out is None:
        if listed is None:
            return (f"cost: no list price known for {model}; pass --price-in and --price-out "
                    "(US$ per 1M tokens)")
        price_in, price_out = listed
    cost = tokens_in / 1e6 * price_in + tokens_out / 1e6 * price_out
    return (f"cost: ${cost:.4f} at ${price_in:g} in / ${price_out:g} out per 1M tokens "
            "(thinking is billed as output)")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    brain = TimedGeminiBrain(
        api_key=settings.gemini_api_key.get_secret_value(), model=settings.gemini_model,
        base_url=settings.gemini_base_url or None, api_version=settings.gemini_api_version,
        timeout_seconds=settings.gemini_timeout_seconds,
        report_timeout_seconds=settings.gemini_report_timeout_seconds,
        rate_limit_wait_seconds=settings.gemini_rate_limit_wait_seconds)
    service = InterviewService(brain=brain, store=InMemoryStore())
    who, where = Who(platform="smoke", user_id="smoke"), Where(platform="smoke", conversation_id="1")
    print(f"Gemini smoke test: {brain.name}, API {settings.gemini_api_version}, "
          f"role {args.role}, 2 questions", flush=True)
    report: FeedbackReport | None = None
    try:
        await service.start(who, where, InterviewOptions(
            role=args.role, questions=2, question_ids=QUESTIONS.get(args.role, [])))
        answered: set[int] = set()
        for _ in range(6):  # two answers, and a follow-up answer or two if core asks
            current = (await service.session_for(who, where)).current
            text = FOLLOW_UPS[current] if current in answered else ANSWERS[current]
            answered.add(current)
            reply = await service.answer(who, where, text)
            if reply.interview_over:
                report = reply.report
                break
        if report is None:
            report = (await service.feedback(who, where)).report
    except BrainError as error:
        print(f"FAILED: {error.user_message}")
        return 1
    finally:
        await brain.aclose()
    print(f"\n{'call':<10} {'first token':>12} {'total':>8} {'tokens in':>10} {'tokens out':>11}")
    for call in brain.calls:
        first = f"{call.first_token_s:.2f} s" if call.first_token_s is not None else "-"
        print(f"{call.call:<10} {first:>12} {call.total_s:>6.2f} s {call.tokens_in:>10,} "
              f"{call.tokens_out:>11,}")
    tokens_in = sum(c.tokens_in for c in brain.calls)
    tokens_out = sum(c.tokens_out for c in brain.calls)
    print(f"\ntotal: {len(brain.calls)} calls, {tokens_in:,} tokens in, {tokens_out:,} out")
    print(cost_line(brain.model, tokens_in, tokens_out, args.price_in, args.price_out))
    assert report is not None
    scores = report.scores
    print(f"report: by {report.generated_by}, {report.answered} answered, scores "
          + (f"{scores.communication.score}/{scores.technical.score}/{scores.structure.score}"
             if scores else "none"))
    if report.notice:
        print(f"FAILED: the report fell back: {report.notice}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="software_engineer")
    parser.add_argument("--price-in", type=float, help="US$ per 1M input tokens")
    parser.add_argument("--price-out", type=float, help="US$ per 1M output tokens")
    args = parser.parse_args(argv)
    settings = Settings()
    reason = skip_reason(settings)
    if reason:
        print(reason)
        return 0
    configure_logging(settings.log_level if "LOG_LEVEL" in os.environ else "WARNING",
                      settings.log_format, stream=sys.stderr)
    return asyncio.run(run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
