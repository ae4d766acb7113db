"""One configurable test brain: the offline interviewer, plus whatever a test needs it to do.

Every knob applies to the turns ``when`` selects (all turns by default; ``GREETING`` and
``ANSWERS`` are the usual choices). Reports have their own knobs. Ordering is arranged with
``gate`` (an ``asyncio.Event`` the selected turns wait on) and ``wait_at_gate``, not with
sleeps; ``delay`` is for tests *about* slow models (acks, previews).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable

from core.brain.base import Move, ReportRequest, TurnPlan, TurnRequest
from core.brain.offline import OfflineBrain
from core.errors import BrainError
from core.models import Persona, TextDelta
from core.report import FeedbackReport

Selector = Callable[[TurnRequest], bool]


def EVERY_TURN(request: TurnRequest) -> bool:
    return True


def GREETING(request: TurnRequest) -> bool:
    return request.move is Move.greet


def ANSWERS(request: TurnRequest) -> bool:
    """Turns that reply to something the candidate wrote (not the greeting, hint or skip)."""
    return request.answer is not None


class ScriptedBrain(OfflineBrain):
    """The offline brain with test behaviour on the turns ``when`` selects.

    Turns: ``delay`` seconds of thinking; wait for ``gate``; raise the next of ``errors``
    (one per turn) or ``BrainError`` while ``fail_turns``; propose ``move``; relabel the
    read as ``persona``; replace the words with ``message`` (a string, or a function of the
    offline words). Streaming: the greeting comes in one piece (unless ``stream_greeting``);
    other turns in ``pieces``
    parts (or word by word with ``by_word``), ``pause`` seconds apart; ``chunks`` are
    streamed instead of the words; with ``break_on`` the stream fails after its first piece
    (at once if ``True``, or once that event is set). Reports: raise the next of ``report_errors`` or ``BrainError`` while
    ``fail_reports``; ``edit_report`` rewrites the offline report; a ``name`` signs it.
    Counts: ``calls`` (per method), ``answers`` (seen, in order), ``at_gate``, ``running``
    (``now``/``max`` turns at once; pass one Counter to several brains to count across them).
    Closing: ``aclose`` appends "brain" to ``closed`` (pass one list to several resources
    to see the order they were closed in), or raises ``close_error``.
    """

    def __init__(self, *, when: Selector = EVERY_TURN, name: str | None = None,
                 delay: float = 0.0, gate: asyncio.Event | None = None,
                 errors: tuple[Exception, ...] | list[Exception] = (), fail_turns: bool = False,
                 move: Move | None = None, persona: Persona | None = None,
                 message: str | Callable[[str], str] | None = None,
                 pieces: int = 1, by_word: bool = False, pause: float = 0.0,
                 stream_greeting: bool = False,
                 chunks: list[str] | None = None, break_on: asyncio.Event | bool | None = None,
                 report_errors: tuple[Exception, ...] | list[Exception] = (),
                 fail_reports: bool = False,
                 edit_report: Callable[[FeedbackReport, ReportRequest], FeedbackReport] | None = None,
                 running: Counter | None = None, closed: list[str] | None = None,
                 close_error: Exception | None = None) -> None:
        super().__init__()
        self.closed = closed if closed is not None else []
        self.close_error = close_error
        if name is not None:
            self.name = name
        self.signed = name is not None
        self.when, self.delay, self.gate = when, delay, gate
        self.errors, self.fail_turns = list(errors), fail_turns
        self.move, self.persona, self.message = move, persona, message
        self.pieces, self.by_word, self.pause = pieces, by_word, pause
        self.stream_greeting, self.chunks, self.break_on = stream_greeting, chunks, break_on
        self.report_errors, self.fail_reports = list(report_errors), fail_reports
        self.edit_report = edit_report
        self.calls: Counter = Counter()
        self.answers: list[str | None] = []
        self.at_gate = 0
        self.running = running if running is not None else Counter()
        self._arrived = asyncio.Condition()

    async def aclose(self) -> None:
        if self.close_error is not None:
            raise self.close_error
        self.closed.append("brain")
        await super().aclose()

    @property
    def down(self) -> bool:
        return self.fail_turns and self.fail_reports

    @down.setter
    def down(self, value: bool) -> None:
        """The model is unavailable: every turn and report raises ``BrainError``."""
        self.fail_turns = self.fail_reports = value

    def fail_next(self, error: Exception | None = None) -> None:
        """The next selected turn raises ``error`` (``BrainError`` by default)."""
        self.errors.append(error or BrainError())

    async def wait_at_gate(self, count: int = 1) -> None:
        """Return once ``count`` selected turns in all have reached the gate."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.at_gate >= count)

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        self.calls["plan_turn"] += 1
        self.answers.append(request.answer)
        if not self.when(request):
            return await super().plan_turn(request)
        self.running["now"] += 1
        self.running["max"] = max(self.running["max"], self.running["now"])
        try:
            return await self._scripted_turn(request)
        finally:
            self.running["now"] -= 1

    async def _scripted_turn(self, request: TurnRequest) -> TurnPlan:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.gate is not None:
            async with self._arrived:
                self.at_gate += 1
                self._arrived.notify_all()
            await self.gate.wait()
            await asyncio.sleep(0)  # let any wrongly admitted turn overlap with this one
        if self.errors:
            raise self.errors.pop(0)
        if self.fail_turns:
            raise BrainError()
        plan = await super().plan_turn(request)
        if self.move is not None:
            plan = plan.model_copy(update={"move": self.move})
        if self.persona is not None:
            plan = plan.model_copy(update={"read": self.persona})
        if self.message is not None:
            words = self.message(plan.message) if callable(self.message) else self.message
            plan = plan.model_copy(update={"message": words})
        return plan

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        streams = self.when(request) and (self.stream_greeting or request.move is not Move.greet)
        if streams and self.chunks is not None:
            self.calls["plan_turn"] += 1
            for chunk in self.chunks:
                yield TextDelta(text=chunk)
            if self.break_on:
                await self._break()
            plan = TurnPlan(move=request.move, message="".join(self.chunks))
            yield plan
            return
        plan = await self.plan_turn(request)
        if not streams or (self.pieces <= 1 and not self.by_word):
            yield TextDelta(text=plan.message)
            yield plan
            return
        for index, piece in enumerate(self._pieces(plan.message)):
            if index and self.break_on:
                await self._break()
            if self.pause:
                await asyncio.sleep(self.pause)
            yield TextDelta(text=piece)
        yield plan

    async def _break(self) -> None:
        if isinstance(self.break_on, asyncio.Event):
            await self.break_on.wait()  # an event, not a guess at how long a preview takes
        raise BrainError()

    def _pieces(self, text: str) -> list[str]:
        if self.by_word:
            words = text.split(" ")
            return [words[0]] + [" " + word for word in words[1:]]
        size = -(-len(text) // self.pieces)
        return [text[start:start + size] for start in range(0, len(text), size)]

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        self.calls["write_report"] += 1
        if self.report_errors:
            raise self.report_errors.pop(0)
        if self.fail_reports:
            raise BrainError()
        report = await super().write_report(request)
        if self.signed:
            report.generated_by = self.name
        if self.edit_report is not None:
            report = self.edit_report(report, request)
        return report


def word_streamer() -> ScriptedBrain:
    """The offline interviewer streaming every message word by word (the HTTP tests' brain).

    Set ``down`` for an outage, ``break_on = True`` to fail after the first word.
    """
    return ScriptedBrain(by_word=True, stream_greeting=True)
