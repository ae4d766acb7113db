"""Redis: the shared backend, for several bot processes serving the same users.

One server holds the sessions with their turn locks (``sessions.RedisStore``, locks in
``locking``, Lua in ``scripts``) and the practice history (``history.RedisHistory``),
on the same client.
"""

from __future__ import annotations

from core.errors import LockLostError, SessionBusyError
from core.store import DEFAULT_TTL_SECONDS
from core.stores.redis.history import RedisHistory
from core.stores.redis.sessions import RedisStore
from core.stores.storage import Storage

__all__ = ["LockLostError", "RedisHistory", "RedisStore", "SessionBusyError", "redis_storage"]


def redis_storage(url: str, ttl_seconds: float = DEFAULT_TTL_SECONDS, **options) -> Storage:
    """Sessions and history on one Redis server, under one key prefix."""
    sessions = RedisStore.from_url(url, ttl_seconds, **options)
    return Storage(sessions, RedisHistory(sessions.redis, prefix=sessions.prefix))
