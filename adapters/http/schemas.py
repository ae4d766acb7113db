"""Request and response models of the HTTP API (they are also its OpenAPI schema).

Turn responses use the same field names as the terminal's ``--json`` events
(``kind``, ``text``, ``persona``, ``question_index`` and, for ``feedback``, the whole
report as ``report``), so a client can switch surfaces without renaming anything.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from core.models import (
    DEFAULT_QUESTIONS,
    MAX_CUSTOM_QUESTIONS,
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    Action,
    Difficulty,
    Focus,
    Heard,
    Persona,
    Reply,
    ReplyKind,
    RoleSummary,
    StatusInfo,
)
from adapters.http.sessions import MAX_USER_ID_CHARS, check_user_id
from core.conversation import InterviewView
from core.history import Dimension, HistorySummary, Progress, Trend
from core.report import FeedbackReport
from core.session import Speaker
from core.text import clean_input

MAX_MESSAGE_CHARS = 20_000
MAX_CONTEXT_INPUT_CHARS = 50_000  # core keeps the first 12,000 for tailoring
MAX_SESSION_ID_CHARS = 128
MAX_CUSTOM_QUESTION_INPUT_CHARS = 2_000  # core keeps the first 500


# --------------------------------------------------------------------- requests


class StartSessionRequest(BaseModel):
    role: str = Field(min_length=1, max_length=100, examples=["sales"],
                      description="Role id, display name or alias (see GET /roles).")
    difficulty: Difficulty = Difficulty.mid
    questions: int = Field(DEFAULT_QUESTIONS, ge=MIN_QUESTIONS, le=MAX_QUESTIONS,
                           description="Number of main questions.")
    focus: Focus = Focus.mixed
    context: str = Field("", max_length=MAX_CONTEXT_INPUT_CHARS,
                         description="Optional job description or resume text to tailor questions.")
    custom_questions: list[Annotated[str, Field(max_length=MAX_CUSTOM_QUESTION_INPUT_CHARS)]] = Field(
        default_factory=list, max_length=MAX_CUSTOM_QUESTIONS,
        description="Your own questions, asked first.")
    # Checked by the validator below rather than with Field constraints, so that every
    # 422 states the whole rule.
    user_id: str | None = Field(
        None, examples=["k3Jx9-practice_7Qa"],
        description=f"Optional practice identity: an opaque id your client chooses and keeps "
                    f"(1 to {MAX_USER_ID_CHARS} letters, digits, '-' and '_'). Finished "
                    "interviews started with it add up to GET /history. Treat it as a secret.")

    @field_validator("role")
    @classmethod
    def _visible_role(cls, value: str) -> str:
        # Invisible characters are dropped so the unknown-role message shows what was typed.
        cleaned = clean_input(value)
        if not cleaned:
            raise ValueError("the role is empty. Choose one of GET /roles, e.g. sales.")
        return cleaned

    @field_validator("user_id")
    @classmethod
    def _valid_user_id(cls, value: str | None) -> str | None:
        return None if value is None else check_user_id(value)


class SessionRef(BaseModel):
    session_id: str = Field(min_length=1, max_length=MAX_SESSION_ID_CHARS)


class ChatRequest(SessionRef):
    message: str = Field(description=f"The candidate's answer (1 to {MAX_MESSAGE_CHARS:,} characters).")

    @field_validator("message")
    @classmethod
    def _readable_bounds(cls, value: str) -> str:
        # Checked here rather than with min/max_length so the 422 says what to do.
        if len(value) > MAX_MESSAGE_CHARS:
            raise ValueError(
                f"the message is too long ({len(value):,} characters); "
                f"the limit is {MAX_MESSAGE_CHARS:,}. Send a shorter answer."
            )
        if not clean_input(value):
            raise ValueError("the message is empty. Type an answer, or use /hint or /skip.")
        return value


# --------------------------------------------------------------------- responses


class TurnResponse(BaseModel):
    """One interviewer turn: the fields of the terminal's ``--json`` events."""

    kind: ReplyKind
    text: str
    persona: Persona | None = Field(
        None, description="What the engine read in the message this turn answers.")
    question_index: int | None = Field(None, description="1-based main question in play.")
    question_total: int | None = None
    question: str | None = Field(None, description="The main question now being asked "
                                                   "(null once the interview is over).")
    actions: list[Action] = Field(default_factory=list,
                                  description="What the candidate can do next (hint, skip, end).")
    report: FeedbackReport | None = Field(None, description="Present when kind is feedback.")
    heard: Heard | None = Field(None, description="For a spoken answer: the transcript and its "
                                                  "delivery figures (pace, fillers, pauses).")

    @classmethod
    def from_reply(cls, reply: Reply) -> TurnResponse:
        return cls.model_validate(reply.model_dump(exclude={"status"}))


