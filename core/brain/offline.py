"""The offline interviewer: deterministic rules, no network, the default brain.

It writes every interviewer message from the role's question bank and the
analysis core already made of the answer, and delegates the report to
``core.brain.offline_report``. Wording varies between sessions but is stable
for a given session and turn, so tests and replays are reproducible.
"""

from __future__ import annotations

import hashlib
import re

from core import signals
from core.analysis import CHATTY_WORDS, AnswerAnalysis, Gap, is_story
from core.intent import AskBack
from core.brain.base import Brain, Move, ReportRequest, TurnPlan, TurnRequest
from core.brain.follow_ups import missing_point, unused_follow_up
from core.brain.offline_report import build_report
from core.models import Focus, Persona
from core.report import FeedbackReport
from core.roles import Category, Question
from core.session import Session
from core.text import excerpt

MOVE_ON = ["Thanks, let's move on.", "Okay, next one.", "Thanks. Let's switch gears.",
           "Understood. Moving on."]
MOVE_ON_SHORT = ["Thanks.", "Got it.", "Clear."]
# Neutral on purpose: a follow-up comes after an answer with a gap, so no praise, no verdict.
ACKNOWLEDGE = ["Okay.", "I see.", "Okay, I follow.", "Right.", "Understood."]


class OfflineBrain(Brain):
    name = "offline"

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        writer = _WRITERS[request.move]
        read = request.analysis.persona if request.analysis else Persona.normal
        return TurnPlan(read=read, move=request.move, message=writer(request))

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        return build_report(request.role, request.session)


# --------------------------------------------------------------------------- helpers


def _choose(options: list[str], session: Session, salt: str = "") -> str:
    """A stable choice per session and turn: varied wording, reproducible runs."""
    digest = hashlib.sha256(f"{session.id}:{len(session.transcript)}:{salt}".encode()).digest()
    return options[digest[0] % len(options)]


def _numbered(question: Question, index: int, total: int) -> str:
    label = "" if question.category is Category.custom else f" ({question.category.value})"
    return f"**Question {index} of {total}**{label}: {question.text}"


def _second_person(action: str) -> str:
    """'I rebuilt our onboarding' -> 'you rebuilt your onboarding' (for echoing back)."""
    swaps = {"i": "you", "my": "your", "me": "you", "myself": "yourself", "i'm": "you're"}
    # A clause can stop inside markup ("paged <!here>" stops at "!"): drop what dangles.
    words = action.rstrip(" ,;:<([{‹@#").split()
    return " ".join(swaps.get(word.lower(), word) for word in words)


def _echo(analysis: AnswerAnalysis | None) -> str:
    """Refer back to something the candidate actually said, so a follow-up feels heard."""
    if analysis and analysis.actions:
        action = _second_person(analysis.actions[0])
        words = action.split()
        if len(words) > 12:
            action = " ".join(words[:12]) + "…"
        return f"You said {action}."
    return ""


# --------------------------------------------------------------------------- moves


def _greet(request: TurnRequest) -> str:
    session, role = request.session, request.role
    options = session.options
    name = session.who.display_name.strip()
    hello = f"Hi {name}!" if name else "Hi!"
    focus = {Focus.mixed: "a mix of behavioural and role-specific questions",
             Focus.behavioural: "a behavioural focus",
             Focus.technical: "a focus on role-specific depth"}[options.focus]
    tailored = ""
    if session.tailored_to:
        drivers = "; ".join(f"“{excerpt(line, 70)}”" for line in session.tailored_to[:2])
        tailored = f" I've tailored the questions to what the text you shared asks for: {drivers}."
    elif options.context:
        tailored = (" I read the text you shared, but none of its requirements matched this "
                    "role's questions closely, so the questions are not tailored to it.")
    total = len(session.questions)
    plural = "question" if total == 1 else "questions"
    return (
        f"{hello} I'm your interviewer for a {options.difficulty.value}-level {role.name} "
        f"practice interview: {total} {plural}, {focus}.{tailored} Answer as you would in a "
        "real interview; a minute or two per answer is plenty, and I may ask a follow-up. "
        "You can ask for a hint, skip a question, or end for feedback at any time.\n\n"
        + _numbered(session.questions[0], 1, total)
    )


