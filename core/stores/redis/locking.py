"""Redis turn locks: a fair, cross-process queue per session, with leases.

How a turn takes its session: it joins the queue with a lease and waits, without
polling, on its process's wake channel. Whoever releases the lock hands it to the
first live waiter in the same Lua script and publishes that waiter's token, so the
waiter runs at once and no two turns ever hold a session. Leases are short (5 s) and
renewed by one task per process for all its turns; a process that dies stops renewing,
and a waiter's slow safety check (every few seconds, in case a wake was lost) removes
the dead holder and moves on. A save from a turn whose lease lapsed is refused, so a
stalled process can never overwrite a newer turn.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
import structlog

from core.errors import SessionBusyError, StoreUnavailableError
from core.locks import TurnLock

log = structlog.get_logger(__name__)

DEFAULT_LEASE_SECONDS = 5.0  # a turn whose process stops renewing for this long is presumed dead
DEFAULT_LOCK_WAIT_SECONDS = 120.0  # a turn queued longer than this gives up politely
RELEASE_ATTEMPTS = 5
# Lock bookkeeping keys outlive any wait; they are refreshed on every change.
KEEP_SECONDS = 2 * DEFAULT_LOCK_WAIT_SECONDS

HELD, QUEUED, PARKED, LOST = 1, 0, 2, -1


class RedisTurnLocks:
    """The lock half of ``RedisStore``: queueing, hand-over, lease renewal, wake-ups.

    Expects ``redis``, ``control``, ``prefix``, ``node``, ``lease_seconds``,
    ``lock_wait_seconds``, ``_scripts``, ``_lock_keys`` and ``session_key`` from the store.
    """

    def _init_locking(self) -> None:
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

    async def _stop_locking(self) -> None:
        for task in (self._listener, self._renewer, *self._background):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (self._listener, self._renewer, *self._background)
                               if t is not None), return_exceptions=True)
        self._listening.clear()

    @asynccontextmanager
    async def lock(self, key: str, *, order: float | None = None) -> AsyncIterator[TurnLock]:
        async with reachable():
            await self._start()
        ticket = _Ticket(self, key, order)
        try:
            async with reachable():
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
                waker = self._wakers.get(text(message["data"]))
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


class _Ticket(TurnLock):
    """One turn's place in a session's queue, and the lock while it holds it."""

    def __init__(self, store: RedisTurnLocks, key: str, order: float | None) -> None:
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


NOTHING = object()


@asynccontextmanager
async def reachable() -> AsyncIterator[None]:
    """A Redis that cannot be reached (or a pool that stayed full) is the user's friendly
    "send it again", not a crash: nothing was recorded."""
    try:
        yield
    except aioredis.RedisError as error:
        log.warning("redis.unavailable", error=type(error).__name__)
        raise StoreUnavailableError() from error


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
