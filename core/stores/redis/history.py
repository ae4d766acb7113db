"""Practice history on the sessions' Redis server: keys under ``{prefix}history:``."""

from __future__ import annotations

from collections.abc import Sequence

from core.history import (
    DEFAULT_HISTORY_LIMIT,
    HistoryEntry,
    HistoryStore,
    HistorySummary,
    retention_cutoff,
)


class RedisHistory(HistoryStore):
    """Keys under ``{prefix}history:``: one hash per interview plus sorted-set indexes.

    - ``history:{id}``: hash with ``summary`` and ``entry`` JSON;
    - ``history:user:{platform}:{user_id}``: interview ids by finish time;
    - ``history:conversations:{platform}``: ``{conversation_id}\\0{id}`` in lexical order,
      so a channel prefix is one range query;
    - ``history:time``: every interview id by finish time (retention);
    - ``history:sharing:{platform}``: user ids who opted in to share scores.
    """

    def __init__(self, client, prefix: str = "interview:"):
        self.redis = client
        self.prefix = f"{prefix}history:"

    def _entry_key(self, entry_id: str) -> str:
        return f"{self.prefix}{entry_id}"

    def _user_key(self, platform: str, user_id: str) -> str:
        return f"{self.prefix}user:{platform}:{user_id}"

    def _conversations_key(self, platform: str) -> str:
        return f"{self.prefix}conversations:{platform}"

    @property
    def _time_key(self) -> str:
        return f"{self.prefix}time"

    def _sharing_key(self, platform: str) -> str:
        return f"{self.prefix}sharing:{platform}"

    async def record(self, entry: HistoryEntry) -> None:
        summary = entry.summary()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self._entry_key(entry.id),
                mapping={"summary": summary.model_dump_json(), "entry": entry.model_dump_json()},
            )
            pipe.zadd(self._user_key(entry.platform, entry.user_id), {entry.id: entry.finished_at})
            pipe.zadd(self._conversations_key(entry.platform), {_lex_member(summary): 0})
            pipe.zadd(self._time_key, {entry.id: entry.finished_at})
            await pipe.execute()

    async def list_for_user(
        self, platform: str, user_id: str, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[HistorySummary]:
        ids = await self.redis.zrevrange(self._user_key(platform, user_id), 0, limit - 1)
        return await self._summaries(ids)

    async def get_entry(self, platform: str, user_id: str, entry_id: str) -> HistoryEntry | None:
        if await self.redis.zscore(self._user_key(platform, user_id), entry_id) is None:
            return None
        data = await self.redis.hget(self._entry_key(entry_id), "entry")
        return None if data is None else HistoryEntry.model_validate_json(data)

    async def in_conversations(self, platform: str, prefix: str) -> list[HistorySummary]:
        start = b"[" + prefix.encode()
        members = await self.redis.zrangebylex(
            self._conversations_key(platform), start, start + b"\xff"
        )
        return await self._summaries([_as_bytes(member).rsplit(b"\0", 1)[1] for member in members])

    async def set_share_scores(self, platform: str, user_id: str, share: bool) -> None:
        if share:
            await self.redis.sadd(self._sharing_key(platform), user_id)
        else:
            await self.redis.srem(self._sharing_key(platform), user_id)

    async def sharing(self, platform: str) -> set[str]:
        return {_as_bytes(user).decode() for user in await self.redis.smembers(self._sharing_key(platform))}

    async def delete_history(self, platform: str, user_id: str) -> int:
        ids = await self.redis.zrange(self._user_key(platform, user_id), 0, -1)
        deleted = await self._remove(await self._summaries(ids))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._user_key(platform, user_id))
            pipe.srem(self._sharing_key(platform), user_id)
            await pipe.execute()
        return deleted

    async def purge_older_than(self, days: float, now: float | None = None) -> int:
        ids = await self.redis.zrangebyscore(self._time_key, "-inf", f"({retention_cutoff(days, now)}")
        return await self._remove(await self._summaries(ids))

    async def _summaries(self, ids: Sequence[bytes | str]) -> list[HistorySummary]:
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for entry_id in ids:
                pipe.hget(self._entry_key(_as_bytes(entry_id).decode()), "summary")
            rows = await pipe.execute()
        return [HistorySummary.model_validate_json(row) for row in rows if row is not None]

    async def _remove(self, summaries: Sequence[HistorySummary]) -> int:
        if not summaries:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            for summary in summaries:
                pipe.delete(self._entry_key(summary.id))
                pipe.zrem(self._user_key(summary.platform, summary.user_id), summary.id)
                pipe.zrem(self._conversations_key(summary.platform), _lex_member(summary))
                pipe.zrem(self._time_key, summary.id)
            await pipe.execute()
        return len(summaries)

    async def close(self) -> None:
        return None  # the client belongs to the session store


def _lex_member(summary: HistorySummary) -> bytes:
    return summary.conversation_id.encode() + b"\0" + summary.id.encode()


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
