"""Interview state, owned by core. Brains read it; only the engine changes it."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializationInfo,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from core.models import InterviewOptions, Persona, ReplyKind, TokenUsage, Where, Who
from core.report import AnswerDelivery, FeedbackReport
from core.roles import Question, default_catalog

# Idempotency keys and turn numbers remembered per interview (far more than one has turns).
MAX_APPLIED_TURNS = 200


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


class AppliedTurn(BaseModel):
    """A turn already applied, by its idempotency key or number: where its reply is."""

    model_config = ConfigDict(frozen=True)

    reply: int  # index in the transcript of the interviewer's reply to this turn
    digest: str  # a short hash of what was sent, to tell a repeat from a reused key


def _bank(role_id: str) -> dict[str, Question]:
    """The shipped role's questions by id (empty for a role the catalog does not have)."""
    catalog = default_catalog()
    return {q.id: q for q in catalog.get(role_id).questions} if role_id in catalog.ids else {}


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
    # Surfaces that name their turns (``core.models.TurnRef``): the last client turn number
    # applied, and the reply of each turn by its key, so a repeat is answered, not re-applied.
    turn_number: int = 0
    applied_turns: dict[str, AppliedTurn] = Field(default_factory=dict)
    _pending_turn: tuple[tuple[str, ...], str, int | None] | None = PrivateAttr(default=None)

    # Stored by reference: a question from the role's bank is saved as its id and read
    # back from the catalog (a session's JSON is then a fifth of its size); questions
    # written for this interview (custom ones) are saved whole.
    @field_serializer("questions")
    def _questions_by_reference(self, questions: list[Question], info: SerializationInfo):
        bank = _bank(self.role_id)
        return [q.id if bank.get(q.id) is q else q.model_dump(mode=info.mode)
                for q in questions]

    @field_validator("questions", mode="before")
    @classmethod
    def _questions_from_bank(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, list) or not any(isinstance(item, str) for item in value):
            return value
        bank = _bank(str(info.data.get("role_id", "")))
        missing = [item for item in value if isinstance(item, str) and item not in bank]
        if missing:
            raise ValueError(f"question {missing[0]!r} is no longer in the role's bank")
        return [bank[item] if isinstance(item, str) else item for item in value]

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
        copy.applied_turns = dict(self.applied_turns)
        return copy

    def begin_turn(self, refs: tuple[str, ...], digest: str, number: int | None) -> None:
        """Name the turn this working copy is for; ``close_turn`` records it on save."""
        self._pending_turn = (refs, digest, number)

    def close_turn(self) -> None:
        """Remember the named turn against the reply just said (the last transcript entry)."""
        if self._pending_turn is None:
            return
        refs, digest, number = self._pending_turn
        self._pending_turn = None
        for ref in refs:
            self.applied_turns[ref] = AppliedTurn(reply=len(self.transcript) - 1, digest=digest)
        for old in list(self.applied_turns)[:-MAX_APPLIED_TURNS]:
            del self.applied_turns[old]
        if number is not None:
            self.turn_number = max(self.turn_number, number)

    def touch(self) -> None:
        self.updated_at = time.time()
