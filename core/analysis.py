"""Reading a candidate's answer: its substance, and what the message signals.

Core reads every turn before any brain is asked, so the move (follow up, move on,
clarify, steer, warn) is core's decision and the offline brain's words and report
rest on the same facts. Form is read per sentence (``core.signals``: who acted,
what changed, is this a request?), topic and key points by meaning
(``core.meaning``), personas by what the whole message does (``core.intent``).
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from core import arithmetic, language, meaning, signals
from core.intent import Intent, read_intent, strip_instructions
from core.meaning import Reading, content_terms
from core.models import Persona
from core.roles import Category, Misconception, MisconceptionKind, Question, Role
from core.story import own_actions, story_result

__all__ = ["AnswerAnalysis", "Gap", "analyse", "content_terms", "is_story", "strip_instructions"]

MAX_ANALYSED_CHARS = 8_000
TERSE_WORDS = 25  # below this a technical answer cannot show its reasoning
BRIEF_WORDS = 50  # below this a plan is brief (graded at most 3)
CHATTY_WORDS = 80


class Gap(StrEnum):
    """A gap a follow-up may probe, most serious first within each kind of question."""

    misconception = "misconception"  # a claim the rubric flags as wrong, unsafe or unethical
    buzzwords = "buzzwords"  # jargon with nothing concrete behind it
    overclaim = "overclaim"  # certainty no interviewer accepts unchallenged ("proves", "guarantees")
    terse = "terse"  # a few words: no reasoning to judge
    no_example = "no_example"
    no_personal_action = "no_personal_action"
    no_outcome = "no_outcome"
    no_numbers = "no_numbers"
    shallow = "shallow"  # key points of the question left out
    no_reflection = "no_reflection"


# The names earlier code and stored sessions use.
NO_EXAMPLE, NO_PERSONAL_ACTION, NO_OUTCOME = Gap.no_example, Gap.no_personal_action, Gap.no_outcome
NO_NUMBERS, SHALLOW, NO_REFLECTION = Gap.no_numbers, Gap.shallow, Gap.no_reflection


@dataclass
class AnswerAnalysis:
    text: str
    truncated: bool
    words: int
    sentences: list[str]
    numbers: list[str]
    actions: list[str]  # the candidate's own actions, as said ("I rebuilt...", "Pulled every...")
    plan_steps: int  # "I'd check...": steps of a plan (situational and technical answers)
    i_count: int
    we_count: int
    passive: int
    outcomes: list[str]  # result cues said after the first action (a story's result, not its problem)
    result_sentence: str | None
    has_situation: bool
    has_task: bool
    has_example: bool
    generic: bool
    reflection: bool
    intent: Intent
    reading: Reading
    vocabulary: list[str]
    filler_ratio: float
    buzzwords: int
    tangents: int
    structure_markers: int
    language: str | None  # ISO code when the answer is not in English
    persona: Persona = Persona.normal
    weaknesses: list[Gap] = field(default_factory=list)

    # --- what the rest of core asks of an answer

    @property
    def key_points_covered(self) -> list[str]:
        return list(self.reading.key_points)

    @property
    def misconceptions(self) -> list[tuple[Misconception, str]]:
        return self.reading.misconceptions

    @property
    def relevance(self) -> float:
        return self.reading.topic_similarity

    @property
    def on_question(self) -> bool:
        return self.reading.on_question

    @property
    def non_english(self) -> bool:
        return self.language is not None

    @property
    def has_outcome(self) -> bool:
        return bool(self.outcomes)

    @property
    def has_numbers(self) -> bool:
        return bool(self.numbers)

    @property
    def quantified_outcome(self) -> bool:
        said = self.result_sentence or ""
        return bool(signals.DIGIT_NUMBER.search(said)
                    or signals.COUNT_WORD.search(said) and signals.COMPARED.search(said))

    @property
    def concrete(self) -> bool:
        """Anchored in something real: a time, a place, or numbers tied to own actions."""
        return self.has_example or self.has_situation or (bool(self.numbers) and bool(self.actions))

    @property
    def owned(self) -> bool:
        """The candidate's own actions are visible, in any tense or grammar."""
        if not self.actions or self.buzzword_salad:  # jargon hides what was actually done
            return False
        return len(self.actions) >= 3 or self.i_count >= self.we_count * 0.5

    @property
    def overclaim(self) -> str | None:
        """The sentence that claims certainty ("that proves...", "it guarantees..."), if any."""
        return next((s for s in self.sentences if signals.OVERCLAIM.search(s)), None)

    @property
    def buzzword_salad(self) -> bool:
        """Jargon-dense with little that could be checked: few numbers, steps or specifics."""
        if self.buzzwords < 3 or self.buzzwords / max(self.words, 1) < 0.06:
            return False
        specifics = len([n for n in self.numbers if n]) + len(self.actions) + self.plan_steps
        return specifics < self.buzzwords

    @property
    def asks_to_move_on(self) -> bool:
        return self.intent.move_on

    @property
    def bare_move_on(self) -> bool:
        """"Next", "can we move on?": a request, not an answer to the question."""
        return self.intent.move_on and self.intent.substance_words < 8

    @property
    def confused(self) -> bool:
        return self.intent.confused

    @property
    def asks_clarification(self) -> bool:
        return self.intent.asks_back is not None

    @property
    def injection(self) -> bool:
        return self.intent.injection

    @property
    def off_topic_request(self) -> bool:
        return self.intent.off_topic_request

    @property
    def abusive(self) -> bool:
        return self.intent.abusive


