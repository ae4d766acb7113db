"""Notes beside the sessions (``SessionStore.put_note``) on every backend: kept, replaced,
popped, expired by their own TTL, and deleted when the user asks to be forgotten."""

from __future__ import annotations

import pytest

from core.service import InterviewService
from core.store import InMemoryStore
from core.stores.redis import RedisStore
from core.stores.sqlite import SqliteStore
from tests.stores.helpers import bare_session, person
from tests.support.brains import ScriptedBrain

BACKENDS = ["memory", "sqlite", "redis"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_store(request, tmp_path, clock):
    """A store of the backend asked for; memory and SQLite read the test's clock."""
    made = []

    def make(backend: str, ttl_seconds: float = 3600):
        if backend == "memory":
            store = InMemoryStore(ttl_seconds=ttl_seconds, clock=clock)
        elif backend == "sqlite":
            store = SqliteStore(tmp_path / "notes.db", ttl_seconds=ttl_seconds, clock=clock)
        else:  # the real redis-server, started only for the tests that ask for it
            store = RedisStore.from_url(request.getfixturevalue("redis_url"),
                                        ttl_seconds=ttl_seconds,
                                        prefix=request.getfixturevalue("redis_prefix"))
        made.append(store)
        return store

    yield make
    for store in made:
        await store.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_note_is_kept_replaced_and_popped_once(make_store, backend):
    store = make_store(backend)
    alice, bob = person("alice", "slack"), person("bob", "slack")
    assert await store.get_note(alice, "thread", "T:C") is None
    await store.put_note(alice, "thread", "T:C", "111.1")
    await store.put_note(alice, "thread", "T:C", "222.2")  # a newer interview replaces it
    await store.put_note(bob, "thread", "T:C", "333.3")
    await store.put_note(alice, "context", "T:C", "my resume")
    assert await store.get_note(alice, "thread", "T:C") == "222.2"
    assert await store.get_note(bob, "thread", "T:C") == "333.3"
    assert await store.pop_note(alice, "context", "T:C") == "my resume"
    assert await store.pop_note(alice, "context", "T:C") is None
    assert await store.get_note(alice, "thread", "T:C") == "222.2"  # others untouched


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
async def test_notes_expire_after_their_own_ttl_or_the_session_ttl(make_store, backend, clock):
    store = make_store(backend, ttl_seconds=600)
    alice = person("alice", "slack")
    await store.put_note(alice, "context", "k", "short", ttl_seconds=60)
    await store.put_note(alice, "thread", "k", "long")  # as long as a session idles
    clock.now += 59
    assert await store.get_note(alice, "context", "k") == "short"
    clock.now += 2
    assert await store.get_note(alice, "context", "k") is None
    assert await store.pop_note(alice, "context", "k") is None
    assert await store.get_note(alice, "thread", "k") == "long"
    clock.now += 600
    assert await store.get_note(alice, "thread", "k") is None
    await store.put_note(alice, "thread", "k", "again", ttl_seconds=10)
    await store.purge_expired()  # nothing expired yet: the fresh note stays
    assert await store.get_note(alice, "thread", "k") == "again"


async def test_sqlite_purge_drops_expired_notes(make_store, clock):
    store = make_store("sqlite")
    await store.put_note(person("alice", "slack"), "context", "k", "old", ttl_seconds=60)
    clock.now += 61
    await store.purge_expired()
    assert await store.db.fetch_one("SELECT count(*) FROM notes") == (0,)


async def test_redis_notes_carry_their_ttl_and_the_users_set_outlives_them(make_store):
    store = make_store("redis", ttl_seconds=7200)
    alice = person("alice", "slack")
    await store.put_note(alice, "context", "k", "pending", ttl_seconds=60)
    await store.put_note(alice, "thread", "k", "111.1")
    note_ttl = await store.redis.pttl(store.note_key(alice, "context", "k"))
    thread_ttl = await store.redis.pttl(store.note_key(alice, "thread", "k"))
    set_ttl = await store.redis.pttl(store.notes_key("slack", "alice"))
    assert 0 < note_ttl <= 60_000
    assert 60_000 < thread_ttl <= 7_200_000
    assert thread_ttl - 5_000 < set_ttl <= 7_200_000  # grown to the longest note's
    await store.put_note(alice, "context", "k", "again", ttl_seconds=60)
    assert await store.redis.pttl(store.notes_key("slack", "alice")) > 60_000  # never shrinks


@pytest.mark.parametrize("backend", BACKENDS)
async def test_forgetting_a_user_deletes_their_notes_and_nobody_elses(make_store, backend):
    store = make_store(backend)
    service = InterviewService(ScriptedBrain(), store=store)
    alice, bob = person("alice", "slack"), person("bob", "slack")
    await store.put(bare_session("alice", platform="slack"))
    for who in (alice, bob):
        await store.put_note(who, "thread", "T:C", "111.1")
        await store.put_note(who, "name", "", f"{who.user_id}'s name")
    result = await service.forget(alice)
    assert result.sessions == 1
    assert await store.get_note(alice, "thread", "T:C") is None
    assert await store.get_note(alice, "name", "") is None
    assert await store.get_note(bob, "thread", "T:C") == "111.1"
    assert await store.get_note(bob, "name", "") == "bob's name"
    if backend == "redis":
        assert await store.redis.exists(store.notes_key("slack", "alice")) == 0


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_delivery_seen_can_be_forgotten_so_a_failed_one_may_come_again(make_store,
                                                                                backend):
    store = make_store(backend)
    assert await store.first_time("press-1") and not await store.first_time("press-1")
    await store.forget_seen("press-1")
    assert await store.first_time("press-1")
    assert not await store.first_time("press-1")
