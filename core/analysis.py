"""Reading a candidate's answer: features of substance, and what the answer signals.

Everything here is deterministic and cheap (no network), so core can classify
every turn before any brain is asked, and the offline brain can build its
follow-ups and its report on the same facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core.models import Persona
from core.roles import Category, Question, Role

MAX_ANALYSED_CHARS = 8_000

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell time describe walk us me like one something thing things get got make made way also
    really kind sort lot bit well think know going want""".split()
)

# Numbers that carry meaning: 30%, $2M, 3x, 12 weeks, 4.5 stars, 2019.
_NUMBER = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|bn|b|million|billion|thousand)?\b)"
    r"|(?:\b\d[\d,.]*\s?(?:%|percent|x\b|k\b|m\b|bn\b|pp\b|points?\b|hours?\b|days?\b|weeks?\b|"
    r"months?\b|years?\b|minutes?\b|seconds?\b|ms\b|users?\b|customers?\b|people\b|"
    r"accounts?\b|deals?\b|tickets?\b|engineers?\b|stars?\b))"
    r"|(?:\b(?:doubled|tripled|halved)\b)"
    r"|(?:\b\d[\d,.]*\b(?!\s?/\s?\d))",
    re.IGNORECASE,
)
_RATING = re.compile(r"\b\d+\s?/\s?\d+\b")

_FIRST_PERSON_ACTION = re.compile(
    r"\bI(?:\s+(?:then|also|quickly|personally|first|finally|eventually|immediately|just|"
    r"once|was the one who))?"
    # Verbs of feeling, knowing and having are not actions: "I learned a lot" owns nothing.
    r"\s+(?!was\b|am\b|think\b|thought\b|guess\b|feel\b|felt\b|believe\b|would\b|usually\b|"
    r"always\b|generally\b|normally\b|tend\b|like\b|liked\b|love\b|loved\b|enjoyed\b|"
    r"mean\b|meant\b|don't\b|do\b|did not\b|didn't\b|can\b|could\b|might\b|may\b|"
    r"should\b|will\b|have\b|had\b|has\b|have to\b|'m\b|’m\b|learned\b|learnt\b|"
    r"remember\b|found it\b|wanted\b|hoped\b|never\b|honestly\b|really\b|kind of\b)"
    r"([a-z]+(?:ed|t|ght|ew|ote|ave|ook|ame|ent|ilt|ad|old|id|an|ran|ound|ade)\b"
    r"[^.!?\n]{0,80}?(?=[,;:.!?\n]|$))",
)
_I_WORDS = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|me|my|myself)\b")
_WE_WORDS = re.compile(r"\b(?:we|we're|we've|our|us|the team)\b", re.IGNORECASE)

_OUTCOME = re.compile(
    r"\b(?:as a result|result(?:ed|s)?|outcome|in the end|ended up|which meant|so that|"
    r"increas\w*|decreas\w*|reduc\w*|improv\w*|grew|grow\w*|cut\b|sav\w*|launch\w*|shipped|"
    r"closed|won|renew\w*|retain\w*|converted|hit (?:our|the|my) (?:target|goal|quota)|"
    r"exceeded|achiev\w*|deliver\w*|resolved|fixed|recovered|doubled|tripled|halved|"
    r"dropped|rose|lifted|boost\w*|succeed\w*|success\w*|learn(?:ed|t)|lesson|fell|"
    r"went (?:up|down|from)|climbed|jumped|shrank|doubl\w*|tripl\w*|halv\w*|"
    r"(?:up|down) (?:by )?\d[\d.,]*\s?%|from \$?\d[\d.,]*\s?%? to \$?\d)",
    re.IGNORECASE,
)
_WHEN = (r"last (?:year|quarter|month|week|spring|summer|autumn|fall|winter|sprint|season)|"
         r"(?:this|that) (?:year|quarter|spring|summer|autumn|fall|winter)|"
         r"in (?:Q[1-4]|(?:19|20)\d\d|January|February|March|April|May|June|July|August|"
         r"September|October|November|December)|(?:a few|two|three|\d+) (?:years|months|weeks) ago|"
         r"at the time|back then|early in my career|in my first (?:year|month|job)")
