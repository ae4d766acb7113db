"""Choosing the questions of one interview from the role's bank and the user's options."""

from __future__ import annotations

import random
import re

from core.analysis import content_terms
from core.errors import InvalidOptionError
from core.models import Focus, InterviewOptions
from core.roles import Category, Question, Role

_STAR_PROMPT = re.compile(
    r"\b(?:tell me about (?:a|an|the|your|one)\b|describe a (?:time|situation|project|deal)|"
    r"give (?:me )?an example|when have you|walk me through (?:a|an|the|your)\b|share a time|"
    r"a time (?:when|you)|have you ever)",
    re.IGNORECASE,
)

_FOCUS_CATEGORIES = {
    Focus.behavioural: (Category.behavioural, Category.situational),
    Focus.technical: (Category.technical, Category.situational),
    Focus.mixed: (Category.behavioural, Category.technical, Category.situational),
}


def custom_question(index: int, text: str) -> Question:
    """A user's own question, treated like a bank question with what we can infer."""
    star = bool(_STAR_PROMPT.search(text))
    return Question(
        id=f"custom-{index + 1}",
        category=Category.custom,
        levels=["junior", "mid", "senior"],
        star=star,
        text=text if text.endswith(("?", ".", "!")) else text + (
            "." if re.match(r"(?i)(?:tell|describe|walk|give|share|talk)\b", text) else "?"),
        keywords=sorted(content_terms(text))[:10],
        hint=(
            "Pick one real example: set the scene briefly, say what you did, and how it turned out."
            if star
            else "Answer in two or three sentences first, then give one concrete example."
        ),
        clarify=f"In other words: {text}",
    )


def _relevance_to_context(question: Question, context_terms: set[str]) -> int:
    if not context_terms:
        return 0
    terms = content_terms(" ".join([question.text, *question.keywords, *question.key_points]))
    return len(terms & context_terms)


def _interleave(groups: list[list[Question]]) -> list[Question]:
    ordered: list[Question] = []
    while any(groups):
        for group in groups:
            if group:
                ordered.append(group.pop(0))
    return ordered


def plan_questions(role: Role, options: InterviewOptions, seed: str) -> list[Question]:
    """Custom questions first (the user asked for them), then the bank.

    The bank is filtered by difficulty and focus, ranked by overlap with the job
    description or resume when one is given, shuffled by ``seed`` otherwise (so
    repeated practice sees different questions), and interleaved by category so
    an interview does not ask five behavioural questions in a row.
    """
    rng = random.Random(seed)
    chosen = [custom_question(i, text) for i, text in enumerate(options.custom_questions)]
    by_id = {question.id: question for question in role.questions}
    unknown = [qid for qid in options.question_ids if qid not in by_id]
    if unknown:
        raise InvalidOptionError(
            f"{role.name} has no question “{unknown[0]}”. Question ids look like "
            f"“{role.questions[0].id}”.")
    chosen += [by_id[qid] for qid in dict.fromkeys(options.question_ids)]
    wanted = options.questions
    if len(chosen) >= wanted:
        return chosen[:wanted]

    categories = _FOCUS_CATEGORIES[options.focus]
    pool = [q for q in role.questions if q.category in categories]
    at_level = [q for q in pool if options.difficulty in q.levels]
    others = [q for q in pool if q not in at_level]
    context_terms = content_terms(options.context) if options.context else set()

    def ranked(questions: list[Question]) -> list[Question]:
        questions = list(questions)
        rng.shuffle(questions)
        return sorted(questions, key=lambda q: -_relevance_to_context(q, context_terms))

    groups = [[q for q in ranked(at_level) if q.category is c] for c in categories]
    # Other levels only if the level runs short, then other categories if the focus does.
    rest = [q for q in role.questions if q not in pool]
    bank = _interleave(groups) + ranked(others) + ranked(rest)
    for question in bank:
        if len(chosen) >= wanted:
            break
        if question not in chosen:
            chosen.append(question)
    return chosen
