"""Two Slack HTTP replicas behind one load balancer, sharing a Redis store (a real redis-server)."""

from __future__ import annotations

import asyncio

import pytest

from core.models import Where, Who, session_key
from core.session import Speaker
from core.stores.redis import RedisStore
from tests.fakes.slack_fake import button_press, message_event
from tests.support.brains import ScriptedBrain
from tests.support.slack import CHANNEL, command, start_in_channel

TEAM, DM, ALICE = "T0TEAM", "D0DM1", "U0ALICE"


@pytest.fixture
async def stores(redis_url, redis_prefix):
    """Two processes' stores on one redis-server, closed after the test."""
    pair = [RedisStore.from_url(redis_url, prefix=redis_prefix) for _ in range(2)]
    try:
        yield pair
    finally:
        for store in pair:
            await store.close()


ANSWER = ("In my last role I owned a territory of 40 accounts and grew revenue by 30% in a "
          "year by running weekly pipeline reviews with my team.")


async def test_a_retry_that_reaches_the_other_replica_gets_no_second_turn(
        make_harness, stores):
    one, other = [await make_harness(store=store) for store in stores]
    fake = one.fake
    start = await one.sender.event(message_event("start sales", user=ALICE, channel=DM,
                                                 channel_type="im"))
    assert start.status == 200
    await fake.wait_for_posts(1, channel=DM)
    payload = message_event(ANSWER, user=ALICE, channel=DM, channel_type="im")
    assert (await one.sender.event(payload)).status == 200
    # Slack did not see the ack in time: it re-delivers, and the balancer picks the
    # other replica, once while the first is still answering and once afterwards.
    retries = await asyncio.gather(other.sender.event(payload, retry_num=1),
                                   other.sender.event(payload, retry_num=2))
    assert [delivery.status for delivery in retries] == [200, 200]
    await fake.wait_for_posts(2, channel=DM)
    await fake.settle(quiet=0.5)
    assert len(fake.posts(DM)) == 2  # the greeting and one reply
    session = await other.service.session_for(
        Who(platform="slack", user_id=ALICE), Where(platform="slack",
                                                     conversation_id=f"{TEAM}:{DM}"))
    assert [e.text for e in session.transcript if e.speaker is Speaker.candidate] == [ANSWER]


async def test_a_channel_command_on_one_replica_finds_the_thread_started_on_the_other(
        make_harness, stores):
    one, other = [await make_harness(store=store) for store in stores]
    fake = one.fake
    thread = await start_in_channel(one, ALICE)
    # The slash command carries no thread; the balancer sends it to the other replica.
    await command(other, "hint")
    await fake.wait_for_posts(2, channel=CHANNEL, thread_ts=thread)
    session = await other.service.session_for(
        Who(platform="slack", user_id=ALICE),
        Where(platform="slack", conversation_id=f"{TEAM}:{CHANNEL}:{thread}"))
    assert session.here.hints == 1
    assert fake.response_url_posts == []  # nobody was told "no interview here"
    assert fake.calls_to("conversations.history") == []  # Redis knew; Slack was not asked
    # And a second start on either replica is refused: one interview per channel.
    await command(one, "start sales")
    await fake.wait_for(lambda: fake.response_url_posts, what="the refusal")
    assert "already have an interview running" in fake.response_url_posts[0]["text"]


def answer_at(ts: str, text: str) -> dict:
    return message_event(text, user=ALICE, channel=DM, channel_type="im", ts=ts)


