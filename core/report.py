"""The structured feedback report, shared by every brain and every surface."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

ScoreValue = int  # anchored 1-5

# What the offline reviewer cannot do, said once at the end of every summary it writes
# (surfaces show it apart from the summary, see ``core.presentation``).
OFFLINE_LIMITS = ("(Offline review: it checks what you covered, your structure and known "
                  "misconceptions, but cannot verify every claim; with a Gemini key the AI "
                  "interviewer also judges whether your reasoning is right.)")

SCORE_ANCHORS = {
    1: "no relevant answer",
    2: "generic: little that is specific to the question",
    3: "relevant with some specifics; gaps in outcome, ownership or depth",
    4: "specific, owned and outcome-focused, minor gaps",
    5: "specific, quantified, clearly owned, concise and complete",
}


class Specificity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Ownership(StrEnum):
    clear = "clear"
    unclear = "unclear"
    not_applicable = "not_applicable"


class StarElements(BaseModel):
    situation: bool = False
    task: bool = False
    action: bool = False
    result: bool = False
    quantified_result: bool = False

    def found(self) -> list[str]:
        return [name for name, present in self.model_dump().items() if present]


class Score(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str = Field(min_length=1)


class Scores(BaseModel):
    communication: Score
    technical: Score
    structure: Score


class EvidencedPoint(BaseModel):
    point: str = Field(min_length=1)
    evidence: str = Field(min_length=1, description="What the candidate actually said.")


class QuestionReview(BaseModel):
    question: str
    answer_excerpt: str
    star: StarElements | Literal["not_applicable"]
    specificity: Specificity
    ownership: Ownership
    score: int | None = Field(None, ge=1, le=5, description="None when not answered.")
    note: str
    stronger_answer: str | None = Field(
        None, description="For answers scoring 3 or less: an outline built from what was said."
    )
    skipped: bool = False

    def findings(self) -> str:
        """One neutral line of what was found in the answer, for any surface to show."""
        if self.star == "not_applicable":
            star = "STAR: not applicable"
        else:
            star = "STAR found: " + (", ".join(self.star.found()) or "none")
        ownership = self.ownership.value.replace("_", " ")
        return f"{star} · specificity {self.specificity.value} · ownership {ownership}"


Pace = Literal["slow", "within", "fast", "too_short"]


class AnswerDelivery(BaseModel):
    """How one spoken answer sounded (``core.delivery`` computes it from the audio)."""

    question_index: int = Field(ge=0, description="0-based main question the answer was for.")
    question: str = ""
    seconds: float = Field(ge=0, description="Length of the recording.")
    speaking_seconds: float = Field(ge=0, description="First to last speech in the recording.")
    words: int = Field(ge=0)
    words_per_minute: float = Field(ge=0)
    fillers: int = Field(0, ge=0)
    fillers_per_minute: float = Field(0, ge=0)
    filler_counts: dict[str, int] = Field(default_factory=dict)
    long_pauses: int = Field(0, ge=0, description="Silences of LONG_PAUSE_SECONDS or more mid-answer.")
    longest_pause_seconds: float = Field(0, ge=0)
    pace: Pace = "too_short"
    engine: str = Field("", description="Which recogniser made the transcript.")

    def line(self) -> str:
        """One neutral line of figures, for any surface to show."""
        pace = {"slow": " (slower than guidance)", "fast": " (faster than guidance)",
                "within": " (within guidance)", "too_short": " (too short to judge)"}[self.pace]
        return (f"{self.words_per_minute:.0f} words/min{pace} · {self.fillers} filler word(s), "
                f"{self.fillers_per_minute:g}/min · {self.long_pauses} long pause(s) · "
                f"{self.speaking_seconds:.0f} s spoken")


class DeliveryReport(BaseModel):
    """Delivery across the spoken answers: separate from the content scores, never mixed in."""

    spoken_answers: int = Field(ge=0)
    seconds: float = Field(ge=0)
    words_per_minute: float = Field(ge=0)
    fillers_per_minute: float = Field(ge=0)
    long_pauses: int = Field(ge=0)
    pace: Pace = "too_short"
    notes: list[str] = Field(default_factory=list, description="Plain advice from the figures.")
    guidance: str = ""
    answers: list[AnswerDelivery] = Field(default_factory=list)

    def lines(self) -> list[str]:
        """The overall figures and the advice, as neutral lines (the per-answer lines apart)."""
        figures = (f"{self.spoken_answers} spoken answer(s) · {self.words_per_minute:.0f} "
                   f"words/min · {self.fillers_per_minute:g} fillers/min · "
                   f"{self.long_pauses} long pause(s)")
        return [figures, *self.notes]


class FeedbackReport(BaseModel):
    role: str = Field(description="The role's display name, as the candidate reads it "
                                  "(\"Product Manager\"); history records keep the role's id.")
    difficulty: str
    summary: str
    answered: int = Field(ge=0, description="Main questions with a real answer.")
    strengths: list[EvidencedPoint] = Field(default_factory=list)
    weaknesses: list[EvidencedPoint] = Field(default_factory=list)
    scores: Scores | None = Field(None, description="None when nothing was answered.")
    questions: list[QuestionReview] = Field(default_factory=list)
    adaptation: str = Field("", description="The pattern of adaptation seen in the interview.")
    next_steps: list[str] = Field(default_factory=list)
    generated_by: str = "offline"
    notice: str | None = Field(None, description="E.g. that a fallback report was used.")
    delivery: DeliveryReport | None = Field(
        None, description="How the spoken answers sounded; None when every answer was typed.")
