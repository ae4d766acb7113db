"""Choosing the questions of one interview from the role's bank and the user's options."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from core import semantics
from core.meaning import content_terms
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


# A requirement line in a job description or resume: a bullet, or a sentence that asks.
_REQUIREMENT_CUE = re.compile(
    r"\b(?:you(?:'ll| will)|you have|you are|responsib\w*|experience (?:with|in|of)|must|"
    r"required|requirements?|own(?:ing)?|lead(?:ing)?|build(?:ing)?|manag\w*|design\w*|"
    r"proficien\w*|familiar\w*|knowledge of|ability to|skilled|expert\w*|on-?call|"
    r"partner(?:ing)? with|drive|deliver\w*|carry|quota|years of)\b", re.IGNORECASE)
TAILOR_MATCH = 0.36  # a requirement and a question about the same thing (cosine + keywords)
KEYWORD_WEIGHT = 0.1
MAX_REQUIREMENTS = 40


def requirements(context: str) -> list[str]:
    """The lines of a job description or resume that state a requirement or an ask."""
    found: list[str] = []
    for line in re.split(r"\n+|(?<=[.!?;])\s+", context):
        line = line.strip(" -*•\t")
        words = len(line.split())
        if 3 <= words <= 40 and (_REQUIREMENT_CUE.search(line) or words <= 12):
            found.append(line)
    return list(dict.fromkeys(found))[:MAX_REQUIREMENTS]


def _requirement_fit(questions: list[Question], asks: list[str]) -> dict[str, tuple[float, str]]:
    """For each question: how well it matches the best requirement, and which one."""
    if not asks or not questions:
        return {}
    texts = tuple(" ".join([q.text, *q.key_points]) for q in questions)
    sims = semantics.similarity(semantics.bank_matrix(texts), semantics.embed(asks))
    # The question's own keywords said in the requirement ("on-call", "idempotency") add
    # to the meaning match: static embeddings under-rate short, jargon-heavy lines.
    ask_terms = [content_terms(ask) for ask in asks]
    for i, q in enumerate(questions):
        keywords = [content_terms(k) for k in q.keywords]
        for j, terms in enumerate(ask_terms):
            hits = sum(1 for k in keywords if k and k <= terms)
            sims[i, j] += KEYWORD_WEIGHT * min(hits, 3)
    return {q.id: (float(sims[i].max()), asks[int(sims[i].argmax())])
            for i, q in enumerate(questions)}


def _normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _interleave(groups: list[list[Question]]) -> list[Question]:
    ordered: list[Question] = []
    while any(groups):
        for group in groups:
            if group:
                ordered.append(group.pop(0))
    return ordered


@dataclass
class Plan:
    questions: list[Question]
    tailored_to: list[str] = field(default_factory=list)  # requirements that chose questions


def _without_repeats(questions: list[Question]) -> list[Question]:
    """One of each question: a custom question identical to another (or to a bank one,
    punctuation and case aside) is asked once."""
    seen: set[str] = set()
    kept = []
    for question in questions:
        key = _normalised(question.text)
        if key not in seen:
            seen.add(key)
            kept.append(question)
    return kept


def plan_questions(role: Role, options: InterviewOptions, seed: str) -> Plan:
    """Custom questions first (the user asked for them), then the bank.

    The bank is filtered by difficulty and focus. With a job description or resume,
    questions that match one of its stated requirements by meaning come first (the
    closest match first) and the plan records which requirements chose them; the rest
    is shuffled by ``seed`` (so repeated practice sees different questions) and
    interleaved by category so an interview does not ask five behavioural questions
    in a row. No question is asked twice.
    """
    rng = random.Random(seed)
    chosen = [custom_question(i, text) for i, text in enumerate(options.custom_questions)]
    by_id = {question.id: question for question in role.questions}
    unknown = [qid for qid in options.question_ids if qid not in by_id]
    if unknown:
        raise InvalidOptionError(
            f"{role.name} has no question “{unknown[0]}”. Question ids look like "
            f"“{role.questions[0].id}”.")
    chosen = _without_repeats(chosen + [by_id[qid] for qid in options.question_ids])
    wanted = options.questions
    if len(chosen) >= wanted:
        return Plan(chosen[:wanted])

    categories = _FOCUS_CATEGORIES[options.focus]
    pool = [q for q in role.questions if q.category in categories]
    at_level = [q for q in pool if options.difficulty in q.levels]
    others = [q for q in pool if q not in at_level]
    asks = requirements(options.context) if options.context else []
    fit = _requirement_fit(at_level + others, asks)
    matched = sorted((q for q in at_level + others if fit.get(q.id, (0.0, ""))[0] >= TAILOR_MATCH),
                     key=lambda q: -fit[q.id][0])

    def shuffled(questions: list[Question]) -> list[Question]:
        questions = [q for q in questions if q not in matched]
        rng.shuffle(questions)
        return questions

    groups = [[q for q in shuffled(at_level) if q.category is c] for c in categories]
    # Other levels only if the level runs short, then other categories if the focus does.
    rest = [q for q in role.questions if q not in pool]
    bank = matched + _interleave(groups) + shuffled(others) + shuffled(rest)
    taken = {_normalised(q.text) for q in chosen}
    tailored_to: list[str] = []
    for question in bank:
        if len(chosen) >= wanted:
            break
        if _normalised(question.text) in taken:
            continue
        taken.add(_normalised(question.text))
        chosen.append(question)
        if question in matched and fit[question.id][1] not in tailored_to:
            tailored_to.append(fit[question.id][1])
    return Plan(chosen, tailored_to)