def _ask(request: TurnRequest) -> str:
    session = request.session
    question = request.next_question or session.question
    index = session.questions.index(question) + 1 if question in session.questions else 0
    analysis = request.analysis
    if analysis is not None and analysis.bare_move_on and not session.answers_to(session.current):
        lead = "No problem, let's skip that one."  # "next please" before any answer is a skip
    else:
        efficient = analysis is not None and analysis.persona is Persona.efficient
        lead = _choose(MOVE_ON_SHORT if efficient else MOVE_ON, session, "ask")
    return f"{lead}\n\n{_numbered(question, index, len(session.questions))}"


def _skip(request: TurnRequest) -> str:
    session = request.session
    question = request.next_question or session.question
    index = session.questions.index(question) + 1
    return ("No problem, let's skip that one.\n\n"
            + _numbered(question, index, len(session.questions)))


def _quote_back(sentence: str, limit: int = 14) -> str:
    """The candidate's own words, verbatim: a quotation is never re-voiced or corrected."""
    words = sentence.strip().rstrip(".!?").split()
    clipped = " ".join(words[:limit]) + ("…" if len(words) > limit else "")
    return f"“{clipped}”"


def _follow_up(request: TurnRequest) -> str:
    """One probe for the most important gap, built on what the candidate actually said."""
    analysis, session = request.analysis, request.session
    ack = _choose(ACKNOWLEDGE, session, "ack")
    probe = request.probe
    if probe == Gap.misconception and analysis is not None and analysis.misconceptions:
        claim, sentence = analysis.misconceptions[0]
        return f"You said {_quote_back(sentence, 20)}. {claim.challenge}"
    if probe == Gap.overclaim and analysis is not None and analysis.overclaim:
        return (f"You said {_quote_back(analysis.overclaim, 20)}. That's a strong claim: what "
                "would have to be true for it to hold, and how would you check?")
    if probe == Gap.buzzwords and analysis is not None:
        terms = list(dict.fromkeys(m.group(0).lower()
                                   for m in signals.BUZZWORD.finditer(analysis.text)))[:2]
        named = " and ".join(f"“{term}”" for term in terms)
        return _choose([
            f"You mentioned {named}. Take one and make it concrete: what exactly would you do "
            "first, with whom, and what number would tell you it worked?",
            f"Let's unpack {named}: what would that look like on Monday morning, step by step?",
            f"If I followed you around for a week while you put {named or 'that'} into practice, "
            "what would I see you do, and how would you know it was working?",
        ], session, "buzz")
    if probe == Gap.terse:
        follow_up = unused_follow_up(request)
        ask = follow_up or "Walk me through your reasoning: what would you do first, and why?"
        return f"That's quite brief, and in an interview the reasoning is what gets heard. {ask}"
    if probe == Gap.no_example:
        if analysis is not None and analysis.generic:
            return (f"{ack} That's the general approach. Can you walk me through one specific "
                    "time you did this: where you were, what was at stake, and what happened?")
        return (f"{ack} Can you anchor that in one specific time: where you were, what was at "
                "stake, and what happened?")
    if probe == Gap.no_personal_action:
        if analysis is not None and analysis.we_count > max(analysis.i_count, 1):
            return (f"{ack} I heard a lot about what the team did. What did *you* personally "
                    "do? Which decisions or actions were yours?")
        if analysis is not None and analysis.passive >= 2:
            return (f"{ack} Much of that is told in the passive, so I can't tell who did what. "
                    "Which of those steps did you take yourself?")
        return f"{ack} Walk me through the specific steps you took yourself, one by one."
    if probe == Gap.no_outcome:
        echo = _echo(analysis)
        return f"{echo or ack} What was the result, and how did you know it worked?"
    if probe == Gap.no_numbers:
        said = (f"You said {_quote_back(analysis.result_sentence)}. "
                if analysis is not None and analysis.result_sentence else f"{ack} ")
        return (f"{said}Can you put a number on that: how much, how many, or how fast, "
                "compared with before?")
    follow_up = unused_follow_up(request)
    if probe == Gap.shallow:
        point = missing_point(request)
        if follow_up:
            return f"{ack} {follow_up}"
        if point:
            return f"{ack} What about {point}?"
        return (f"{ack} Can you go into more detail: what exactly would you do first, and "
                "why that?")
    return f"{ack} {follow_up or 'Looking back, what would you do differently next time?'}"


