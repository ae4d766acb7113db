"""The conversation layer every surface shares: one dispatch of commands, one read model.

- ``Conversation.understand`` decides what typed text is: a command (``core.commands``)
  or an answer. Inside a running interview only a command typed alone counts.
- ``Conversation.handle(who, where, command)`` runs any command and returns a neutral
  outcome (a ``Reply``, the roles, the user's history...) that each surface renders
  in its own idiom. Slash commands, buttons and typed text all come through here, so
  every surface understands the same words and does the same thing with them.
- The read model (``is_active``, ``view``, ``find``) answers what surfaces need to
  know about an interview without handing them the stored ``Session``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.commands import Command, ParsedCommand, lone_command, parse
from core.errors import InterviewError
from core.history import ChannelStats, Progress
from core.models import Persona, Reply, ReplyKind, RoleSummary, Where, Who
from core.report import FeedbackReport
from core.service import InterviewService
from core.session import Session, SessionState, Speaker

# ----------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Replied:
    """The interviewer's turn (start, hint, skip, end, status, reset)."""

    reply: Reply


@dataclass(frozen=True)
class ShowUsage:
    """``help``: the surface shows how to use it, in its own syntax."""


@dataclass(frozen=True)
class ShowRoles:
    roles: list[RoleSummary]


@dataclass(frozen=True)
class ShowHistory:
    progress: Progress


@dataclass(frozen=True)
class ShowStats:
    stats: ChannelStats | None  # None: asked where there is no channel (a DM, a terminal)


@dataclass(frozen=True)
class SharingSet:
    share: bool


@dataclass(frozen=True)
class ConfirmForget:
    """``forget`` deletes only once the user confirms; the surface asks, then calls ``forget``."""


@dataclass(frozen=True)
class Typed:
    """What a typed message is: a command, or (``command`` None) an answer or chatter."""

    command: ParsedCommand | None
    active: bool  # an interview of this user is running here


Outcome = Replied | ShowUsage | ShowRoles | ShowHistory | ShowStats | SharingSet | ConfirmForget

# ----------------------------------------------------------------------- read model


@dataclass(frozen=True)
class TranscriptItem:
    speaker: Speaker
    text: str
    question_index: int  # 1-based main question
    kind: ReplyKind | None = None  # for the interviewer's words
    at: float = 0.0
    persona: Persona | None = None  # for the candidate's words


@dataclass(frozen=True)
class InterviewView:
    """What a surface may know of one interview."""

    role_id: str
    role_name: str
    state: SessionState
    question_index: int  # 1-based main question in play
    question_total: int
    question: str | None  # the question in play while active
    last_prompt: str | None  # the interviewer's last words
    transcript: tuple[TranscriptItem, ...]
    report: FeedbackReport | None = None  # once written

    @property
    def active(self) -> bool:
        return self.state is SessionState.active


