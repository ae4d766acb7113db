"""SqliteStore: durability, TTL, migrations, concurrency."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from core.models import Persona
from core.stores.sqlite import MIGRATIONS, Migration, SchemaTooNewError, SqliteDatabase, SqliteStore
from tests.stores.helpers import (
    answer_text,
    bare_session,
    candidate_texts,
    long_options,
    person,
    place,
    service_on,
)


@pytest.fixture
async def store(tmp_path):
    made = SqliteStore(tmp_path / "nested" / "dir" / "bot.sqlite3")
    yield made
    await made.close()


def tables(path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def user_version(path) -> int:
    with sqlite3.connect(path) as raw:
        return raw.execute("PRAGMA user_version").fetchone()[0]


async def test_first_use_creates_the_file_its_folders_and_the_schema_in_wal_mode(store):
    session = bare_session()
    await store.put(session)
    assert store.db.path.exists()
    assert user_version(store.db.path) == len(MIGRATIONS)
    assert {"sessions", "interviews", "members"} <= tables(store.db.path)
    row = await store.db.fetch_one("PRAGMA journal_mode")
    assert row[0] == "wal"


async def test_a_put_is_visible_to_another_connection_at_once(store):
    """Committed before put returns: a second reader (or the next process) sees it."""
    session = bare_session()
    session.hear("my first answer", persona=Persona.normal, counts=True)
    await store.put(session)
    with sqlite3.connect(store.db.path) as raw:
        (data,) = raw.execute("SELECT data FROM sessions WHERE key = ?", (session.key,)).fetchone()
    assert "my first answer" in data
    loaded = await store.get(session.key)
    assert loaded == session


async def test_idle_sessions_expire_after_the_ttl(tmp_path):
    now = [1_000.0]
    store = SqliteStore(tmp_path / "ttl.db", ttl_seconds=60, clock=lambda: now[0])
    try:
        session = bare_session()
        session.updated_at = now[0]
        await store.put(session)
        now[0] += 59
        assert await store.get(session.key) is not None
        now[0] += 2
        assert await store.get(session.key) is None
        assert await store.count() == 0  # an expired row is removed, not just hidden
    finally:
        await store.close()


async def test_purge_expired_removes_only_idle_sessions(tmp_path):
    now = [1_000.0]
    store = SqliteStore(tmp_path / "ttl.db", ttl_seconds=60, clock=lambda: now[0])
    try:
        old, fresh = bare_session("old"), bare_session("fresh")
        old.updated_at, fresh.updated_at = now[0] - 120, now[0] - 10
        await store.put(old)
        await store.put(fresh)
        assert await store.purge_expired() == 1
        assert await store.get(fresh.key) is not None
        assert await store.get(old.key) is None
    finally:
        await store.close()


async def test_delete_user_removes_exactly_that_users_sessions(store):
    mine = [bare_session("a", "c1"), bare_session("a", "c2")]
    # "a:x" on conversation "c1" has key "discord:a:x:c1", which starts with "discord:a:".
    others = [bare_session("a:x", "c1"), bare_session("b", "c1"), bare_session("a", "c1", "slack")]
    for session in mine + others:
        await store.put(session)
    assert await store.delete_user("discord", "a") == 2
    for session in mine:
        assert await store.get(session.key) is None
    for session in others:
        assert await store.get(session.key) is not None


async def test_an_unreadable_session_reads_as_none_so_the_user_can_start_again(store):
    await store.put(bare_session())
    await store.db.write("UPDATE sessions SET data = ? WHERE key = ?", ('{"key": 1}', "discord:u1:c1"))
    assert await store.get("discord:u1:c1") is None
    await store.put(bare_session())  # a new interview replaces it
    assert await store.get("discord:u1:c1") is not None


# ----------------------------------------------------------------------------- migrations


async def test_migrations_from_an_older_schema_keep_and_backfill_existing_sessions(tmp_path):
    path = tmp_path / "old.db"
    old = SqliteDatabase(path, migrations=MIGRATIONS[:1])  # what version 1 of the bot wrote
    session = bare_session("veteran", "c9")
    session.hear("an answer from before the upgrade", persona=Persona.normal, counts=True)
    db = await old.connection()
    await db.execute(
        "INSERT INTO sessions (key, data, updated_at) VALUES (?, ?, ?)",
        (session.key, session.model_dump_json(), session.updated_at),
    )
    await old.close()
    assert user_version(path) == 1
    assert "interviews" not in tables(path)

    store = SqliteStore(path)
    try:
        assert await store.get(session.key) == session
        assert user_version(path) == len(MIGRATIONS)
        assert "interviews" in tables(path)
        # the owner columns added by migration 2 were filled from the stored JSON
        assert await store.delete_user("discord", "veteran") == 1
    finally:
        await store.close()


async def test_reopening_an_up_to_date_file_changes_nothing(tmp_path):
    path = tmp_path / "bot.db"
    for _ in range(2):
        store = SqliteStore(path)
        await store.put(bare_session())
        await store.close()
    assert user_version(path) == len(MIGRATIONS)


async def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path):
    path = tmp_path / "bot.db"
    broken = (*MIGRATIONS[:1], Migration("half done", ("CREATE TABLE extra (x)", "NOT SQL")))
    with pytest.raises(sqlite3.OperationalError):
        await SqliteDatabase(path, migrations=broken).connection()
    assert user_version(path) == 1  # step 1 committed, step 2 rolled back entirely
    assert "extra" not in tables(path)


async def test_a_file_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(SchemaTooNewError, match="schema version"):
        await SqliteStore(path).get("anything")


# ----------------------------------------------------------------------------- concurrency


async def test_a_write_waiting_on_the_disk_does_not_block_the_event_loop(store):
    await store.put(bare_session("warmup"))
    blocker = sqlite3.connect(store.db.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # e.g. a backup tool holding the write lock
    try:
        put = asyncio.create_task(store.put(bare_session("waiting")))
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 20 and not put.done()  # the loop kept running while the put waited
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    await put
    assert await store.get(bare_session("waiting").key) is not None


async def test_many_users_at_once_each_keep_a_complete_ordered_transcript(store):
    service = service_on(store)
    users = [f"user{n}" for n in range(25)]

    async def interview(user: str) -> None:
        await service.start(person(user), place("c1"), long_options())
        for turn in range(4):
            await service.answer(person(user), place("c1"), answer_text(f"{user} turn {turn}"))

    await asyncio.gather(*(interview(user) for user in users))
    for user in users:
        session = await store.get(f"discord:{user}:c1")
        expected = [answer_text(f"{user} turn {turn}") for turn in range(4)]
        assert candidate_texts(session) == expected
    row = await store.db.fetch_one("PRAGMA integrity_check")
    assert row[0] == "ok"


async def test_one_users_rapid_messages_are_handled_in_arrival_order(store):
    service = service_on(store)
    await service.start(person(), place(), long_options())
    texts = [answer_text(f"rapid {n}") for n in range(6)]
    replies = await asyncio.gather(*(service.answer(person(), place(), text) for text in texts))
    assert len(replies) == 6
    assert candidate_texts(await store.get("discord:u1:c1")) == texts
