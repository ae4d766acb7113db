"""Asking the brain for words, with core's fallback brain behind it.

A turn's plan is streamed from the brain; a move core does not allow is overridden and
re-written by the fallback, so the words always match what happens next. A report the
brain cannot write comes from the fallback (the offline reviewer), transcript kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog

from core.brain.base import Brain, ReportRequest, TurnPlan, TurnRequest
from core.delivery import summarise as summarise_delivery
from core.errors import BrainError
from core.models import TextDelta
from core.report import FeedbackReport
from core.roles import Role
from core.session import Session, SessionState

log = structlog.get_logger("core.service")

FALLBACK_REPORT_NOTICE = (
    "The AI interviewer could not write this report, so it comes from the "
    "offline reviewer. Your transcript is kept."
)


async def stream_plan(brain: Brain, fallback: Brain, request: TurnRequest
                      ) -> AsyncIterator[TextDelta | TurnPlan]:
    """Stream the brain's words, then the plan; an overridden plan's words come last."""
    plan: TurnPlan | None = None
    async for event in brain.stream_turn(request):
        if isinstance(event, TurnPlan):
            plan = event
        else:
            yield event
    if plan is None:
        raise BrainError()
    if plan.move not in request.allowed:
        log.warning("brain.move_overridden", proposed=plan.move.value, chosen=request.move.value)
        plan = await fallback.plan_turn(request)
        yield TextDelta(text="\n\n" + plan.message)  # surfaces replace with the final text
    yield plan


async def plan_turn(brain: Brain, fallback: Brain, request: TurnRequest) -> TurnPlan:
    plan: TurnPlan | None = None
    async for event in stream_plan(brain, fallback, request):
        if isinstance(event, TurnPlan):
            plan = event
    assert plan is not None
    return plan


async def finish(brain: Brain, fallback: Brain, role: Role, session: Session) -> FeedbackReport:
    """Write the report onto the session and mark it finished."""
    request = ReportRequest(role=role, session=session)
    try:
        report = await brain.write_report(request)
    except BrainError as error:
        if fallback is brain:
            raise
        log.warning("report.fallback", session=session.id, error=type(error).__name__)
        report = await fallback.write_report(request)
        report.notice = FALLBACK_REPORT_NOTICE
    report.delivery = summarise_delivery(session.delivery)  # spoken answers, if any
    session.report = report
    session.state = SessionState.finished
    return report


def report_fell_back(brain: Brain, fallback: Brain, session: Session) -> bool:
    """A report written by the fallback because the brain failed can be re-run."""
    report = session.report
    return report is not None and report.notice is not None and fallback is not brain