_SITUATION = re.compile(
    r"\b(?:when I was|at my (?:last|previous|current|first) (?:job|company|role|team|startup)|"
    r"at [A-Z][a-z]+|" + _WHEN + r"|we had|there was|we were|I was (?:working|leading|running|"
    r"the only|new|\d+%? behind)|"
    r"our (?:team|company|product|client|customer|biggest|largest)|one time|once,|"
    r"previous role|my last role|in my (?:last|previous|current) (?:role|job|team))\b",
)
_TASK = re.compile(
    r"\b(?:my (?:goal|job|task|role|responsibility|quota|target|number) was|I was (?:responsible|"
    r"asked|tasked|hired|brought in|on the hook|accountable)|I needed to|we needed to|needed to|"
    r"the (?:goal|challenge|problem|ask) was|had to|was supposed to|target was|deadline|behind (?:on )?"
    r"(?:my|our|the) (?:quarterly |annual )?(?:number|quota|target|plan)|with \w+ (?:weeks|days|"
    r"months) (?:left|to go))\b",
    re.IGNORECASE,
)
_TASK = re.compile(
    r"\b(?:my (?:goal|job|task|role|responsibility) was|I was (?:responsible|asked|tasked|"
    r"hired|brought in)|I needed to|we needed to|needed to|the (?:goal|challenge|problem) was|"
    r"had to|was supposed to|target was|deadline)\b",
    re.IGNORECASE,
)
_EXAMPLE = re.compile(
    r"\b(?:for example|for instance|one time|once|" + _WHEN + r"|"
    r"at my (?:last|previous|current)|when I was|specifically|"
    r"a (?:client|customer|deal|project|user|stakeholder) (?:who|that|where))\b",
    re.IGNORECASE,
)
_GENERIC = re.compile(
    r"\b(?:I (?:usually|always|generally|normally|would|tend to|try to)|you (?:should|need to|"
    r"have to|want to)|it depends|in general|typically)\b",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\b(?:um+|uh+|er+m*|like,|you know|i mean|basically|literally|actually|sort of|kind of|"
    r"stuff|whatever|honestly|anyway|anyways)\b",
    re.IGNORECASE,
)
_TANGENT = re.compile(
    r"\b(?:by the way|funny story|long story|side note|speaking of|random(?:ly)?|"
    r"off topic|unrelated|that reminds me|my (?:cat|dog|kids?|wife|husband|weekend|vacation|"
    r"holiday)|anyway|anyways|where was i)\b",
    re.IGNORECASE,
)
_STRUCTURE = re.compile(
    r"\b(?:first(?:ly)?|second(?:ly)?|third|then|next|finally|as a result|in the end|"
    r"the situation|my task|the result|to summari[sz]e|in short|two things|three things)\b",
    re.IGNORECASE,
)

_CONFUSED = re.compile(
    r"(?:\bwhat do you mean\b|\bwhat does .{1,40}? mean\b|\bi don'?t (?:understand|"
    r"get (?:it|the question|what))|\bnot sure what you(?:'re| are)? (?:asking|mean|looking for)|"
    r"\bcan you (?:rephrase|explain|clarify|repeat)|\bcould you (?:rephrase|explain|clarify|"
    r"repeat)|\b(?:i'?m|i am)(?: \w+){0,2} (?:lost|confused)|\bconfus(?:ed|ing)\b|\bwhat(?:'s| is) the question\b|"
    r"\bi (?:\w+ ){0,2}don'?t know\b|\bno idea\b|\bno clue\b|\bhuh\b|\bsorry,? what\b|\bmeaning\?|"
    r"\bwhat exactly\b|\bclarify\b|\bnever (?:done|heard of) (?:that|this|it))",
    re.IGNORECASE,
)
_CLARIFYING = re.compile(
    r"^\s*(?:(?:sorry,?\s*)?(?:do you mean|did you mean|is this|is it|are we talking|should i "
    r"assume|can i assume|before i answer|just to (?:check|clarify|confirm)|quick question|"
    r"does (?:this|that|it) mean|are you asking|is that|would you like me to|for (?:a|an|the) "
    r"\w+ or))",
    re.IGNORECASE,
)
_MOVE_ON = re.compile(
    r"(?:\b(?:next|move on|moving on|skip(?: this)?|let'?s continue|next question|"
    r"that'?s (?:it|all)|nothing (?:more|else) to add|done)\b)",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"(?:\bignore (?:all |any |the |your |my )*(?:previous|prior|above|earlier|"
    r"system|these|those) (?:instructions?|prompts?|rules?|messages?)|"
    r"\bdisregard (?:all |any |the |your )*(?:previous |prior |above )?(?:instructions?|rules?|"
    r"prompts?)|\byou are now\b|\bfrom now on,? you\b|\bact as (?:a|an|my)\b|\bpretend (?:to be|"
    r"you(?:'re| are))|\b(?:new|updated) instructions?\b|\bjailbreak|\bdeveloper mode\b|"
    r"\b(?:reveal|show|print|repeat) (?:me )?(?:your|the) (?:system )?(?:prompt|instructions)|"
    r"\bforget (?:everything|all|your (?:instructions|rules|role))|"
    r"^\s*(?:\[?(?:system|assistant|developer|admin)\]?\s*:)|"
    r"\b(?:give|score|rate) me (?:a |an )?(?:5|five|perfect|full marks|10)\b|"
    r"\byou(?:'re| are) (?:a|an) (?:pirate|cat|chef|poet|comedian)\b|"
    r"\bstop being (?:an |the )?interviewer\b|\bchange (?:your|the) role\b|"
    r"\b(?:note|message|instructions?) (?:to|for) (?:the )?(?:grader|evaluator|reviewer|scorer|"
    r"assessor|ai|model|llm)\b|\bmark (?:every|all|this|my|each) answers?\b|"
    r"\bscore (?:it|this|me|them) (?:accordingly|highly|as)\b|\bpre-?approved\b)",
    re.IGNORECASE | re.MULTILINE,
)
_OFF_TOPIC_REQUEST = re.compile(
    r"(?:^|\b(?:can|could|would|will) you |\bplease )\s*(?:tell me a joke|write (?:me )?(?:a |an )?"
    r"(?:poem|song|story|essay|haiku|limerick)|what(?:'s| is) the (?:weather|time|date|score)|"
    r"who won|give me a recipe|recipe for|translate (?:this|that)|"
    r"what(?:'s| is) the capital of|help me with my homework|do my homework|"
    r"sing|play a game|let'?s play)\b",
    re.IGNORECASE | re.MULTILINE,
)
_ABUSE = re.compile(
    r"(?:\bf+u+c+k+\s*(?:you|u|off|this|that|yourself)\b|\bscrew you\b|\bshut up\b|"
    r"\b(?:you(?:'re| are)?|u r|ur|this bot is|what an?)\s+(?:an? )?(?:\w+ )?"
    r"(?:idiot|moron|stupid|dumb|useless|worthless|pathetic|garbage|trash|loser|bitch|"
    r"asshole|retard\w*)\b|\b(?:stupid|dumb|useless|worthless|fucking|f\*+ing) (?:bot|ai|machine|"
    r"interviewer)\b|\bi(?:'ll| will| am going to|'m going to|'m gonna| gonna) (?:kill|hurt|"
    r"find|destroy|beat) (?:you|u)\b|\bkill yourself\b|\bkys\b|\bgo to hell\b|\bgo die\b)",
    re.IGNORECASE,
)

# Weaknesses a follow-up may probe, in the order an interviewer would usually ask.
NO_EXAMPLE = "no_example"
NO_PERSONAL_ACTION = "no_personal_action"
NO_OUTCOME = "no_outcome"
NO_NUMBERS = "no_numbers"
SHALLOW = "shallow"
NO_REFLECTION = "no_reflection"


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    word = word.lower().strip("'’-")
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> set[str]:
    """Stemmed content words of a text: what relevance and coverage compare."""
    return {
        _stem(w)
        for w in _WORD.findall(text)
        if not w[0].isdigit() and w.lower() not in STOPWORDS and len(w) > 2
    }


@dataclass
class AnswerAnalysis:
    text: str
    truncated: bool
    words: int
    sentences: int
    numbers: list[str]
    actions: list[str]  # "I ..." clauses: what the candidate personally did
    i_count: int
    we_count: int
    outcomes: list[str]
    has_situation: bool
    has_task: bool
    has_example: bool
    generic: bool
    relevance: float  # 0..1: overlap with the question's own terms
    key_points_covered: list[str]
    vocabulary: list[str]
    filler_ratio: float
    tangents: int
    structure_markers: int
    confused: bool
    asks_clarification: bool  # "Do you mean B2B or B2C?": a fair question, not an answer
    non_english: bool  # the practice runs in English; answers in other languages are not read
    asks_to_move_on: bool
    injection: bool
    off_topic_request: bool
    abusive: bool
    persona: Persona = Persona.normal
    weaknesses: list[str] = field(default_factory=list)

    @property
    def has_outcome(self) -> bool:
        return bool(self.outcomes)

    @property
    def has_numbers(self) -> bool:
        return bool(self.numbers)

    @property
    def quantified_outcome(self) -> bool:
        return self.has_outcome and self.has_numbers

    @property
    def concrete(self) -> bool:
        """Anchored in something real: a time, a place, or numbers tied to own actions."""
        return self.has_example or self.has_situation or (bool(self.numbers) and bool(self.actions))

    @property
    def bare_move_on(self) -> bool:
        """"Next", "can we move on?": a request, not an answer to the question."""
        return self.asks_to_move_on and self.words <= 12 and not self.has_numbers

    @property
    def owned(self) -> bool:
        return len(self.actions) >= 1 and self.i_count >= self.we_count * 0.5


@lru_cache(maxsize=8192)
def _cached_terms(text: str) -> frozenset[str]:
    """Terms of bank text (questions, key points): the same strings come back every turn."""
    return frozenset(content_terms(text))


def _question_terms(question: Question) -> frozenset[str]:
    return _cached_terms(" ".join([question.text, *question.keywords]))


def _covered_points(text_terms: set[str], question: Question) -> list[str]:
    covered = []
    for point in question.key_points:
        terms = _cached_terms(point)
        if terms and len(terms & text_terms) >= max(1, round(len(terms) * 0.4)):
            covered.append(point)
    return covered


@lru_cache(maxsize=64)
def _vocabulary_pattern(vocabulary: tuple[str, ...]) -> re.Pattern[str]:
    # One alternation per role instead of one search per term; longest terms first so
    # "unit test" wins over "test".
    terms = sorted({term.lower() for term in vocabulary}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\b")


def _vocabulary_hits(lowered: str, role: Role | None) -> list[str]:
    if role is None or not role.vocabulary:
        return []
    found = dict.fromkeys(_vocabulary_pattern(tuple(role.vocabulary)).findall(lowered))
    return list(found)


def analyse(text: str, question: Question, role: Role | None = None) -> AnswerAnalysis:
    """Read one answer against the question it answers."""
    truncated = len(text) > MAX_ANALYSED_CHARS
    text = text[:MAX_ANALYSED_CHARS]
    lowered = text.lower()
    words = _WORD.findall(text)
    word_count = len(words)
    terms = content_terms(text)
    question_terms = _question_terms(question)
    overlap = len(terms & question_terms)
    # Relevance saturates: a good answer need not use every word of the question.
    relevance = min(1.0, overlap / max(3.0, min(len(question_terms), 8) * 0.6))
    vocabulary = _vocabulary_hits(lowered, role)
    if vocabulary:
        relevance = min(1.0, relevance + 0.1 * min(len(vocabulary), 3))
    analysis = AnswerAnalysis(
        text=text,
        truncated=truncated,
        words=word_count,
        sentences=max(1, len([s for s in _SENTENCE.findall(text) if s.strip()])),
        numbers=[m.group(0).strip() for m in _NUMBER.finditer(text)],
        actions=[("I " + m.group(1)).strip() for m in _FIRST_PERSON_ACTION.finditer(text)],
        i_count=len(_I_WORDS.findall(text)),
        we_count=len(_WE_WORDS.findall(text)),
        outcomes=[m.group(0) for m in _OUTCOME.finditer(text)],
        has_situation=bool(_SITUATION.search(text)),
        has_task=bool(_TASK.search(text)),
        has_example=bool(_EXAMPLE.search(text)),
        generic=bool(_GENERIC.search(text)),
        relevance=round(relevance, 3),
        key_points_covered=_covered_points(terms, question),
        vocabulary=vocabulary,
        filler_ratio=len(_FILLER.findall(text)) / max(word_count, 1),
        tangents=len(_TANGENT.findall(text)),
        structure_markers=len(_STRUCTURE.findall(text)),
        confused=bool(_CONFUSED.search(text)),
        asks_clarification=word_count <= 40 and not _MOVE_ON.search(text) and (
            bool(_CLARIFYING.search(text)) or text.rstrip().endswith("?")),
        non_english=_looks_non_english(text, words),
        asks_to_move_on=bool(_MOVE_ON.search(text)),
        injection=bool(_INJECTION.search(text)),
        off_topic_request=bool(_OFF_TOPIC_REQUEST.search(text)),
        abusive=bool(_ABUSE.search(text)),
    )
    # Ignore year-like numbers alone ("in 2021") as evidence of a quantified result.
    analysis.numbers = [n for n in analysis.numbers if not re.fullmatch(r"(?:19|20)\d\d", n)]
    analysis.persona = classify(analysis, question)
    analysis.weaknesses = weaknesses(analysis, question)
    return analysis


_ENGLISH_MARKERS = frozenset(
    "the a an and or of to in on for with is are was were i we you it that this my our".split())


def _looks_non_english(text: str, words: list[str]) -> bool:
    """Mostly words outside English's commonest ones, or mostly non-Latin letters."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 20 and sum(ch.isascii() for ch in letters) / len(letters) < 0.5:
        return True
    if len(words) < 8:
        return False
    english = sum(1 for word in words if word.lower() in _ENGLISH_MARKERS)
    return english / len(words) < 0.05


def strip_instructions(text: str) -> str:
    """Drop sentences addressed to a grader or model, so they cannot move a score."""
    sentences = re.split(r"(?<=[.!?)])\s+|\n+", text)
    return " ".join(s for s in sentences if not _INJECTION.search(s) and not _RATING.search(s))


def is_complete(analysis: AnswerAnalysis, question: Question) -> bool:
    """An answer an interviewer could move on from without a follow-up."""
    if not is_story(question):
        depth = len(analysis.key_points_covered) + min(len(analysis.vocabulary), 3)
        return depth >= 3 and analysis.relevance >= 0.3  # "I would..." is right for a plan
    return (analysis.concrete and analysis.owned and analysis.has_outcome
            and (analysis.relevance >= 0.25 or bool(analysis.key_points_covered)))


def classify(analysis: AnswerAnalysis, question: Question) -> Persona:
    """What the answer signals, most serious first."""
    words = analysis.words
    if analysis.abusive:
        return Persona.abusive
    if analysis.injection:
        return Persona.off_topic
    if analysis.off_topic_request and analysis.relevance < 0.4:
        return Persona.off_topic
    if analysis.non_english:
        return Persona.off_topic
    if analysis.confused and words <= 60:
        return Persona.confused
    if analysis.asks_to_move_on and words <= 12:
        return Persona.efficient
    if analysis.asks_clarification and not analysis.actions:
        return Persona.confused  # answered by clarifying the question, not by moving on
    if words >= 180:
        rambling = analysis.tangents >= 2 or analysis.filler_ratio > 0.04
        if analysis.relevance < 0.3 or rambling or words >= 450 and analysis.relevance < 0.6:
            return Persona.chatty
    if 15 <= words <= 160 and is_complete(analysis, question):
        return Persona.efficient
    return Persona.normal


def is_story(question: Question) -> bool:
    """A question answered with a past story (STAR), as opposed to a plan or knowledge.

    Situational questions ("what would you do if...") are answered with a plan, so
    "I would..." is right there and an outcome cannot be asked for.
    """
    return question.star and question.category in (Category.behavioural, Category.custom)


def weaknesses(analysis: AnswerAnalysis, question: Question) -> list[str]:
    """The gaps a follow-up could probe, most important first."""
    found: list[str] = []
    if not is_story(question):
        if len(analysis.key_points_covered) < 2 and len(analysis.vocabulary) < 3:
            found.append(SHALLOW)
        if not question.star and question.category is not Category.technical:
            return found  # motivation questions: depth is the only thing to probe
        if analysis.generic and not (analysis.has_example or analysis.has_situation) \
                and not analysis.key_points_covered:
            found.append(NO_EXAMPLE)  # "have you actually done this?"
        return found
    if analysis.generic and not analysis.has_example or not analysis.concrete:
        found.append(NO_EXAMPLE)
    if not analysis.owned:
        found.append(NO_PERSONAL_ACTION)
    if not analysis.has_outcome:
        found.append(NO_OUTCOME)
    elif not analysis.has_numbers and NO_EXAMPLE not in found:
        found.append(NO_NUMBERS)  # numbers only make sense once there is a real example
    if not found and not re.search(r"\b(?:learn|lesson|differently|next time|in hindsight|"
                                   r"looking back|would change)\w*", analysis.text, re.IGNORECASE):
        found.append(NO_REFLECTION)
    return found
