"""The neutral vocabulary shared by core and every surface.

Surfaces translate platform events into ``Who`` / ``Where`` and render ``Reply``
in their own idiom (embeds, Block Kit, terminal text, JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.report import AnswerDelivery, FeedbackReport

MIN_QUESTIONS = 1
MAX_QUESTIONS = 15
DEFAULT_QUESTIONS = 5
MAX_CONTEXT_CHARS = 12_000  # job description / resume text kept for tailoring
MAX_CUSTOM_QUESTIONS = 15
MAX_CUSTOM_QUESTION_CHARS = 500


class Difficulty(StrEnum):
    junior = "junior"
    mid = "mid"
    senior = "senior"


class Focus(StrEnum):
    behavioural = "behavioural"
    technical = "technical"
    mixed = "mixed"


class Persona(StrEnum):
    """What the engine read in the candidate's message."""

    normal = "normal"
    confused = "confused"
    efficient = "efficient"
    chatty = "chatty"
    off_topic = "off_topic"
    abusive = "abusive"


class ReplyKind(StrEnum):
    greeting = "greeting"
    question = "question"
    follow_up = "follow_up"
    clarify = "clarify"
    steer = "steer"
    warning = "warning"
    hint = "hint"
    notice = "notice"
    feedback = "feedback"
    ended = "ended"
    error = "error"


class Action(StrEnum):
    """Suggested next actions a surface may render as buttons."""

    hint = "hint"
    skip = "skip"
    end = "end"


class Who(BaseModel):
    """A person on a platform."""

    model_config = ConfigDict(frozen=True)

    platform: str
    user_id: str
    display_name: str = ""


class Where(BaseModel):
    """A conversation on a platform: a DM, a thread, a terminal, an HTTP session."""

    model_config = ConfigDict(frozen=True)

    platform: str
    conversation_id: str


@dataclass(frozen=True, slots=True)
class TurnRef:
    """How a surface names one turn, so that a repeat is answered once and turns apply in order.

    - ``key``: an idempotency key; a repeat gets the stored reply instead of a second turn.
    - ``number``: the client's turn number (1, 2, 3... per interview); turn n is applied
      right after turn n - 1, waiting a little for it when it arrives first, and a
      repeat gets the stored reply.
    - ``sent_at``: the platform's timestamp of the message (epoch seconds); turns waiting
      for the same interview run in this order.
    """

    key: str | None = None
    number: int | None = None
    sent_at: float | None = None


def session_key(who: Who, where: Where) -> str:
    """One interview per user per conversation: the key never mixes two users."""
    return f"{who.platform}:{who.user_id}:{where.conversation_id}"


class InterviewOptions(BaseModel):
    role: str
    difficulty: Difficulty = Difficulty.mid
    questions: int = Field(DEFAULT_QUESTIONS, ge=MIN_QUESTIONS, le=MAX_QUESTIONS)
    focus: Focus = Focus.mixed
    context: str = Field(
        "",
        description="Optional job description or resume text used to tailor questions.",
    )
    custom_questions: list[str] = Field(default_factory=list)
    question_ids: list[str] = Field(
        default_factory=list,
        description="Bank question ids to ask first, in order (e.g. to practise one question).",
        max_length=MAX_QUESTIONS,
    )

    @field_validator("context")
    @classmethod
    def _bound_context(cls, value: str) -> str:
        from core.text import clean_input

        # Cut before cleaning: a 5 MB resume must not cost a per-character pass.
        return clean_input(value[: MAX_CONTEXT_CHARS * 2])[:MAX_CONTEXT_CHARS]

    @field_validator("custom_questions")
    @classmethod
    def _clean_custom(cls, value: list[str]) -> list[str]:
        from core.text import clean_input

        cleaned = [clean_input(q)[:MAX_CUSTOM_QUESTION_CHARS] for q in value]
        cleaned = [q for q in cleaned if q]
        if len(cleaned) > MAX_CUSTOM_QUESTIONS:
            raise ValueError(f"at most {MAX_CUSTOM_QUESTIONS} custom questions")
        return cleaned


class TokenUsage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    def add(self, input_tokens: int, output_tokens: int) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.calls += 1


class StatusInfo(BaseModel):
    role: str
    role_name: str
    difficulty: Difficulty
    focus: Focus
    state: str  # active | ended | finished
    question_index: int  # 1-based main question in play
    question_total: int
    follow_ups_on_question: int
    answers_given: int
    elapsed_seconds: int
    brain: str
    tokens: TokenUsage


class RoleSummary(BaseModel):
    id: str
    name: str
    aliases: list[str]
    summary: str


class Heard(BaseModel):
    """A spoken answer as transcribed, and how it sounded (figures apart from the scores)."""

    text: str
    delivery: AnswerDelivery


class Reply(BaseModel):
    """One message from the interviewer, neutral of any platform."""

    kind: ReplyKind
    text: str
    persona: Persona | None = Field(
        None, description="What the engine read in the message this reply answers."
    )
    question_index: int | None = Field(None, description="1-based main question in play.")
    question_total: int | None = None
    question: str | None = Field(None, description="The main question now being asked.")
    actions: list[Action] = Field(default_factory=list)
    report: FeedbackReport | None = None
    status: StatusInfo | None = None
    heard: Heard | None = Field(None, description="For a spoken answer: what was heard.")
    repeated: bool = Field(False, description="A named turn applied before (``core.turns``): "
                                              "its stored reply; nothing new was recorded.")

    @property
    def interview_over(self) -> bool:
        return self.kind in (ReplyKind.feedback, ReplyKind.ended)


class TextDelta(BaseModel):
    """A piece of a reply while it is being written (streaming brains)."""

    text: str
