"""Test doubles of our own Brain ABC for the HTTP tests (the real offline brain underneath)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from core.brain.base import ReportRequest, TurnPlan, TurnRequest
from core.brain.offline import OfflineBrain
from core.errors import BrainError
from core.models import TextDelta
from core.report import FeedbackReport


class UnreliableBrain(OfflineBrain):
    """The offline interviewer, streaming word by word, that can be switched into an outage.

    ``down``: every call raises ``BrainError`` (the model is unavailable).
    ``fail_mid_stream``: the first word is streamed, then ``BrainError``.
    """

    def __init__(self) -> None:
        self.down = False
        self.fail_mid_stream = False

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        if self.down:
            raise BrainError()
        return await super().plan_turn(request)

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        plan = await self.plan_turn(request)
        for index, word in enumerate(plan.message.split(" ")):
            if self.fail_mid_stream and index == 1:
                raise BrainError()
            yield TextDelta(text=word if index == 0 else " " + word)
        yield plan

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        if self.down:
            raise BrainError()
        return await super().write_report(request)
