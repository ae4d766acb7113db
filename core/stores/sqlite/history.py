"""Practice history in the sessions' SQLite file: tables ``interviews`` and ``members``."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter

from core.history import (
    DEFAULT_HISTORY_LIMIT,
    HistoryEntry,
    HistoryStore,
    HistorySummary,
    retention_cutoff,
)
from core.report import FeedbackReport
from core.session import TranscriptEntry
from core.stores.sqlite.database import SqliteDatabase

_TRANSCRIPT = TypeAdapter(list[TranscriptEntry])
# The table's summary columns carry the same names as the model's fields.
_SUMMARY_FIELDS = tuple(HistorySummary.model_fields)
_SUMMARY_COLUMNS = ", ".join(_SUMMARY_FIELDS)


def _summary_row(row: Sequence[object]) -> HistorySummary:
    return HistorySummary(**dict(zip(_SUMMARY_FIELDS, row, strict=True)))


class SqliteHistory(HistoryStore):
    """Tables ``interviews`` and ``members`` in the sessions' SQLite file."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def record(self, entry: HistoryEntry) -> None:
        await self.db.write(
            f"""INSERT OR REPLACE INTO interviews ({_SUMMARY_COLUMNS}, report, transcript)
                VALUES ({", ".join("?" * (len(_SUMMARY_FIELDS) + 2))})""",
            (
                entry.id, entry.platform, entry.user_id, entry.display_name,
                entry.conversation_id, entry.role, entry.difficulty, entry.finished_at,
                entry.communication, entry.technical, entry.structure,
                entry.report.model_dump_json(),
                _TRANSCRIPT.dump_json(entry.transcript).decode(),
            ),
        )

    async def list_for_user(
        self, platform: str, user_id: str, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[HistorySummary]:
        rows = await self.db.fetch_all(
            f"""SELECT {_SUMMARY_COLUMNS} FROM interviews WHERE platform = ? AND user_id = ?
                ORDER BY finished_at DESC LIMIT ?""",
            (platform, user_id, limit),
        )
        return [_summary_row(row) for row in rows]

    async def get_entry(self, platform: str, user_id: str, entry_id: str) -> HistoryEntry | None:
        row = await self.db.fetch_one(
            f"""SELECT {_SUMMARY_COLUMNS}, report, transcript FROM interviews
                WHERE id = ? AND platform = ? AND user_id = ?""",
            (entry_id, platform, user_id),
        )
        if row is None:
            return None
        summary = _summary_row(row[:-2])
        return HistoryEntry(
            **summary.model_dump(),
            report=FeedbackReport.model_validate_json(row[-2]),
            transcript=_TRANSCRIPT.validate_json(row[-1]),
        )

    async def in_conversations(self, platform: str, prefix: str) -> list[HistorySummary]:
        rows = await self.db.fetch_all(
            f"""SELECT {_SUMMARY_COLUMNS} FROM interviews
                WHERE platform = ? AND substr(conversation_id, 1, length(?)) = ?""",
            (platform, prefix, prefix),
        )
        return [_summary_row(row) for row in rows]

    async def set_share_scores(self, platform: str, user_id: str, share: bool) -> None:
        await self.db.write(
            """INSERT INTO members (platform, user_id, share_scores) VALUES (?, ?, ?)
               ON CONFLICT (platform, user_id) DO UPDATE SET share_scores = excluded.share_scores""",
            (platform, user_id, int(share)),
        )

    async def sharing(self, platform: str) -> set[str]:
        rows = await self.db.fetch_all(
            "SELECT user_id FROM members WHERE platform = ? AND share_scores = 1", (platform,)
        )
        return {row[0] for row in rows}

    async def delete_history(self, platform: str, user_id: str) -> int:
        async with self.db.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM interviews WHERE platform = ? AND user_id = ?", (platform, user_id)
            )
            deleted = cursor.rowcount
            await db.execute(
                "DELETE FROM members WHERE platform = ? AND user_id = ?", (platform, user_id)
            )
        return deleted

    async def purge_older_than(self, days: float, now: float | None = None) -> int:
        return await self.db.write(
            "DELETE FROM interviews WHERE finished_at < ?", (retention_cutoff(days, now),)
        )
