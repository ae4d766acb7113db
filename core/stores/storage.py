"""A storage backend as the service uses it: the session store and the history beside it."""

from __future__ import annotations

from dataclasses import dataclass

from core.history import HistoryStore
from core.store import SessionStore


@dataclass(frozen=True)
class Storage:
    """What ``core.stores.build_storage`` (or a backend's own builder) returns; ``bot.wiring``
    hands both halves to ``InterviewService``."""

    sessions: SessionStore
    history: HistoryStore

    async def close(self) -> None:
        await self.history.close()
        await self.sessions.close()  # last: the history may share its connection