def is_story(question: Question) -> bool:
    """A question answered with a past story (STAR), as opposed to a plan or knowledge.

    Situational questions ("what would you do if...") are answered with a plan, so
    "I would..." is right there and an outcome cannot be asked for.
    """
    return question.star and question.category in (Category.behavioural, Category.custom)


@lru_cache(maxsize=64)
def _vocabulary_pattern(vocabulary: tuple[str, ...]) -> re.Pattern[str]:
    # One alternation per role; longest terms first so "unit test" wins over "test".
    terms = sorted({term.lower() for term in vocabulary}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\b")


def _vocabulary_hits(lowered: str, role: Role | None) -> list[str]:
    if role is None or not role.vocabulary:
        return []
    return list(dict.fromkeys(_vocabulary_pattern(tuple(role.vocabulary)).findall(lowered)))


def _wrong_sums(text: str, parts: list[str]) -> list[tuple[Misconception, str]]:
    found = []
    for wrong in arithmetic.check(text):
        sentence = next((s for s in parts if wrong.said in s), wrong.said)
        claim = Misconception(
            claim=wrong.said, kind=MisconceptionKind.wrong,
            why=f"the sum works out to about {arithmetic.readable(wrong.expected)}, not "
                f"{arithmetic.readable(wrong.stated)}",
            challenge="Walk me through that calculation again, step by step: what do you get?")
        found.append((claim, sentence))
    return found


_CACHE: OrderedDict[tuple[str, str, str, str], AnswerAnalysis] = OrderedDict()
CACHE_SIZE = 512  # a turn reads the answer, the whole answer so far, and the report reads both


def analyse(text: str, question: Question, role: Role | None = None) -> AnswerAnalysis:
    """Read one answer (or everything said about one question) against its question.

    Deterministic, so recent readings are kept (keyed by the text and the question) and
    handed out as shallow copies: callers may relabel the persona on their copy.
    """
    key = (text, question.id, question.text, role.id if role else "")
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return copy.copy(_CACHE[key])
    result = _analyse(text, question, role)
    _CACHE[key] = result
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return copy.copy(result)


def _analyse(text: str, question: Question, role: Role | None) -> AnswerAnalysis:
    truncated = len(text) > MAX_ANALYSED_CHARS
    text = text[:MAX_ANALYSED_CHARS]
    intent = read_intent(text)
    graded = strip_instructions(text) or text  # notes to a grader are not part of the answer
    parts = signals.sentences(graded)
    words = signals.WORD.findall(graded)
    actions = own_actions(parts)
    outcomes, result_sentence = story_result(parts, actions)
    numbers = [n.strip() for n in signals.NUMBER.findall(graded)
               if not signals.YEAR.match(n.strip())]
    lowered = graded.lower()
    analysis = AnswerAnalysis(
        text=graded,
        truncated=truncated,
        words=len(words),
        sentences=parts,
        numbers=numbers,
        actions=actions,
        plan_steps=len(signals.PLAN_STEP.findall(graded)),
        i_count=len(signals.I_WORDS.findall(graded)),
        we_count=len(signals.WE_WORDS.findall(graded)),
        passive=len(signals.PASSIVE.findall(graded)),
        outcomes=outcomes,
        result_sentence=result_sentence,
        has_situation=bool(signals.SITUATION.search(graded)),
        has_task=bool(signals.TASK.search(graded)),
        has_example=bool(signals.EXAMPLE.search(graded)),
        generic=bool(signals.GENERIC.search(graded)),
        reflection=bool(signals.REFLECTION.search(graded)),
        intent=intent,
        reading=meaning.read(parts, graded, question, role),
        vocabulary=_vocabulary_hits(lowered, role),
        filler_ratio=len(signals.FILLER.findall(graded)) / max(len(words), 1),
        buzzwords=len(signals.BUZZWORD.findall(graded)),
        tangents=len(signals.TANGENT.findall(graded)),
        structure_markers=len(signals.STRUCTURE.findall(graded)),
        language=language.detect(text) if not intent.abusive else None,
    )
    analysis.reading.misconceptions += _wrong_sums(graded, parts)
    analysis.persona = classify(analysis, question)
    analysis.weaknesses = weaknesses(analysis, question)
    return analysis


def star_elements(a: AnswerAnalysis, question: Question) -> dict[str, bool]:
    """Which STAR elements the answer contains (for questions where STAR applies).

    A story that is concrete and told step by step carries its task even when it is not
    named ("the app crashed on upload, so I..."); a plan's steps are its actions.
    """
    story = is_story(question)
    told = a.concrete and a.owned and a.words >= 60
    lived = bool(a.actions) and not (a.generic and not a.has_situation)
    return {
        # a plan's own context is the question's; a story's is whatever real case it tells
        "situation": (a.has_situation or a.has_example or lived) if story
        else a.has_situation and bool(a.actions),
        "task": a.has_task or (told if story else a.on_question and a.reading.informative >= 2),
        "action": bool(a.actions) or (not story and a.plan_steps > 0),
        "result": a.has_outcome,
        "quantified_result": a.quantified_outcome,
    }


def is_chatty(analysis: AnswerAnalysis) -> bool:
    """Long, with personal asides, and mostly not about the question."""
    if analysis.words < CHATTY_WORDS:
        return False
    rambling = analysis.tangents >= 2 or analysis.filler_ratio > 0.04
    share = analysis.reading.relevant_share
    return (rambling and share < 0.6) or (analysis.words >= 250 and share < 0.3) \
        or (analysis.tangents >= 1 and share < 0.2)


def classify(analysis: AnswerAnalysis, question: Question) -> Persona:
    """What the message signals, most serious first."""
    intent = analysis.intent
    if intent.abusive:
        return Persona.abusive
    if intent.injection or intent.off_topic_request:
        # A note to the grader beside a real answer is ignored; instead of one, it is steered.
        reading = analysis.reading
        unrelated = not reading.key_points and not reading.keyword_hits and analysis.relevance < 0.3
        enough = 25 if intent.off_topic_request else 5  # "write me a script, I have a test tomorrow"
        if intent.substance_words < enough or (intent.substance_words < 40 and unrelated):
            return Persona.off_topic
    if analysis.non_english:
        return Persona.normal  # a real answer in another language: steered, not judged
    if intent.confused:
        return Persona.confused
    if intent.asks_back is not None:
        return Persona.normal  # a fair question back ("can I use a university example?")
    if analysis.bare_move_on:
        return Persona.efficient
    if is_chatty(analysis):
        return Persona.chatty
    if intent.move_on and analysis.words >= 8:
        return Persona.efficient  # an answer, then "next question please"
    return Persona.normal


def weaknesses(analysis: AnswerAnalysis, question: Question) -> list[Gap]:
    """The gaps a follow-up could probe, most important first."""
    found: list[Gap] = []
    if analysis.misconceptions:
        found.append(Gap.misconception)
    if analysis.buzzword_salad:
        found.append(Gap.buzzwords)
    if analysis.overclaim and not is_story(question):
        found.append(Gap.overclaim)
    if not is_story(question):
        missing = [p for p in question.key_points if p not in analysis.reading.key_points]
        # Too short to show reasoning, or brief with a key point left out: name the brevity
        # (the grade caps a brief plan at 3, so it is probed rather than passed).
        if analysis.words < TERSE_WORDS or (analysis.words < BRIEF_WORDS and missing):
            found.append(Gap.terse)
        if len(missing) > max(1, len(question.key_points) // 3) or not question.key_points:
            found.append(Gap.shallow)
        if question.category is Category.technical and analysis.generic \
                and not (analysis.has_example or analysis.numbers) and not analysis.key_points_covered:
            found.append(Gap.no_example)
        return found
    if not analysis.concrete or (analysis.generic and not analysis.actions):
        found.append(Gap.no_example)
    if not analysis.owned:
        found.append(Gap.no_personal_action)
    if not analysis.has_outcome:
        found.append(Gap.no_outcome)
    elif not analysis.quantified_outcome and Gap.no_example not in found and not analysis.numbers:
        # numbers only make sense once there is a real example, and asking for one after the
        # candidate gave figures ("12 of the 15 metrics") sounds like we were not listening
        found.append(Gap.no_numbers)
    if len(analysis.reading.key_points) < 2 and question.key_points:
        found.append(Gap.shallow)
    if not found and not analysis.reflection:
        found.append(Gap.no_reflection)
    return found
