"""Redis: the shared store, for several bot processes serving the same users.

Keys (``prefix`` defaults to ``interview:``):

- ``session:{key}``: the session JSON, expiring ``ttl_seconds`` after its last save;
- ``user:{platform}:{user_id}``: the set of that user's session keys ("forget me");
- ``lock:{key}``: turns waiting for a session, a sorted set scored by send time;
- ``lockholder:{key}``: the token of the turn that holds the session;
- ``lockparked:{key}``: turns that stepped aside until another turn finishes;
- ``lease:{token}``: a waiting or holding turn's lease, renewed while it lives;
- ``seen:{id}``: platform deliveries already handled (``SET NX`` with a TTL);
- channel ``wake:{node}``: one per process, where it hears that a turn of its got the lock.

How a turn takes its session: it joins the queue with a lease and waits, without
polling, on its process's wake channel. Whoever releases the lock hands it to the
first live waiter in the same Lua script and publishes that waiter's token, so the
waiter runs at once and no two turns ever hold a session. Leases are short (5 s) and
renewed by one task per process for all its turns; a process that dies stops renewing,
and a waiter's slow safety check (every few seconds, in case a wake was lost) removes
the dead holder and moves on. A save from a turn whose lease lapsed is refused, so a
stalled process can never overwrite a newer turn.

The connection pool blocks when every connection is busy instead of failing the turn,
and lease renewals and wake-ups have their own two connections, so a busy pool never
delays them.

Scripts touch keys derived from the session key, so this targets a single Redis server
(or a primary with replicas), not Redis Cluster.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
import structlog

from core.errors import LockLostError, SessionBusyError, StoreUnavailableError
from core.locks import TurnLock
from core.session import Session
from core.store import DEFAULT_SEEN_SECONDS, DEFAULT_TTL_SECONDS, SessionStore
from core.stores import load_session
from core.stores.redis_scripts import CHECK, ENQUEUE, PUT, RELEASE, UNPARK

if TYPE_CHECKING:
    from core.history import HistoryStore

log = structlog.get_logger(__name__)

DEFAULT_LEASE_SECONDS = 5.0  # a turn whose process stops renewing for this long is presumed dead
DEFAULT_LOCK_WAIT_SECONDS = 120.0  # a turn queued longer than this gives up politely
DEFAULT_MAX_CONNECTIONS = 64  # per process; turns wait for a free one rather than fail
DEFAULT_POOL_TIMEOUT = 30.0
RELEASE_ATTEMPTS = 5
# Lock bookkeeping keys outlive any wait; they are refreshed on every change.
KEEP_SECONDS = 2 * DEFAULT_LOCK_WAIT_SECONDS

HELD, QUEUED, PARKED, LOST = 1, 0, 2, -1

__all__ = ["LockLostError", "RedisStore", "SessionBusyError"]


class RedisStore(SessionStore):
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
        self._wakers: dict[str, asyncio.Future[bool]] = {}  # token -> its wake-up
        self._live: dict[str, _Ticket] = {}  # token -> ticket, renewed while here
        self._holding: dict[str, str] = {}  # session key -> token of our turn that holds it
        # The session as read in the same script that took its lock: the turn's first read.
        self._prefetched: dict[str, bytes | None] = {}
        self._background: set[asyncio.Task] = set()
        self._listener: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None
        self._listening = asyncio.Event()
        self._starting: asyncio.Lock | None = None

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
        prefetched = self._prefetched.pop(key, _NOTHING)
        if prefetched is _NOTHING:
            async with _reachable():
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
        async with _reachable():
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
        """Delete every live session of one user (all conversations); returns how many."""
        user_key = self.user_key(platform, user_id)
        members = await self.redis.smembers(user_key)
        keys = [self.session_key(_text(member)) for member in members]
        async with self.redis.pipeline(transaction=True) as pipe:
            if keys:
                pipe.delete(*keys)
            pipe.delete(user_key)
            results = await pipe.execute()
        return int(results[0]) if keys else 0

    async def first_time(self, delivery_id: str, ttl_seconds: float = DEFAULT_SEEN_SECONDS) -> bool:
        """Shared by every process on this Redis: ``SET NX`` with a TTL."""
        return bool(await self.redis.set(f"{self.prefix}seen:{delivery_id}", 1, nx=True,
                                         px=max(1, int(ttl_seconds * 1000))))

    async def waiting(self, key: str) -> int:
        """Turns holding or queued for this session's lock, across every process."""
        queue, holder, parked = self._lock_keys(key)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(queue)
            pipe.exists(holder)
            pipe.llen(parked)
            counts = await pipe.execute()
        return sum(int(count) for count in counts)

    def history(self) -> HistoryStore:
        from core.stores.redis_history import RedisHistory

        return RedisHistory(self.redis, self, prefix=self.prefix)

    # ----------------------------------------------------------------- lock

    @asynccontextmanager
    async def lock(self, key: str, *, order: float | None = None) -> AsyncIterator[TurnLock]:
        async with _reachable():
            await self._start()
        ticket = _Ticket(self, key, order)
        try:
            async with _reachable():
                await ticket.acquire(time.monotonic() + self.lock_wait_seconds)
            yield ticket
        finally:
            self._live.pop(ticket.token, None)
            if self._holding.get(key) == ticket.token:
                del self._holding[key]
                self._prefetched.pop(key, None)
            # Shielded: a cancelled turn must still hand the session on to the next one.
            await asyncio.shield(self._release(ticket))

    async def _script(self, name: str, ticket: _Ticket, *args: object) -> int:
        return int(await self._scripts[name](
            keys=ticket.keys, args=[ticket.token, self.prefix, *args]))

    async def _enqueue(self, ticket: _Ticket) -> int:
        """Join the queue; when the lock is ours at once, the session comes with it."""
        reply = await self._scripts["enqueue"](
            keys=[*ticket.keys, self.session_key(ticket.key)],
            args=[ticket.token, self.prefix, self._lease_ms, ticket.score, self._keep_ms])
        self._live[ticket.token] = ticket  # its lease exists now: renew it from here on
        state = int(reply[0])
        if state == HELD:
            self._prefetched[ticket.key] = reply[1] if len(reply) > 1 else None
        return state

    async def _release(self, ticket: _Ticket, park: bool = False) -> None:
        """Release (or step aside); a Redis error is retried in the background, never
        raised into a turn that already succeeded (its lease lapses in any case)."""
        try:
            await self._script("release", ticket, self._keep_ms, int(park))
        except aioredis.RedisError as error:
            if park:
                raise
            log.warning("redis.release_failed", error=type(error).__name__)
            task = asyncio.create_task(self._release_later(ticket))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _release_later(self, ticket: _Ticket) -> None:
        for attempt in range(RELEASE_ATTEMPTS):
            await asyncio.sleep(0.1 * 2 ** attempt)
            try:
                await self._script("release", ticket, self._keep_ms, 0)
                return
            except aioredis.RedisError:
                continue
        log.warning("redis.release_gave_up", key=ticket.key)

    @property
    def _lease_ms(self) -> int:
        return max(1, int(self.lease_seconds * 1000))

    @property
    def _keep_ms(self) -> int:
        return int(max(KEEP_SECONDS, 2 * self.lock_wait_seconds) * 1000)

    @property
    def _check_every(self) -> float:
        """How often a waiter checks on its own, in case a wake-up was lost."""
        return max(0.05, self.lease_seconds / 2)

    def _expect_wake(self, token: str) -> asyncio.Future[bool]:
        waker = self._wakers.get(token)
        if waker is None or waker.done():
            waker = self._wakers[token] = asyncio.get_running_loop().create_future()
        return waker

    # ----------------------------------------------------------------- background

    async def _start(self) -> None:
        """Subscribe to this process's wake channel (confirmed) and start renewing leases."""
        if self._listening.is_set():
            return
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._listening.is_set():
                return
            pubsub = self.control.pubsub()
            await self._subscribe(pubsub)
            self._listener = asyncio.create_task(self._listen(pubsub))
            self._renewer = asyncio.create_task(self._renew())
            self._listening.set()

    async def _subscribe(self, pubsub) -> None:
        await pubsub.subscribe(f"{self.prefix}wake:{self.node}")
        async with asyncio.timeout(10):
            while True:  # a wake published before the confirmation could be missed
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "subscribe":
                    return

    async def _listen(self, pubsub) -> None:
        try:
            while True:
                try:
                    message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                       timeout=None)
                except aioredis.RedisError as error:
                    log.warning("redis.wake_channel_lost", error=type(error).__name__)
                    await asyncio.sleep(0.5)
                    self._wake_all(handed=False)  # messages may be lost: everyone checks
                    continue
                if message is None or message["type"] != "message":
                    continue
                waker = self._wakers.get(_text(message["data"]))
                if waker is not None and not waker.done():
                    waker.set_result(True)
        finally:
            await pubsub.aclose()

    def _wake_all(self, *, handed: bool) -> None:
        for waker in self._wakers.values():
            if not waker.done():
                waker.set_result(handed)

    async def _renew(self) -> None:
        """One beat for every turn of this process: a pipeline of PEXPIREs (leases, and the
        holder keys of the sessions we hold, which would otherwise expire on a long turn)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            tokens = list(self._live)
            if not tokens:
                continue
            try:
                async with self.control.pipeline(transaction=False) as pipe:
                    for token in tokens:
                        pipe.pexpire(f"{self.prefix}lease:{token}", self._lease_ms)
                    for key in list(self._holding):
                        pipe.pexpire(self._lock_keys(key)[1], self._keep_ms)
                    renewed = (await pipe.execute())[:len(tokens)]
            except aioredis.RedisError as error:  # try again next beat; the lease has slack
                log.warning("redis.lease_renew_failed", error=type(error).__name__)
                continue
            lapsed = sum(1 for ok in renewed if not ok)
            if lapsed:
                log.warning("redis.leases_lapsed", turns=lapsed)

    async def close(self) -> None:
        for task in (self._listener, self._renewer, *self._background):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (self._listener, self._renewer, *self._background)
                               if t is not None), return_exceptions=True)
        self._listening.clear()
        await self.redis.aclose()
        if self.control is not self.redis:
            await self.control.aclose()


class _Ticket(TurnLock):
    """One turn's place in a session's queue, and the lock while it holds it."""

    def __init__(self, store: RedisStore, key: str, order: float | None) -> None:
        self.store = store
        self.key = key
        self.keys = store._lock_keys(key)
        self.token = f"{store.node}.{secrets.token_hex(8)}"
        # Score in microseconds since the epoch; empty: the Redis server's clock.
        self.score = "" if order is None else str(int(order * 1_000_000))
        self.task = asyncio.current_task()
        self.cancels_at_start = self.task.cancelling() if self.task else 0

    async def acquire(self, deadline: float) -> None:
        store = self.store
        waker = store._expect_wake(self.token)
        try:
            state = await store._enqueue(self)
            await self._wait(state, waker, deadline)
        finally:
            store._wakers.pop(self.token, None)
        store._holding[self.key] = self.token

    async def _wait(self, state: int, waker: asyncio.Future[bool], deadline: float) -> None:
        store = self.store
        while state != HELD:
            self.raise_if_cancelled()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("redis.lock_timeout", key=self.key, waited_s=store.lock_wait_seconds)
                raise SessionBusyError()
            await asyncio.wait({waker}, timeout=min(remaining, store._check_every))
            if waker.done() and waker.result():
                return  # handed over by the turn before us
            waker = store._expect_wake(self.token)
            state = await store._script("check", self, store._keep_ms)
            if state == LOST:  # our lease lapsed (a very long stall) and we were dropped
                log.warning("redis.lock_requeued", key=self.key)
                state = await store._enqueue(self)

    async def wait_for_another_turn(self, timeout: float) -> bool:
        store = self.store
        waker = store._expect_wake(self.token)
        try:
            store._holding.pop(self.key, None)
            await store._release(self, park=True)
            done, _ = await asyncio.wait({waker}, timeout=timeout)
            if done and waker.result():
                store._holding[self.key] = self.token
                return True
            waker = store._expect_wake(self.token)
            # Back in the queue (if another turn has not already put us there), and wait.
            state = await store._script("unpark", self, store._keep_ms)
            await self._wait(state, waker, time.monotonic() + store.lock_wait_seconds)
        finally:
            store._wakers.pop(self.token, None)
        store._holding[self.key] = self.token
        return False

    def raise_if_cancelled(self) -> None:
        """redis-py can absorb a cancellation that lands while it opens a connection;
        honour it rather than queue on for a turn that nobody awaits any more."""
        if self.task is not None and self.task.cancelling() > self.cancels_at_start:
            raise asyncio.CancelledError()


_NOTHING = object()


@asynccontextmanager
async def _reachable() -> AsyncIterator[None]:
    """A Redis that cannot be reached (or a pool that stayed full) is the user's friendly
    "send it again", not a crash: nothing was recorded."""
    try:
        yield
    except aioredis.RedisError as error:
        log.warning("redis.unavailable", error=type(error).__name__)
        raise StoreUnavailableError() from error


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
