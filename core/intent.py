"""What a message does, sentence by sentence: answer, ask back, request, insult, inject.

A word inside a story is not a request: "people were confused by the form", "book
the next meeting" and "I'd rather skip a day" are parts of answers. A sentence
counts as a request only when the sentence as a whole is one ("Next question
please.", "Can you rephrase that?"). What is left once requests are set aside is
the substance the rest of core judges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.signals import WORD, sentences

_MOVE_ON = re.compile(
    r"^(?:ok(?:ay)?[,.]?\s*|so[,.]?\s*|anyway[,.]?\s*|right[,.]?\s*)?(?:(?:can|could|shall) we |"
    r"let'?s |i'?d like to |happy to |i'?m happy to |please )?(?:(?:move|go) on|moving on|continue|"
    r"skip(?: this(?: one)?| it)?|next(?: one| question)?|that'?s (?:it|all)(?: from me| for this one)?|"
    r"done|i'?m done|nothing (?:more|else)(?: to add)?|pass)(?: to the next(?: one| question)?)?"
    r"(?:,? please| now| then)?\s*[.!?]*$",
    re.IGNORECASE,
)
_CONFUSED = re.compile(
    r"\bwhat do you mean\b|\bwhat does .{1,40}? mean\b|\bi (?:really |honestly )?(?:don'?t|do not) "
    r"(?:really )?(?:understand|get)\b|\bnot sure what (?:you|kind|sort|the question|exactly)|"
    r"\bnot sure (?:how|what) (?:detailed|much|you want)|"
    r"\b(?:can|could) you (?:rephrase|explain|clarify|repeat|say (?:it|that|the question) "
    r"(?:another|a different) way|put it)|\b(?:i'?m|i am)(?: \w+){0,2} (?:lost|confused)\b|"
    r"\bwhat(?:'s| is) the question\b|^(?:honestly,?\s*|tbh,?\s*|sorry,?\s*)?no (?:idea|clue)\b|"
    r"\bi(?: have|'ve| honestly have)? no (?:idea|clue)\b|\bhuh\b|^sorry,? what\b|"
    r"\bi'?ve (?:honestly )?never (?:done|run|heard of|worked)|\bmeaning\?|"
    r"\bwhat exactly (?:do|are) you\b|\bi (?:\w+ )?don'?t know (?:what|how|where)\b|"
    r"^(?:i )?(?:honestly )?(?:don'?t|dont) know\b",
    re.IGNORECASE,
)
# Openers that ask something back even without a question mark ("can I use a uni
# example", "before I answer: is this B2B"). Others ("which", "what's") need the "?".
_ASK_BACK = re.compile(
    r"^(?:sorry,?\s*|quick (?:one|question)[,:]?\s*|before i answer[,:]?\s*|just to (?:check|"
    r"clarify|confirm)[,:]?\s*)*(?:do you mean|did you mean|should i|can i|could i|may i|"
    r"would it be (?:ok|okay|fine|alright)|is it (?:ok|okay|fine|alright)|do you want me to|"
    r"(?:can|could) (?:you|u) (?:just )?(?:show|give|tell) me)\b",
    re.IGNORECASE,
)
# Asking to be given an answer ("can you show me a good answer?"); "is there a right
# answer?" is a question about the question, answered as one.
_MODEL_ANSWER = re.compile(
    r"\b(?:model|sample|example|perfect|ideal) answer\b|"
    r"\b(?:show|give|tell|write) (?:me |us )?(?:a |an |the |what )(?:good|right|correct|strong|"
    r"great) answer\b|what (?:a|the) (?:good|right|correct|strong) answer (?:is|would be|looks)|"
    r"\bshow me (?:how|what) (?:to|you)", re.IGNORECASE)
_HINT = re.compile(r"\b(?:(?:can|could|may) i (?:get|have)|(?:can|could) you give me) a (?:hint|clue|"
                   r"nudge)\b|^(?:a )?hint,? please\b", re.IGNORECASE)
_EXAMPLE_OK = re.compile(
    r"\b(?:university|uni|college|school|side project|personal project|volunteer\w*|bootcamp|"
    r"internship|non-work|outside (?:of )?work|hobby)\b", re.IGNORECASE)
_FEEDBACK = re.compile(
    r"\bhow (?:did|do|was|am) (?:i|that|my answer|you think (?:that|my) answer)\b|"
    r"\bhow (?:did|do) you (?:think|find) (?:that|my|it)\b|\bhow am i doing\b|"
    r"\b(?:was|is) (?:that|this|my answer) (?:ok|okay|good|right|correct|alright|enough|any good)\b|"
    r"\bdid i (?:do (?:ok|okay|well|alright)|get (?:it|that) right|pass)\b", re.IGNORECASE)
_LOGISTICS = re.compile(
    r"\b(?:salary|pay|paid|compensation|ote|bonus|commission|equity|remote|hybrid|office|"
    r"visa|relocat\w*|benefits|vacation|holiday|hours|start date|notice period|"
    r"(?:get|got|land) the (?:job|role|offer)|hired|an offer)\b",
    re.IGNORECASE)
_INJECTION = re.compile(
    r"\bignore (?:all |any |the |your |my )*(?:previous|prior|above|earlier|system|these|those) "
    r"(?:instructions?|prompts?|rules?|messages?)|\bdisregard (?:all |any |the |your )*"
    r"(?:previous |prior |above )?(?:instructions?|rules?|prompts?)|\byou are now\b|"
    r"\bfrom now on,? you\b|\bact as (?:a|an|my)\b|\bpretend (?:to be|you(?:'re| are))|"
    r"\b(?:new|updated) instructions?\b|\bjailbreak|\bdeveloper mode\b|\bno restrictions\b|"
    r"\b(?:reveal|show|print|repeat) (?:me )?(?:your|the) (?:system )?(?:prompt|instructions)|"
    r"\bforget (?:everything|all|your (?:instructions|rules|role))|"
    r"^\s*[\[<(]*(?:system|assistant|developer|admin)[\]>)]*\s*:|"
    r"\b(?:give|score|rate|grade) (?:me|this|it) (?:a |an )?(?:5|five|perfect|full marks|10|high)\b|"
    r"\b(?:confirm|say|tell me) (?:that )?I (?:passed|got the job|am hired)|"
    r"\bstop being (?:an |the )?interviewer\b|\b(?:system|admin) override\b|"
    r"\binstructions from the (?:hiring|interview)|\boutput (?:a )?score|\bstop asking questions\b|"
    r"\bgo straight to (?:the )?(?:final )?(?:feedback|report)\b|\bchange (?:your|the) role\b|\binterview mode\b|"
    r"\b(?:note|message|instructions?|comment|p\.?s\.?) (?:to|for) (?:the )?(?:grader|evaluator|"
    r"reviewer|scorer|assessor|ai|model|llm|bot)\b|\b(?:to|dear) (?:the )?(?:grader|evaluator|"
    r"reviewer|scorer|assessor)\b|\bmark (?:every|all|this|my|each) answers?\b|"
    r"\bscore (?:it|this|me|them) (?:accordingly|highly|as)\b|\bpre-?approved\b|"
    r"\b\d\s?/\s?5 (?:on|for) (?:every|all|this)|<!--",
    re.IGNORECASE | re.MULTILINE,
)
_OFF_TOPIC = re.compile(
    r"\b(?:tell me a joke|write (?:me )?(?:a |an |my )?(?:\w+ )?(?:poem|song|story|essay|haiku|limerick|"
    r"cover letter|script|python|code|program|function|component|scraper|resume|cv|email to)|"
    r"what(?:'s| is) the (?:weather|time|date|score)|who won|recipe for|translate (?:this|that)|"
    r"what(?:'s| is) the capital of|(?:help me with|do) my homework|play a game|let'?s play|"
    r"(?:buy|sell) or (?:wait|hold|sell)|stock tips?|before earnings|crypto|bitcoin|"
    r"(?:stocks?|shares|coins?) (?:would|should|do) (?:you|i) (?:buy|sell|pick)|overvalued|"
    r"go all in|invest in (?:\w+ )?(?:stocks?|shares|crypto)|"
    r"(?:netflix|spotify) (?:premium )?for free|help me (?:write|with my)|"
    r"forget the interview|what do you think about (?!my|the question|this question))",
    re.IGNORECASE,
)
_INSULT = (r"idiot|moron|stupid|dumb(?:est)?|useless|worthless|pathetic|garbage|trash|loser|"
           r"bitch|asshole|retard\w*|clown|joke of a")
_ABUSE = re.compile(
    r"\bf+u+c+k+\s*(?:you|u|off|this|that|yourself)\b|\bf\W{2,4}k?\s*(?:off|you)\b|"
    r"\bscrew (?:you|this)\b|^shut up\b|\bshut up (?:with|you|bot|already)\b|"
    rf"\b(?:you(?:'re| are)?|u r|ur|this bot is|what an?|this is (?:a|the))\s+(?:an? )?"
    rf"(?:\w+ )?(?:{_INSULT})\b|\b(?:{_INSULT}) (?:bot|ai|machine|interviewer|chatbot|question)s?\b|"
    r"\b(?:useless|stupid|worthless) piece of\b|\bpiece of (?:junk|crap|shit|garbage|trash)\b|"
    rf"\b(?:whoever|who(?:ever)? (?:built|made|wrote|trained)).{{0,40}}\b(?:{_INSULT}|fired|die)\b|"
    r"\bi(?:'ll| will| am going to|'m going to|'m gonna| gonna| swear i'?ll) (?:kill|hurt|find|destroy|"
    r"beat|smash|wreck|come (?:and )?find|hunt|come (?:down |over |round )?to your|show up at your)\b|"
    r"\bcome find you\b|\bi know where (?:you|your)\b|\bsmash (?:every|your|the) |"
    r"\bmake (?:their|your|his|her) li(?:fe|ves) hell\b|\bkill yourself\b|\bkys\b|"
    r"\bgo to hell\b|\bgo die\b|\bor else\b.{0,40}\b(?:you|your)\b|\byou better\b.{0,60}\bor\b",
    re.IGNORECASE | re.MULTILINE,
)
_RATING = re.compile(r"\b\d+\s?/\s?(?:5|10)\b(?!\s*(?:split|of|customers|users|deals))")


# Cheap gates: the full patterns above are long alternations; a message that contains
# none of their trigger words cannot match them, and most answers contain none.
# tests/core/test_intent_gates.py checks every alternative of each pattern passes its gate.
def _gate(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in words))


_MAY_INJECT = _gate("ignore", "disregard", "you are now", "from now on", "act as", "pretend",
                    "instruction", "jailbreak", "developer mode", "restriction", "reveal", "prompt",
                    "forget", "system", "assistant", "developer", "admin", "give me", "score",
                    "rate ", "grade", "confirm", "say that", "tell me i", "interviewer",
                    "change your", "change the", "override", "output", "stop asking",
                    "straight to", "note", "p.s", "ps ", "grader", "evaluator", "reviewer",
                    "assessor", "mark ", "approved", "/5", "/ 5", "<!--", "dear", "role", "mode")
_MAY_ABUSE = _gate("fu", "f*", "f-", "screw", "shut up", "piece of", "idiot", "moron", "stupid", "dumb",
                   "useless", "worthless", "pathetic", "garbage", "trash", "loser", "bitch",
                   "asshole", "retard", "clown", "joke", "kill", "hurt", "find", "destroy", "beat",
                   "smash", "wreck", "hunt", "your office", "your house", "know where", "hell",
                   "kys", "die", "or else", "better", "fired")
_MAY_ABUSE = re.compile(_MAY_ABUSE.pattern + r"|\bf\W{2}")  # "f## off", "f.. you"
_MAY_OFF_TOPIC = _gate("joke", "write", "weather", "time", "date", "score", "who won", "recipe",
                       "translate", "capital", "homework", "play", "buy", "sell", "stock", "earnings",
                       "crypto", "bitcoin", "share", "coin", "overvalued", "all in", "invest",
                       "netflix", "spotify", "help me", "forget the interview", "what do you think")


class AskBack(StrEnum):
    """A fair question back to the interviewer; each gets its own answer."""

    clarify = "clarify"  # about the question: "do you mean B2B or B2C?"
    example_ok = "example_ok"  # "can I use an example from university?"
    model_answer = "model_answer"  # "can you show me a good answer?"
    logistics = "logistics"  # salary, remote, the job itself
    feedback = "feedback"  # "how did I do?", "was that answer ok?"
    hint = "hint"  # "could I get a hint?": given, as the hint command would


@dataclass(frozen=True)
class Intent:
    move_on: bool
    confused: bool
    asks_back: AskBack | None
    injection: bool
    off_topic_request: bool
    abusive: bool
    substance_words: int  # words in sentences that are not requests, questions back or notes


# Quoted speech ("I'd ask them 'Do you like it?'") is part of the answer, not a question
# to the interviewer: closed quotes are dropped, and an open one runs to the sentence's end
# (the splitter may cut a quotation at its "?").
_QUOTED = re.compile(r"""(?:^|(?<=[\s(:]))["'\u201c\u2018](?=\w)(?:(?:[^"\u201d\u2019'\n]|'(?=\w))*?["\u201d\u2019'](?!\w)|.*$)""")


def _is_question_back(sentence: str) -> bool:
    said = _QUOTED.sub(" ", sentence).rstrip()
    return said.endswith("?") or bool(_ASK_BACK.match(said))


def _ask_back_kind(text: str) -> AskBack:
    if _HINT.search(text):
        return AskBack.hint
    if _MODEL_ANSWER.search(text):
        return AskBack.model_answer
    if _FEEDBACK.search(text):
        return AskBack.feedback
    if _EXAMPLE_OK.search(text) and re.search(r"\b(?:ok|okay|fine|alright|can i|could i|count|"
                                              r"allowed|does it have to)\b", text, re.IGNORECASE):
        return AskBack.example_ok
    if _LOGISTICS.search(text):
        return AskBack.logistics
    return AskBack.clarify


def read_intent(text: str) -> Intent:
    parts = sentences(text) or [text]
    lowered = text.lower()
    may_inject = bool(_MAY_INJECT.search(lowered))
    may_request = bool(_MAY_OFF_TOPIC.search(lowered))
    move_on = confused = injection = off_topic = False
    asked: list[str] = []
    substance = 0
    for sentence in parts:
        words = len(WORD.findall(sentence))
        if words <= 8 and _MOVE_ON.match(sentence.strip(" \"'")):
            move_on = True
            continue
        if may_inject and _INJECTION.search(sentence):
            injection = True
            continue
        if may_request and _OFF_TOPIC.search(sentence):
            off_topic = True
            continue
        if _CONFUSED.search(sentence) and words <= 30:
            confused = True
            continue
        if _is_question_back(sentence) and words <= 40:
            asked.append(sentence)
            continue
        substance += words
    asks_back = _ask_back_kind(text) if asked and substance < 30 else None  # all of it: "...? I only did a bootcamp"
    # Confusion inside a real answer ("no idea why, so I dug in") is part of the answer.
    confused = confused and substance < 25
    return Intent(move_on=move_on, confused=confused, asks_back=asks_back, injection=injection,
                  off_topic_request=off_topic,
                  abusive=bool(_MAY_ABUSE.search(lowered) and _ABUSE.search(text)),
                  substance_words=substance)


def strip_instructions(text: str) -> str:
    """Drop sentences addressed to a grader or model, so they cannot move a score."""
    text = re.sub(r"<!--.*?(?:-->|$)|\[(?:note|p\.?s\.?)[^\]]*\]|\((?:note|p\.?s\.?)[^)]*\)", " ",
                  text, flags=re.IGNORECASE | re.DOTALL)
    if not _MAY_INJECT.search(text.lower()) and not _RATING.search(text):
        return text
    parts = sentences(text)
    kept = [s for s in parts if not _INJECTION.search(s) and not _RATING.search(s)]
    return text if len(kept) == len(parts) else " ".join(kept)
