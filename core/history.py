"""Practice history: finished interviews, progress over time, team stats, "forget me".

Every finished interview is kept as a ``HistoryEntry`` (scores, the full report and
the transcript) for ``retention_days`` (default 90), then purged. A user can see
their last interviews with a trend per score dimension, a channel can see who
practised what (scores only for members who opted in), and ``forget_user``
deletes everything stored about a user, live interviews included.

This module is the logic only. Each storage backend in ``core.stores`` (memory, SQLite,
Redis) implements ``HistoryStore`` next to its session store; ``bot.wiring`` builds the
pair and hands both to the service. "Forget me" across both is the service's job.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import structlog
from pydantic import BaseModel, Field

from core.report import FeedbackReport
from core.session import Session, TranscriptEntry

if TYPE_CHECKING:
    from core.store import SessionStore

log = structlog.get_logger(__name__)

DEFAULT_RETENTION_DAYS = 90
DEFAULT_HISTORY_LIMIT = 10
DAY_SECONDS = 24 * 3600

# Trend rule: compare the mean of the latest (up to) 3 scores with the mean of the
# (up to) 3 before them. A change of half a point or more on the 1-5 scale is a real
# move; anything smaller is noise between two similar interviews.
TREND_WINDOW = 3
TREND_THRESHOLD = 0.5

SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_GAP = "·"


class Dimension(StrEnum):
    communication = "communication"
    technical = "technical"
    structure = "structure"


class Trend(StrEnum):
    improving = "improving"
    flat = "flat"
    slipping = "slipping"
    too_early = "too_early"  # fewer than two scored interviews

    @property
    def label(self) -> str:
        return {"too_early": "not enough interviews yet"}.get(self.value, self.value)


# ----------------------------------------------------------------------------- records


class HistorySummary(BaseModel):
    """One finished interview, without the long parts (listing, stats, charts)."""

    id: str  # the session id: recording the same interview again replaces it
    platform: str
    user_id: str
    display_name: str = ""
    conversation_id: str
    role: str  # the role's id ("pm"), for grouping; the report's ``role`` is its display name
    difficulty: str
    finished_at: float
    communication: int | None = None
    technical: int | None = None
    structure: int | None = None

    def score(self, dimension: Dimension) -> int | None:
        return getattr(self, dimension.value)

    @property
    def day(self) -> str:
        return datetime.fromtimestamp(self.finished_at, UTC).strftime("%Y-%m-%d")


class HistoryEntry(HistorySummary):
    """A finished interview in full: the report and the transcript it was written from."""

    report: FeedbackReport
    transcript: list[TranscriptEntry] = Field(default_factory=list)

    @classmethod
    def from_session(cls, session: Session, finished_at: float | None = None) -> HistoryEntry:
        if session.report is None:
            raise ValueError("only an interview with a report goes into the history")
        scores = session.report.scores
        return cls(
            id=session.id,
            platform=session.who.platform,
            user_id=session.who.user_id,
            display_name=session.who.display_name,
            conversation_id=session.where.conversation_id,
            role=session.role_id,
            difficulty=session.options.difficulty.value,
            finished_at=time.time() if finished_at is None else finished_at,
            communication=scores.communication.score if scores else None,
            technical=scores.technical.score if scores else None,
            structure=scores.structure.score if scores else None,
            report=session.report,
            transcript=session.transcript,
        )

    def summary(self) -> HistorySummary:
        return HistorySummary.model_validate(self.model_dump(include=set(HistorySummary.model_fields)))


# ----------------------------------------------------------------------------- progress


def trend(scores: Sequence[int | None]) -> Trend:
    """Trend of one dimension; ``scores`` oldest first, unscored interviews ignored."""
    values = [score for score in scores if score is not None]
    window = min(TREND_WINDOW, len(values) // 2)
    if window == 0:
        return Trend.too_early
    recent = values[-window:]
    before = values[-2 * window:-window]
    change = sum(recent) / window - sum(before) / window
    if change >= TREND_THRESHOLD:
        return Trend.improving
    if change <= -TREND_THRESHOLD:
        return Trend.slipping
    return Trend.flat


def sparkline(values: Sequence[float | None], low: float = 1, high: float = 5) -> str:
    """``[1, 3, 5]`` -> ``"▁▅█"`` on a fixed scale, so two users' lines compare; None is a gap."""
    span = high - low or 1
    bars = []
    for value in values:
        if value is None:
            bars.append(SPARK_GAP)
            continue
        level = (min(max(value, low), high) - low) / span
        bars.append(SPARK_BARS[round(level * (len(SPARK_BARS) - 1))])
    return "".join(bars)


