"""Shared pieces for benchmarks: an instant brain, scripted answers, percentiles."""

from __future__ import annotations

import statistics

from core.brain.base import Brain, ReportRequest, TurnPlan, TurnRequest
from core.brain.offline_report import build_report
from core.report import FeedbackReport

SCRIPTED_ANSWERS = [
    "At my last company our renewal rate slipped. I rebuilt the onboarding call, I trained two "
    "new reps on it, and churn dropped from 8% to 5% in two quarters.",
    "We worked on it as a team and it went fine in the end.",
    "Sorry, what do you mean by that?",
    "I would usually start with discovery, understand the buyer, and follow up.",
    "Last year I ran a pricing test across 3,000 accounts; I owned the analysis and we lifted "
    "conversion 12% while keeping discount depth flat.",
]


class InstantBrain(Brain):
    """Answers at once with fixed words: what remains to time is everything but the model."""

    name = "instant"

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        return TurnPlan(read=request.analysis.persona if request.analysis else "normal",
                        move=request.move, message="Noted. Next question, please.")

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        return build_report(request.role, request.session)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50):.3f} ms  p99 {percentile(values, 99):.3f} ms  "
            f"mean {statistics.fmean(values):.3f} ms  n={len(values)}")