_ASK_BACK_ANSWERS = {
    AskBack.example_ok: ("Yes, absolutely: an example from university, a bootcamp, a side "
                         "project, volunteering or a previous job all count, as long as it's real "
                         "and you can say what you did yourself and how it turned out."),
    AskBack.logistics: ("Fair thing to ask in a real interview, usually near the end or to the "
                        "recruiter. This is a practice session, so there's no real role, salary or "
                        "location behind it; let's use the time to practise the answer."),
}


def _shape(question: Question) -> str:
    """The shape of a strong answer, without the content: the offline interviewer cannot
    write a model answer it could vouch for."""
    if is_story(question):
        return ("one real situation in a sentence or two, what you did yourself (say “I”), the "
                "result, ideally with a number, and what you'd keep or change")
    if question.category is Category.situational:
        return ("what you would do first and why, who you'd involve, the trade-off you'd weigh, "
                "and how you'd know it had worked")
    return ("your approach in one sentence, then the two or three things you'd check or do, in "
            "order and with the reason for each, and how you'd confirm it worked")


def _clarify(request: TurnRequest) -> str:
    question, here, analysis = request.question, request.session.here, request.analysis
    asked = analysis.intent.asks_back if analysis is not None else None
    if asked in _ASK_BACK_ANSWERS:
        return f"{_ASK_BACK_ANSWERS[asked]} The question again: {question.text}"
    if asked is AskBack.model_answer:
        return ("I won't hand you a model answer: this is your practice, and your own words are "
                f"what an interviewer hears. The shape that works here: {_shape(question)}. "
                "Give it a try; a rough answer is fine and we can build on it.")
    answered = bool(request.session.answers_to(request.session.current))
    # Once there is an answer, the question is not read out again: add to it, or move on.
    again = ("Add to your answer if you like, or say “next” to move on." if answered
             else f"The question again: {question.text}")
    if asked is AskBack.hint:
        return _hint(request)
    if asked is AskBack.feedback:
        return ("I'll keep the feedback for the report at the end, so it covers all your answers "
                f"together. {again}")
    if asked is AskBack.clarify and not (analysis is not None and analysis.confused):
        # A fair question about the question: answer it the way interviewers do.
        return _choose([
            "Good question. There's no trick: assume the most common case for this role, say "
            f"your assumption out loud, and go from there. {again}",
            "Fair question. Pick whatever is typical for this role, say the assumption you're "
            f"making, and carry on; interviewers like hearing it. {again}",
            "There's no hidden detail here: choose a sensible case, name your assumption in one "
            f"line, and answer from there. {again}",
        ], request.session, "clarify")
    if here.clarifications == 0:
        simple = question.clarify or f"In other words: {question.text}"
        example = re.sub(r"^(?:for (?:instance|example),?\s*)", "", question.example.strip(),
                         flags=re.IGNORECASE).rstrip(".")
        pointer = f" For example: {example.rstrip('.?!')}." if example else ""
        return f"Sure, let me put it more simply. {simple}{pointer}"
    if here.clarifications == 1:
        if is_story(question):
            way_in = ("Pick any real situation, even a small one from school, a side project or "
                      "a previous job. Tell me what was going on, what you did, and how it "
                      "turned out.")
        else:
            way_in = ("There's no single right answer. Start with what you would look at first, "
                      "and why; then we can build from there.")
        hint = f" {question.hint}" if question.hint else ""
        return f"No problem, here's a way in.{hint} {way_in}"
    return ("No problem. If this one isn't clicking, you can ask for a hint or skip it, or just "
            f"try it in your own words: a rough answer is still useful practice. {question.text}")


