"""Reading an answer against its question by meaning: topic, key points, misconceptions.

Each candidate sentence is embedded once (``core.semantics``) and compared with:
- the question itself and the role's other questions: does the answer address *this*
  question, or another one from the bank?
- each key point of the question: covered when some sentence says it in any words
  (or, for short key points, when most of its content words appear);
- each misconception in the question's rubric: a sentence that means the claim, and
  matches its signals when the rubric gives some.

Thresholds are cosine similarities of WordLlama sentence embeddings; they were set
by looking at the similarity of hand-written paraphrases against unrelated
sentences, not fitted to any labelled answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from core import semantics, signals
from core.roles import Misconception, Question, Role

KEY_POINT_MATCH = 0.34  # a sentence that says the key point in other words
MISSING_BELOW = 0.2  # below this, and sharing no word with it, a key point was not said
KEY_POINT_FLOOR, KEY_POINT_FULL = 0.22, 0.5  # soft coverage: no credit below, full credit above
# Static embeddings do not see negation or numbers ("O(n)" vs "O(n log n)"), so meaning
# alone flags a claim only when a sentence nearly paraphrases it; otherwise the rubric's
# signals must match too, and meaning only has to show the sentence is on that topic.
MISCONCEPTION_MATCH = 0.75
MISCONCEPTION_WITH_SIGNAL = 0.25
INFORMATIVE_WORDS = 5  # a sentence long enough to carry a point
INFORMATIVE_MATCH = 0.15  # ...and about the question or one of its key points
OFF_QUESTION_RANK = 5  # the question is not among the role's 5 closest to the answer...
OFF_QUESTION_MARGIN = 0.1
OFF_QUESTION_WORDS = 40  # a few sentences: enough to tell which question they answer  # ...and another question is clearly closer

_STEM_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]+")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yours tell time describe walk us like one something thing
    things get got make made way also really kind sort lot bit well think know going want""".split())


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    word = word.lower().strip("'’-")
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es",
                   "ly", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> set[str]:
    """Stemmed content words: what lexical overlap compares."""
    return {stem(w) for w in _STEM_WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2}


@lru_cache(maxsize=8192)
def _terms(text: str) -> frozenset[str]:
    return frozenset(content_terms(text))


@dataclass
class Reading:
    """What the answer's sentences mean relative to the question."""

    topic_similarity: float  # answer vs this question (text and key points), cosine
    topic_rank: int  # 0 when this is the role's closest question to the answer
    closest_other: str | None  # id of a closer question, when the answer fits another better
    keyword_hits: int  # the question's own keywords said in the answer
    on_question: bool
    sentence_relevance: list[float]  # per sentence: similarity to the question
    key_points: dict[str, str] = field(default_factory=dict)  # key point -> sentence saying it
    coverage: float = 0.0  # 0..1: soft coverage of the key points, by meaning
    # Key points nothing in the answer comes near, in meaning or in words: the only ones a
    # report may call missing (a point said in other words must never be "missing").
    absent: list[str] = field(default_factory=list)
    informative: int = 0  # distinct sentences that carry a point about this question
    misconceptions: list[tuple[Misconception, str]] = field(default_factory=list)

    @property
    def relevant_share(self) -> float:
        """Share of sentences that are about the question (0..1)."""
        if not self.sentence_relevance:
            return 0.0
        return sum(1 for s in self.sentence_relevance if s >= 0.2) / len(self.sentence_relevance)


def _question_text(question: Question) -> str:
    return " ".join([question.text, *question.key_points])


def _keyword_hits(terms: set[str], lowered: str, question: Question) -> int:
    hits = 0
    for keyword in question.keywords:
        keyword_terms = _terms(keyword)
        if " " in keyword.strip():
            # a phrase said as such ("said no") is a stronger sign than one word
            hits += 2 if keyword.lower() in lowered else bool(keyword_terms and keyword_terms <= terms)
        else:
            hits += bool(keyword_terms & terms)
    return hits


def _topic(answer_vector: np.ndarray, question: Question, role: Role | None) -> tuple[float, int, str | None]:
    if role is None or question not in role.questions:
        vectors = semantics.bank_matrix((_question_text(question),))
        return float(vectors[0] @ answer_vector), 0, None
    texts = tuple(_question_text(q) for q in role.questions)
    sims = semantics.bank_matrix(texts) @ answer_vector
    index = role.questions.index(question)
    own = float(sims[index])
    rank = int((sims > own).sum())
    best = int(np.argmax(sims))
    closer = role.questions[best].id if rank and float(sims[best]) - own >= OFF_QUESTION_MARGIN else None
    return own, rank, closer


