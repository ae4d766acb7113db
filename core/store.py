"""Where sessions live: the ``SessionStore`` interface, and the in-memory store.

The in-memory backend (this store plus ``core.stores.memory.InMemoryHistory``) is
assembled in ``core.stores.memory``; SQLite and Redis live in ``core.stores``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import NamedTuple

import structlog
from pydantic import ValidationError

from core.locks import KeyedLocks, TurnLock
from core.models import Who
from core.session import Session

log = structlog.get_logger(__name__)

DEFAULT_TTL_SECONDS = 24 * 3600
# Slack re-delivers an event for up to about an hour; remembering ids that long is enough.
DEFAULT_SEEN_SECONDS = 3600.0


class SessionStore(ABC):
    """Keeps sessions by key and serialises work on one key.

    ``lock(key)`` is how core guarantees that two messages from one user are
    handled in order and never interleaved; a shared store implements it across
    processes. ``first_time(id)`` remembers platform deliveries already handled
    (retries), across processes when the store is shared.

    Notes (``put_note`` / ``get_note`` / ``pop_note``) are small strings a surface keeps
    about one user beside the sessions, e.g. which thread holds their interview: they
    survive restarts and are shared by replicas as the sessions are, expire after their
    own TTL (by default a session's idle TTL), and "forget me" (``delete_user``) deletes
    them with the sessions.
    """

    _recent_ids: RecentIds | None = None  # made on first use by ``first_time``
    ttl_seconds: float = DEFAULT_TTL_SECONDS

    @abstractmethod
    async def get(self, key: str) -> Session | None: ...

    @abstractmethod
    async def put(self, session: Session) -> None: ...

    async def update(self, session: Session) -> bool:
        """Save a session that should still exist; False (nothing written) when it was
        deleted meanwhile, e.g. the user asked to be forgotten during the turn."""
        if await self.get(session.key) is None:
            return False
        await self.put(session)
        return True

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    def lock(self, key: str, *, order: float | None = None
             ) -> AbstractAsyncContextManager[TurnLock]:
        """An async context manager held for the whole of one turn.

        Turns waiting for the same key go in ``order`` (epoch seconds: a platform's
        timestamp of the message), by arrival when it is None.
        """

    @abstractmethod
    async def delete_user(self, platform: str, user_id: str) -> int:
        """Delete every session (all conversations) and every note of one user; returns how
        many sessions."""

    @abstractmethod
    async def put_note(self, who: Who, namespace: str, key: str, value: str,
                       ttl_seconds: float | None = None) -> None:
        """Keep ``value`` for ``ttl_seconds`` (None: as long as an idle session lives)."""

    @abstractmethod
    async def get_note(self, who: Who, namespace: str, key: str) -> str | None: ...

    @abstractmethod
    async def pop_note(self, who: Who, namespace: str, key: str) -> str | None:
        """The note's value (None if there is none or it expired), deleted."""

    def note_ttl(self, ttl_seconds: float | None) -> float:
        return self.ttl_seconds if ttl_seconds is None else ttl_seconds

    async def first_time(self, delivery_id: str, ttl_seconds: float = DEFAULT_SEEN_SECONDS) -> bool:
        """True only the first time ``delivery_id`` is seen within ``ttl_seconds``.

        In this process; a shared store answers for every process that uses it.
        """
        if self._recent_ids is None:
            self._recent_ids = RecentIds()
        return self._recent_ids.first_time(delivery_id, ttl_seconds)

    async def forget_seen(self, delivery_id: str) -> None:
        """Let ``delivery_id`` count as new again (its handling failed: the user may retry)."""
        if self._recent_ids is not None:
            self._recent_ids.forget(delivery_id)

    async def purge_expired(self) -> int:
        """Delete idle sessions past their TTL; returns how many (a store whose keys expire
        by themselves, like Redis, has nothing to do)."""
        return 0

    async def close(self) -> None:  # pragma: no cover - nothing to release in memory
        return None


def load_session(key: str, data: str | bytes) -> Session | None:
    """A stored session, or None when it cannot be read (e.g. written by an incompatible
    version): the user can start again instead of hitting an error on every message."""
    try:
        return Session.model_validate_json(data)
    except ValidationError as error:
        log.error("store.unreadable_session", key=key, errors=error.error_count())
        return None


class RecentIds:
    """A bounded, expiring set of ids: ``first_time`` is True only for an id's first sighting."""

    def __init__(self, max_size: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # id -> expires at, oldest first

    def first_time(self, key: str, ttl_seconds: float = DEFAULT_SEEN_SECONDS) -> bool:
        now = self._clock()
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now:
                break
            del self._seen[oldest]
        if key in self._seen:
            return False
        self._seen[key] = now + ttl_seconds
        while len(self._seen) > self.max_size:
            self._seen.popitem(last=False)
        return True

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)


class LocalLocking:
    """Turn locks for a store used by one process (memory, SQLite)."""

    _locks: KeyedLocks

    @asynccontextmanager
    async def lock(self, key: str, *, order: float | None = None) -> AsyncIterator[TurnLock]:
        async with self._locks.hold(key, time.time() if order is None else order) as held:
            yield held


class InMemoryStore(LocalLocking, SessionStore):
    """Sessions in a dict; idle ones expire after ``ttl_seconds``.

    Sessions are kept as their JSON, as the other stores keep them: a read is a copy
    (a turn changes nothing until it is saved), and 10,000 idle sessions are 10,000
    strings that the garbage collector never walks, instead of some 60 objects each
    (a full collection would pause the event loop for a fifth of a second).

    Each key has a FIFO lock (``core.locks.KeyedLocks``), so turns of one user run
    one after another in arrival order.
    """

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock=time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._sessions: dict[str, _Stored] = {}
        self._notes: dict[tuple[str, str, str, str], tuple[str, float]] = {}  # -> value, expiry
        self._locks = KeyedLocks()

    def _expired(self, stored: _Stored) -> bool:
        return self._clock() - stored.updated_at > self.ttl_seconds

    async def get(self, key: str) -> Session | None:
        stored = self._sessions.get(key)
        if stored is None:
            return None
        if self._expired(stored):
            del self._sessions[key]
            return None
        return load_session(key, stored.data)

    def peek(self, key: str) -> Session | None:
        """The stored session, read without awaiting (tests waiting on a condition)."""
        stored = self._sessions.get(key)
        return None if stored is None else load_session(key, stored.data)

    async def put(self, session: Session) -> None:
        self._sessions[session.key] = _Stored(session.model_dump_json(), session.updated_at,
                                              session.who.platform, session.who.user_id)

    async def update(self, session: Session) -> bool:
        if session.key not in self._sessions:
            return False
        await self.put(session)
        return True

    async def delete(self, key: str) -> None:
        self._sessions.pop(key, None)

    async def delete_user(self, platform: str, user_id: str) -> int:
        doomed = [key for key, stored in self._sessions.items()
                  if (stored.platform, stored.user_id) == (platform, user_id)]
        for key in doomed:
            del self._sessions[key]
        for note in [note for note in self._notes if note[:2] == (platform, user_id)]:
            del self._notes[note]
        return len(doomed)

    async def put_note(self, who: Who, namespace: str, key: str, value: str,
                       ttl_seconds: float | None = None) -> None:
        expires = self._clock() + self.note_ttl(ttl_seconds)
        self._notes[(who.platform, who.user_id, namespace, key)] = (value, expires)

    async def get_note(self, who: Who, namespace: str, key: str) -> str | None:
        note = (who.platform, who.user_id, namespace, key)
        stored = self._notes.get(note)
        if stored is not None and stored[1] <= self._clock():
            del self._notes[note]
            return None
        return None if stored is None else stored[0]

    async def pop_note(self, who: Who, namespace: str, key: str) -> str | None:
        value = await self.get_note(who, namespace, key)
        self._notes.pop((who.platform, who.user_id, namespace, key), None)
        return value

    async def purge_expired(self) -> int:
        stale = [key for key, stored in self._sessions.items() if self._expired(stored)]
        for key in stale:
            del self._sessions[key]
        now = self._clock()
        for note in [note for note, (_, expires) in self._notes.items() if expires <= now]:
            del self._notes[note]
        return len(stale)

    def __len__(self) -> int:
        return len(self._sessions)


class _Stored(NamedTuple):
    """A session at rest: a tuple of strings and a float, which the collector ignores."""

    data: str
    updated_at: float
    platform: str
    user_id: str