class StartSessionResponse(TurnResponse):
    session_id: str = Field(description="Unguessable id: keep it private, it is the key to "
                                        "this interview.")
    greeting: str = Field(description="The interviewer's opening (same as text).")

    @classmethod
    def for_session(cls, session_id: str, reply: Reply) -> StartSessionResponse:
        fields = TurnResponse.from_reply(reply).model_dump()
        return cls(session_id=session_id, greeting=reply.text, **fields)


class QuestionLimits(BaseModel):
    min: int = MIN_QUESTIONS
    max: int = MAX_QUESTIONS
    default: int = DEFAULT_QUESTIONS


class RolesResponse(BaseModel):
    roles: list[RoleSummary]
    difficulties: list[Difficulty] = Field(default_factory=lambda: list(Difficulty))
    focuses: list[Focus] = Field(default_factory=lambda: list(Focus))
    questions: QuestionLimits = Field(default_factory=QuestionLimits)


class TranscriptItem(BaseModel):
    speaker: Speaker
    text: str
    kind: ReplyKind | None = Field(None, description="For the interviewer's messages.")
    persona: Persona | None = Field(None, description="For the candidate's messages.")
    question_index: int = Field(description="1-based main question the message belongs to.")
    at: float = Field(description="Unix time.")


class SessionView(BaseModel):
    session_id: str
    state: str = Field(description="active | ended | finished (the report exists).")
    status: StatusInfo
    question: str | None = Field(None, description="The question in play while active.")
    transcript: list[TranscriptItem]
    report: FeedbackReport | None = None

    @classmethod
    def of(cls, session_id: str, view: InterviewView, status: StatusInfo) -> SessionView:
        """From core's read model (``core.conversation.InterviewView``)."""
        transcript = [
            TranscriptItem(speaker=item.speaker, text=item.text, kind=item.kind,
                           persona=item.persona, question_index=item.question_index, at=item.at)
            for item in view.transcript
        ]
        return cls(session_id=session_id, state=view.state.value, status=status,
                   question=view.question, transcript=transcript, report=view.report)


class HistoryScores(BaseModel):
    communication: int | None = None
    technical: int | None = None
    structure: int | None = None


class HistoryInterview(BaseModel):
    """One finished interview in a user's history (scores are null when nothing was answered)."""

    id: str
    date: str = Field(description="Day it finished, YYYY-MM-DD (UTC).")
    finished_at: float = Field(description="Unix time.")
    role: str
    difficulty: str
    scores: HistoryScores

    @classmethod
    def of(cls, entry: HistorySummary) -> HistoryInterview:
        scores = HistoryScores(**{dim.value: entry.score(dim) for dim in Dimension})
        return cls(id=entry.id, date=entry.day, finished_at=entry.finished_at, role=entry.role,
                   difficulty=entry.difficulty, scores=scores)


class HistoryResponse(BaseModel):
    interviews: list[HistoryInterview] = Field(description="Newest first.")
    trends: dict[Dimension, Trend] = Field(
        description="Per score: improving, flat or slipping (the mean of the last three "
                    "against the three before, by half a point or more), or too_early.")

    @classmethod
    def of(cls, progress: Progress) -> HistoryResponse:
        return cls(interviews=[HistoryInterview.of(entry) for entry in progress.entries],
                   trends=progress.trends)


class ForgetResponse(BaseModel):
    interviews: int = Field(description="Finished interviews deleted from the history.")
    sessions: int = Field(description="Open or recent sessions deleted.")


class DeletedResponse(BaseModel):
    session_id: str
    deleted: bool = True


class HealthResponse(BaseModel):
    status: str = "ok"
    brain: str


class ErrorResponse(BaseModel):
    """Every error body: a sentence to show the user, and a stable code for programs."""

    detail: str = Field(description="A readable sentence, safe to show as-is.")
    error: str = Field(description="Stable code, e.g. unknown_role, session_not_found.")
    known_roles: list[str] | None = None
    suggestion: str | None = None
    retryable: bool | None = None
    errors: list[dict] | None = Field(None, description="Per-field problems, for 422.")
    expected_turn: int | None = Field(
        None, description="For turn_out_of_order and turn_conflict: the Turn-Number the "
                          "server expects next.")
