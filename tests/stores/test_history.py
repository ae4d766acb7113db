"""History, progress, team stats, "forget me" and retention, on every backend."""

from __future__ import annotations

import asyncio
import io
import time

import pytest

from core.history import (
    DAY_SECONDS,
    Dimension,
    HistoryEntry,
    HistoryStore,
    Progress,
    Trend,
    retention_loop,
    sparkline,
    trend,
)
from core.models import InterviewOptions
from core.presentation import trend_chart_png
from core.stores import Storage
from core.stores.memory import InMemoryHistory, memory_storage
from core.stores.redis import redis_storage
from core.stores.sqlite import sqlite_storage
from tests.stores.helpers import ROLE, answer_text, bare_session, entry, person, place, service_on

NOW = 1_700_000_000.0

BACKENDS = ["memory", "sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
async def storage(request, tmp_path) -> Storage:
    """A backend's session store and the history next to it, as ``bot.wiring`` builds them."""
    if request.param == "memory":
        made = memory_storage()
    elif request.param == "sqlite":
        made = sqlite_storage(tmp_path / "bot.sqlite3")
    else:
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
        made = redis_storage(url, prefix=prefix)
    yield made
    await made.close()


@pytest.fixture
def history(storage: Storage) -> HistoryStore:
    return storage.history


# ----------------------------------------------------------------------------- records


async def test_history_lists_a_users_interviews_newest_first_with_a_limit(history):
    for day in range(5):
        await history.record(entry(f"e{day}", finished_at=NOW + day * DAY_SECONDS))
    await history.record(entry("other", user="u2", finished_at=NOW + 9 * DAY_SECONDS))
    listed = await history.list_for_user("discord", "u1", limit=3)
    assert [item.id for item in listed] == ["e4", "e3", "e2"]
    assert {item.user_id for item in listed} == {"u1"}


async def test_an_entry_keeps_scores_report_and_transcript_and_only_its_owner_reads_it(history):
    await history.record(entry("e1", scores=(4, 2, 5)))
    listed = (await history.list_for_user("discord", "u1"))[0]
    assert (listed.communication, listed.technical, listed.structure) == (4, 2, 5)
    full = await history.get_entry("discord", "u1", "e1")
    assert full.report.scores.technical.score == 2
    assert [item.text for item in full.transcript] == ["answer by u1"]
    assert await history.get_entry("discord", "intruder", "e1") is None


async def test_recording_an_interview_again_replaces_it(history):
    """A re-run of a failed report overwrites the entry rather than adding a second one."""
    await history.record(entry("e1", scores=None))
    await history.record(entry("e1", scores=(5, 5, 5)))
    listed = await history.list_for_user("discord", "u1")
    assert len(listed) == 1 and listed[0].communication == 5
    assert (await history.channel_stats("discord", "c")).sessions == 1


async def test_a_finished_interview_from_the_service_is_recorded_with_its_report(storage):
    history = storage.history
    service = service_on(storage.sessions, history)
    who, where = person("real"), place("thread-1")
    await service.start(who, where, InterviewOptions(role=ROLE, questions=1))
    await service.answer(who, where, answer_text("only answer"))
    reply = await service.feedback(who, where)
    session = await service.session_for(who, where)

    recorded = await history.record_session(session)

    listed = await history.list_for_user("discord", "real")
    assert [item.id for item in listed] == [session.id]
    assert listed[0].communication == reply.report.scores.communication.score
    assert listed[0].conversation_id == "thread-1" and listed[0].role == ROLE
    full = await history.get_entry("discord", "real", session.id)
    assert full.report == reply.report
    assert full.transcript == session.transcript == recorded.transcript


async def test_only_an_interview_with_a_report_can_be_recorded():
    with pytest.raises(ValueError, match="report"):
        HistoryEntry.from_session(bare_session())


# ----------------------------------------------------------------------------- team stats


async def test_channel_stats_count_sessions_and_roles_and_show_scores_only_when_shared(history):
    await history.record(entry("a1", user="ann", conversation="C1:t1", scores=(4, 4, 4)))
    await history.record(entry("a2", user="ann", conversation="C1:t2", role="product_manager",
                               scores=(2, 2, 2)))
    await history.record(entry("b1", user="bob", conversation="C1:t3", scores=(5, 5, 5)))
    await history.record(entry("x1", user="bob", conversation="C2:t1"))  # another channel
    await history.record(entry("s1", user="bob", conversation="C1:t9", platform="slack"))
    await history.set_share_scores("discord", "ann", True)

    stats = await history.channel_stats("discord", "C1:")

    assert stats.sessions == 3
    assert stats.roles == {ROLE: 2, "product_manager": 1}
    ann, bob = stats.members
    assert (ann.user_id, ann.sessions, ann.display_name) == ("ann", 2, "name-ann")
    assert ann.roles == {ROLE: 1, "product_manager": 1}
    assert ann.shares_scores and ann.average_scores == {dim: 3.0 for dim in Dimension}
    assert (bob.user_id, bob.sessions, bob.shares_scores) == ("bob", 1, False)
    assert bob.average_scores is None
    text = "\n".join(stats.lines())
    assert "average" in text and "5" not in text.split("bob")[1]  # bob's 5s stay private


async def test_sharing_scores_can_be_turned_off_again(history):
    await history.set_share_scores("discord", "ann", True)
    assert await history.shares_scores("discord", "ann")
    await history.set_share_scores("discord", "ann", False)
    assert not await history.shares_scores("discord", "ann")
    assert await history.sharing("discord") == set()


# ----------------------------------------------------------------------------- forget, retention


async def test_forget_deletes_the_users_history_preferences_and_live_sessions(storage):
    history = storage.history
    service = service_on(storage.sessions, history)
    for conversation in ("c1", "c2"):
        await service.start(person("gone"), place(conversation), InterviewOptions(role=ROLE))
    await service.start(person("stays"), place("c1"), InterviewOptions(role=ROLE))
    await history.record(entry("g1", user="gone"))
    await history.record(entry("g2", user="gone", conversation="c2"))
    await history.record(entry("s1", user="stays"))
    await history.set_share_scores("discord", "gone", True)

    result = await service.forget(person("gone"))

    assert (result.interviews, result.sessions) == (2, 2)
    assert await history.list_for_user("discord", "gone") == []
    assert await history.get_entry("discord", "gone", "g1") is None
    assert not await history.shares_scores("discord", "gone")
    assert await service.session_for(person("gone"), place("c1")) is None
    assert await service.session_for(person("gone"), place("c2")) is None
    assert {m.user_id for m in (await history.channel_stats("discord", "")).members} == {"stays"}
    # someone else's data is untouched
    assert [e.id for e in await history.list_for_user("discord", "stays")] == ["s1"]
    assert await service.session_for(person("stays"), place("c1")) is not None


async def test_retention_purges_only_interviews_older_than_the_limit(history):
    await history.record(entry("old", finished_at=NOW - 91 * DAY_SECONDS))
    await history.record(entry("edge", finished_at=NOW - 89 * DAY_SECONDS))
    await history.record(entry("new", finished_at=NOW - DAY_SECONDS, user="u2"))
    assert await history.purge_older_than(90, now=NOW) == 1
    assert [e.id for e in await history.list_for_user("discord", "u1")] == ["edge"]
    assert await history.get_entry("discord", "u1", "old") is None
    assert (await history.channel_stats("discord", "")).sessions == 2
    assert await history.purge_older_than(90, now=NOW) == 0


async def test_the_retention_loop_purges_old_interviews_and_idle_sessions(tmp_path):
    clock = [time.time()]
    storage = sqlite_storage(tmp_path / "bot.db", ttl_seconds=3600, clock=lambda: clock[0])
    store, history = storage.sessions, storage.history
    try:
        idle = bare_session("idle")
        idle.updated_at = clock[0] - 7200
        await store.put(idle)
        await history.record(entry("old", finished_at=time.time() - 100 * DAY_SECONDS))
        await history.record(entry("recent", finished_at=time.time() - DAY_SECONDS))
        loop = asyncio.create_task(retention_loop(history, store, days=90, every_seconds=3600))
        try:
            async with asyncio.timeout(10):
                while await store.count():
                    await asyncio.sleep(0.01)
        finally:
            loop.cancel()
        assert [e.id for e in await history.list_for_user("discord", "u1")] == ["recent"]
    finally:
        await storage.close()


async def test_forget_with_no_live_interview_deletes_the_history_only():
    history = InMemoryHistory()
    await history.record(entry("e1"))
    result = await service_on(memory_storage().sessions, history).forget(person("u1"))
    assert (result.interviews, result.sessions) == (1, 0)


# ----------------------------------------------------------------------------- progress


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], Trend.too_early),
        ([3], Trend.too_early),
        ([3, None, None], Trend.too_early),  # unscored interviews do not count
        ([2, 3], Trend.improving),  # one against one
        ([4, 3], Trend.slipping),
        ([3, 3, 3, 3], Trend.flat),
        ([1, 2, 2, 3, 3, 2], Trend.improving),  # last 3 mean 2.67 vs previous 3 mean 1.67
        ([3, 3, 3, 3, 3, 4], Trend.flat),  # +0.33: within the threshold
        ([5, 5, 5, 5, 4, 4], Trend.slipping),  # -0.67
        ([1, 1, 1, 1, 5, 5, 4, 4, 4], Trend.flat),  # only the last six count: 4.0 vs 3.67
    ],
)
def test_the_trend_compares_the_last_three_scores_with_the_three_before(scores, expected):
    assert trend(scores) is expected