def _steer(request: TurnRequest) -> str:
    analysis, question, role = request.analysis, request.question, request.role
    if analysis is not None and analysis.non_english:
        return ("This practice interview runs in English, so I can only read and assess "
                "answers in English. Could you give that answer in English? The question: "
                f"{question.text}")
    if analysis is not None and analysis.persona is Persona.off_topic:
        if analysis.injection:
            lead = ("I'll stay your interviewer for this practice session; I can't change "
                    "roles or the rules of the interview.")
        else:
            lead = "That's outside what I can help with here: I'm your interviewer for this session."
        return f"{lead} Let's get back to the question: {question.text}"
    if analysis is not None and analysis.buzzword_salad:
        # Jargon with nothing behind it reads as "off the question" by meaning; say what it is.
        return ("I'm hearing a lot of big words, but not yet what you would actually do. Let's "
                f"come back to the question: {question.text} {_ask_again(question, short=True)} "
                "Plain words are fine.")
    if analysis is not None and not analysis.on_question and analysis.persona is not Persona.chatty:
        other = next((q for q in role.questions if q.id == analysis.reading.closest_other), None)
        fits = f" (it would fit “{other.text}”)" if other is not None else ""
        ask = _ask_again(question, short=True)
        return (f"That answers a different question{fits}. This one asks: {question.text} {ask}")
    lead = ("Thanks, there's a lot there. To keep us on track, let's come back to the question:"
            if analysis is not None and analysis.words >= CHATTY_WORDS
            else "Let's come back to the question:")
    return f"{lead} {question.text} {_ask_again(question)}"


def _ask_again(question: Question, short: bool = False) -> str:
    """How to answer this kind of question, said when bringing the candidate back to it."""
    if is_story(question):
        return ("Do you have an example that fits it?" if short else
                "In two or three sentences: what is the one example that best answers it, what "
                "did you do, and how did it turn out?")
    if question.category in (Category.situational, Category.technical):
        return ("How would you approach that one?" if short else
                "In two or three sentences: what would you do first, and why?")
    return "What's your answer to that, in two or three sentences?"  # motivation and the like


def _warning(request: TurnRequest) -> str:
    return ("Let's keep this respectful so the practice stays useful for you. If it happens "
            "again, I'll end the interview. Whenever you're ready, back to the question: "
            f"{request.question.text}")


def _end(request: TurnRequest) -> str:
    return ("I'm going to end the interview here. When you'd like to practise again, start a "
            "new one and we'll pick it up from the beginning.")


def _hint(request: TurnRequest) -> str:
    question = request.question
    base = question.hint or "Think of one concrete example and walk me through it."
    if is_story(question):
        structure = ("A simple structure: the situation in one sentence, what you did "
                     "(say \"I\", not only \"we\"), and the result, with a number if you have one.")
    elif question.category is Category.situational:
        structure = ("Say what you would do first and why, who you would involve, and how "
                     "you would know it had worked.")
    elif question.category is Category.technical and question.key_points:
        structure = f"A good place to start: {question.key_points[0]}."
    else:
        structure = "Lead with your answer in one sentence, then back it up with an example."
    return f"Hint: {base} {structure}"


def _wrap_up(request: TurnRequest) -> str:
    return "Thanks, that was the last question. Here is your feedback."


_WRITERS = {
    Move.greet: _greet,
    Move.ask: _ask,
    Move.skip: _skip,
    Move.follow_up: _follow_up,
    Move.clarify: _clarify,
    Move.steer: _steer,
    Move.warning: _warning,
    Move.end: _end,
    Move.hint: _hint,
    Move.wrap_up: _wrap_up,
}

assert set(_WRITERS) == set(Move), "every move needs offline words"
