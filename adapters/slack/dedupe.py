"""Button presses already handled, and channel starts under way, remembered in core's store.

A double click sends two presses; handling both would skip two questions. The store's
``first_time`` answers for every replica sharing it (Redis), so two presses that a load
balancer sends to different processes still count once.
"""

from __future__ import annotations

from core.store import SessionStore

PRESS = "slack-press:"  # beside the platform delivery ids the store also remembers


class Presses:
    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def first_time(self, press: str) -> bool:
        return await self.store.first_time(PRESS + press)

    async def forget(self, press: str) -> None:
        """Its handling failed: the user may press again."""
        await self.store.forget_seen(PRESS + press)


START = "slack-start:"
START_CLAIM_SECONDS = 60  # longer than any start takes; a crashed start frees it by then


class Starts:
    """One channel start at a time per user, across every replica sharing the store: a
    double-sent ``/interview start`` reaching two processes opens one thread, not two."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def claim(self, key: str) -> bool:
        return await self.store.first_time(START + key, START_CLAIM_SECONDS)

    async def release(self, key: str) -> None:
        await self.store.forget_seen(START + key)
