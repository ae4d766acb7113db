"""A user's typed answers in Slack: named by the message ``ts``, applied in ``ts`` order.

Slack gives every message a ``ts`` (its id in the channel, and when it was sent). A
typed answer becomes a named turn (``core.models.TurnRef``): the key
``slack:{team}:{channel}:{ts}`` makes a redelivered message (a retry with a new event id,
another replica) get its stored reply instead of a second turn, and ``sent_at`` orders
the turns waiting for one interview by ``ts``, in the session store's lock: with a
shared store (Redis) across every process.

That lock only sees a turn once the turn waits on it. A process handles one user's
messages one at a time (``in_order``), and an answer waiting there would be invisible to
the other processes: a later answer that reached another process would go first. So
``queued`` runs the answer itself after the local queue is let go (``defer``): the
local queue orders what a message means (an answer read after ``start`` is read as an
answer), the session lock orders the turns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from core.locks import KeyedLocks
from core.models import TurnRef

_LATER: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "slack_turns_after_the_queue", default=None)


def message_turn(team: str, event: dict) -> TurnRef | None:
    """The turn a message event names, or None when it carries no usable ``ts``."""
    ts = event.get("ts")
    try:
        sent_at = float(ts)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return TurnRef(key=f"slack:{team}:{event.get('channel')}:{ts}", sent_at=sent_at)


@asynccontextmanager
async def queued(locks: KeyedLocks, key: Hashable, turn: TurnRef | None) -> AsyncIterator[None]:
    """Hold the local queue in ``ts`` order; run deferred answers once it is let go."""
    later: list[Callable[[], Awaitable[None]]] = []
    token = _LATER.set(later)
    try:
        order = turn.sent_at if turn is not None and turn.sent_at is not None else float("inf")
        async with locks.hold(key, order):
            yield
    finally:
        _LATER.reset(token)
    for run in later:
        await run()


def defer(run: Callable[[], Awaitable[None]]) -> bool:
    """Run ``run`` after the local queue is let go; False outside ``queued``."""
    later = _LATER.get()
    if later is None:
        return False
    later.append(run)
    return True
