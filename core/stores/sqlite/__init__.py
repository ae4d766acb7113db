"""SQLite: the embedded default backend. One file, no server, survives restarts.

The file holds the sessions (``sessions.SqliteStore``) and the practice history
(``history.SqliteHistory``) on one connection (``database.SqliteDatabase``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from core.store import DEFAULT_TTL_SECONDS
from core.stores.sqlite.database import MIGRATIONS, Migration, SchemaTooNewError, SqliteDatabase
from core.stores.sqlite.history import SqliteHistory
from core.stores.sqlite.sessions import SqliteStore
from core.stores.storage import Storage

__all__ = ["MIGRATIONS", "Migration", "SchemaTooNewError", "SqliteDatabase", "SqliteHistory",
           "SqliteStore", "sqlite_storage"]


def sqlite_storage(path: str | Path, ttl_seconds: float = DEFAULT_TTL_SECONDS,
                   clock: Callable[[], float] = time.time) -> Storage:
    """Sessions and history in one file, on one connection."""
    sessions = SqliteStore(path, ttl_seconds=ttl_seconds, clock=clock)
    return Storage(sessions, SqliteHistory(sessions.db))
