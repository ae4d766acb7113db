"""Button presses already handled, and channel starts under way, remembered in core's store.

A double click sends two presses; handling both would skip two questions. A start sent
twice would open two threads. The store's ``first_time`` answers for every replica
sharing it (Redis), so two of either that a load balancer sends to different processes
still count once.
"""

from __future__ import annotations

from core.store import DEFAULT_SEEN_SECONDS, SessionStore

PRESS = "slack-press:"  # beside the platform delivery ids the store also remembers
START = "slack-start:"
START_CLAIM_SECONDS = 60  # longer than any start takes; a crashed start frees it by then


class Claims:
    """Keys claimed once across every process sharing the store, for ``ttl_seconds``."""

    def __init__(self, store: SessionStore, prefix: str,
                 ttl_seconds: float = DEFAULT_SEEN_SECONDS) -> None:
        self.store, self.prefix, self.ttl_seconds = store, prefix, ttl_seconds

    async def first_time(self, key: str) -> bool:
        return await self.store.first_time(self.prefix + key, self.ttl_seconds)

    async def forget(self, key: str) -> None:
        """Its handling failed or is over: the key may be claimed again."""
        await self.store.forget_seen(self.prefix + key)


def presses(store: SessionStore) -> Claims:
    """Button presses already handled (double clicks)."""
    return Claims(store, PRESS)


def starts(store: SessionStore) -> Claims:
    """Channel starts under way: one per user and channel on every replica at once."""
    return Claims(store, START, START_CLAIM_SECONDS)
