"""``import core`` stays light: storage drivers load only when their store is built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_core_and_the_service_loads_neither_redis_nor_aiosqlite():
    code = ("import sys, core, core.service, core.history, core.store, core.stores; "
            "print(sorted(m for m in ('redis', 'aiosqlite') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_backends_histories_are_still_importable_from_core_history():
    from core.history import RedisHistory, SqliteHistory
    from core.stores.redis_history import RedisHistory as FromRedis
    from core.stores.sqlite_history import SqliteHistory as FromSqlite

    assert (RedisHistory, SqliteHistory) == (FromRedis, FromSqlite)
