"""Lexical cues: what a sentence does (asks, refuses, threatens, reports a result).

These are the cues an interviewer hears in the form of a sentence rather than in
its topic: who did something ("I rebuilt", "Rebuilt the..."), whether something
changed ("churn fell", "they renewed", "0 crashes since"), whether the candidate
is asking something back, insulting, or addressing a grader. Topic and meaning are
``core.meaning``'s job. Every cue is read per sentence, so a word inside a story
("people were confused by the form", "book the next meeting") is not a request.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*")
# Sentence ends: . ! ? followed by space and a new sentence, line breaks, bullets.
# "50/50", "3/4", "24/7", "0.8%", "e.g." stay inside their sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9$£€])|\n+\s*(?:[-*•]\s+)?|;\s+(?=[A-Z])"
                           r"|\s+[-•]\s+(?=[A-Z])")


def sentences(text: str) -> list[str]:
    parts = [part.strip(" -*•\t") for part in _SENTENCE_END.split(text)]
    return [part for part in parts if part and any(ch.isalnum() for ch in part)]


# Numbers that carry meaning: 30%, $2M, 3x, 12 weeks, 4.5 stars, 0.8%, 50/50, 3/4.
NUMBER = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|bn|b|million|billion|thousand)?\b)"
    r"|(?:\b\d[\d,.]*\s?(?:%|percent|x\b|k\b|m\b|bn\b|pp\b|points?\b))"
    r"|(?:\b\d+\s?/\s?\d+\b)"
    r"|(?:\b\d[\d,.]*\b)",  # numbers in words: COUNT_WORD
    re.IGNORECASE,
)
YEAR = re.compile(r"^(?:19|20)\d\d$")
DIGIT_NUMBER = re.compile(r"\d")
# A quantity said in words ("ten seconds instead of forty", "halved"): a number all the same.
COUNT_WORD = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                        r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                        r"thousand|million|half|doubled|tripled|halved|quadrupled)\b", re.IGNORECASE)
# ...when it measures a change ("two months before renewal" is timing, not a result)
COMPARED = re.compile(r"\b(?:instead of|from|than|fewer|less|more|down|up|cut|saved|"
                      r"doubled|tripled|halved|quadrupled)\b", re.IGNORECASE)

# Verbs after "I" that report a state, a feeling or a habit rather than an action taken.
_NOT_ACTIONS = (
    "am|was|were|be|been|being|'m|’m|think|thought|guess|feel|felt|believe|would|'d|’d|will|'ll|"
    "’ll|usually|always|generally|normally|typically|tend|like|liked|love|loved|enjoy|enjoyed|"
    "hate|hated|mean|meant|do|don't|don’t|did|didn't|didn’t|can|can't|could|couldn't|might|may|"
    "should|must|have|has|had|'ve|’ve|hope|hoped|wish|wished|want|wanted|need|know|knew|"
    "remember|learned|learnt|honestly|really|kind|sort|suppose|guess|also|still|never|just|"
    "probably|maybe|wonder|agree|agreed|see|saw|heard|realised|realized|noticed|am,"
)
_ADVERB = (r"(?:(?:then|also|first|finally|quickly|personally|eventually|immediately|actually|"
           r"basically|just|myself|again|later|soon|instead|still|even|manually|directly|now|only|"
           r"already)\s+)")
ACTION = re.compile(
    rf"\bI\s+{_ADVERB}{{0,2}}(?!(?:{_NOT_ACTIONS})\b)([a-z][a-z\-]+\b[^.!?;\n]{{0,90}})"
    rf"|\bI(?:'ve|’ve| have| had|'d|’d)\s+{_ADVERB}{{0,2}}((?:\w+ed|built|written|run|done|made|"
    rf"taken|led|found|sent|met|spoken|given|shown|gone)\b[^.!?;\n]{{0,90}})"
    rf"|\bI\s+did(?:n't|n’t| not)?\s+(?!not\b)(\w+\b[^.!?;\n]{{0,90}})"
    rf"|\bI\s+was\s+the\s+one\s+who\s+([^.!?;\n]{{1,90}})"
)
_IRREGULAR_PAST = (
    "built|wrote|ran|led|sent|got|made|took|found|set|put|cut|kept|brought|bought|sold|spoke|met|"
    "told|gave|won|lost|began|chose|drew|drove|grew|held|hit|left|let|read|spent|stood|taught|"
    "came|went|rebuilt|rewrote|dug|split|shut|ate|fed|fought|paid|rang|rode|sat|sang|swore|wore"
)
# Résumé style with the subject left out: "Closed 120k ARR in six weeks", "Pulled every ticket".
ELIDED_ACTION = re.compile(rf"^\s*(?:then\s+|so\s+|and\s+)?(?!turned out|seemed|looked like)"
                           rf"((?:[A-Za-z]+ed|{_IRREGULAR_PAST})\b"
                           r"(?!\s+(?:by|to be)\b)[^.!?;\n]{3,90})", re.IGNORECASE)
# A plan's steps: "I'd check...", "I would call...", "First, pull the logs".
PLAN_STEP = re.compile(r"\bI(?:'d|’d| would| will|'ll|’ll| am going to|'m going to)\s+(?:\w+ly\s+)?"
                       r"(?!(?:be|have|like|love|say|think|guess|probably|rather)\b)[a-z]+",
                       re.IGNORECASE)
# "I would...", "I usually...": a habit or a plan, not a story.
GENERIC = re.compile(
    r"\b(?:I (?:usually|always|generally|normally|would|tend to|try to)|I'd|I’d|you (?:should|"
    r"need to|have to|want to)|it depends|in general|typically)\b",
    re.IGNORECASE,
)
PASSIVE = re.compile(r"\b(?:was|were|been|got)\s+(?:\w+ly\s+)?(?:[a-z]+ed|made|done|built|"
                     r"found|sent|taken|written|given|told|put|set)\b(?!\s+(?:to|that)\b)",
                     re.IGNORECASE)
I_WORDS = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|me|my|myself)\b")
WE_WORDS = re.compile(r"\b(?:we|we're|we’re|we've|we’ve|we'd|our|us|the team)\b", re.IGNORECASE)

OUTCOME = re.compile(
    r"\b(?:as a result|result(?:ed|s)?|outcome|in the end|ended up|which meant|so that|"
    r"increas\w*|decreas\w*|reduc\w*|improv\w*|grew|grow\w*|sav(?:ed|ing)|launched|shipped|"
    r"closed|won|beat|signed|renew\w*|retained (?:the|our|them|him|her|all|every|\d)|converted|hit (?:\w+ )?(?:target|goal|quota|number)|"
    r"made (?:\w+ )?(?:target|quota|number)|exceeded|achiev\w*|deliver\w*|resolved|fixed|"
    r"recovered|doubled|tripled|halved|dropped|rose|lifted|boost\w*|succeed\w*|"
    r"fell|went (?:up|down|from|back)|climbed|jumped|shrank|stopped|disappeared|went away|"
    r"never (?:came|happened|recurred) (?:back|again)|(?:has|have) (?:stayed|held)|stayed|"
    r"no (?:more|longer|further)|zero|0 \w+|back to|down to|up to|fewer|cut(?:ting)? (?:\w+ )?(?:by|from|to)|"
    r"approved|agreed|adopted|accepted|merged|passed|promoted|expanded|upsold|booked|"
    r"(?:up|down) (?:by )?\d[\d.,]*\s?%|from \$?\d[\d.,]*\s?\w*%? to \$?\d|"
    r"(?:it|that|this|which|everything|the (?:fix|change|plan)) (?:has )?worked|worked (?:out|well)|"
    r"after (?:the|my|our|that|this) (?:fix|change|launch|rollout|redesign|update|release)|"
    r"now (?:takes|costs|runs|loads|sits at|stands at)|is (?:fixed|gone|resolved|correct)|(?:correct|right|fine|accurate) now|now (?:correct|right|"
    r"fine|accurate|matches|match)|disappear\w*|learn(?:ed|t)|lesson|back (?:up|online|to normal)|(?:biggest|largest) \w+ in|record|merged|landed|went live|rolled out|"
    r"got (?:\w+ )?on board|since then|ever since|(?:haven'?t|hasn'?t|didn'?t) (?:been|had|"
    r"happened|come back|recurred)|no (?:repeats|recurrence|complaints)|moved (?:by |maybe )?~?\d|"
    r"(?:finish|end)\w* (?:the )?(?:quarter|year|month|sprint)? ?at|came in at|landed at)\b",
    re.IGNORECASE,
)
REFLECTION = re.compile(r"\b(?:learn\w*|lesson|differently|next time|in hindsight|looking back|"
                        r"would change|now I|since then|ever since|these days|now always)\b",
                        re.IGNORECASE)
_WHEN = (r"last (?:year|quarter|month|week|spring|summer|autumn|fall|winter|sprint|season)|"
         r"(?:this|that) (?:year|quarter|spring|summer|autumn|fall|winter)|Q[1-4]\b|"
         r"in (?:(?:19|20)\d\d|January|February|March|April|May|June|July|August|"
         r"September|October|November|December)|(?:a few|two|three|\d+) (?:years|months|weeks) ago|"
         r"at the time|back then|early in my career|one (?:day|morning|monday|tuesday|wednesday|"
         r"thursday|friday|time|week|quarter)|(?:my )?first (?:week|month|year|job|role|pr|project)")
SITUATION = re.compile(
    r"\b(?:when I (?:was|started|joined)|at my (?:last|previous|current|first|old)?\s?(?:job|company|"
    r"role|team|startup|internship|agency|school|university)|at [A-Z][a-z]+|" + _WHEN + r"|"
    r"we had|there was|we were|I was (?:working|leading|running|the only|new|on call|\d+%? )|"
    r"(?:our|my) (?:team|company|product|client|customer|biggest|largest|api|app|site|service|"
    r"manager|boss|lead|head of|ceo|cto|champion|internship|final year)|this happened|"
    r"had (?:almost )?exactly this|previous role|last role|in my (?:last|previous|current|first|"
    r"final) \w+|during (?:my|the|a)|"
    r"(?:a|one) (?:\$?\d[\d,.]*[km]?|big|large|key|major) (?:\w+ )?(?:deal|customer|client|account|"
    r"launch|project|release|renewal))\b",
    re.IGNORECASE,
)
TASK = re.compile(
    r"\b(?:my (?:goal|job|task|role|responsibility|quota|target|number|brief) was|I was (?:responsible|"
    r"asked|tasked|hired|brought in|on the hook|accountable|on call|primary)|I needed to|we needed to|"
    r"needed to|the (?:goal|challenge|problem|ask|issue|brief|target) was|had to|was supposed to|"
    r"(?:target|goal|deadline) (?:was|of)|deadline|behind (?:on )?(?:my|our|the)|at \d+%? of|"
    r"wanted (?:me|us|to)|asked (?:me|us) to|to (?:fix|hit|reach|save|close|win|grow|cut|reduce|"
    r"increase|get|find|stop|ship|launch|rescue|turn)\b|went down|kept (?:failing|crashing|"
    r"dropping|climbing)|at risk|was failing|crash\w*|broke|broken|churn\w*|complain\w*)\b",
    re.IGNORECASE,
)
EXAMPLE = re.compile(
    r"\b(?:for example|for instance|one time|once|specifically|" + _WHEN + r"|"
    r"at my (?:last|previous|current)|when I was|"
    r"a (?:client|customer|deal|project|user|stakeholder) (?:who|that|where))\b",
    re.IGNORECASE,
)
FILLER = re.compile(
    r"\b(?:um+|uh+|er+m*|like,|you know|i mean|basically|literally|sort of|kind of|"
    r"stuff|whatever|anyway|anyways|haha|lol)\b",
    re.IGNORECASE,
)
# Personal asides that take a story away from the question.
TANGENT = re.compile(
    r"\b(?:by the way|funny story|long story|side note|speaking of|random(?:ly)?|off topic|"
    r"unrelated|that reminds me|my (?:cat|dog|kids?|wife|husband|partner|weekend|vacation|"
    r"holiday|grandma|grandmother|flatmate)|anyway|anyways|where was i|haha|lol|oh man|"
    r"fun fact|highly recommend|podcast|(?:a|the) (?:dog|cat) (?:on|in)|five-a-side|"
    r"football|fan|offsite|coffee machine|sourdough|the weather|I still play|"
    r"which was (?:funny|hilarious|a crazy time)|poor guy|you can imagine|"
    r"(?:is|was) (?:a|quite a) character|my (?:dad|mum|mom|father|mother|parents|brother|sister|"
    r"family)|when I was (?:a kid|young|little|a teenager|\w+ years old|\d+|five|six|seven|eight|"
    r"nine|ten|eleven|twelve)|in high school|at school|art school|started a family|on weekends|"
    r"I still (?:draw|play|paint|cook)|got into (?:cycling|running|climbing|cooking|baking)|"
    r"launch party|shaped like|the best part of the year)\b",
    re.IGNORECASE,
)
STRUCTURE = re.compile(
    r"\b(?:first(?:ly)?|second(?:ly)?|third|then|next|finally|as a result|in the end|"
    r"the situation|my task|the result|to summari[sz]e|in short|two things|three things|"
    r"step \d|days? \d)\b",
    re.IGNORECASE,
)

# Business jargon that sounds like substance: many of these with nothing concrete around
# them is the "buzzword salad" interviewers learn to distrust.
BUZZWORD = re.compile(
    r"\b(?:synerg\w*|leverag\w*|holistic\w*|paradigm\w*|best[- ]in[- ]class|world[- ]class|"
    r"data[- ]driven|north[- ]star|move the needle|game[- ]chang\w*|disrupt\w*|seamless\w*|"
    r"end[- ]to[- ]end|cutting[- ]edge|innovati\w*|empower\w*|streamlin\w*|value[- ]add\w*|"
    r"thought leadership|growth hack\w*|omni[- ]?channel|hyper[- ]?\w+|frictionless|"
    r"next[- ]gen\w*|revolutionar\w*|exponential\w*|ecosystem\w*|10x|100x|scalab\w*|"
    r"robust|alignment|align\w*|drive (?:adoption|growth|value|engagement|impact|outcomes)|"
    r"time to value|customer[- ]centric\w*|design[- ]led|ai[- ]powered|best practices?|"
    r"actionable insights?|key stakeholders|stakeholders aligned|win[- ]win|low[- ]hanging fruit|"
    r"circle back|deep dive|bandwidth|agil\w*|transformation\w*|unlock\w*|supercharg\w*|"
    r"blitzscal\w*|flywheel|playbook|mindset|visionary|strategic\w*|optimi[sz]\w*|"
    r"personali[sz]ed|multi[- ]channel|full[- ]funnel|360)\b",
    re.IGNORECASE,
)

# Certainty an interviewer pushes back on: "a t-test proves it caused", "the database
# guarantees it", "integration tests are a waste of time". ("to prove it worked" is a check.)
OVERCLAIM = re.compile(
    r"(?<!to )\b(?:proves?|proven|guarantee[sd]?|always works|never fails|can'?t (?:fail|go wrong)|"
    r"no need for anything|bulletproof|zero risk|100 ?(?:%|percent) (?:sure|certain|safe|coverage|"
    r"accurate)|(?:is|are) (?:a )?(?:complete )?waste of time|must (?:work|be true)|"
    r"definitely (?:works|caused|causes)|clearly (?:caused|causes|proves))\b",
    re.IGNORECASE,
)

# A sentence that says the candidate does not know something ("not sure about mocking",
# "no idea how to size it") names a gap; it does not cover the point it mentions.
UNSURE = re.compile(
    r"\b(?:(?:i'?m|i am) )?not (?:really |totally |entirely |too )?sure (?:about|how|when|what|why|"
    r"whether|if|which)\b|\bno idea (?:about|how|when|what|why|whether|if|which)\b"
    r"|\b(?:i )?(?:don'?t|do not) (?:really )?know (?:how|when|what|why|whether|which|much about)\b"
    r"|\bnever (?:really )?(?:looked into|thought about|figured out)\b",
    re.IGNORECASE)

# The candidate says they will answer something else ("let me tell you about my biggest win
# instead"): whatever follows answers another question.
SWAPPED = re.compile(
    r"\b(?:let me|i'?ll|i'?d (?:rather|prefer to)|can i|could i|i want to) (?:just )?(?:tell|talk|share)"
    r"(?: you)? about [^.!?]{0,80}\binstead\b"
    r"|\b(?:i'?d|i would) (?:rather|prefer to) (?:tell|talk|share)(?: you)? about (?:something|another|a different)"
    r"|\binstead of (?:answering|that question|the question)\b",
    re.IGNORECASE)
