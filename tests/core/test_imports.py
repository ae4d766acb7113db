"""``import core`` stays light: storage drivers load only when their store is built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_core_and_the_service_loads_neither_redis_nor_aiosqlite():
    code = ("import sys, core, core.service, core.history, core.store, core.stores, "
            "core.stores.memory; "
            "print(sorted(m for m in ('redis', 'aiosqlite') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_each_backend_package_holds_its_session_store_and_its_history():
    from core.history import HistoryStore
    from core.store import SessionStore
    from core.stores.memory import InMemoryHistory, InMemoryStore
    from core.stores.redis import RedisHistory, RedisStore
    from core.stores.sqlite import SqliteHistory, SqliteStore

    assert all(issubclass(cls, SessionStore) for cls in (InMemoryStore, RedisStore, SqliteStore))
    assert all(issubclass(cls, HistoryStore)
               for cls in (InMemoryHistory, RedisHistory, SqliteHistory))
