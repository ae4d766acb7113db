"""The SQLite file shared by the sessions and the history: connection, durability, schema.

Durability: every write is one committed transaction before the call returns
(autocommit, ``synchronous=FULL``), so a crash or ``kill -9`` right after a reply
loses nothing. WAL mode lets reads run while a write commits.

Concurrency: ``aiosqlite`` runs each statement on its own worker thread, so a slow
disk never blocks the event loop. Statements of one connection run in order on
that thread; multi-statement writes hold ``SqliteDatabase.transaction()`` so that
nothing else slips into them.

Assumption: one process per SQLite file. Turn locks are in-process asyncio locks;
several processes need the shared store (``STORE_URL=redis://...``).

Schema: ``PRAGMA user_version`` is the schema version; ``MIGRATIONS`` is the ordered
list of steps, each applied atomically together with its version bump.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import structlog

log = structlog.get_logger(__name__)

# How long a write waits for another connection's write (e.g. an online backup).
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Migration:
    """One schema step. Statements run in one transaction with the version bump."""

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "sessions",
        (
            """CREATE TABLE sessions (
                   key TEXT PRIMARY KEY,
                   data TEXT NOT NULL,
                   updated_at REAL NOT NULL
               )""",
        ),
    ),
    Migration(
        # Who owns a session, as columns: "forget me" deletes exactly one user's rows,
        # even when a user id contains the ':' that separates key parts.
        "sessions owner columns",
        (
            "ALTER TABLE sessions ADD COLUMN platform TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE sessions ADD COLUMN user_id TEXT NOT NULL DEFAULT ''",
            """UPDATE sessions SET platform = json_extract(data, '$.who.platform'),
                                   user_id = json_extract(data, '$.who.user_id')""",
            "CREATE INDEX sessions_owner ON sessions (platform, user_id)",
            "CREATE INDEX sessions_updated_at ON sessions (updated_at)",
        ),
    ),
    Migration(
        "history",
        (
            """CREATE TABLE interviews (
                   id TEXT PRIMARY KEY,
                   platform TEXT NOT NULL,
                   user_id TEXT NOT NULL,
                   display_name TEXT NOT NULL,
                   conversation_id TEXT NOT NULL,
                   role TEXT NOT NULL,
                   difficulty TEXT NOT NULL,
                   finished_at REAL NOT NULL,
                   communication INTEGER,
                   technical INTEGER,
                   structure INTEGER,
                   report TEXT NOT NULL,
                   transcript TEXT NOT NULL
               )""",
            "CREATE INDEX interviews_owner ON interviews (platform, user_id, finished_at)",
            "CREATE INDEX interviews_conversation ON interviews (platform, conversation_id)",
            "CREATE INDEX interviews_finished_at ON interviews (finished_at)",
            """CREATE TABLE members (
                   platform TEXT NOT NULL,
                   user_id TEXT NOT NULL,
                   share_scores INTEGER NOT NULL DEFAULT 0,
                   PRIMARY KEY (platform, user_id)
               )""",
        ),
    ),
    Migration(
        # Small strings a surface keeps about a user (``SessionStore.put_note``).
        "notes",
        (
            """CREATE TABLE notes (
                   platform TEXT NOT NULL,
                   user_id TEXT NOT NULL,
                   namespace TEXT NOT NULL,
                   key TEXT NOT NULL,
                   value TEXT NOT NULL,
                   expires_at REAL NOT NULL,
                   PRIMARY KEY (platform, user_id, namespace, key)
               )""",
            "CREATE INDEX notes_expires_at ON notes (expires_at)",
        ),
    ),
)


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer version of the bot; refuse rather than guess."""


class SqliteDatabase:
    """One aiosqlite connection to one file, opened and migrated on first use."""

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        self.migrations = tuple(migrations)
        self._connection: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()
        self._writing = asyncio.Lock()

    @property
    def schema_version(self) -> int:
        return len(self.migrations)

    async def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            async with self._opening:
                if self._connection is None:
                    self._connection = await self._open()
        return self._connection

    async def _open(self) -> aiosqlite.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we say BEGIN/COMMIT ourselves, single statements autocommit.
        db = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA journal_mode = WAL")
            # FULL: the WAL is synced at each commit, so a power cut loses nothing either.
            await db.execute("PRAGMA synchronous = FULL")
            await self._migrate(db)
        except BaseException:
            await db.close()
            raise
        return db

    async def _migrate(self, db: aiosqlite.Connection) -> None:
        version = await _user_version(db)
        if version > self.schema_version:
            raise SchemaTooNewError(
                f"{self.path} has schema version {version}, this code knows up to "
                f"{self.schema_version}. Upgrade the bot or point SQLITE_PATH at another file."
            )
        for number, migration in enumerate(self.migrations[version:], start=version + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in migration.statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            log.info("sqlite.migrated", path=str(self.path), version=number, step=migration.name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Several writes as one: all committed, or none."""
        db = await self.connection()
        async with self._writing:
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    async def write(self, sql: str, parameters: Sequence[object] = ()) -> int:
        """One committed statement; returns the number of rows it changed."""
        db = await self.connection()
        async with self._writing:  # never inside someone else's open transaction
            async with db.execute(sql, parameters) as cursor:
                return cursor.rowcount

    async def fetch_all(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:
        db = await self.connection()
        async with db.execute(sql, parameters) as cursor:
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[object] = ()) -> tuple | None:
        db = await self.connection()
        async with db.execute(sql, parameters) as cursor:
            return await cursor.fetchone()

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()


async def _user_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0
