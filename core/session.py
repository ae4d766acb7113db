"""Interview state, owned by core. Brains read it; only the engine changes it."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, Field

from core.models import InterviewOptions, Persona, ReplyKind, TokenUsage, Where, Who
from core.report import AnswerDelivery, FeedbackReport
from core.roles import Question


class SessionState(StrEnum):
    active = "active"  # answers are expected
    ended = "ended"  # no more answers; the report is not written yet
    finished = "finished"  # the report exists


class Speaker(StrEnum):
    interviewer = "interviewer"
    candidate = "candidate"


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One message. A slotted, frozen dataclass: transcripts are the bulk of a session's
    memory, entries are shared between working copies, and nothing edits them."""

    speaker: Speaker
    text: str
    question_index: int  # 0-based main question this entry belongs to
    kind: ReplyKind | None = None  # for the interviewer's entries
    persona: Persona | None = None  # for the candidate's entries
    counts: bool = False  # a candidate entry that is a real answer to the question
    at: float = field(default_factory=time.time)


class QuestionProgress(BaseModel):
    """What happened on one main question."""

    follow_ups: int = 0
    clarifications: int = 0
    steers: int = 0
    hints: int = 0
    skipped: bool = False
    probed: list[str] = Field(default_factory=list)  # weaknesses already probed


class Session(BaseModel):
    id: str = Field(default_factory=lambda: secrets.token_urlsafe(18))
    key: str
    who: Who
    where: Where
    options: InterviewOptions
    role_id: str
    questions: list[Question]
    progress: list[QuestionProgress]
    # Lines of the user's job description or resume that chose questions (for the greeting).
    tailored_to: list[str] = Field(default_factory=list)
    current: int = 0
    state: SessionState = SessionState.active
    warnings: int = 0
    transcript: list[TranscriptEntry] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    brain_notes: dict[str, str] = Field(
        default_factory=dict, description="Brain-specific memory, e.g. a running summary."
    )
    report: FeedbackReport | None = None
    # How each spoken answer sounded (figures only; the audio itself is never kept).
    delivery: list[AnswerDelivery] = Field(default_factory=list)
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)

    @property
    def question(self) -> Question:
        return self.questions[self.current]

    @property
    def here(self) -> QuestionProgress:
        return self.progress[self.current]

    def advance(self) -> None:
        """Go on to the next main question (progress is created as questions are reached)."""
        self.current += 1
        while len(self.progress) <= self.current:
            self.progress.append(QuestionProgress())

    @property
    def is_last_question(self) -> bool:
        return self.current >= len(self.questions) - 1

    @property
    def next_question(self) -> Question | None:
        return None if self.is_last_question else self.questions[self.current + 1]

    def answers_to(self, index: int) -> list[str]:
        return [
            entry.text
            for entry in self.transcript
            if entry.speaker is Speaker.candidate and entry.counts and entry.question_index == index
        ]

    def answered_count(self) -> int:
        return sum(1 for index in range(len(self.questions)) if self.answers_to(index))

    def personas(self) -> list[Persona]:
        return [
            entry.persona
            for entry in self.transcript
            if entry.speaker is Speaker.candidate and entry.persona is not None
        ]

    def say(self, kind: ReplyKind, text: str) -> None:
        self.transcript.append(
            TranscriptEntry(
                speaker=Speaker.interviewer, text=text, kind=kind, question_index=self.current
            )
        )

    def hear(self, text: str, persona: Persona, counts: bool) -> None:
        self.transcript.append(
            TranscriptEntry(
                speaker=Speaker.candidate,
                text=text,
                persona=persona,
                counts=counts,
                question_index=self.current,
            )
        )

    def working_copy(self) -> Session:
        """A copy a turn may change freely; the stored session stays as it was until saved.

        Cheaper than a deep copy: questions and transcript entries are never changed
        once created, so the copy shares them and only copies the containers and the
        small mutable parts. This keeps per-turn overhead and per-session memory low.
        """
        copy = self.model_copy()
        copy.questions = list(self.questions)
        copy.progress = [p.model_copy(update={"probed": list(p.probed)}) for p in self.progress]
        copy.transcript = list(self.transcript)
        copy.usage = self.usage.model_copy()
        copy.brain_notes = dict(self.brain_notes)
        copy.delivery = list(self.delivery)
        return copy

    def touch(self) -> None:
        self.updated_at = time.time()
