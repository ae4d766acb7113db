"""The language-model boundary: core decides what happens, a brain says it.

A brain receives a ``TurnRequest`` (the session, core's chosen move and the moves
it would also accept) and returns a ``TurnPlan``. Core validates the plan: a move
outside ``allowed`` is replaced by core's own choice, so the follow-up limit, the
question budget and the end of the interview stay core's decisions.

Brains may update ``session.usage`` (token accounting) and ``session.brain_notes``
(their own memory, e.g. a running summary) on the session they are given; core
saves those with the turn. They must not change anything else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from core.analysis import AnswerAnalysis
from core.models import Persona, ReplyKind, TextDelta
from core.report import FeedbackReport
from core.roles import Question, Role
from core.session import Session


class Move(StrEnum):
    greet = "greet"  # opening: greeting and the first question
    ask = "ask"  # the next main question
    follow_up = "follow_up"  # probe the answer just given
    clarify = "clarify"  # rephrase the question simply, with a pointer
    steer = "steer"  # acknowledge briefly and bring the candidate back
    warning = "warning"  # abuse: keep it respectful, once
    hint = "hint"  # the candidate asked for a hint
    skip = "skip"  # the candidate skipped: acknowledge and ask the next question
    wrap_up = "wrap_up"  # the last answer is in: a closing line before the report
    end = "end"  # a calm end after repeated abuse


MOVE_KIND: dict[Move, ReplyKind] = {
    Move.greet: ReplyKind.greeting,
    Move.ask: ReplyKind.question,
    Move.follow_up: ReplyKind.follow_up,
    Move.clarify: ReplyKind.clarify,
    Move.steer: ReplyKind.steer,
    Move.warning: ReplyKind.warning,
    Move.hint: ReplyKind.hint,
    Move.skip: ReplyKind.question,
    Move.wrap_up: ReplyKind.feedback,
    Move.end: ReplyKind.ended,
}


class TurnRequest(BaseModel):
    """What core asks of a brain for one interviewer message."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    role: Role
    session: Session
    move: Move  # core's choice
    allowed: list[Move]  # moves core would accept instead (always includes ``move``)
    answer: str | None = None  # the candidate's message this turn replies to
    analysis: AnswerAnalysis | None = None
    probe: str | None = None  # the weakness a follow-up should probe (see core.analysis)
    next_question: Question | None = None  # asked when the move goes on to a new question

    @property
    def question(self) -> Question:
        return self.session.question


class TurnPlan(BaseModel):
    """A brain's answer: what it read, what it does, and the words."""

    read: Persona = Persona.normal
    move: Move
    message: str = Field(min_length=1)


class ReportRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    role: Role
    session: Session


class Brain(ABC):
    """One interface, several makers: offline rules, Gemini, test doubles."""

    name: str = "brain"

    @abstractmethod
    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        """Decide the words (and optionally propose another allowed move)."""

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        """Yield the message as it is written, then the finished plan last.

        The default writes it in one piece; streaming brains override this.
        """
        plan = await self.plan_turn(request)
        yield TextDelta(text=plan.message)
        yield plan

    @abstractmethod
    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        """The structured feedback report for the session's transcript."""

    async def aclose(self) -> None:
        return None
