"""The failures seen with several processes on one Redis, each as a test on a real redis-server.

Two ``RedisStore`` objects, each with its own connection pools and wake channel, stand
for two processes (one test uses a real second process).
"""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

import core.turns
from core.errors import LockLostError, StoreUnavailableError, TurnOutOfOrderError
from core.models import Persona, TurnRef
from core.session import Speaker
from tests.stores.helpers import answer_text, candidate_texts, long_options, person, place, service_on

KEY = "discord:u1:c1"


async def until(condition, timeout: float = 20.0) -> None:
    """Wait for an async condition; the timeout only bounds a failing test."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.01)


# ----------------------------------------------------------------------------- load


async def test_200_candidates_at_once_through_a_tiny_pool_all_get_their_turns(
        redis_stores, monkeypatch):
    """Was: MaxConnectionsError (500s) once turns outnumbered the pool's connections."""
    # 600 turns through 4 connections on a busy machine: turn 3 may wait long for turn 2.
    monkeypatch.setattr(core.turns, "TURN_GAP_WAIT_SECONDS", 120)
    stores = [redis_stores(max_connections=4), redis_stores(max_connections=4)]
    services = [service_on(store) for store in stores]

    async def candidate(number: int) -> list[str]:
        who, where = person(f"c{number}"), place(f"c{number}")
        await services[number % 2].start(who, where, long_options())
        texts = [answer_text(f"{number}-{turn}") for turn in range(3)]
        # Overlapping answers, through both "processes", numbered by the client.
        await asyncio.gather(*(services[(number + turn) % 2].answer(
            who, where, text, TurnRef(number=turn + 1)) for turn, text in enumerate(texts)))
        return texts

    sent = await asyncio.gather(*(candidate(number) for number in range(200)))
    for number, texts in enumerate(sent):
        session = await stores[0].get(f"discord:c{number}:c{number}")
        assert candidate_texts(session) == texts
    assert all([await stores[0].waiting(f"discord:c{n}:c{n}") == 0 for n in range(200)])


async def _commands(store) -> int:
    return int((await store.redis.info("stats"))["total_commands_processed"])


async def test_a_queued_turn_waits_without_polling_redis(redis_stores):
    """Was: every waiting turn asked Redis every 5-50 ms."""
    holder_store, waiter_store = redis_stores(), redis_stores()
    async with holder_store.lock("k"):
        waiter = asyncio.create_task(_enter(waiter_store, "k"))
        await until(lambda: _waiting(holder_store, "k", 2))
        before = await _commands(holder_store)
        await asyncio.sleep(1.0)  # a second of waiting, as a slow model would cause
        during = await _commands(holder_store) - before
        assert not waiter.done()
    await asyncio.wait_for(waiter, 10)
    # The two INFO calls, and at most one lease renewal per store: nothing per waiter beat.
    assert during <= 8, f"{during} commands while one turn waited for a second"


async def _enter(store, key: str) -> None:
    async with store.lock(key):
        pass


async def _waiting(store, key: str, count: int) -> bool:
    return await store.waiting(key) == count


async def test_a_failed_release_hands_the_session_on_well_before_the_lease(redis_stores):
    """Was: a release that failed left the session locked for the whole 30 s lease."""
    holder, waiter_store = redis_stores(lease_seconds=60), redis_stores(lease_seconds=60)
    release = holder._scripts["release"]
    failures = []

    async def flaky(*args, **kwargs):
        if not failures:  # the network drops the first release
            failures.append(1)
            raise aioredis.ConnectionError("connection reset by peer")
        return await release(*args, **kwargs)

    holder._scripts["release"] = flaky
    async with holder.lock("k"):
        pass
    assert failures
    started = time.monotonic()
    await asyncio.wait_for(_enter(waiter_store, "k"), 30)  # bounds a failure only
    assert time.monotonic() - started < 20, "the session stayed locked for the lease"
    assert await waiter_store.waiting("k") == 0


async def test_a_stalled_turn_whose_lease_lapsed_cannot_overwrite_the_next_one(redis_stores):
    first_store, second_store = redis_stores(lease_seconds=1), redis_stores(lease_seconds=1)
    services = [service_on(first_store), service_on(second_store)]
    who, where = person(), place()
    await services[0].start(who, where, long_options())
    stalled = await first_store.get(KEY)
    async with first_store.lock(KEY):
        # The process stalls: its lease lapses (deleted here, as expiry would) ...
        await first_store.redis.delete(*[f"{first_store.prefix}lease:{t}"
                                         for t in list(first_store._live)])
        first_store._live.clear()  # ... and it renews nothing while stalled
        # ... and the other process's turn goes ahead.
        await asyncio.wait_for(services[1].answer(who, where, answer_text("newer")), 20)
        stalled.hear("a stale answer", persona=Persona.normal, counts=True)
        with pytest.raises(LockLostError):
            await first_store.update(stalled)
    session = await second_store.get(KEY)
    assert candidate_texts(session) == [answer_text("newer")]