class Conversation:
    """A small layer over ``InterviewService`` that every surface talks to."""

    def __init__(self, service: InterviewService) -> None:
        self.service = service

    # ------------------------------------------------------------------ reading

    async def view(self, who: Who, where: Where) -> InterviewView | None:
        session = await self.service.session_for(who, where)
        return None if session is None else self._view_of(session)

    async def is_active(self, who: Who, where: Where) -> bool:
        session = await self.service.session_for(who, where)
        return session is not None and session.state is SessionState.active

    async def exists(self, who: Who, where: Where) -> bool:
        """An interview of this user here, running or over (not yet expired or forgotten)."""
        return await self.service.session_for(who, where) is not None

    async def find(self, who: Who, places: Iterable[Where], *,
                   finished_too: bool = False) -> Where | None:
        """The user's running interview among ``places`` (newest first), else with
        ``finished_too`` the first one that is over."""
        over: Where | None = None
        for where in places:
            session = await self.service.session_for(who, where)
            if session is not None and session.state is SessionState.active:
                return where
            if session is not None and over is None:
                over = where
        return over if finished_too else None

    # ------------------------------------------------------------------ notes

    async def put_note(self, who: Who, namespace: str, key: str, value: str,
                       ttl_seconds: float | None = None) -> None:
        """Remember a small string about the user in core's store (see ``SessionStore``):
        it survives restarts, every replica sees it, and "forget me" deletes it."""
        await self.service.store.put_note(who, namespace, key, value, ttl_seconds)

    async def get_note(self, who: Who, namespace: str, key: str) -> str | None:
        return await self.service.store.get_note(who, namespace, key)

    async def pop_note(self, who: Who, namespace: str, key: str) -> str | None:
        return await self.service.store.pop_note(who, namespace, key)

    def role_name(self, role_id: str) -> str:
        """A role's display name; a role removed since keeps its id, which still says what it was."""
        try:
            return self.service.resolve_role(role_id).name
        except InterviewError:
            return role_id

    def role_names(self) -> dict[str, str]:
        return {role.id: role.name for role in self.service.roles()}

    def roles_matching(self, typed: str) -> list[RoleSummary]:
        """Roles whose id, name or an alias contains ``typed`` (for autocompletion)."""
        typed = typed.strip().lower()
        return [role for role in self.service.roles()
                if not typed or typed in role.id or typed in role.name.lower()
                or any(typed in alias.lower() for alias in role.aliases)]

    def _view_of(self, session: Session) -> InterviewView:
        active = session.state is SessionState.active
        transcript = tuple(TranscriptItem(entry.speaker, entry.text, entry.question_index + 1,
                                          entry.kind, entry.at, entry.persona)
                           for entry in session.transcript)
        last = next((item.text for item in reversed(transcript)
                     if item.speaker is Speaker.interviewer), None)
        return InterviewView(role_id=session.role_id, role_name=self.role_name(session.role_id),
                             state=session.state, question_index=session.current + 1,
                             question_total=len(session.questions),
                             question=session.question.text if active else None,
                             last_prompt=last, transcript=transcript, report=session.report)

    # ------------------------------------------------------------------ commands

    async def understand(self, who: Who, where: Where, text: str) -> Typed:
        """Whether typed text is a command; mid-interview only a command typed alone is.

        May raise ``CommandError`` for a command with a bad option.
        """
        if await self.is_active(who, where):
            command = lone_command(text)
            if command is not None:
                return Typed(ParsedCommand(command), active=True)
            return Typed(self._start_of_a_role(text), active=True)
        return Typed(parse(text), active=False)

    def _start_of_a_role(self, text: str) -> ParsedCommand | None:
        """``start sales`` typed mid-interview is a start (refused: one is running), not an
        answer; "Start by listing the stakeholders" names no role, so it is an answer."""
        try:
            command = parse(text)
            if command is None or command.command is not Command.start:
                return None
            self.service.resolve_role(command.role)
        except InterviewError:
            return None
        return command

    async def handle(self, who: Who, where: Where, command: ParsedCommand, *,
                     extra_context: str = "", channel_scope: str | None = None) -> Outcome:
        """Run one command. ``extra_context`` tailors a start (a file sent before);
        ``channel_scope`` is the conversation-id prefix ``stats`` counts (None: no channel)."""
        service = self.service
        match command.command:
            case Command.start:
                options = command.options(extra_context)
                return Replied(await service.start(who, where, options))
            case Command.hint:
                return Replied(await service.hint(who, where))
            case Command.skip:
                return Replied(await service.skip(who, where))
            case Command.end:
                return Replied(await service.feedback(who, where))
            case Command.status:
                return Replied(await service.status(who, where))
            case Command.reset:
                return Replied(await service.reset(who, where))
            case Command.help:
                return ShowUsage()
            case Command.roles:
                return ShowRoles(service.roles())
            case Command.history:
                return ShowHistory(await service.progress(who))
            case Command.stats:
                if channel_scope is None:
                    return ShowStats(None)
                return ShowStats(await service.channel_stats(who.platform, channel_scope))
            case Command.share:
                await service.share_scores(who, bool(command.share))
                return SharingSet(bool(command.share))
            case Command.forget:
                return ConfirmForget()
        raise ValueError(f"unknown command {command.command}")  # pragma: no cover
