"""Fixtures for the store tests: a real redis-server on 127.0.0.1 and Redis stores."""

from __future__ import annotations

import pytest

from core.stores.redis import RedisStore


@pytest.fixture
async def redis_stores(redis_url: str, redis_prefix: str):
    """Make RedisStore objects (each with its own connection pool); all closed afterwards."""
    made: list[RedisStore] = []

    def make(**options) -> RedisStore:
        options.setdefault("prefix", redis_prefix)
        store = RedisStore.from_url(redis_url, **options)
        made.append(store)
        return store

    yield make
    for store in made:
        await store.close()
