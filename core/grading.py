"""The offline grade of one answer: an anchored 1-5 score and the evidence behind it.

Anchors (``core.report.SCORE_ANCHORS``, per question in the role's rubric): 1 no
relevant answer, or a wrong / unsafe / unethical approach; 2 generic or thin; 3
relevant with clear gaps; 4 specific with minor gaps; 5 complete and concrete.

The offline grader cannot check that an answer is *true*. It credits what it can
see (key points said in any words, a real example, the candidate's own actions, a
result) and caps what the rubric flags: a claim that matches a listed misconception
caps the answer at 2 (1 when unsafe or unethical). Every cap and credit is kept as
a reason so the report can show why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.analysis import BRIEF_WORDS, AnswerAnalysis, is_chatty, is_story
from core.roles import MisconceptionKind, Question

LONG_ANSWER_WORDS = 350
THIN_WORDS = 25


@dataclass
class Grade:
    score: int
    story: bool = False
    credits: list[str] = field(default_factory=list)  # what earned points
    caps: list[str] = field(default_factory=list)  # why the score could not be higher

    @property
    def complete(self) -> bool:
        """An answer an interviewer moves on from without a follow-up.

        A story needs everything (a 5); a plan or explanation that covers most key
        points (a 4) is probed no further: the next question tells more.
        """
        return self.score >= (5 if self.story else 4)


def _clamp(value: float) -> int:
    return max(1, min(5, math.floor(value + 0.5)))  # half rounds up, not to even


def _story_points(a: AnswerAnalysis, q: Question, grade: Grade) -> float:
    """A story earns points for being real, owned step by step, and ending in a result."""
    points = 0.0
    if a.concrete and not (a.generic and not a.actions):
        points += 1.0
        grade.credits.append("a real example")
    steps = len(a.actions)
    if a.owned:
        points += 1.0 + min(steps - 1, 2) * 0.25  # more credit for a story told step by step
        grade.credits.append(f"{steps} action(s) of your own")
    if a.has_outcome:
        points += 1.0
        grade.credits.append("a result")
        if a.quantified_outcome:
            points += 0.5
            grade.credits.append("a number for the result")
    points += min(0.5, a.reading.coverage * 2)
    return points


def _plan_points(a: AnswerAnalysis, q: Question, grade: Grade) -> float:
    """A plan or an explanation earns points for the key points it covers, in any words."""
    informative = min(a.reading.informative, 5)
    points = 0.5 * informative
    if not q.key_points:  # a question of the user's own: judge substance and focus
        points += 1.5 if a.on_question else 0.0
        points += min(1.0, 0.35 * len(a.vocabulary))
    else:
        points += 2.5 * min(1.0, a.reading.coverage / 0.5)
        if a.reading.key_points:
            grade.credits.append(f"{len(a.reading.key_points)} of {len(q.key_points)} key points")
    if informative:
        grade.credits.append(f"{informative} substantive point(s)")
    if a.numbers or a.has_example or a.has_situation:
        points += 0.5
        grade.credits.append("specifics")
    return points


def _caps(a: AnswerAnalysis, q: Question, grade: Grade, redirected: bool) -> int:
    cap = 5
    # A flagged claim caps the answer at 2; two or more at 1. (One cue can misfire on a
    # sentence that only sounds like the claim, so one flag alone never means "no answer".)
    for claim, _sentence in a.misconceptions:
        cap = min(cap, 2)
        kind = "an unsafe or unethical approach" if claim.kind in (
            MisconceptionKind.unsafe, MisconceptionKind.unethical) else "a doubtful claim"
        grade.caps.append(f"{kind}: {claim.why}")
    if len(a.misconceptions) >= 2:
        cap = 1
    if not a.on_question:
        cap = min(cap, 2)
        grade.caps.append("it answers a different question")
    if a.buzzword_salad:
        cap = min(cap, 2)
        grade.caps.append("jargon without specifics")
    if a.overclaim and not is_story(q):
        cap = min(cap, 3)
        grade.caps.append("a claim of certainty that needs support")
    if is_chatty(a):
        cap = min(cap, 2 if a.reading.informative <= 2 else 3)
        grade.caps.append("mostly not about the question")
    if a.words < THIN_WORDS:
        cap = min(cap, 2)
        grade.caps.append(f"very brief ({a.words} words)")
    elif a.words < BRIEF_WORDS and not is_story(q):
        cap = min(cap, 3)
        grade.caps.append(f"brief ({a.words} words)")
    if is_story(q):
        if a.generic and not a.actions or not a.concrete:
            cap = min(cap, 2)
            grade.caps.append("no real example")
        if not a.owned:
            cap = min(cap, 3 if a.quantified_outcome else 2)
            grade.caps.append("your own part is unclear")
        elif not a.has_outcome:
            cap = min(cap, 3)
            grade.caps.append("no result")
        if not a.quantified_outcome and len(a.actions) < 3:
            cap = min(cap, 4)  # full marks: several steps of your own, or a measured result
    elif q.key_points and (a.reading.coverage < 0.3 or a.reading.informative < 3):
        cap = min(cap, 4)  # full marks need most key points, each with some substance
    if a.words > LONG_ANSWER_WORDS:
        cap = min(cap, 4)
        grade.caps.append(f"long ({a.words} words)")
    if redirected:
        cap = min(cap, 4)
    return cap


def grade(a: AnswerAnalysis, q: Question, redirected: bool = False) -> Grade:
    """Score one answer (everything said about one question) against its question."""
    result = Grade(score=1, story=is_story(q))
    if a.words < 4 and not a.reading.key_points:
        result.caps.append("no answer to judge")
        return result
    points = _story_points(a, q, result) if is_story(q) else _plan_points(a, q, result)
    if a.tangents >= 2 or a.filler_ratio > 0.05:
        points -= 0.5
    result.score = min(_clamp(1 + points), _caps(a, q, result, redirected))
    return result