class Progress(BaseModel):
    """A user's recent interviews (newest first) and the trend of each score."""

    entries: list[HistorySummary]
    trends: dict[Dimension, Trend]

    @classmethod
    def of(cls, entries: Sequence[HistorySummary]) -> Progress:
        newest_first = sorted(entries, key=lambda entry: entry.finished_at, reverse=True)
        oldest_first = newest_first[::-1]
        trends = {dim: trend([entry.score(dim) for entry in oldest_first]) for dim in Dimension}
        return cls(entries=newest_first, trends=trends)

    def series(self, dimension: Dimension) -> list[int | None]:
        """Scores of one dimension, oldest first (for charts)."""
        return [entry.score(dimension) for entry in reversed(self.entries)]

    def lines(self) -> list[str]:
        """Plain text for a terminal or a text-only surface."""
        if not self.entries:
            return ["No finished interviews yet. Your history appears here after your first report."]
        lines = [f"Your last {len(self.entries)} interview(s):"]
        for entry in self.entries:
            scores = " ".join(
                f"{dim.value[:4]} {entry.score(dim) if entry.score(dim) is not None else '-'}"
                for dim in Dimension
            )
            lines.append(f"  {entry.day}  {entry.role} ({entry.difficulty})  {scores}")
        lines.append("Trend (oldest to newest):")
        for dim in Dimension:
            lines.append(f"  {dim.value:<13} {sparkline(self.series(dim))}  {self.trends[dim].label}")
        return lines


# ----------------------------------------------------------------------------- team stats


class MemberStats(BaseModel):
    user_id: str
    display_name: str = ""
    sessions: int
    roles: dict[str, int]  # role id -> interviews
    last_at: float
    shares_scores: bool = False
    average_scores: dict[Dimension, float] | None = None  # only when the member opted in


class ChannelStats(BaseModel):
    platform: str
    conversation_prefix: str
    sessions: int
    roles: dict[str, int]
    members: list[MemberStats]

    def lines(self) -> list[str]:
        if not self.sessions:
            return ["No finished practice interviews here yet."]
        roles = ", ".join(f"{role} ({count})" for role, count in self.roles.items())
        lines = [f"{self.sessions} practice interview(s) here. Roles: {roles}."]
        for member in self.members:
            name = member.display_name or member.user_id
            line = f"  {name}: {member.sessions} interview(s), " + ", ".join(member.roles)
            if member.average_scores:
                line += "; average " + ", ".join(
                    f"{dim.value} {value:.1f}" for dim, value in member.average_scores.items()
                )
            lines.append(line)
        return lines


def channel_stats_of(
    platform: str, prefix: str, entries: Sequence[HistorySummary], sharing: set[str]
) -> ChannelStats:
    by_member: dict[str, list[HistorySummary]] = {}
    for entry in entries:
        by_member.setdefault(entry.user_id, []).append(entry)
    members = [_member_stats(user_id, rows, user_id in sharing) for user_id, rows in by_member.items()]
    members.sort(key=lambda member: (-member.sessions, member.display_name or member.user_id))
    roles = Counter(entry.role for entry in entries)
    return ChannelStats(
        platform=platform,
        conversation_prefix=prefix,
        sessions=len(entries),
        roles=dict(roles.most_common()),
        members=members,
    )


