"""A restart (or another replica) still finds a channel interview from a slash command.

Slash commands carry no thread. The app that started an interview keeps its thread as a
note in core's store, so a NEW app over the same SQLite file (a restart) finds it there,
without asking Slack for the channel's history.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import pytest

from core.stores.sqlite import SqliteStore
from tests.support.slack import (
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    TEAM,
    command,
    say,
    start_in_channel,
    where,
    who,
)


@pytest.fixture
async def open_store(tmp_path) -> AsyncIterator[Callable[[], SqliteStore]]:
    """Each call opens the same database file afresh, as a restarted process would."""
    stores: list[SqliteStore] = []

    def open_() -> SqliteStore:
        stores.append(SqliteStore(tmp_path / "bot.db"))
        return stores[-1]

    yield open_
    for store in stores:
        await store.close()


async def restarted(make_harness, open_store):
    """The first app and its restarted successor, each with its own store connection."""
    return await make_harness(store=open_store()), await make_harness(store=open_store())


async def replies_to(h, count: int) -> list[str]:
    """The texts of the first ``count`` private answers (response_url) to slash commands."""
    posts = await h.fake.wait_for(lambda: len(h.fake.response_url_posts) >= count
                                  and h.fake.response_url_posts, what=f"{count} respond()")
    return [post.get("text", "") for post in posts[:count]]


async def session_in(h, thread: str):
    return await h.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{thread}"))


async def test_status_and_hint_in_the_channel_reach_the_thread_after_a_restart(
        make_harness, open_store):
    first, second = await restarted(make_harness, open_store)
    fake = first.fake
    thread = await start_in_channel(first, ALICE)
    await say(first, GOOD_ANSWER, channel=CHANNEL, thread_ts=thread)
    await fake.wait_for_posts(2, channel=CHANNEL, thread_ts=thread)

    await command(second, "status")
    status = (await fake.wait_for_posts(3, channel=CHANNEL, thread_ts=thread))[2]
    # Question 1 or 2: the offline interviewer may follow up or move on, by the question drawn.
    assert "of 2, 1 answered" in status.text and "State: active" in status.text

    await command(second, "hint")
    await fake.wait_for_posts(4, channel=CHANNEL, thread_ts=thread)
    assert (await session_in(second, thread)).here.hints == 1
    assert fake.calls_to("conversations.history") == []  # the store knew; Slack was not asked
    assert fake.response_url_posts == []  # no "you have no interview" anywhere

    # The note is per person: Bob, with no interview, is still told so.
    await command(second, "hint", user=BOB)
    assert "no interview running in this channel" in (await replies_to(second, 1))[0]
    # And starting a second interview next to the running one is refused, as before.
    await command(second, "start sales")
    assert "already have an interview running" in (await replies_to(second, 2))[1]


async def test_end_reaches_a_finished_interview_after_a_restart(make_harness, open_store):
    first, second = await restarted(make_harness, open_store)
    fake = first.fake
    thread = await start_in_channel(first, ALICE)
    await command(first, "end")
    await fake.wait_for(lambda: len(report_headers(fake, thread)) == 1, what="the report")

    await command(second, "end")  # e.g. to re-run a report the AI could not write
    await fake.wait_for(lambda: len(report_headers(fake, thread)) == 2, what="the report again")
    assert fake.response_url_posts == []
    # Only `end` reaches a finished interview; a hint needs a running one.
    await command(second, "hint")
    assert "no interview running in this channel" in (await replies_to(second, 1))[0]


async def test_end_after_a_restart_ends_the_running_interview_not_an_older_one(
        make_harness, open_store):
    first, second = await restarted(make_harness, open_store)
    fake = first.fake
    finished = await start_in_channel(first, ALICE)
    await command(first, "end")
    await fake.wait_for(lambda: report_headers(fake, finished), what="the report")
    running = await start_in_channel(first, ALICE, "start software_engineer questions:2")

    await command(second, "end")
    await fake.wait_for(lambda: report_headers(fake, running), what="the running one's report")
    assert len(report_headers(fake, finished)) == 1  # the old report was left alone
    assert (await session_in(second, running)).report is not None


async def test_a_restarted_app_needs_no_channel_history_to_find_the_thread(
        make_harness, open_store):
    first, second = await restarted(make_harness, open_store)
    thread = await start_in_channel(first, ALICE)
    # An install without the history scopes: Slack says no, and nobody needs to ask it.
    first.fake.fail("conversations.history", status=200, error="missing_scope")
    await command(second, "status")
    status = (await first.fake.wait_for_posts(2, channel=CHANNEL, thread_ts=thread))[1]
    assert "State: active" in status.text
    assert first.fake.response_url_posts == []


async def test_a_file_sent_before_a_restart_still_tailors_the_next_start(
        make_harness, open_store):
    first, second = await restarted(make_harness, open_store)
    await first.service.store.put_note(who(ALICE), "slack.pending_context", f"{TEAM}:{CHANNEL}",
                                       "Resume: ten years of enterprise sales.")
    thread = await start_in_channel(second, ALICE)
    assert "enterprise sales" in (await session_in(second, thread)).options.context
    # Used by that start, then gone: the next interview starts without it.
    assert await second.service.store.get_note(
        who(ALICE), "slack.pending_context", f"{TEAM}:{CHANNEL}") is None


def report_headers(fake, thread: str) -> list:
    return [post for post in fake.posts(CHANNEL, thread)
            if post.blocks and post.blocks[0]["type"] == "header"]
