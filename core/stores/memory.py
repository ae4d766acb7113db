"""The in-memory backend: sessions (``core.store.InMemoryStore``) and history in dicts.

For tests and throwaway runs (``STORE_URL=memory://``): nothing survives a restart.
"""

from __future__ import annotations

from collections.abc import Callable

from core.history import (
    DEFAULT_HISTORY_LIMIT,
    HistoryEntry,
    HistoryStore,
    HistorySummary,
    retention_cutoff,
)
from core.store import DEFAULT_TTL_SECONDS, InMemoryStore
from core.stores.storage import Storage

__all__ = ["InMemoryHistory", "InMemoryStore", "memory_storage"]


def memory_storage(ttl_seconds: float = DEFAULT_TTL_SECONDS) -> Storage:
    return Storage(InMemoryStore(ttl_seconds=ttl_seconds), InMemoryHistory())


class InMemoryHistory(HistoryStore):
    def __init__(self) -> None:
        self._entries: dict[str, HistoryEntry] = {}
        self._sharing: set[tuple[str, str]] = set()

    async def record(self, entry: HistoryEntry) -> None:
        self._entries[entry.id] = entry.model_copy(deep=True)

    async def list_for_user(
        self, platform: str, user_id: str, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[HistorySummary]:
        mine = [e for e in self._entries.values() if (e.platform, e.user_id) == (platform, user_id)]
        mine.sort(key=lambda entry: entry.finished_at, reverse=True)
        return [entry.summary() for entry in mine[:limit]]

    async def get_entry(self, platform: str, user_id: str, entry_id: str) -> HistoryEntry | None:
        entry = self._entries.get(entry_id)
        if entry is None or (entry.platform, entry.user_id) != (platform, user_id):
            return None
        return entry.model_copy(deep=True)

    async def in_conversations(self, platform: str, prefix: str) -> list[HistorySummary]:
        return [
            entry.summary()
            for entry in self._entries.values()
            if entry.platform == platform and entry.conversation_id.startswith(prefix)
        ]

    async def set_share_scores(self, platform: str, user_id: str, share: bool) -> None:
        if share:
            self._sharing.add((platform, user_id))
        else:
            self._sharing.discard((platform, user_id))

    async def sharing(self, platform: str) -> set[str]:
        return {user for on, user in self._sharing if on == platform}

    async def delete_history(self, platform: str, user_id: str) -> int:
        self._sharing.discard((platform, user_id))
        return self._drop(lambda e: (e.platform, e.user_id) == (platform, user_id))

    async def purge_older_than(self, days: float, now: float | None = None) -> int:
        cutoff = retention_cutoff(days, now)
        return self._drop(lambda entry: entry.finished_at < cutoff)

    def _drop(self, doomed: Callable[[HistoryEntry], bool]) -> int:
        ids = [entry_id for entry_id, entry in self._entries.items() if doomed(entry)]
        for entry_id in ids:
            del self._entries[entry_id]
        return len(ids)
