"""The interview's state machine: which move answers a message, and what a move changes.

``decide`` reads the answer and picks core's move plus the moves it would also accept
(the brain may propose one of those); ``apply_move`` records the answer and the move
that was actually made on the session. Neither talks to a brain or a store.
"""

from __future__ import annotations

from core.analysis import AnswerAnalysis, analyse
from core.brain.base import MOVE_KIND, Move, TurnPlan, TurnRequest
from core.grading import grade
from core.models import Persona, ReplyKind
from core.roles import Role
from core.session import Session, SessionState

MAX_FOLLOW_UPS = 2
MAX_CLARIFICATIONS = 2
MAX_STEERS = 2
SAFETY_PERSONAS = (Persona.abusive, Persona.off_topic)
COUNTING_PERSONAS = (Persona.normal, Persona.efficient, Persona.chatty)


def decide(role: Role, session: Session, text: str) -> TurnRequest:
    """Core's state machine: the move for this answer and the moves it would accept."""
    analysis = analyse(text, session.question, role)
    here = session.here
    advance = Move.wrap_up if session.is_last_question else Move.ask
    persona = analysis.persona

    def only(move: Move) -> TurnRequest:
        return TurnRequest(role=role, session=session, move=move, allowed=[move],
                           answer=text, analysis=analysis,
                           next_question=session.next_question)

    if persona is Persona.abusive:
        return only(Move.end if session.warnings >= 1 else Move.warning)
    if persona is Persona.off_topic or analysis.non_english:
        return only(Move.steer)
    if persona is Persona.confused or analysis.asks_clarification:
        return only(Move.clarify)  # answered every time: a question back never skips
    if analysis.bare_move_on:
        return only(advance)
    # Gaps are judged on everything said about this question, not only the last message.
    earlier = session.answers_to(session.current)
    whole = analyse("\n".join([*earlier, text]), session.question, role) if earlier else analysis
    graded = grade(whole, session.question)
    if persona is Persona.normal and graded.complete and not earlier and analysis.words <= 120:
        persona = analysis.persona = Persona.efficient  # complete in few words: move on
    if persona is Persona.chatty and here.steers < 1 and whole.reading.informative <= 3:
        return only(Move.steer)  # a ramble with little in it; one with substance is probed
    if not whole.on_question and here.steers < 1:
        return only(Move.steer)  # another question answered: name it, bring them back
    # Probe the most important gap; if it was asked about and is still open, move on
    # rather than badger the candidate with a lesser one.
    top = whole.weaknesses[0] if whole.weaknesses else None
    probe = top if top is not None and top not in here.probed else None
    can_follow_up = here.follow_ups < MAX_FOLLOW_UPS
    if persona is Persona.efficient or graded.complete or not can_follow_up or probe is None:
        move = advance
    else:
        move = Move.follow_up
    allowed = {move, advance}
    if can_follow_up:
        allowed.add(Move.follow_up)
    if here.clarifications < MAX_CLARIFICATIONS:
        allowed.add(Move.clarify)
    if here.steers < MAX_STEERS:
        allowed.add(Move.steer)
    return TurnRequest(role=role, session=session, move=move, allowed=sorted(allowed),
                       answer=text, analysis=analysis, probe=probe if move is Move.follow_up
                       else None, next_question=session.next_question)


def apply_move(session: Session, request: TurnRequest, plan: TurnPlan
               ) -> tuple[ReplyKind, Persona | None]:
    """Record the answer and the move made; returns the reply's kind and the persona read.

    A wrap-up ends the session here; writing the report is the service's job.
    """
    analysis: AnswerAnalysis = request.analysis  # type: ignore[assignment]
    persona = analysis.persona if analysis.persona in SAFETY_PERSONAS else plan.read
    # Whether an answer counts is core's reading, whatever label the brain gave it.
    counts = (analysis.persona in COUNTING_PERSONAS and not analysis.bare_move_on
              and not analysis.non_english and not analysis.asks_clarification)
    session.hear(request.answer or "", persona, counts=counts)
    here = session.here
    if analysis.bare_move_on and not session.answers_to(session.current):
        here.skipped = True
    move = plan.move
    if move is Move.follow_up:
        here.follow_ups += 1
        if request.probe and plan.move is request.move:
            here.probed.append(request.probe)
    elif move is Move.clarify:
        here.clarifications += 1
    elif move is Move.steer:
        here.steers += 1
    elif move is Move.warning:
        session.warnings += 1
    elif move is Move.end:
        session.warnings += 1
        session.state = SessionState.ended
    elif move is Move.ask:
        session.advance()
    kind = MOVE_KIND[move]
    session.say(kind, plan.message)
    if move is Move.wrap_up:
        session.state = SessionState.ended
    return kind, persona
