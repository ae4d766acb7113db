"""Sessions in the SQLite file: table ``sessions``, one JSON row per session.

Assumption: one process per SQLite file. Turn locks are in-process asyncio locks;
several processes need the shared store (``STORE_URL=redis://...``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from core.locks import KeyedLocks
from core.models import Who
from core.session import Session
from core.store import DEFAULT_TTL_SECONDS, LocalLocking, SessionStore, load_session
from core.stores.sqlite.database import SqliteDatabase


class SqliteStore(LocalLocking, SessionStore):
    """Sessions as JSON rows; idle ones expire after ``ttl_seconds``."""

    def __init__(
        self,
        path: str | Path | SqliteDatabase,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = path if isinstance(path, SqliteDatabase) else SqliteDatabase(path)
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._locks = KeyedLocks()

    def _expired(self, updated_at: float) -> bool:
        return self._clock() - updated_at > self.ttl_seconds

    async def get(self, key: str) -> Session | None:
        row = await self.db.fetch_one("SELECT data, updated_at FROM sessions WHERE key = ?", (key,))
        if row is None:
            return None
        data, updated_at = row
        if self._expired(updated_at):
            await self.db.write(
                "DELETE FROM sessions WHERE key = ? AND updated_at = ?", (key, updated_at)
            )
            return None
        return load_session(key, data)

    async def put(self, session: Session) -> None:
        await self.db.write(
            """INSERT INTO sessions (key, platform, user_id, data, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET
                   platform = excluded.platform, user_id = excluded.user_id,
                   data = excluded.data, updated_at = excluded.updated_at""",
            (
                session.key,
                session.who.platform,
                session.who.user_id,
                session.model_dump_json(),
                session.updated_at,
            ),
        )

    async def update(self, session: Session) -> bool:
        """One statement: written only if the row is still there (not forgotten meanwhile)."""
        changed = await self.db.write(
            "UPDATE sessions SET data = ?, updated_at = ? WHERE key = ?",
            (session.model_dump_json(), session.updated_at, session.key),
        )
        return changed == 1

    async def delete(self, key: str) -> None:
        await self.db.write("DELETE FROM sessions WHERE key = ?", (key,))

    async def delete_user(self, platform: str, user_id: str) -> int:
        """Delete every live session and note of one user; returns how many sessions."""
        async with self.db.transaction() as db:
            await db.execute("DELETE FROM notes WHERE platform = ? AND user_id = ?",
                             (platform, user_id))
            async with db.execute("DELETE FROM sessions WHERE platform = ? AND user_id = ?",
                                  (platform, user_id)) as cursor:
                return cursor.rowcount

    async def put_note(self, who: Who, namespace: str, key: str, value: str,
                       ttl_seconds: float | None = None) -> None:
        await self.db.write(
            """INSERT INTO notes (platform, user_id, namespace, key, value, expires_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (platform, user_id, namespace, key) DO UPDATE SET
                   value = excluded.value, expires_at = excluded.expires_at""",
            (who.platform, who.user_id, namespace, key, value,
             self._clock() + self.note_ttl(ttl_seconds)),
        )

    async def get_note(self, who: Who, namespace: str, key: str) -> str | None:
        row = await self.db.fetch_one(
            """SELECT value FROM notes WHERE platform = ? AND user_id = ? AND namespace = ?
               AND key = ? AND expires_at > ?""",
            (who.platform, who.user_id, namespace, key, self._clock()))
        return None if row is None else str(row[0])

    async def pop_note(self, who: Who, namespace: str, key: str) -> str | None:
        async with self.db.transaction() as db:
            async with db.execute(
                """DELETE FROM notes WHERE platform = ? AND user_id = ? AND namespace = ?
                   AND key = ? RETURNING value, expires_at""",
                (who.platform, who.user_id, namespace, key)) as cursor:
                row = await cursor.fetchone()
        return None if row is None or row[1] <= self._clock() else str(row[0])

    async def purge_expired(self) -> int:
        now = self._clock()
        await self.db.write("DELETE FROM notes WHERE expires_at <= ?", (now,))
        return await self.db.write(
            "DELETE FROM sessions WHERE updated_at < ?", (now - self.ttl_seconds,)
        )

    async def count(self) -> int:
        row = await self.db.fetch_one("SELECT count(*) FROM sessions")
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self.db.close()
