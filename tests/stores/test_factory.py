"""build_storage: STORE_URL picks the backend, whose history lives next to its sessions."""

from __future__ import annotations

import pytest

from core.store import InMemoryStore
from core.stores import build_storage, build_store
from core.stores.memory import InMemoryHistory
from core.stores.redis import RedisHistory, RedisStore
from core.stores.sqlite import SqliteHistory, SqliteStore
from tests.stores.helpers import bare_session


async def test_an_empty_url_is_sqlite_at_the_configured_path(tmp_path):
    storage = build_storage("", sqlite_path=tmp_path / "data" / "bot.db", ttl_seconds=60)
    store, history = storage.sessions, storage.history
    try:
        assert isinstance(store, SqliteStore) and store.ttl_seconds == 60
        await store.put(bare_session())
        assert (tmp_path / "data" / "bot.db").exists()
        assert isinstance(history, SqliteHistory) and history.db is store.db  # one file
    finally:
        await storage.close()


def test_memory_url_is_the_in_memory_store(tmp_path):
    storage = build_storage("memory://", sqlite_path=tmp_path / "unused.db", ttl_seconds=5)
    assert isinstance(storage.sessions, InMemoryStore) and storage.sessions.ttl_seconds == 5
    assert isinstance(storage.history, InMemoryHistory)
    assert not (tmp_path / "unused.db").exists()


@pytest.mark.parametrize(
    ("url", "relative"),
    [("sqlite:///bot.db", True), ("sqlite:////ABS/bot.db", False)],
)
def test_sqlite_urls_take_relative_and_absolute_paths(tmp_path, monkeypatch, url, relative):
    monkeypatch.chdir(tmp_path)
    url = url.replace("/ABS", str(tmp_path))
    store = build_store(url, sqlite_path="ignored.db", ttl_seconds=60)
    assert isinstance(store, SqliteStore)
    assert store.db.path.is_absolute() is not relative
    assert store.db.path.resolve() == tmp_path / "bot.db"


async def test_redis_urls_make_a_redis_store_with_the_ttl(redis_url, tmp_path):
    storage = build_storage(redis_url, sqlite_path=tmp_path / "unused.db", ttl_seconds=30)
    store = storage.sessions
    try:
        assert isinstance(store, RedisStore) and store.ttl_seconds == 30
        await store.put(bare_session())
        assert await store.get(bare_session().key) is not None
        assert isinstance(storage.history, RedisHistory) and storage.history.redis is store.redis
    finally:
        await store.redis.delete(store.session_key(bare_session().key))
        await storage.close()


@pytest.mark.parametrize("url", ["postgres://db/bots", "mysql://x", "sqlite:///", "nonsense"])
def test_an_unknown_or_incomplete_url_is_a_clear_error(url, tmp_path):
    with pytest.raises(ValueError, match="STORE_URL"):
        build_store(url, sqlite_path=tmp_path / "x.db", ttl_seconds=1)
