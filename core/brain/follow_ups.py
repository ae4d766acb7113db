"""Choosing a follow-up that fits: not asked before, not already answered, not built on
something the candidate said they would not do, and aimed at what is missing."""

from __future__ import annotations

import re

from core import semantics, signals
from core.brain.base import TurnRequest
from core.meaning import content_terms
from core.session import Session, Speaker


def asked_before(session: Session, text: str) -> bool:
    return any(entry.speaker is Speaker.interviewer and text in entry.text
               for entry in session.transcript)


_NEGATED = re.compile(r"\b(?:not|never|no|wouldn'?t|didn'?t|don'?t|won'?t|couldn'?t|"
                      r"isn'?t|wasn'?t|avoid\w*|instead of|rather than)\b", re.IGNORECASE)


def _said(request: TurnRequest) -> list[str]:
    earlier = request.session.answers_to(request.session.current)
    return signals.sentences(" ".join([*earlier, request.answer or ""]))


def _fits(follow_up: str, said: list[str], said_vectors=None) -> bool:
    """Not already answered, and not built on something the candidate said they would not do."""
    if not said:
        return True
    vectors = semantics.embed(said) if said_vectors is None else said_vectors
    sims = semantics.similarity(semantics.bank_matrix((follow_up,)), vectors)[0]
    if float(sims.max()) >= 0.62:
        return False  # they have said this already
    if float(sims.max()) < 0.2:
        return False  # about nothing they said: it would presuppose an answer they did not give
    terms = content_terms(follow_up)
    for sentence in said:
        if _NEGATED.search(sentence) and len(terms & content_terms(sentence)) >= 2:
            return False  # "what if you talked to them?" after "I wouldn't talk to them"
    return True


def unused_follow_up(request: TurnRequest) -> str | None:
    """The bank follow-up that best fits what is missing, not asked yet and not answered."""
    said = _said(request)
    vectors = semantics.embed(said) if said else None
    options = [f for f in request.question.follow_ups
               if not asked_before(request.session, f) and _fits(f, said, vectors)]
    if len(options) <= 1:
        return options[0] if options else None
    missing = [p for p in request.question.key_points
               if request.analysis is None or p not in request.analysis.reading.key_points]
    if not missing:
        return options[0]
    sims = semantics.similarity(semantics.bank_matrix(tuple(options)),
                                semantics.bank_matrix(tuple(missing)))
    return options[int(sims.max(axis=1).argmax())]


def missing_point(request: TurnRequest) -> str | None:
    """A key point to ask about: one nothing in the answer came near, else one not matched."""
    if request.analysis is not None and request.analysis.reading.absent:
        return request.analysis.reading.absent[0]
    covered = set(request.analysis.key_points_covered) if request.analysis else set()
    for point in request.question.key_points:
        if point not in covered:
            return point
    return None
