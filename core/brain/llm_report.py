"""The model report: the schema the model fills in, and the checks before core sees it.

Shared by every model brain (Gemini, OpenAI-compatible servers).

Facts come from core (which questions were asked, what was answered or skipped); judgement
comes from the model, and only when it is backed by the candidate's own words. Per
question the model judges correctness, relevance to the question asked and integrity,
quoting the claim it flags; the score is then held to the same caps as the offline
grader (a wrong claim caps an answer at 2, an integrity concern at 1). Questions without
an answer are reviewed by the offline reviewer's own function, so both brains word a
skipped or unanswered question the same way.

No SDK import here: the schema is plain pydantic, the SDK turns it into a response schema.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

import structlog
from pydantic import BaseModel, Field, ValidationError

from core.brain.base import ReportRequest
from core.brain.llm_prompts import reached
from core.brain.offline_report import review_question as offline_review
from core.report import (
    EvidencedPoint,
    FeedbackReport,
    Ownership,
    QuestionReview,
    Score,
    Scores,
    Specificity,
    StarElements,
)
from core.session import Session
from core.text import excerpt

log = structlog.get_logger(__name__)

ANSWER_EXCERPT_CHARS = 240  # as the offline reviewer


class InvalidOutput(Exception):
    """The model answered, but not with something we can use (the reason is safe to log)."""


class OffSchema(InvalidOutput):
    """The reply is not JSON of the schema asked for (not a failed check of its content)."""


class Correctness(StrEnum):
    correct = "correct"
    partly_correct = "partly_correct"
    incorrect = "incorrect"
    not_assessable = "not_assessable"  # e.g. a personal story with nothing to verify


class Relevance(StrEnum):
    on_question = "on_question"
    partly = "partly"
    off_question = "off_question"


class Integrity(StrEnum):
    no_concern = "no_concern"
    concern = "concern"  # misreporting, blaming, pressure tactics, hiding problems, cheating


# The highest score each judgement allows (the report instruction states the same caps).
CAPS: dict[str, int] = {Correctness.incorrect: 2, Correctness.partly_correct: 3,
                        Relevance.off_question: 2, Integrity.concern: 1}


class DraftPoint(BaseModel):
    point: str
    evidence: str = Field(description="A short verbatim quote from the candidate's answers.")


class DraftScore(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


class DraftScores(BaseModel):
    communication: DraftScore
    technical: DraftScore
    structure: DraftScore


class DraftQuestion(BaseModel):
    # Judgements come before the score, so the model decides them first.
    number: int = Field(description="The question number from the transcript.")
    story_question: bool = Field(description="True when the question asks for a past situation.")
    situation: bool
    task: bool
    action: bool
    result: bool
    quantified_result: bool
    specificity: Specificity
    ownership: Ownership
    correctness: Correctness = Field(
        description="Technical and factual correctness of what the candidate claimed.")
    relevance: Relevance = Field(description="Does the answer address the question asked?")
    integrity: Integrity = Field(
        description="'concern' for dishonest, unethical or unsafe conduct the candidate describes.")
    flagged_quote: str | None = Field(
        None, description="Verbatim words of the candidate's wrong, off-question or worrying "
                          "claim; required when correctness is incorrect or integrity is concern.")
    flag_reason: str | None = Field(None, description="Why the flagged claim is a problem.")
    score: int | None = Field(None, ge=1, le=5)
    note: str
    stronger_answer: str | None = None


class ReportDraft(BaseModel):
    """What the model writes; converted to ``FeedbackReport`` once it has been checked."""

    summary: str
    strengths: list[DraftPoint]
    weaknesses: list[DraftPoint]
    scores: DraftScores | None = None
    questions: list[DraftQuestion]
    adaptation: str
    next_steps: list[str]


def parse_report(data: dict) -> ReportDraft:
    try:
        return ReportDraft.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5])
        raise OffSchema(f"report does not match the schema ({problems})") from None


# --------------------------------------------------------------------------- evidence

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})
_ELLIPSIS = re.compile(r"\.\.\.|…")


def _normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).casefold().split())


def evidence_found(evidence: str, corpus: str) -> bool:
    """True when the quote (or each '...'-separated fragment of it) is in the candidate's words."""
    fragments = [_normalise(f).strip(" \"'.,;:!?-") for f in _ELLIPSIS.split(evidence)]
    fragments = [f for f in fragments if f]
    if not fragments or sum(len(f) for f in fragments) < 3:
        return False
    return all(fragment in corpus for fragment in fragments)


# --------------------------------------------------------------------------- the checked report


