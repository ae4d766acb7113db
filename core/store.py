"""Where sessions live. In memory by default, behind an interface for other stores."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator

from core.locks import KeyedLocks
from core.session import Session

DEFAULT_TTL_SECONDS = 24 * 3600


class SessionStore(ABC):
    """Keeps sessions by key and serialises work on one key.

    ``lock(key)`` is how core guarantees that two messages from one user are
    handled in order and never interleaved; a shared store implements it across
    processes.
    """

    @abstractmethod
    async def get(self, key: str) -> Session | None: ...

    @abstractmethod
    async def put(self, session: Session) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    def lock(self, key: str) -> AsyncIterator[None]:
        """An async context manager held for the whole of one turn."""

    @abstractmethod
    async def delete_user(self, platform: str, user_id: str) -> int:
        """Delete every session of one user (all conversations); returns how many."""

    async def close(self) -> None:  # pragma: no cover - nothing to release in memory
        return None


class InMemoryStore(SessionStore):
    """Sessions in a dict; idle ones expire after ``ttl_seconds``.

    Each key has a FIFO lock (``core.locks.KeyedLocks``), so turns of one user run
    one after another in arrival order.
    """

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock=time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._locks = KeyedLocks()

    def _expired(self, session: Session) -> bool:
        return self._clock() - session.updated_at > self.ttl_seconds

    async def get(self, key: str) -> Session | None:
        session = self._sessions.get(key)
        if session is not None and self._expired(session):
            del self._sessions[key]
            return None
        return session

    async def put(self, session: Session) -> None:
        self._sessions[session.key] = session

    async def delete(self, key: str) -> None:
        self._sessions.pop(key, None)

    async def delete_user(self, platform: str, user_id: str) -> int:
        doomed = [key for key, session in self._sessions.items()
                  if (session.who.platform, session.who.user_id) == (platform, user_id)]
        for key in doomed:
            del self._sessions[key]
        return len(doomed)

    async def purge_expired(self) -> int:
        stale = [key for key, session in self._sessions.items() if self._expired(session)]
        for key in stale:
            del self._sessions[key]
        return len(stale)

    def __len__(self) -> int:
        return len(self._sessions)

    def lock(self, key: str):
        return self._locks.hold(key)