# ----------------------------------------------------------------------------- order


async def test_answers_racing_through_two_processes_apply_in_client_turn_order(redis_stores):
    """Was: 26-30 of 30 sessions applied overlapping answers out of send order."""
    stores = [redis_stores(), redis_stores()]
    services = [service_on(store) for store in stores]

    async def session(number: int) -> tuple[list[str], list[str]]:
        who, where = person(f"s{number}"), place(f"s{number}")
        await services[0].start(who, where, long_options())
        texts = [answer_text(f"{number}:{turn}") for turn in range(1, 6)]
        tasks = []
        for turn in (5, 3, 1, 4, 2):  # sent in a scrambled order, 0-20 ms apart
            tasks.append(asyncio.create_task(services[turn % 2].answer(
                who, where, texts[turn - 1], TurnRef(number=turn))))
            await asyncio.sleep(0.02 * (number % 2))
        await asyncio.gather(*tasks)
        stored = await stores[1].get(f"discord:s{number}:s{number}")
        return texts, candidate_texts(stored)

    results = await asyncio.gather(*(session(number) for number in range(30)))
    out_of_order = sum(1 for sent, stored in results if sent != stored)
    assert out_of_order == 0


async def test_a_turn_whose_predecessor_never_arrives_is_refused_and_leaves_nothing(
        redis_stores, monkeypatch):
    monkeypatch.setattr(core.turns, "TURN_GAP_WAIT_SECONDS", 0.3)
    stores = [redis_stores(), redis_stores()]
    services = [service_on(store) for store in stores]
    who, where = person(), place()
    await services[0].start(who, where, long_options())
    with pytest.raises(TurnOutOfOrderError) as refused:
        await services[1].answer(who, where, answer_text("two"), TurnRef(number=2))
    assert refused.value.expected == 1
    assert await stores[0].waiting(KEY) == 0
    await services[0].answer(who, where, answer_text("one"), TurnRef(number=1))
    await services[1].answer(who, where, answer_text("two"), TurnRef(number=2))
    assert candidate_texts(await stores[0].get(KEY)) == [answer_text("one"), answer_text("two")]


async def test_queued_turns_run_in_platform_timestamp_order_across_processes(redis_stores):
    stores = [redis_stores(), redis_stores()]
    order: list[float] = []
    async with stores[0].lock("k"):
        tasks = []
        for number, sent_at in enumerate((1_700_000_003.5, 1_700_000_001.25, 1_700_000_002.0)):
            tasks.append(asyncio.create_task(_record(stores[number % 2], "k", sent_at, order)))
            await until(lambda n=number: _waiting(stores[0], "k", n + 2))
    await asyncio.gather(*tasks)
    assert order == sorted(order)


async def _record(store, key: str, sent_at: float, order: list[float]) -> None:
    async with store.lock(key, order=sent_at):
        order.append(sent_at)


# ----------------------------------------------------------------------------- once


async def test_an_answer_re_sent_after_a_crash_is_answered_not_recorded_twice(redis_stores):
    """Was: re-sending after a crash or a 500, as the README advises, could record it twice."""
    before_crash = service_on(redis_stores())
    who, where = person(), place()
    await before_crash.start(who, where, long_options())
    first = await before_crash.answer(who, where, answer_text("once"), TurnRef(key="req-1"))
    # The client never saw that reply (the process died); it sends again to another one.
    after_restart = service_on(redis_stores())
    again = await after_restart.answer(who, where, answer_text("once"), TurnRef(key="req-1"))
    assert (again.kind, again.text, again.question_index) == \
        (first.kind, first.text, first.question_index)
    session = await after_restart.session_for(who, where)
    assert candidate_texts(session) == [answer_text("once")]
    interviewer = [e for e in session.transcript if e.speaker is Speaker.interviewer]
    assert len(interviewer) == 2  # the greeting and one reply


async def test_platform_deliveries_are_remembered_across_processes_for_their_ttl(redis_stores):
    """Was: de-duplication was per process, so a retry on the other replica ran again."""
    one, other = redis_stores(), redis_stores()
    assert await one.first_time("slack:event:Ev1", ttl_seconds=0.3) is True
    assert await other.first_time("slack:event:Ev1", ttl_seconds=0.3) is False
    assert await other.first_time("slack:event:Ev2") is True
    await asyncio.sleep(0.5)  # generous: Redis expires keys to the millisecond
    assert await other.first_time("slack:event:Ev1") is True


async def test_an_unreachable_redis_is_a_friendly_error_not_a_crash(redis_stores):
    from tests.redis_server import free_port

    store = redis_stores()
    await store.close()
    unreachable = redis_stores(pool_timeout=1)
    unreachable.redis.connection_pool.connection_kwargs["port"] = free_port()
    unreachable.control.connection_pool.connection_kwargs["port"] = free_port()
    with pytest.raises(StoreUnavailableError) as raised:
        await asyncio.wait_for(service_on(unreachable).start(person(), place(), long_options()),
                               60)
    assert "send it again" in raised.value.user_message
