"""Named turns (``core.models.TurnRef``): answered once, applied in the client's order.

A surface that names its turns (the HTTP API's ``Idempotency-Key`` and ``Turn-Number``
headers) gets two guarantees from the service:

- **Once.** A turn is recorded with its names in the same save as the turn itself, so
  a repeat (a client retrying after a lost response, a crash, a 5xx) gets the reply it
  would have got, rebuilt from the transcript, and nothing is recorded twice. The
  same name with a different message is refused (``TurnConflictError``).
- **In order.** Turn n is applied right after turn n - 1. When it arrives first (two
  requests racing through two processes), it steps aside and waits up to
  ``TURN_GAP_WAIT_SECONDS`` for the missing one; then it is refused with the number
  the server expects (``TurnOutOfOrderError``), having changed nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import structlog

from core.errors import NoActiveInterviewError, TurnConflictError, TurnOutOfOrderError
from core.models import Action, Reply, ReplyKind, TurnRef
from core.session import Session, SessionState, Speaker
from core.store import SessionStore

log = structlog.get_logger("core.service")

TURN_GAP_WAIT_SECONDS = 10.0
OVER_KINDS = (ReplyKind.feedback, ReplyKind.ended)


def turn_refs(turn: TurnRef) -> tuple[str, ...]:
    """The names a turn is remembered by in ``Session.applied_turns``."""
    refs = []
    if turn.number is not None:
        refs.append(f"#{turn.number}")
    if turn.key is not None:
        refs.append(f"key:{turn.key}")
    return tuple(refs)


def digest(payload: str) -> str:
    # surrogatepass: a chat message may carry a lone surrogate (cleaned later, not refused).
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def earlier_reply(session: Session, turn: TurnRef, payload: str) -> int | None:
    """Where the reply to this turn is in the transcript if it was applied before, else None.

    Raises ``TurnConflictError`` when its name was used for another request, or when its
    number is behind the interview's and no longer remembered.
    """
    sent = digest(payload)
    for ref in turn_refs(turn):
        applied = session.applied_turns.get(ref)
        if applied is None:
            continue
        if applied.digest != sent:
            what = f"turn number {turn.number}" if ref.startswith("#") else "idempotency key"
            raise TurnConflictError(
                f"This {what} was already used for a different request; nothing was recorded."
                " Use a new one for a new message.", expected=session.turn_number + 1)
        return applied.reply
    if turn.number is not None and turn.number <= session.turn_number:
        raise TurnConflictError(
            f"Turn {turn.number} was already taken; the next turn is {session.turn_number + 1}."
            " Nothing was recorded.", expected=session.turn_number + 1)
    return None


def replayed(session: Session, index: int, actions: Sequence[Action]) -> Reply:
    """The reply to an applied turn, as it was sent (from the transcript entry it said)."""
    entry = session.transcript[index]
    before = session.transcript[index - 1] if index > 0 else None
    answered = before is not None and before.speaker is Speaker.candidate
    over = entry.kind in OVER_KINDS
    kind = entry.kind or ReplyKind.notice
    return Reply(
        kind=kind,
        text=entry.text,
        persona=before.persona if answered and before is not None else None,
        question_index=entry.question_index + 1,
        question_total=len(session.questions),
        question=None if over else session.questions[entry.question_index].text,
        actions=[] if over else list(actions),
        report=session.report if kind is ReplyKind.feedback else None,
        repeated=True,
    )


@asynccontextmanager
async def hold_turn(store: SessionStore, key: str, turn: TurnRef | None, payload: str,
                    actions: Sequence[Action]) -> AsyncIterator[Session | Reply]:
    """Hold the user's lock for a whole turn and hand out a working copy.

    The copy is saved by the turn itself (the service's ``_save``) only when it succeeded.
    A named turn waits for the turns numbered before it, and a repeat of an applied one
    gets its stored reply instead of a copy.
    """
    async with store.lock(key, order=turn.sent_at if turn else None) as held:
        session = await store.get(key)
        if turn is not None and turn.number is not None:
            deadline = time.monotonic() + TURN_GAP_WAIT_SECONDS
            while session is not None and turn.number > session.turn_number + 1:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TurnOutOfOrderError(session.turn_number + 1, turn.number)
                await held.wait_for_another_turn(remaining)
                session = await store.get(key)
        if turn is not None and session is not None:
            index = earlier_reply(session, turn, payload)
            if index is not None:
                log.info("interview.turn_repeated", session=session.id)
                yield replayed(session, index, actions)
                return
        if session is None or session.state is not SessionState.active:
            raise NoActiveInterviewError(
                None if session is None else
                "This interview is over. Start a new one whenever you like."
            )
        copy = session.working_copy()
        if turn is not None:
            copy.begin_turn(turn_refs(turn), digest(payload), turn.number)
        yield copy


class TurnRepeated(Exception):
    """A named turn arrived again after it was applied: its reply was shown then."""


async def unless_repeated(events: AsyncIterator) -> AsyncIterator:
    """A turn's events (``TextDelta``s, then the ``Reply``); a repeat raises ``TurnRepeated``.

    The turn's stream holds the user's session lock until it ends, so it is closed here
    on every exit rather than left to the garbage collector.
    """
    try:
        async for event in events:
            if isinstance(event, Reply) and event.repeated:
                raise TurnRepeated
            yield event
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
