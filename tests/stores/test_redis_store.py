"""RedisStore against a real redis-server: sessions, TTL, "forget me" and the shared lock."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from core.models import Persona
from core.service import InterviewService
from core.stores.redis import SessionBusyError
from tests.stores.helpers import (
    answer_text,
    bare_session,
    candidate_texts,
    long_options,
    person,
    place,
)
from tests.support.brains import ScriptedBrain

REPO = Path(__file__).resolve().parents[2]


async def until(condition, timeout: float = 10.0) -> None:
    """Poll an async condition; the timeout only bounds a failing test."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.005)


async def test_sessions_round_trip_with_an_idle_ttl(redis_stores):
    store = redis_stores(ttl_seconds=3600)
    session = bare_session()
    session.hear("kept in redis", persona=Persona.normal, counts=True)
    await store.put(session)
    assert await store.get(session.key) == session
    ttl_ms = await store.redis.pttl(store.session_key(session.key))
    assert 3_500_000 < ttl_ms <= 3_600_000
    await store.delete(session.key)
    assert await store.get(session.key) is None


async def test_a_session_left_idle_past_its_ttl_is_gone(redis_stores):
    store = redis_stores(ttl_seconds=0.2)
    await store.put(bare_session())
    await asyncio.sleep(0.5)  # generous: redis expires keys to the millisecond
    assert await store.get("discord:u1:c1") is None


async def test_delete_user_removes_exactly_that_users_sessions(redis_stores):
    store = redis_stores()
    mine = [bare_session("a", "c1"), bare_session("a", "c2")]
    others = [bare_session("a:x", "c1"), bare_session("b", "c1"), bare_session("a", "c1", "slack")]
    for session in mine + others:
        await store.put(session)
    assert await store.delete_user("discord", "a") == 2
    assert [await store.get(s.key) for s in mine] == [None, None]
    assert all([await store.get(s.key) is not None for s in others])


async def test_an_unreadable_session_reads_as_none(redis_stores):
    store = redis_stores()
    await store.redis.set(store.session_key("discord:u1:c1"), b"not json")
    assert await store.get("discord:u1:c1") is None


# ----------------------------------------------------------------------------- the lock


async def test_the_lock_is_exclusive_and_first_come_first_served_across_stores(redis_stores):
    stores = [redis_stores(), redis_stores()]  # two connections, as two processes would have
    order: list[int] = []
    holding = Counter()
    gate = asyncio.Event()

    async def turn(number: int) -> None:
        async with stores[number % 2].lock("k"):
            holding["now"] += 1
            holding["max"] = max(holding["max"], holding["now"])
            await gate.wait()
            order.append(number)
            holding["now"] -= 1

    tasks = []
    for number in range(8):
        tasks.append(asyncio.create_task(turn(number)))
        await until(lambda n=number: _waiting(stores[0], "k", n + 1))
    gate.set()
    await asyncio.gather(*tasks)
    assert order == list(range(8))
    assert holding["max"] == 1
    assert await stores[0].waiting("k") == 0  # nothing left behind


async def _waiting(store, key: str, count: int) -> bool:
    return await store.waiting(key) == count


async def test_a_turn_that_waits_too_long_gives_up_politely_and_leaves_the_queue(redis_stores):
    holder, impatient = redis_stores(), redis_stores(lock_wait_seconds=0.2)
    async with holder.lock("k"):
        with pytest.raises(SessionBusyError) as raised:
            async with impatient.lock("k"):
                pytest.fail("entered a lock that another store holds")
        assert "previous message" in raised.value.user_message
        assert await holder.waiting("k") == 1  # only the holder is left in the queue
    async with impatient.lock("k"):  # and the lock is free again afterwards
        pass


async def test_a_cancelled_waiter_leaves_the_queue_wherever_the_cancel_lands(redis_stores):
    """Cancel a queued turn at every early point (even mid-connect inside redis-py)."""
    store = redis_stores()
    for yields in range(16):
        async with store.lock("k"):
            waiter = asyncio.create_task(_enter(store, "k"))
            for _ in range(yields):
                await asyncio.sleep(0)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                async with asyncio.timeout(5):  # bounds a failure: a lost cancel waits forever
                    await waiter
        assert await store.waiting("k") == 0, f"left in the queue after {yields} yields"
    async with asyncio.timeout(5):
        await _enter(store, "k")


async def _enter(store, key: str) -> None:
    async with store.lock(key):
        pass


async def test_a_killed_process_holding_the_lock_frees_it_when_its_lease_lapses(
    redis_url, redis_prefix, redis_stores
):
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, redis_url, redis_prefix],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "HELD"
        with pytest.raises(SessionBusyError):  # alive: it really holds the lock
            await _enter(redis_stores(lock_wait_seconds=0.3), "k")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        holder.stdout.close()
    async with asyncio.timeout(10):  # lease is 1 s; generous bound for a loaded machine
        await _enter(redis_stores(), "k")


_HOLD_LOCK = """
import asyncio, sys
from core.stores.redis import RedisStore

async def main():
    store = RedisStore.from_url(sys.argv[1], prefix=sys.argv[2], lease_seconds=1.0)
    async with store.lock("k"):
        print("HELD", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


# ----------------------------------------------------------------------------- two services


async def test_two_service_instances_handle_one_users_rapid_turns_in_order(redis_stores):
    gate, running = asyncio.Event(), Counter()
    gate.set()  # the greeting goes straight through
    stores = [redis_stores(), redis_stores()]
    # Both brains wait at one gate and count turns running at once across the two services.
    services = [InterviewService(brain=ScriptedBrain(gate=gate, running=running), store=s)
                for s in stores]
    who, where = person(), place()
    await services[0].start(who, where, long_options())
    key = "discord:u1:c1"

    gate.clear()
    texts = [answer_text(f"rapid {n}") for n in range(6)]
    tasks = []
    for number, text in enumerate(texts):  # alternate between the two "processes"
        tasks.append(asyncio.create_task(services[number % 2].answer(who, where, text)))
        await until(lambda n=number: _waiting(stores[0], key, n + 1))
    gate.set()
    replies = await asyncio.gather(*tasks)

    assert len(replies) == 6
    assert running["max"] == 1  # never two turns of one user at once
    session = await stores[1].get(key)
    assert candidate_texts(session) == texts  # none lost, none interleaved, in order
    interviewer_turns = [e for e in session.transcript if e.speaker.value == "interviewer"]
    assert len(interviewer_turns) == 1 + 6  # the greeting and one reply per answer
