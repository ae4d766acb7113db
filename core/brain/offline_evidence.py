"""The offline report's evidence: strengths and weaknesses, each with the words that show it.

Every point quotes what the candidate said; a point the quote would not support is not
made. Weaknesses carry a code (``Weakness``) so the next steps are chosen by meaning,
never by matching English.
"""

from __future__ import annotations

import re
from enum import StrEnum

from core import signals
from core.analysis import Gap, is_story
from core.brain.offline_review import Answered, in_quotes, sentence_with
from core.grading import LONG_ANSWER_WORDS
from core.report import EvidencedPoint
from core.text import excerpt, tail


def quoted(point: EvidencedPoint) -> str:
    """The quoted words of an evidence line (between “ and ”), without an ellipsis."""
    match = re.search(r"“(.+?)…?”", point.evidence)
    return match.group(1) if match else ""


_HEDGED = re.compile(r"\b(?:maybe|perhaps|probably|i think|i guess|not sure|roughly\?)|\?\s*$",
                     re.IGNORECASE)


def strengths(answered: list[Answered]) -> list[EvidencedPoint]:
    found: list[EvidencedPoint] = []
    answered = [item for item in answered if item.score >= 3]  # strengths come from good answers
    # The quoted sentence must show the point: a result with its number, said plainly
    # ("churn fell from 8% to 5%"), not a guess ("The spend was maybe 30k?").
    quantified = [i for i in answered if is_story(i.question) and i.analysis.quantified_outcome
                  and not _HEDGED.search(i.analysis.result_sentence or "")]
    if quantified:
        item = quantified[0]
        found.append(EvidencedPoint(point="You back results with numbers.",
                                    evidence=f"Q{item.number}: {in_quotes(item.analysis.result_sentence)}"))
    owned = [i for i in answered if is_story(i.question) and i.analysis.owned]
    if owned:
        item = owned[0]
        found.append(EvidencedPoint(point="Clear ownership: you say what you did.",
                                    evidence=f"Q{item.number}: {in_quotes(item.analysis.actions[0])}"))
    # The role's own terms, said in an answer with no flagged claim. Whether they were used
    # well is beyond this review, so the point says they were used, not "precisely".
    deep = [i for i in answered if len(i.analysis.vocabulary) >= 3 and not i.analysis.misconceptions]
    if deep:
        item = deep[0]
        terms = item.analysis.vocabulary[:3]
        quote = sentence_with(item.analysis.text, rf"\b{re.escape(terms[0])}\b")
        if quote:
            found.append(EvidencedPoint(point=f"Role vocabulary: you used {', '.join(terms)}.",
                                        evidence=f"Q{item.number}: {in_quotes(quote)}"))
    # A plan or explanation that touches most of the question's topics (by meaning; the
    # stance is not checked, so a flagged claim rules it out).
    broad = [i for i in answered if not is_story(i.question) and i.question.key_points
             and not i.analysis.misconceptions
             and len(i.analysis.key_points_covered) >= max(2, len(i.question.key_points) // 2)]
    if broad:
        item = broad[0]
        sentence = next(iter(item.analysis.reading.key_points.values()))
        found.append(EvidencedPoint(point="Broad answers: you touched most of what the question "
                                          "covers.",
                                    evidence=f"Q{item.number}: {in_quotes(sentence)}"))
    tight = [i for i in answered if i.score >= 4 and i.analysis.words <= 200
             and (i.analysis.owned or not is_story(i.question))]
    if tight:
        item = tight[0]
        found.append(EvidencedPoint(point="Concise and complete when you are on form.",
                                    evidence=f"Q{item.number} ({item.analysis.words} words): "
                                             f"{in_quotes(item.analysis.text)}"))
    return found[:3]


class Weakness(StrEnum):
    """What a weakness point is about: its next step is chosen by this code, never by its
    words (the values are ``core.analysis.Gap``'s where the two mean the same)."""

    misconception = Gap.misconception.value
    no_outcome = Gap.no_outcome.value
    no_personal_action = Gap.no_personal_action.value
    no_numbers = Gap.no_numbers.value
    long = "long"
    no_example = Gap.no_example.value
    shallow = Gap.shallow.value
    skipped = "skipped"


def weaknesses(answered: list[Answered],
                skipped: list[str]) -> list[tuple[Weakness, EvidencedPoint]]:
    found: list[tuple[Weakness, EvidencedPoint]] = []

    def add(code: Weakness, point: EvidencedPoint) -> None:
        found.append((code, point))

    flagged = [i for i in answered if i.analysis.misconceptions]
    if flagged:
        item = flagged[0]
        claim, sentence = item.analysis.misconceptions[0]
        add(Weakness.misconception, EvidencedPoint(
            point=f"Check a claim before an interviewer does: {claim.why}",
            evidence=f"Q{item.number}: {in_quotes(sentence)}"))
    star = [i for i in answered if is_story(i.question)]
    no_outcome = [i for i in star if not i.analysis.has_outcome]
    if no_outcome:
        item = no_outcome[0]
        add(Weakness.no_outcome, EvidencedPoint(
            point="Stories stop before the result: say what changed.",
            evidence=f"Q{item.number} ends with: {in_quotes(tail(item.analysis.text, 140))}"))
    unowned = [i for i in star if not i.analysis.owned]
    if unowned:
        item = unowned[0]
        we = sentence_with(item.analysis.text, r"\bwe\b|\bthe team\b")
        if we:  # "hidden behind we" only when "we" was said
            add(Weakness.no_personal_action, EvidencedPoint(
                point="Your own part is hard to see behind “we”.",
                evidence=f"Q{item.number}: {in_quotes(we)}"))
        else:
            passive = sentence_with(item.analysis.text, signals.PASSIVE.pattern)
            add(Weakness.no_personal_action, EvidencedPoint(
                point="Your own part is hard to see: say what you did, with “I”.",
                evidence=f"Q{item.number}: {in_quotes(passive or item.analysis.text)}"))
    unquantified = [i for i in star if i.analysis.has_outcome and not i.analysis.quantified_outcome
                    and i.analysis.result_sentence]
    if unquantified:
        item = unquantified[0]
        some = any(i.analysis.quantified_outcome for i in star)
        add(Weakness.no_numbers, EvidencedPoint(
            point=("Some outcomes have no number, which makes them easy to doubt." if some
                   else "Outcomes without numbers are easy to doubt."),
            evidence=f"Q{item.number}: {in_quotes(item.analysis.result_sentence)}"))
    long = [i for i in answered if i.analysis.words > LONG_ANSWER_WORDS or i.analysis.tangents >= 2]
    if long:
        item = max(long, key=lambda i: i.analysis.words)
        add(Weakness.long, EvidencedPoint(
            point="Answers run long and drift from the question.",
            evidence=f"Q{item.number} ran to {item.analysis.words} words, "
                     f"starting {in_quotes(item.analysis.text)}"))
    generic = [i for i in answered if is_story(i.question) and i.analysis.generic
               and not i.analysis.has_example]
    if generic:
        item = generic[0]
        quote = sentence_with(item.analysis.text, r"\b(?:usually|always|generally|would|"
                                                   r"should|depends|typically)\b")
        add(Weakness.no_example, EvidencedPoint(
            point="General statements instead of a real example.",
            evidence=f"Q{item.number}: {in_quotes(quote or item.analysis.text)}"))
    shallow = [i for i in answered if not is_story(i.question) and i.question.key_points
               and len(i.analysis.key_points_covered) < 2]
    if shallow:
        item = shallow[0]
        missing = [p for p in item.question.key_points if p not in item.analysis.key_points_covered]
        topic = f" such as {missing[0]}" if missing else ""
        add(Weakness.shallow, EvidencedPoint(
            point=f"Go deeper on the role's core topics{topic}.",
            evidence=f"Q{item.number}: {in_quotes(item.analysis.text)}"))
    if skipped:
        add(Weakness.skipped, EvidencedPoint(
            point="Skipped questions are the ones to prepare first.",
            evidence="Skipped: " + "; ".join(excerpt(q, 80) for q in skipped)))
    return found[:3]
