"""The service every surface calls: start, answer, hint, skip, status, feedback, reset, roles.

Core owns the interview state machine. Each turn:
1. the answer is cleaned and read (``core.analysis``);
2. core decides the move (follow-up, clarify, steer, next question...) and the
   moves it would also accept (``core.moves``);
3. the brain writes the words and may propose another allowed move (``core.writing``);
4. the new state is saved, and only then the reply is returned.

A turn works on a copy of the session: if the brain fails, nothing is saved, so
the candidate can send the same answer again.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import structlog

from core.analysis import MAX_ANALYSED_CHARS
from core.brain.base import Brain, Move, TurnPlan, TurnRequest
from core.audio import Transcriber, hear, keep_delivery, transcriber_for  # spoken answers
from core.errors import InterviewAlreadyActiveError, NoActiveInterviewError
from core.models import (
    Action,
    Heard,
    InterviewOptions,
    Persona,
    Reply,
    ReplyKind,
    RoleSummary,
    StatusInfo,
    TextDelta,
    TurnRef,
    Where,
    Who,
    session_key,
)
from core.moves import MAX_FOLLOW_UPS, apply_move, decide  # noqa: F401  (MAX_ re-exported)
from core.planner import plan_questions
from core.report import FeedbackReport
from core.roles import Role, RoleCatalog, default_catalog
from core.session import QuestionProgress, Session, SessionState
from core.history import ChannelStats, ForgetResult, HistoryStore, Progress
from core.store import InMemoryStore, SessionStore
from core.stores.memory import InMemoryHistory
from core.text import clean_input
from core.turns import hold_turn
from core.writing import finish, plan_turn, report_fell_back, stream_plan

log = structlog.get_logger("core.service")

# Analysed text is capped by core.analysis; we keep a little more in the transcript.
MAX_STORED_ANSWER_CHARS = MAX_ANALYSED_CHARS

EMPTY_ANSWER_PROMPT = (
    "Take your time. Type your answer whenever you're ready, or ask for a hint if you're stuck."
)
LONG_ANSWER_NOTICE = (
    "(That was a long answer, so I read the first {limit:,} characters. In a live interview, "
    "aim for about two minutes per answer.)"
)
ACTIVE_ACTIONS = [Action.hint, Action.skip, Action.end]


class InterviewService:
    def __init__(
        self,
        brain: Brain,
        store: SessionStore | None = None,
        catalog: RoleCatalog | None = None,
        fallback: Brain | None = None,
        history: HistoryStore | None = None,
    ) -> None:
        from core.brain.offline import OfflineBrain

        self.brain = brain
        self.store = store if store is not None else InMemoryStore()
        self.catalog = catalog if catalog is not None else default_catalog()
        # Finished interviews: built with the store by ``bot.wiring`` (same SQLite file, same
        # Redis); in memory when not given (tests, embedding).
        self.history = history if history is not None else InMemoryHistory()
        # Core's own words when it overrides a brain, and the report when a brain fails.
        self.fallback = fallback or (brain if type(brain) is OfflineBrain else OfflineBrain())

    async def aclose(self) -> None:
        """Release the brain's client, the history and the store (on shutdown; in tests)."""
        try:
            await self.brain.aclose()
            if self.fallback is not self.brain:
                await self.fallback.aclose()
        finally:
            await self.history.close()
            await self.store.close()  # last: the history may share its connection

    # ----------------------------------------------------------------- small verbs

    def roles(self) -> list[RoleSummary]:
        return [role.summary_model() for role in self.catalog]

    def resolve_role(self, name: str) -> Role:
        return self.catalog.resolve(name)

    async def session_for(self, who: Who, where: Where) -> Session | None:
        return await self.store.get(session_key(who, where))

    async def reset(self, who: Who, where: Where) -> Reply:
        key = session_key(who, where)
        async with self.store.lock(key):
            existed = await self.store.get(key) is not None
            await self.store.delete(key)
        text = (
            "Interview discarded. Start a new one whenever you like."
            if existed
            else "There was nothing to reset. Start an interview whenever you like."
        )
        return Reply(kind=ReplyKind.notice, text=text)

    async def status(self, who: Who, where: Where) -> Reply:
        session = await self.session_for(who, where)
        if session is None:
            raise NoActiveInterviewError()
        role = self.catalog.get(session.role_id)
        info = StatusInfo(
            role=role.id,
            role_name=role.name,
            difficulty=session.options.difficulty,
            focus=session.options.focus,
            state=session.state.value,
            question_index=session.current + 1,
            question_total=len(session.questions),
            follow_ups_on_question=session.here.follow_ups,
            answers_given=session.answered_count(),
            elapsed_seconds=int(time.time() - session.created_at),
            brain=self.brain.name,
            tokens=session.usage,
        )
        minutes = info.elapsed_seconds // 60
        text = (
            f"{role.name} interview ({info.difficulty}, {info.focus}): question "
            f"{info.question_index} of {info.question_total}, {info.answers_given} answered, "
            f"{minutes} min so far. State: {info.state}."
        )
        if session.usage.calls:
            text += (
                f" Model tokens: {session.usage.input_tokens:,} in / "
                f"{session.usage.output_tokens:,} out."
            )
        return self._reply(session, ReplyKind.notice, text, status=info)

    # ----------------------------------------------------------------- history and data

    async def progress(self, who: Who, limit: int = 10) -> Progress:
        """The user's last finished interviews on this platform, with a trend per score."""
        return await self.history.progress(who.platform, who.user_id, limit)

    async def forget(self, who: Who) -> ForgetResult:
        """Delete everything stored about the user: history, preferences, live interviews.

        Surfaces ask for confirmation before calling this.
        """
        interviews = await self.history.delete_history(who.platform, who.user_id)
        sessions = await self.store.delete_user(who.platform, who.user_id)
        log.info("history.forgot_user", platform=who.platform, interviews=interviews,
                 sessions=sessions)
        return ForgetResult(interviews=interviews, sessions=sessions)

    async def share_scores(self, who: Who, share: bool) -> None:
        """Opt in (or out) of showing one's scores in a channel's practice stats."""
        await self.history.set_share_scores(who.platform, who.user_id, share)

    async def channel_stats(self, platform: str, conversation_prefix: str) -> ChannelStats:
        """Practice activity in conversations under a prefix (a channel and its threads)."""
        return await self.history.channel_stats(platform, conversation_prefix)

    # ----------------------------------------------------------------- start

    async def start(self, who: Who, where: Where, options: InterviewOptions) -> Reply:
        role = self.resolve_role(options.role)
        options = options.model_copy(update={"role": role.id})
        key = session_key(who, where)
        async with self.store.lock(key):
            existing = await self.store.get(key)
            if existing is not None and existing.state is SessionState.active:
                raise InterviewAlreadyActiveError()
            session = Session(key=key, who=who, where=where, options=options, role_id=role.id,
                              questions=[], progress=[QuestionProgress()])
            chosen = plan_questions(role, options, seed=session.id)
            session.questions, session.tailored_to = chosen.questions, chosen.tailored_to
            request = TurnRequest(role=role, session=session, move=Move.greet,
                                  allowed=[Move.greet], next_question=session.questions[0])
            plan = await plan_turn(self.brain, self.fallback, request)
            session.say(ReplyKind.greeting, plan.message)
            await self._save(session, new=True)
        log.info("interview.started", session=session.id, platform=who.platform, role=role.id,
                 difficulty=options.difficulty.value, questions=len(session.questions))
        return self._reply(session, ReplyKind.greeting, plan.message)

    # ----------------------------------------------------------------- answer

    async def answer(self, who: Who, where: Where, text: str, turn: TurnRef | None = None) -> Reply:
        return await _last_reply(self.answer_stream(who, where, text, turn))

    async def answer_stream(
        self, who: Who, where: Where, text: str, turn: TurnRef | None = None
    ) -> AsyncIterator[TextDelta | Reply]:
        """Like ``answer``, yielding the reply's text as the brain writes it; the Reply last.

        ``turn`` names the turn (``core.turns``): a repeat gets the stored reply.
        """
        key = session_key(who, where)
        async with self._turn(key, turn, text) as session:
            if isinstance(session, Reply):  # a repeat of a turn already applied
                yield session
                return
            cleaned = clean_input(text)
            if not cleaned:
                yield self._reply(session, ReplyKind.notice, EMPTY_ANSWER_PROMPT)
                return
            started = time.perf_counter()
            role = self.catalog.get(session.role_id)
            notice = ""
            if len(cleaned) > MAX_ANALYSED_CHARS:
                notice = LONG_ANSWER_NOTICE.format(limit=MAX_ANALYSED_CHARS) + "\n\n"
                cleaned = cleaned[:MAX_STORED_ANSWER_CHARS]
            request = decide(role, session, cleaned)
            if notice:
                yield TextDelta(text=notice)
            plan: TurnPlan | None = None
            async for event in stream_plan(self.brain, self.fallback, request):
                if isinstance(event, TurnPlan):
                    plan = event
                else:
                    yield event
            assert plan is not None
            kind, persona = apply_move(session, request, plan)
            report = None
            if plan.move is Move.wrap_up:  # the last answer: the report comes with the reply
                report = await finish(self.brain, self.fallback, role, session)
            await self._save(session)
            reply = self._reply(session, kind, notice + plan.message, persona=persona,
                                report=report)
            log.info("interview.turn", session=session.id, persona=reply.persona,
                     move=plan.move.value, question=session.current + 1, chars=len(cleaned),
                     tokens_in=session.usage.input_tokens, tokens_out=session.usage.output_tokens,
                     ms=round((time.perf_counter() - started) * 1000, 2))
            yield reply

    # ----------------------------------------------------------------- spoken answers

    # None: Gemini hears when the brain is Gemini, else the offline recogniser (core.audio).
    transcriber: Transcriber | None = None

    async def answer_audio(self, who: Who, where: Where, audio: bytes) -> Reply:
        """A spoken answer: transcribed, then answered like text; ``reply.heard`` says what was heard."""
        return await _last_reply(self.answer_audio_stream(who, where, audio))

    async def answer_audio_stream(
        self, who: Who, where: Where, audio: bytes
    ) -> AsyncIterator[Heard | TextDelta | Reply]:
        """``Heard`` first (show the transcript), then the turn as ``answer_stream`` yields it.

        Bad audio raises ``core.audio.AudioError`` before anything changes. The answer's
        delivery figures are kept on the session for the report; if the turn fails they
        are taken back, so the same recording can simply be sent again.
        """
        key = session_key(who, where)
        async with self._turn(key):  # no interview here: say so before any transcription
            pass
        heard = await hear(audio, self.transcriber or transcriber_for(self.brain))
        yield heard
        async with keep_delivery(self.store, key, heard.delivery):
            async for event in self.answer_stream(who, where, heard.text):
                yield event.model_copy(update={"heard": heard}) if isinstance(event, Reply) else event

    # ----------------------------------------------------------------- hint, skip

    async def hint(self, who: Who, where: Where, turn: TurnRef | None = None) -> Reply:
        async with self._turn(session_key(who, where), turn, "/hint") as session:
            if isinstance(session, Reply):
                return session
            role = self.catalog.get(session.role_id)
            session.here.hints += 1
            request = TurnRequest(role=role, session=session, move=Move.hint, allowed=[Move.hint])
            plan = await plan_turn(self.brain, self.fallback, request)
            session.say(ReplyKind.hint, plan.message)
            await self._save(session)
            return self._reply(session, ReplyKind.hint, plan.message)

    async def skip(self, who: Who, where: Where, turn: TurnRef | None = None) -> Reply:
        async with self._turn(session_key(who, where), turn, "/skip") as session:
            if isinstance(session, Reply):
                return session
            role = self.catalog.get(session.role_id)
            if not session.answers_to(session.current):
                session.here.skipped = True
            if session.is_last_question:
                session.state = SessionState.ended
                report = await finish(self.brain, self.fallback, role, session)
                text = "Skipped. That was the last question, so here is your feedback."
                session.say(ReplyKind.feedback, text)
                await self._save(session)
                return self._reply(session, ReplyKind.feedback, text, report=report)
            request = TurnRequest(role=role, session=session, move=Move.skip, allowed=[Move.skip],
                                  next_question=session.next_question)
            plan = await plan_turn(self.brain, self.fallback, request)
            session.advance()
            session.say(ReplyKind.question, plan.message)
            await self._save(session)
            return self._reply(session, ReplyKind.question, plan.message)

    # ----------------------------------------------------------------- feedback

    async def feedback(self, who: Who, where: Where) -> Reply:
        """End the interview (if it is still running) and return the report."""
        key = session_key(who, where)
        async with self.store.lock(key):
            session = await self.store.get(key)
            if session is None:
                raise NoActiveInterviewError()
            if session.report is None or report_fell_back(self.brain, self.fallback, session):
                session = session.working_copy()
                session.state = SessionState.ended
                role = self.catalog.get(session.role_id)
                await finish(self.brain, self.fallback, role, session)
                await self._save(session)
        assert session.report is not None
        text = "Thanks for practising. Here is your feedback."
        return self._reply(session, ReplyKind.feedback, text, report=session.report)

    # ----------------------------------------------------------------- internals

    def _turn(self, key: str, turn: TurnRef | None = None,
              payload: str = "") -> AbstractAsyncContextManager[Session | Reply]:
        """The user's lock for a whole turn, and a working copy (``core.turns.hold_turn``)."""
        return hold_turn(self.store, key, turn, payload, ACTIVE_ACTIONS)

    async def _save(self, session: Session, *, new: bool = False) -> None:
        session.touch()
        session.close_turn()  # a named turn is remembered in the same write as the turn
        if new:
            await self.store.put(session)
        elif not await self.store.update(session):
            # The user may have asked to be forgotten while this turn waited on the model:
            # a turn must never bring a deleted interview back.
            log.info("interview.turn_discarded", session=session.id)
            raise NoActiveInterviewError(
                "This interview was deleted, so that answer was not kept. Start a new "
                "one whenever you like.")
        if session.state is SessionState.finished:
            await self._record_history(session)

    async def _record_history(self, session: Session) -> None:
        """Keep the finished interview for progress; never at the cost of the report."""
        try:
            await self.history.record_session(session)  # idempotent per session id
        except Exception as error:
            log.warning("history.record_failed", session=session.id, error=type(error).__name__)

    def _reply(self, session: Session, kind: ReplyKind, text: str, *, persona: Persona | None = None,
               report: FeedbackReport | None = None, status: StatusInfo | None = None) -> Reply:
        active = session.state is SessionState.active
        return Reply(
            kind=kind,
            text=text,
            persona=persona,
            question_index=session.current + 1,
            question_total=len(session.questions),
            question=session.question.text if active else None,
            actions=ACTIVE_ACTIONS if active else [],
            report=report,
            status=status,
        )


async def _last_reply(events: AsyncIterator[object]) -> Reply:
    """The Reply that ends a streamed turn (the non-streaming verbs are built on these)."""
    reply: Reply | None = None
    async for event in events:
        if isinstance(event, Reply):
            reply = event
    assert reply is not None
    return reply
