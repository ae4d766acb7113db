"""Remembering which Events API deliveries were already handled.

Slack re-delivers an event (``X-Slack-Retry-Num``) when it did not see a 200 in
time, and occasionally delivers one twice. Each carries the same ``event_id``;
handling it twice would give the candidate a second interviewer turn.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RecentIds:
    """A bounded, expiring set: ``first_time(id)`` is True only for an id's first sighting.

    Slack retries for about an hour at most, so an hour-long memory is enough, and
    the size bound keeps a busy workspace from growing it without limit.
    """

    def __init__(self, max_size: int = 10_000, ttl_seconds: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_size = max_size
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, key: str) -> bool:
        now = self._clock()
        self._forget_expired(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        while len(self._seen) > self.max_size:
            self._seen.popitem(last=False)
        return True

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        while self._seen:
            oldest_key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.ttl_seconds:
                break
            del self._seen[oldest_key]

    def __len__(self) -> int:
        return len(self._seen)