def test_progress_orders_entries_and_reports_a_trend_per_dimension():
    entries = [
        entry(f"e{n}", finished_at=NOW + n * DAY_SECONDS, scores=(2 + n // 3, 3, 4 - n // 3))
        for n in range(6)
    ]
    progress = Progress.of(list(reversed(entries[3:])) + entries[:3])
    assert [e.id for e in progress.entries] == ["e5", "e4", "e3", "e2", "e1", "e0"]
    assert progress.trends == {
        Dimension.communication: Trend.improving,
        Dimension.technical: Trend.flat,
        Dimension.structure: Trend.slipping,
    }
    assert progress.series(Dimension.communication) == [2, 2, 2, 3, 3, 3]
    text = "\n".join(progress.lines())
    assert "communication" in text and "improving" in text and "slipping" in text
    assert sparkline([2, 2, 2, 3, 3, 3]) in text


def test_progress_of_nobody_says_so():
    assert "No finished interviews" in Progress.of([]).lines()[0]


def test_sparkline_uses_a_fixed_one_to_five_scale_and_marks_gaps():
    assert sparkline([1, 5]) == "▁█"
    assert sparkline([3]) == "▅"  # the middle of the scale, whatever else is in the list
    assert sparkline([1, None, 5]) == "▁·█"
    assert sparkline([0, 9]) == "▁█"  # out-of-range values are clamped
    assert sparkline([]) == ""


def test_trend_chart_is_a_png_that_shows_the_data():
    from matplotlib.image import imread

    rising = [entry(f"e{n}", finished_at=NOW + n * DAY_SECONDS, scores=(n + 1, 3, 2)) for n in range(5)]
    png = trend_chart_png(rising)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = imread(io.BytesIO(png))
    assert image.shape[:2] == (300, 600)
    falling = [e.model_copy(update={"communication": 5 - n}) for n, e in enumerate(rising)]
    assert trend_chart_png(falling) != png
    assert trend_chart_png([]).startswith(b"\x89PNG")  # an empty history still renders