def build_report(request: ReportRequest, draft: ReportDraft, generated_by: str) -> FeedbackReport:
    """Check the draft against the session and turn it into the shared report model."""
    session, role = request.session, request.role
    asked = reached(session)
    answered = [i for i in range(asked) if session.answers_to(i)]
    corpus = _normalise(" ".join(" ".join(session.answers_to(i)) for i in answered))
    if answered and draft.scores is None:
        raise InvalidOutput("scores are required when questions were answered")
    if answered and not (draft.strengths or draft.weaknesses):
        raise InvalidOutput("at least one strength or weakness with evidence is required")
    # Reasons name the point by position, not by its text: they are logged.
    labelled = [(f"strength {i}", p) for i, p in enumerate(draft.strengths, 1)] + [
        (f"weakness {i}", p) for i, p in enumerate(draft.weaknesses, 1)]
    for label, point in labelled:
        if not point.point.strip():
            raise InvalidOutput(f"{label} has no text")
        if not evidence_found(point.evidence, corpus):
            raise InvalidOutput(
                f"the evidence for {label} is not a verbatim quote from the candidate's answers")
    reviews = {q.number: q for q in draft.questions}
    missing = [i + 1 for i in answered if i + 1 not in reviews or reviews[i + 1].score is None]
    if missing:
        raise InvalidOutput(f"answered questions without a scored review: {missing}")
    for index in answered:
        _check_flag(session, index, reviews[index + 1])
    questions = []
    for index in range(asked):
        skipped = session.progress[index].skipped if index < len(session.progress) else False
        answers = session.answers_to(index)
        if not answers:
            # The offline reviewer's own words for a skipped or unanswered question.
            review, _ = offline_review(index + 1, session.questions[index], [], skipped, role)
        else:
            review = _review(session, index, reviews[index + 1], skipped)
        questions.append(review)
    return FeedbackReport(
        role=role.name,
        difficulty=session.options.difficulty.value,
        summary=draft.summary.strip() or "Thanks for practising.",
        answered=len(answered),
        strengths=[EvidencedPoint(point=p.point, evidence=p.evidence) for p in draft.strengths],
        weaknesses=[EvidencedPoint(point=p.point, evidence=p.evidence) for p in draft.weaknesses],
        scores=_scores(draft.scores) if answered else None,
        questions=questions,
        adaptation=draft.adaptation,
        next_steps=[step for step in draft.next_steps if step.strip()],
        generated_by=generated_by,
    )


def _check_flag(session: Session, index: int, draft: DraftQuestion) -> None:
    """A flagged claim must be quoted, and quoted from this question's own answers."""
    number = index + 1
    quote = (draft.flagged_quote or "").strip()
    needs_quote = (draft.correctness is Correctness.incorrect
                   or draft.integrity is Integrity.concern)
    if needs_quote and not quote:
        raise InvalidOutput(f"question {number} is judged {draft.correctness.value} / "
                            f"{draft.integrity.value} but flagged_quote is empty")
    if quote and not evidence_found(quote, _normalise(" ".join(session.answers_to(index)))):
        raise InvalidOutput(f"the flagged_quote of question {number} is not a verbatim quote "
                            "from the answer to that question")


def capped_score(draft: DraftQuestion) -> int | None:
    """The model's score held to the caps its own judgements imply."""
    if draft.score is None:
        return None
    cap = min(CAPS.get(draft.correctness, 5), CAPS.get(draft.relevance, 5),
              CAPS.get(draft.integrity, 5))
    return min(draft.score, cap)


def _flag_note(draft: DraftQuestion) -> str:
    quote = (draft.flagged_quote or "").strip().strip("“”\"")
    if not quote:
        return ""
    reason = (draft.flag_reason or "").strip().rstrip(".")
    label = ("Integrity" if draft.integrity is Integrity.concern
             else "Off the question" if draft.relevance is Relevance.off_question
             else "Check this")
    return f"{label}: “{excerpt(quote, 120)}”" + (f": {reason}." if reason else ".") + " "


def _scores(scores: DraftScores | None) -> Scores | None:
    if scores is None:
        return None
    return Scores(**{name: Score(score=getattr(scores, name).score,
                                 reason=getattr(scores, name).reason.strip() or "—")
                     for name in ("communication", "technical", "structure")})


def _review(session: Session, index: int, draft: DraftQuestion, skipped: bool) -> QuestionReview:
    question = session.questions[index]
    answers = session.answers_to(index)
    score = capped_score(draft)
    if score != draft.score:
        log.info("llm.report_score_capped", session=session.id, question=index + 1,
                 proposed=draft.score, capped=score, correctness=draft.correctness.value,
                 relevance=draft.relevance.value, integrity=draft.integrity.value)
    star: StarElements | Literal["not_applicable"] = (
        StarElements(situation=draft.situation, task=draft.task, action=draft.action,
                     result=draft.result, quantified_result=draft.quantified_result)
        if draft.story_question else "not_applicable")
    return QuestionReview(
        question=question.text,
        answer_excerpt=excerpt(" ".join(answers), ANSWER_EXCERPT_CHARS),
        star=star,
        specificity=draft.specificity,
        ownership=draft.ownership,
        score=score,
        note=(_flag_note(draft) + draft.note.strip()).strip() or "—",
        stronger_answer=(draft.stronger_answer or None) if (score or 5) <= 3 else None,
        skipped=skipped,
    )