def _lexically_covered(point: str, terms: set[str]) -> bool:
    point_terms = _terms(point)
    return bool(point_terms) and len(point_terms & terms) >= max(2, round(len(point_terms) * 0.6))


def _signals_match(misconception: Misconception, sentence: str) -> bool:
    return any(re.search(pattern, sentence, re.IGNORECASE) for pattern in misconception.signals)


def read(sentences: list[str], text: str, question: Question, role: Role | None) -> Reading:
    """Compare the answer's sentences with the question, its key points and misconceptions."""
    sentences = sentences or [text]
    vectors = semantics.embed([text, *sentences])
    answer_vector, sentence_vectors = vectors[0], vectors[1:]
    own, rank, closer = _topic(answer_vector, question, role)
    question_vector = semantics.bank_matrix((_question_text(question),))
    per_sentence = semantics.similarity(sentence_vectors, question_vector)[:, 0]
    terms = content_terms(text)
    hits = _keyword_hits(terms, text.lower(), question)

    found: list[tuple[Misconception, str]] = []
    claims = question.rubric.misconceptions if question.rubric else []
    if claims:
        sims = semantics.similarity(sentence_vectors, semantics.bank_matrix(tuple(m.claim for m in claims)))
        for j, claim in enumerate(claims):
            for i in np.argsort(-sims[:, j]):
                sentence, score = sentences[int(i)], float(sims[int(i), j])
                if claim.signals:
                    hit = score >= MISCONCEPTION_WITH_SIGNAL and _signals_match(claim, sentence)
                else:
                    hit = score >= MISCONCEPTION_MATCH
                if hit:
                    found.append((claim, sentence))
                    break
                if score < MISCONCEPTION_WITH_SIGNAL:
                    break

    flagged_sentences = {sentence for _, sentence in found}

    points: dict[str, str] = {}
    absent: list[str] = []
    coverage = 0.0
    topical = per_sentence
    if question.key_points:
        sims = semantics.similarity(sentence_vectors, semantics.bank_matrix(tuple(question.key_points)))
        # "not sure about mocking" does not cover mocking; a claim flagged as a misconception
        # ("accuracy is the most reliable metric") does not cover the point it gets wrong.
        excluded = [i for i, s in enumerate(sentences)
                    if signals.UNSURE.search(s) or s in flagged_sentences]
        excluded_terms = set().union(*(content_terms(sentences[i]) for i in excluded)) - set().union(
            *(content_terms(s) for i, s in enumerate(sentences) if i not in excluded))
        sims[excluded, :] = -1.0
        best_per_point = sims.max(axis=0)
        coverage = float(np.clip((best_per_point - KEY_POINT_FLOOR)
                                 / (KEY_POINT_FULL - KEY_POINT_FLOOR), 0, 1).mean())
        topical = np.maximum(per_sentence, sims.max(axis=1))
        for j, point in enumerate(question.key_points):
            best = int(np.argmax(sims[:, j]))
            if sims[best, j] < MISSING_BELOW and not (_terms(point) & (terms - excluded_terms)):
                absent.append(point)
            if best in excluded:
                continue
            if sims[best, j] >= KEY_POINT_MATCH or _lexically_covered(point, content_terms(sentences[best])):
                points[point] = sentences[best]
            elif _lexically_covered(point, terms - excluded_terms):
                points[point] = sentences[best]

    seen: set[str] = set()
    informative = 0
    for sentence, topic in zip(sentences, topical):
        key = " ".join(sorted(content_terms(sentence)))
        if key in seen or len(sentence.split()) < INFORMATIVE_WORDS or topic < INFORMATIVE_MATCH:
            continue  # repeats and asides carry no new point
        seen.add(key)
        informative += 1
    # Static embeddings blur neighbouring questions, so "another question was answered"
    # needs several signs at once: enough words to tell, none of this question's key
    # points, hardly any of its keywords, and other questions closer in meaning.
    unrelated = not points and coverage < 0.05 and (
        (hits == 0 and rank >= 1) or (hits <= 1 and rank >= OFF_QUESTION_RANK))
    on_question = not (len(text.split()) >= OFF_QUESTION_WORDS and unrelated) \
        and not signals.SWAPPED.search(text)  # "let me tell you about a win instead"
    return Reading(topic_similarity=round(own, 3), topic_rank=rank, closest_other=closer,
                   keyword_hits=hits, on_question=on_question,
                   sentence_relevance=[round(float(s), 3) for s in per_sentence],
                   key_points=points, coverage=round(coverage, 3), absent=absent,
                   informative=informative,
                   misconceptions=found)
