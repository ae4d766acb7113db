"""Build the storage backend (sessions and their history) named by ``STORE_URL``.

| STORE_URL                   | backend                                        |
|-----------------------------|------------------------------------------------|
| "" (empty, the default)     | SQLite file at ``SQLITE_PATH``                 |
| ``memory://``               | in memory (tests, throwaway runs)              |
| ``sqlite:///relative.db``   | SQLite, path relative to the working directory |
| ``sqlite:////abs/path.db``  | SQLite, absolute path                          |
| ``redis://host:6379/0``     | Redis (also ``rediss://`` for TLS, ``unix://``) |

The SQLite and Redis backends are imported only when chosen, so ``import core`` loads
neither aiosqlite nor redis.
"""

from __future__ import annotations

from pathlib import Path

from core.store import SessionStore
from core.stores.memory import memory_storage
from core.stores.storage import Storage

SQLITE_SCHEME = "sqlite:///"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
MEMORY_URL = "memory://"


def build_storage(store_url: str, *, sqlite_path: str | Path, ttl_seconds: float) -> Storage:
    """The backend for ``store_url``; raises ``ValueError`` for an unknown scheme."""
    url = store_url.strip()
    if not url:
        return _sqlite(Path(sqlite_path), ttl_seconds)
    if url == MEMORY_URL:
        return memory_storage(ttl_seconds)
    if url.startswith(SQLITE_SCHEME):
        path = url[len(SQLITE_SCHEME):]
        if not path:
            raise ValueError("STORE_URL sqlite:/// needs a file path, e.g. sqlite:///data/bot.db")
        return _sqlite(Path(path), ttl_seconds)
    if url.startswith(REDIS_SCHEMES):
        from core.stores.redis import redis_storage

        return redis_storage(url, ttl_seconds)
    scheme = url.split("://", 1)[0] if "://" in url else url
    raise ValueError(
        f"STORE_URL scheme {scheme!r} is not supported. Use an empty value (SQLite at "
        "SQLITE_PATH), memory://, sqlite:///path/to/file.db or redis://host:6379/0."
    )


def build_store(store_url: str, *, sqlite_path: str | Path, ttl_seconds: float) -> SessionStore:
    """Only the session store of ``build_storage`` (tools that need no history)."""
    return build_storage(store_url, sqlite_path=sqlite_path, ttl_seconds=ttl_seconds).sessions


def _sqlite(path: Path, ttl_seconds: float) -> Storage:
    from core.stores.sqlite import sqlite_storage

    return sqlite_storage(path, ttl_seconds)
