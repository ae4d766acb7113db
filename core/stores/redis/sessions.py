"""Redis: the shared store, for several bot processes serving the same users.

Keys (``prefix`` defaults to ``interview:``):

- ``session:{key}``: the session JSON, expiring ``ttl_seconds`` after its last save;
- ``user:{platform}:{user_id}``: the set of that user's session keys ("forget me");
- ``lock:{key}``: turns waiting for a session, a sorted set scored by send time;
- ``lockholder:{key}``: the token of the turn that holds the session;
- ``lockparked:{key}``: turns that stepped aside until another turn finishes;
- ``lease:{token}``: a waiting or holding turn's lease, renewed while it lives;
- ``seen:{id}``: platform deliveries already handled (``SET NX`` with a TTL);
- ``note:{platform}:{user_id}:{namespace}:{key}``: a surface's note, with its own TTL;
- ``notes:{platform}:{user_id}``: the set of that user's note keys ("forget me"), kept
  as long as the longest of them;
- channel ``wake:{node}``: one per process, where it hears that a turn of its got the lock.

The connection pool blocks when every connection is busy instead of failing the turn,
and lease renewals and wake-ups have their own two connections, so a busy pool never
delays them.

Scripts touch keys derived from the session key, so this targets a single Redis server
(or a primary with replicas), not Redis Cluster.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis
import structlog

from core.errors import LockLostError, SessionBusyError
from core.models import Who
from core.session import Session
from core.store import DEFAULT_SEEN_SECONDS, DEFAULT_TTL_SECONDS, SessionStore, load_session
from core.stores.redis.locking import (
    DEFAULT_LEASE_SECONDS,
    DEFAULT_LOCK_WAIT_SECONDS,
    LOST,
    NOTHING,
    RedisTurnLocks,
    reachable,
    text,
)
from core.stores.redis.scripts import CHECK, ENQUEUE, PUT, RELEASE, UNPARK

log = structlog.get_logger(__name__)

DEFAULT_MAX_CONNECTIONS = 64  # per process; turns wait for a free one rather than fail
DEFAULT_POOL_TIMEOUT = 30.0

__all__ = ["LockLostError", "RedisStore", "SessionBusyError"]


class RedisStore(RedisTurnLocks, SessionStore):
    """Sessions in Redis with an idle TTL, and a fair cross-process lock per session."""

    def __init__(
        self,
        client: aioredis.Redis,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        prefix: str = "interview:",
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
        control: aioredis.Redis | None = None,
    ) -> None:
        self.redis = client
        # Renewals and the wake channel: never queued behind a busy main pool.
        self.control = control if control is not None else client
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self.node = secrets.token_hex(6)  # this process (this store) on the wake channels
        self._scripts = {name: client.register_script(source) for name, source in (
            ("enqueue", ENQUEUE), ("check", CHECK), ("release", RELEASE), ("unpark", UNPARK),
            ("put", PUT))}
        self._init_locking()

    @classmethod
    def from_url(cls, url: str, ttl_seconds: float = DEFAULT_TTL_SECONDS, *,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 pool_timeout: float = DEFAULT_POOL_TIMEOUT, **options) -> RedisStore:
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=pool_timeout)
        control = aioredis.BlockingConnectionPool.from_url(url, max_connections=2, timeout=None)
        return cls(aioredis.Redis.from_pool(pool), ttl_seconds,
                   control=aioredis.Redis.from_pool(control), **options)

    # ----------------------------------------------------------------- keys

    def session_key(self, key: str) -> str:
        return f"{self.prefix}session:{key}"

    def user_key(self, platform: str, user_id: str) -> str:
        return f"{self.prefix}user:{platform}:{user_id}"

    def note_key(self, who: Who, namespace: str, key: str) -> str:
        return f"{self.prefix}note:{who.platform}:{who.user_id}:{namespace}:{key}"

    def notes_key(self, platform: str, user_id: str) -> str:
        return f"{self.prefix}notes:{platform}:{user_id}"

    def queue_key(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"

    def _lock_keys(self, key: str) -> list[str]:
        return [self.queue_key(key), f"{self.prefix}lockholder:{key}",
                f"{self.prefix}lockparked:{key}"]

    # ----------------------------------------------------------------- sessions

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl_seconds * 1000))

    async def get(self, key: str) -> Session | None:
        prefetched = self._prefetched.pop(key, NOTHING)
        if prefetched is NOTHING:
            async with reachable():
                prefetched = await self.redis.get(self.session_key(key))
        return None if prefetched is None else load_session(key, prefetched)

    async def put(self, session: Session) -> None:
        await self._put(session, must_exist=False)

    async def update(self, session: Session) -> bool:
        return await self._put(session, must_exist=True)

    async def _put(self, session: Session, *, must_exist: bool) -> bool:
        """One script: refused if our turn lost the lock (fencing), or if the session was
        deleted meanwhile and ``must_exist``."""
        self._prefetched.pop(session.key, None)
        holder_key = self._lock_keys(session.key)[1]
        token = self._holding.get(session.key, "")
        async with reachable():
            written = await self._scripts["put"](
                keys=[self.session_key(session.key),
                      self.user_key(session.who.platform, session.who.user_id), holder_key],
                args=[token, session.model_dump_json(), self._ttl_ms, int(must_exist),
                      session.key])
        if written == LOST:
            log.warning("redis.save_refused_lock_lost", key=session.key)
            raise LockLostError()
        return written == 1

    async def delete(self, key: str) -> None:
        # The key may stay in its user's set until that expires; deleting it again is harmless.
        self._prefetched.pop(key, None)
        await self.redis.delete(self.session_key(key))

    async def delete_user(self, platform: str, user_id: str) -> int:
        """Delete every live session and note of one user; returns how many sessions."""
        user_key, notes_key = self.user_key(platform, user_id), self.notes_key(platform, user_id)
        members = await self.redis.smembers(user_key)
        keys = [self.session_key(text(member)) for member in members]
        notes = [text(note) for note in await self.redis.smembers(notes_key)]
        async with self.redis.pipeline(transaction=True) as pipe:
            if keys:
                pipe.delete(*keys)
            pipe.delete(user_key, notes_key, *notes)
            results = await pipe.execute()
        return int(results[0]) if keys else 0

    async def put_note(self, who: Who, namespace: str, key: str, value: str,
                       ttl_seconds: float | None = None) -> None:
        ttl_ms = max(1, int(self.note_ttl(ttl_seconds) * 1000))
        note, notes = self.note_key(who, namespace, key), self.notes_key(who.platform, who.user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(note, value, px=ttl_ms)
            pipe.sadd(notes, note)
            pipe.pexpire(notes, ttl_ms, nx=True)  # a new set: give it a TTL...
            pipe.pexpire(notes, ttl_ms, gt=True)  # ...and never one shorter than a note's
            await pipe.execute()

    async def get_note(self, who: Who, namespace: str, key: str) -> str | None:
        async with reachable():
            value = await self.redis.get(self.note_key(who, namespace, key))
        return None if value is None else text(value)

    async def pop_note(self, who: Who, namespace: str, key: str) -> str | None:
        # The key may stay in its user's set until that expires; deleting it again is harmless.
        async with reachable():
            value = await self.redis.getdel(self.note_key(who, namespace, key))
        return None if value is None else text(value)

    async def first_time(self, delivery_id: str, ttl_seconds: float = DEFAULT_SEEN_SECONDS) -> bool:
        """Shared by every process on this Redis: ``SET NX`` with a TTL."""
        return bool(await self.redis.set(f"{self.prefix}seen:{delivery_id}", 1, nx=True,
                                         px=max(1, int(ttl_seconds * 1000))))

    async def forget_seen(self, delivery_id: str) -> None:
        await self.redis.delete(f"{self.prefix}seen:{delivery_id}")

    async def waiting(self, key: str) -> int:
        """Turns holding or queued for this session's lock, across every process."""
        queue, holder, parked = self._lock_keys(key)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(queue)
            pipe.exists(holder)
            pipe.llen(parked)
            counts = await pipe.execute()
        return sum(int(count) for count in counts)

    async def close(self) -> None:
        await self._stop_locking()
        await self.redis.aclose()
        if self.control is not self.redis:
            await self.control.aclose()
