"""Build the session store (and its history) named by ``STORE_URL``.

| STORE_URL                   | store                                          |
|-----------------------------|------------------------------------------------|
| "" (empty, the default)     | SQLite file at ``SQLITE_PATH``                 |
| ``memory://``               | in memory (tests, throwaway runs)              |
| ``sqlite:///relative.db``   | SQLite, path relative to the working directory |
| ``sqlite:////abs/path.db``  | SQLite, absolute path                          |
| ``redis://host:6379/0``     | Redis (also ``rediss://`` for TLS, ``unix://``) |
"""

from __future__ import annotations

from pathlib import Path

from core.store import InMemoryStore, SessionStore

SQLITE_SCHEME = "sqlite:///"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
MEMORY_URL = "memory://"


def build_store(store_url: str, *, sqlite_path: str | Path, ttl_seconds: float) -> SessionStore:
    """The session store for ``store_url``; raises ``ValueError`` for an unknown scheme."""
    url = store_url.strip()
    if not url:
        return _sqlite(Path(sqlite_path), ttl_seconds)
    if url == MEMORY_URL:
        return InMemoryStore(ttl_seconds=ttl_seconds)
    if url.startswith(SQLITE_SCHEME):
        path = url[len(SQLITE_SCHEME):]
        if not path:
            raise ValueError("STORE_URL sqlite:/// needs a file path, e.g. sqlite:///data/bot.db")
        return _sqlite(Path(path), ttl_seconds)
    if url.startswith(REDIS_SCHEMES):
        from core.stores.redis import RedisStore

        return RedisStore.from_url(url, ttl_seconds)
    scheme = url.split("://", 1)[0] if "://" in url else url
    raise ValueError(
        f"STORE_URL scheme {scheme!r} is not supported. Use an empty value (SQLite at "
        "SQLITE_PATH), memory://, sqlite:///path/to/file.db or redis://host:6379/0."
    )


def _sqlite(path: Path, ttl_seconds: float) -> SessionStore:
    from core.stores.sqlite import SqliteStore

    return SqliteStore(path, ttl_seconds=ttl_seconds)


def build_history(store: SessionStore):
    """The history store that lives next to ``store`` (same SQLite file, same Redis)."""
    from core.history import history_for

    return history_for(store)
