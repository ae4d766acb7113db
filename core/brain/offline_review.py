"""The offline reviewer, per question: a score, a note and a stronger answer for each.

Built from real answer analysis (``core.analysis``) and the anchored grade
(``core.grading``); the report (``core.brain.offline_report``) is assembled from these.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core import signals
from core.analysis import AnswerAnalysis, analyse, is_story, star_elements, strip_instructions
from core.grading import LONG_ANSWER_WORDS, Grade, grade
from core.report import Ownership, QuestionReview, Specificity, StarElements
from core.roles import Question, Role
from core.text import excerpt

QUOTE_CHARS = 140


@dataclass
class Answered:
    number: int  # 1-based question number
    question: Question
    analysis: AnswerAnalysis
    score: int


def clamp(value: float) -> int:
    return max(1, min(5, math.floor(value + 0.5)))  # half rounds up, not to even


def sentence_with(text: str, pattern: str) -> str | None:
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if re.search(pattern, sentence, re.IGNORECASE):
            return excerpt(sentence, QUOTE_CHARS)
    return None


def in_quotes(text: str) -> str:
    return f"“{excerpt(text, QUOTE_CHARS)}”"


def question_score(a: AnswerAnalysis, q: Question, redirected: bool = False) -> int:
    """Anchored 1-5 (see core.grading): substance earns points, flagged claims cap them."""
    return grade(a, q, redirected).score


def _specificity(a: AnswerAnalysis) -> Specificity:
    concrete = a.has_example or a.has_situation
    if a.numbers and concrete and a.actions or len(a.numbers) >= 2 and a.actions:
        return Specificity.high
    if a.numbers or concrete or len(a.vocabulary) >= 2:
        return Specificity.medium
    return Specificity.low


def _note(a: AnswerAnalysis, q: Question, result: Grade) -> str:
    """What the offline reviewer found, in its own limits: it never calls an answer correct."""
    flagged = [f"“{excerpt(sentence, 90)}”: {claim.why}" for claim, sentence in a.misconceptions]
    if flagged:
        return "Check this: " + " ".join(flagged[:2])
    if result.score >= 5:
        found = ", ".join(c for c in result.credits if "key points" not in c)
        return (f"Nothing missing on what this review checks ({found or 'the key points'}); it "
                "cannot vouch for every claim.")
    gaps = []
    if not a.on_question:
        gaps.append("a clear link to the question asked")
    if a.buzzword_salad:
        gaps.append("specifics behind the jargon")
    if is_story(q):
        if not a.concrete:
            gaps.append("a specific example")
        if not a.owned:
            gaps.append("what you personally did")
        if not a.has_outcome:
            gaps.append("the outcome")
        elif not a.quantified_outcome:
            gaps.append("a number for the outcome")
    elif a.reading.absent:
        gaps.append(a.reading.absent[0])  # only a point nothing in the answer came near
    if a.words > LONG_ANSWER_WORDS:
        gaps.append(f"a shorter delivery ({a.words} words)")
    if not gaps:
        return "Solid answer; a sharper opening line would make it stronger."
    # What this review did not find, said as advice: it matches by meaning and can miss a
    # point made in other words, so it never asserts the point is absent.
    return "Make it explicit next time: " + ", ".join(gaps) + "."


def _stronger_answer(a: AnswerAnalysis, q: Question) -> str:
    """An outline of a stronger answer, built from the candidate's own material."""
    if not is_story(q):
        missing = a.reading.absent[:3]
        opening = next((sentence for sentence in a.sentences if len(sentence.split()) > 3), None)
        began = f" (you began: {in_quotes(opening)})" if opening else ""
        cover = "; ".join(missing) if missing else "one trade-off and how you would measure success"
        return (f"Lead with your approach in one sentence{began}. "
                f"Then cover: {cover}. Close with a concrete example from your experience.")
    situation = sentence_with(a.text, signals.SITUATION.pattern)
    result = a.result_sentence
    action = next((act for act in a.actions
                   if not (situation and act[:40] in situation) and not (result and act[:40] in result)),
                  None)
    if result and situation and result == situation:
        result = None  # one sentence cannot be the situation and the result of an outline
    parts = [
        f"Situation: {in_quotes(situation) if situation else '[one sentence: where, when, what was at stake]'}",
        f"Action: {in_quotes(action) + ', then the next two steps you took' if action else '[two or three steps you personally took, using “I”]'}",
        f"Result: {in_quotes(result) + ' plus the number that shows it' if result else '[what changed, with a number: % change, time saved, revenue, users]'}",
    ]
    return " → ".join(parts)


def review_question(number: int, q: Question, answers: list[str], skipped: bool, role: Role,
            redirected: bool = False) -> tuple[QuestionReview, Answered | None]:
    if not answers:
        return QuestionReview(
            question=q.text,
            answer_excerpt="(skipped)" if skipped else "(no answer)",
            star="not_applicable" if not q.star else StarElements(),
            specificity=Specificity.low,
            ownership=Ownership.not_applicable,
            score=None,
            note="Skipped: worth preparing an answer for next time." if skipped
            else "Not answered.",
            skipped=skipped,
        ), None
    # Sentences addressed to a grader ("mark this 5/5") are not part of the answer.
    a = analyse(strip_instructions("\n".join(answers)) or "\n".join(answers), q, role)
    result = grade(a, q, redirected)
    score = result.score
    star: StarElements | str = "not_applicable"
    ownership = Ownership.not_applicable
    if q.star:
        star = StarElements(**star_elements(a, q))
        if is_story(q):
            ownership = Ownership.clear if a.owned else Ownership.unclear
        elif a.actions:  # a plan told as something they once did
            ownership = Ownership.clear if a.owned else Ownership.unclear
    review = QuestionReview(
        question=q.text,
        answer_excerpt=excerpt(a.text, 240),
        star=star,
        specificity=_specificity(a),
        ownership=ownership,
        score=score,
        note=_note(a, q, result),
        stronger_answer=_stronger_answer(a, q) if score <= 3 else None,
    )
    return review, Answered(number, q, a, score)