async def until(condition, timeout: float = 30.0) -> None:
    """Wait for an async condition; the bound only ends a failing test."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.005)


async def test_answers_reaching_two_replicas_out_of_order_are_applied_in_ts_order_and_once(
        make_harness, stores):
    """Was: a user's answers spread over two processes were applied in arrival order."""
    gate = asyncio.Event()
    gate.set()
    brain = ScriptedBrain(gate=gate)  # the test decides when a turn may finish
    who, where = Who(platform="slack", user_id=ALICE), Where(platform="slack",
                                                            conversation_id=f"{TEAM}:{DM}")
    key = session_key(who, where)
    one, other = [await make_harness(brain=brain, store=store) for store in stores]
    fake = one.fake
    await one.sender.event(answer_at("1700000000.000100", "start sales"))
    await fake.wait_for_posts(1, channel=DM)
    gate.clear()
    held = brain.at_gate
    await one.sender.event(answer_at("1700000001.000100", f"{ANSWER} (first)"))
    await until(lambda: _true(brain.at_gate == held + 1))  # running, holding the session
    # The user's next two answers: the later one reaches the busy replica first, the
    # earlier one the other replica afterwards.
    later = answer_at("1700000003.000100", f"{ANSWER} (third)")
    earlier = answer_at("1700000002.000100", f"{ANSWER} (second)")
    assert (await one.sender.event(later)).status == 200
    await until(lambda: _is(stores[0].waiting(key), 2))
    assert (await other.sender.event(earlier)).status == 200
    await until(lambda: _is(stores[0].waiting(key), 3))
    gate.set()
    await fake.wait_for_posts(4, channel=DM)
    # The earlier answer again, as a new delivery the event-id check cannot know
    # (another event id), to the other replica; then one more answer behind it.
    again = answer_at("1700000002.000100", f"{ANSWER} (second)")
    assert again["event_id"] != earlier["event_id"]
    await one.sender.event(again)
    await one.sender.event(answer_at("1700000004.000100", f"{ANSWER} (fourth)"))
    await fake.wait_for_posts(5, channel=DM)
    session = await stores[1].get(key)
    assert [e.text for e in session.transcript if e.speaker is Speaker.candidate] == [
        f"{ANSWER} ({n})" for n in ("first", "second", "third", "fourth")]
    await until(lambda: _is(stores[0].waiting(key), 0))
    assert len(fake.posts(DM)) == 5  # greeting and four replies: the repeat got none


async def test_a_double_click_split_across_replicas_skips_once(
        make_harness, stores):
    one, other = [await make_harness(store=store) for store in stores]
    fake = one.fake
    await one.sender.event(message_event("start role:sales questions:3", user=ALICE,
                                         channel=DM, channel_type="im"))
    greeting = (await fake.wait_for_posts(1, channel=DM))[0]
    press = button_press(greeting, "interview_skip", user=ALICE)
    await asyncio.gather(one.sender.interactive(press), other.sender.interactive(press))
    await fake.wait_for_posts(2, channel=DM)
    await fake.settle(quiet=0.5)
    session = await other.service.session_for(
        Who(platform="slack", user_id=ALICE), Where(platform="slack",
                                                     conversation_id=f"{TEAM}:{DM}"))
    assert session.current == 1 and len(fake.posts(DM)) == 2


async def _true(value: bool) -> bool:
    return value


async def _is(count, expected: int) -> bool:
    return await count == expected


async def test_a_start_sent_to_two_replicas_at_once_opens_one_thread(
        make_harness, stores):
    """Was: each replica checked for a running interview before the other had saved one."""
    gate = asyncio.Event()  # holds the first start's greeting until the second has arrived
    brain = ScriptedBrain(gate=gate)
    one, other = [await make_harness(brain=brain, store=store) for store in stores]
    fake = one.fake
    await command(one, "start sales")
    await brain.wait_at_gate(1)
    await command(other, "start sales")
    await fake.wait_for(lambda: fake.response_url_posts, what="the refusal")
    gate.set()
    await fake.wait_for(lambda: any("thread_ts" in p.args for p in fake.posts(CHANNEL)),
                        what="the greeting in the thread")
    openings = [p for p in fake.posts(CHANNEL)
                if "thread_ts" not in p.args and f"<@{ALICE}>" in p.text]
    assert len(openings) == 1
    assert "already have an interview running" in fake.response_url_posts[0]["text"]
