"""Redis: the shared store, for several bot processes serving the same users.

Keys (``prefix`` defaults to ``interview:``):

- ``{prefix}session:{key}``: the session JSON, expiring ``ttl_seconds`` after its last save;
- ``{prefix}user:{platform}:{user_id}``: the set of that user's session keys ("forget me");
- ``{prefix}lock:{key}``: the FIFO queue of turns waiting for a session (see ``lock``);
- ``{prefix}lock:{key}:alive:{token}``: a waiter's or holder's lease, renewed while it lives.

The per-session lock is a fair queue rather than a plain ``SET NX`` lock: a plain lock
is won by whichever poller happens to ask first, so a user's second message could
overtake the first. Here every turn pushes a token onto the session's queue and
runs when its token reaches the head, so turns run in the order they reached Redis,
whichever process received them. A process that dies stops renewing its lease; the
next waiter then removes the dead token and goes ahead.

Scripts touch keys derived from the queue key, so this targets a single Redis server
(or a primary with replicas), not Redis Cluster.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import redis.asyncio as aioredis
import structlog

from core.errors import InterviewError
from core.session import Session
from core.store import DEFAULT_TTL_SECONDS, SessionStore
from core.stores import load_session

log = structlog.get_logger(__name__)

DEFAULT_LEASE_SECONDS = 30.0  # a holder that stops renewing for this long is presumed dead
DEFAULT_LOCK_WAIT_SECONDS = 120.0  # a turn queued longer than this gives up politely
POLL_FIRST_SECONDS = 0.005
POLL_MAX_SECONDS = 0.05

# Returns 1: our turn; 0: still queued; -1: our token is gone (lease lost), queue again.
_TRY_ACQUIRE = """
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head then return -1 end
  if head == ARGV[1] then return 1 end
  if redis.call('EXISTS', ARGV[2] .. head) == 0 then
    redis.call('LPOP', KEYS[1])
  elseif redis.call('LPOS', KEYS[1], ARGV[1]) then
    return 0
  else
    return -1
  end
end
"""

# Returns 1 when we held the head, 0 when we were only queued (or already evicted).
_RELEASE = """
redis.call('DEL', KEYS[2])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  return 1
end
redis.call('LREM', KEYS[1], 1, ARGV[1])
return 0
"""


class SessionBusyError(InterviewError):
    user_message = (
        "I'm still working on your previous message. Please send this one again in a moment; "
        "your interview is safe."
    )


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
    ) -> None:
        self.redis = client
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self._try_acquire = client.register_script(_TRY_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, ttl_seconds: float = DEFAULT_TTL_SECONDS, **options) -> RedisStore:
        return cls(aioredis.Redis.from_url(url), ttl_seconds, **options)

    # ----------------------------------------------------------------- keys

    def session_key(self, key: str) -> str:
        return f"{self.prefix}session:{key}"

    def user_key(self, platform: str, user_id: str) -> str:
        return f"{self.prefix}user:{platform}:{user_id}"

    def queue_key(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"

    # ----------------------------------------------------------------- sessions

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl_seconds * 1000))

    async def get(self, key: str) -> Session | None:
        data = await self.redis.get(self.session_key(key))
        return None if data is None else load_session(key, data)

    async def put(self, session: Session) -> None:
        user_key = self.user_key(session.who.platform, session.who.user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.session_key(session.key), session.model_dump_json(), px=self._ttl_ms)
            pipe.sadd(user_key, session.key)
            pipe.pexpire(user_key, self._ttl_ms)
            await pipe.execute()

    async def delete(self, key: str) -> None:
        # The key may stay in its user's set until that expires; deleting it again is harmless.
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

    async def waiting(self, key: str) -> int:
        """Turns holding or queued for this session's lock, across every process."""
        return int(await self.redis.llen(self.queue_key(key)))

    # ----------------------------------------------------------------- lock

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        ticket = _Ticket(key=key, queue=self.queue_key(key), token=secrets.token_hex(12))
        renewer: asyncio.Task | None = None
        try:
            await self._enqueue(ticket)
            renewer = asyncio.create_task(self._renew(ticket))
            await self._wait_for_head(ticket)
            yield
        finally:
            if renewer is not None:
                renewer.cancel()
                with suppress(asyncio.CancelledError):
                    await renewer
            # Shielded: a cancelled turn must still hand the session on to the next one.
            release = self._release(keys=[ticket.queue, ticket.alive], args=[ticket.token])
            if not await asyncio.shield(release):
                log.debug("redis.lock_left_queue", key=key)

    @property
    def _lease_ms(self) -> int:
        return max(1, int(self.lease_seconds * 1000))

    async def _enqueue(self, ticket: _Ticket) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(ticket.alive, 1, px=self._lease_ms)
            pipe.rpush(ticket.queue, ticket.token)
            pipe.pexpire(ticket.queue, 2 * self._lease_ms)  # an abandoned queue expires by itself
            await pipe.execute()

    async def _wait_for_head(self, ticket: _Ticket) -> None:
        deadline = time.monotonic() + self.lock_wait_seconds
        pause = POLL_FIRST_SECONDS
        while True:
            ticket.raise_if_cancelled()
            state = await self._try_acquire(
                keys=[ticket.queue], args=[ticket.token, ticket.alive_prefix]
            )
            if state == 1:
                return
            if state == -1:  # our lease lapsed (a very long stall) and we were evicted
                log.warning("redis.lock_requeued", key=ticket.key)
                await self._enqueue(ticket)
            if time.monotonic() >= deadline:
                log.warning("redis.lock_timeout", key=ticket.key, waited_s=self.lock_wait_seconds)
                raise SessionBusyError()
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX_SECONDS)

    async def _renew(self, ticket: _Ticket) -> None:
        """Keep our lease (and the queue) alive while we wait or hold the lock."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.pexpire(ticket.alive, self._lease_ms)
                    pipe.pexpire(ticket.queue, 2 * self._lease_ms)
                    await pipe.execute()
            except aioredis.RedisError as error:  # try again next beat; the lease has slack
                log.warning("redis.lease_renew_failed", error=type(error).__name__)

    async def close(self) -> None:
        await self.redis.aclose()


@dataclass
class _Ticket:
    """One turn's place in a session's queue."""

    key: str
    queue: str
    token: str
    task: asyncio.Task | None = field(default_factory=asyncio.current_task)
    cancels_at_start: int = 0

    def __post_init__(self) -> None:
        self.cancels_at_start = self.task.cancelling() if self.task else 0

    @property
    def alive_prefix(self) -> str:
        return f"{self.queue}:alive:"

    @property
    def alive(self) -> str:
        return self.alive_prefix + self.token

    def raise_if_cancelled(self) -> None:
        """redis-py can absorb a cancellation that lands while it opens a connection;
        honour it rather than queue on for a turn that nobody awaits any more."""
        if self.task is not None and self.task.cancelling() > self.cancels_at_start:
            raise asyncio.CancelledError()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