def _member_stats(user_id: str, rows: list[HistorySummary], shares: bool) -> MemberStats:
    latest = max(rows, key=lambda row: row.finished_at)
    averages = None
    if shares:
        averages = {}
        for dim in Dimension:
            scored = [row.score(dim) for row in rows if row.score(dim) is not None]
            if scored:
                averages[dim] = round(sum(scored) / len(scored), 1)
    return MemberStats(
        user_id=user_id,
        display_name=latest.display_name,
        sessions=len(rows),
        roles=dict(Counter(row.role for row in rows).most_common()),
        last_at=latest.finished_at,
        shares_scores=shares,
        average_scores=averages,
    )


class ForgetResult(BaseModel):
    interviews: int  # finished interviews deleted from the history
    sessions: int  # live or recent sessions deleted from the session store


# ----------------------------------------------------------------------------- interface


class HistoryStore(ABC):
    """Finished interviews per user. Implementations store; the shared logic lives here."""

    @abstractmethod
    async def record(self, entry: HistoryEntry) -> None:
        """Keep a finished interview (recording the same id again replaces it)."""

    @abstractmethod
    async def list_for_user(
        self, platform: str, user_id: str, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[HistorySummary]:
        """The user's latest interviews, newest first."""

    @abstractmethod
    async def get_entry(self, platform: str, user_id: str, entry_id: str) -> HistoryEntry | None:
        """One interview in full, only if it belongs to this user."""

    @abstractmethod
    async def in_conversations(self, platform: str, prefix: str) -> list[HistorySummary]:
        """Interviews held in conversations whose id starts with ``prefix`` (a channel)."""

    @abstractmethod
    async def set_share_scores(self, platform: str, user_id: str, share: bool) -> None: ...

    @abstractmethod
    async def sharing(self, platform: str) -> set[str]:
        """User ids on this platform who opted in to show their scores in channel stats."""

    @abstractmethod
    async def delete_history(self, platform: str, user_id: str) -> int:
        """Delete the user's interviews and preferences; returns interviews deleted."""

    @abstractmethod
    async def purge_older_than(self, days: float, now: float | None = None) -> int:
        """Delete interviews finished more than ``days`` ago; returns how many."""

    async def close(self) -> None:
        return None

    # shared logic ------------------------------------------------------------

    async def record_session(self, session: Session) -> HistoryEntry:
        entry = HistoryEntry.from_session(session)
        await self.record(entry)
        log.info("history.recorded", session=session.id, platform=entry.platform, role=entry.role)
        return entry

    async def progress(
        self, platform: str, user_id: str, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> Progress:
        return Progress.of(await self.list_for_user(platform, user_id, limit))

    async def shares_scores(self, platform: str, user_id: str) -> bool:
        return user_id in await self.sharing(platform)

    async def channel_stats(self, platform: str, prefix: str) -> ChannelStats:
        entries = await self.in_conversations(platform, prefix)
        return channel_stats_of(platform, prefix, entries, await self.sharing(platform))


def retention_cutoff(days: float, now: float | None) -> float:
    return (time.time() if now is None else now) - days * DAY_SECONDS


async def retention_loop(
    history: HistoryStore, sessions: SessionStore | None = None,
    days: float = DEFAULT_RETENTION_DAYS, every_seconds: float = 6 * 3600,
) -> None:
    """Run as a background task: purge old interviews (and idle sessions) now, then every
    ``every_seconds``."""
    while True:
        try:
            purged = await history.purge_older_than(days)
            expired = await sessions.purge_expired() if sessions is not None else 0
            log.info("history.retention", purged=purged, expired_sessions=expired, days=days)
        except Exception as error:  # keep the loop alive; the next run tries again
            log.warning("history.retention_failed", error=type(error).__name__)
        await asyncio.sleep(every_seconds)
