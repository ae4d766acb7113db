"""``InterviewService.aclose``: every resource the service was given is released, once."""

from __future__ import annotations

import pytest

from core.brain.offline import OfflineBrain
from core.models import InterviewOptions
from core.service import InterviewService
from core.stores.memory import InMemoryHistory
from core.stores.sqlite import sqlite_storage
from core.store import InMemoryStore
from tests.support.brains import ScriptedBrain


class ClosingStore(InMemoryStore):
    def __init__(self, closed: list[str]) -> None:
        super().__init__()
        self.closed = closed

    async def close(self) -> None:
        self.closed.append("store")


class ClosingHistory(InMemoryHistory):
    def __init__(self, closed: list[str]) -> None:
        super().__init__()
        self.closed = closed

    async def close(self) -> None:
        self.closed.append("history")


async def test_aclose_closes_the_brain_the_history_and_the_store_last():
    closed: list[str] = []
    service = InterviewService(brain=ScriptedBrain(closed=closed), store=ClosingStore(closed),
                               history=ClosingHistory(closed))
    await service.aclose()
    assert closed == ["brain", "history", "store"]


async def test_aclose_releases_the_sqlite_file_after_an_interview(tmp_path, who, where):
    storage = sqlite_storage(tmp_path / "bot.sqlite3")
    service = InterviewService(brain=OfflineBrain(), store=storage.sessions,
                               history=storage.history)
    await service.start(who, where, InterviewOptions(role="sales"))
    assert storage.sessions.db._connection is not None
    await service.aclose()
    assert storage.sessions.db._connection is None
    # The same file opens again with the interview in it (nothing was lost on close).
    reopened = sqlite_storage(tmp_path / "bot.sqlite3")
    try:
        assert await InterviewService(brain=OfflineBrain(), store=reopened.sessions,
                                      history=reopened.history).session_for(who, where)
    finally:
        await reopened.close()


async def test_the_store_is_closed_even_when_the_brain_fails_to_close():
    closed: list[str] = []
    brain = ScriptedBrain(closed=closed, close_error=RuntimeError("client already gone"))
    service = InterviewService(brain=brain, store=ClosingStore(closed),
                               history=ClosingHistory(closed))
    with pytest.raises(RuntimeError):
        await service.aclose()
    assert closed == ["history", "store"]
