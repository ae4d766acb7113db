"""HTTP mode: the real Bolt app receiving signed requests, its Web API calls going to the fake."""

from __future__ import annotations

import asyncio
import json
import time

from tests.fakes.slack_fake import button_press, message_event, slash_command
from tests.support.brains import ANSWERS, ScriptedBrain
from tests.support.slack import (
    ALICE,
    BOB,
    CHANNEL,
    DM,
    GOOD_ANSWER,
    TEAM,
    command,
    say,
    start_in_channel,
    where,
    who,
)

def ack_text(delivery) -> str:
    """What the user sees from a slash command's ack (Bolt answers text, or JSON)."""
    return json.loads(delivery.body)["text"] if delivery.body.startswith("{") else delivery.body


# ---------------------------------------------------------------------- channel threads


async def test_channel_interview_lives_in_a_thread_and_only_the_candidate_counts(harness):
    fake = harness.fake
    thread = await start_in_channel(harness, ALICE)
    greeting = fake.posts(CHANNEL, thread)[0]
    assert "Question 1 of 2" in greeting.text and "interview_skip" in greeting.action_ids

    await say(harness, "I think the answer is to discount heavily.", user=BOB, channel=CHANNEL,
              thread_ts=thread)  # a teammate reading along
    await fake.settle()
    assert len(fake.posts(CHANNEL, thread)) == 1
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{thread}"))
    assert session.answered_count() == 0

    await say(harness, GOOD_ANSWER, channel=CHANNEL, thread_ts=thread)
    await fake.wait_for_posts(2, channel=CHANNEL, thread_ts=thread)
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{thread}"))
    assert len([e for e in session.transcript if e.speaker == "candidate"]) == 1

    # `/interview end` typed in the channel (slash commands carry no thread) finds the thread.
    await command(harness, "end")
    report = await fake.wait_for(lambda: next(
        (p for p in fake.posts(CHANNEL, thread) if p.blocks and p.blocks[0]["type"] == "header"),
        None), what="the report")
    assert "Interview feedback" in report.text
    assert all(len(p.blocks) <= 50 for p in fake.posts())


async def test_two_candidates_practise_in_one_channel_at_once(harness):
    fake = harness.fake
    alice_thread = await start_in_channel(harness, ALICE)
    bob_thread = await start_in_channel(harness, BOB, "start software_engineer questions:2")
    assert alice_thread != bob_thread

    await asyncio.gather(
        say(harness, GOOD_ANSWER, channel=CHANNEL, thread_ts=alice_thread),
        say(harness, "I once cut our API latency by 40% by adding a cache and load testing it.",
            user=BOB, channel=CHANNEL, thread_ts=bob_thread),
        say(harness, "Bob's thread is not mine to answer.", channel=CHANNEL, thread_ts=bob_thread),
    )
    await fake.wait_for_posts(2, channel=CHANNEL, thread_ts=alice_thread)
    await fake.wait_for_posts(2, channel=CHANNEL, thread_ts=bob_thread)
    await fake.settle()
    assert len(fake.posts(CHANNEL, alice_thread)) == 2
    assert len(fake.posts(CHANNEL, bob_thread)) == 2
    alice = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{alice_thread}"))
    bob = await harness.service.session_for(who(BOB), where(f"{TEAM}:{CHANNEL}:{bob_thread}"))
    assert alice.role_id == "sales" and bob.role_id == "software_engineer"
    assert [e.text for e in bob.transcript if e.speaker == "candidate"] == [
        "I once cut our API latency by 40% by adding a cache and load testing it."]
    # Alice's `/interview hint` in the channel goes to her thread, not Bob's.
    await command(harness, "hint")
    await fake.wait_for_posts(3, channel=CHANNEL, thread_ts=alice_thread)
    await fake.settle()
    assert len(fake.posts(CHANNEL, bob_thread)) == 2


async def test_another_users_button_press_gets_an_ephemeral_notice(harness):
    fake = harness.fake
    thread = await start_in_channel(harness, ALICE)
    greeting = fake.posts(CHANNEL, thread)[0]

    delivery = await harness.sender.interactive(button_press(greeting, "interview_skip", user=BOB))
    assert delivery.status == 200
    notice = await fake.wait_for(lambda: fake.calls_to("chat.postEphemeral"), what="ephemeral")
    assert notice[0].args["user"] == BOB and f"<@{ALICE}>" in notice[0].args["text"]
    assert notice[0].args.get("thread_ts") == thread
    await fake.settle()
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{thread}"))
    assert session.current == 0 and len(fake.posts(CHANNEL, thread)) == 1

    # The candidate's own press works, and the used buttons are taken off the message.
    await harness.sender.interactive(button_press(greeting, "interview_skip", user=ALICE))
    next_question = (await fake.wait_for_posts(2, channel=CHANNEL, thread_ts=thread))[1]
    assert "Question 2 of 2" in next_question.text
    # The buttons are retired just after the next question is posted: wait for it.
    retired = await fake.wait_for(lambda: fake.calls_to("chat.update"), what="buttons retired")
    assert retired[0].args["ts"] == greeting.ts and not retired[0].action_ids


async def test_a_double_click_on_skip_skips_once(harness):
    fake = harness.fake
    await say(harness, "start role:sales questions:3")
    greeting = (await fake.wait_for_posts(1, channel=DM))[0]
    press = button_press(greeting, "interview_skip", user=ALICE)
    await asyncio.gather(harness.sender.interactive(press), harness.sender.interactive(press))
    await fake.wait_for_posts(2, channel=DM)
    await fake.settle()
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}"))
    assert session.current == 1 and len(fake.posts(DM)) == 2


# ---------------------------------------------------------------------- requests Slack did not sign


async def test_bad_signature_and_stale_timestamp_are_rejected(harness):
    payload = slash_command("start sales", user=ALICE, channel=DM,
                            response_url=harness.fake.response_url())
    forged = await harness.sender.command(payload, secret="not-the-secret")
    stale = await harness.sender.command(payload, timestamp=int(time.time()) - 10 * 60)
    assert (forged.status, stale.status) == (401, 401)
    await harness.fake.settle()
    assert harness.fake.posts() == []
    assert await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}")) is None


# ---------------------------------------------------------------------- retries and bots


async def test_a_retried_event_gives_no_second_turn(harness):
    fake = harness.fake
    await say(harness, "start sales")
    await fake.wait_for_posts(1, channel=DM)
    payload = await say(harness, GOOD_ANSWER)
    await fake.wait_for_posts(2, channel=DM)
    retry = await harness.sender.event(payload, retry_num=1)
    duplicate = await harness.sender.event(payload)
    assert (retry.status, duplicate.status) == (200, 200)
    await fake.settle(quiet=0.5)
    assert len(fake.posts(DM)) == 2
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}"))
    assert len([e for e in session.transcript if e.speaker == "candidate"]) == 1


async def test_messages_from_bots_and_edits_are_ignored(harness):
    fake = harness.fake
    await say(harness, "start sales")
    await fake.wait_for_posts(1, channel=DM)
    await say(harness, "An echo of my own question", user="U0BOT", bot_id="B0BOT")
    await say(harness, "Another app talking", user="U0OTHER", bot_id="B0OTHER")
    await say(harness, "edited answer", subtype="message_changed")
    await fake.settle(quiet=0.5)
    assert len(fake.posts(DM)) == 1


# ---------------------------------------------------------------------- friendly errors


async def test_unknown_role_lists_roles_and_suggests_the_closest(harness):
    delivery = await command(harness, "start role:salez")
    text = ack_text(delivery)
    assert "salez" in text and "Did you mean" in text and "sales" in text
    assert "software_engineer" in text  # the known roles are listed
    await say(harness, "start role:enginer")
    post = (await harness.fake.wait_for_posts(1, channel=DM))[0]
    assert "enginer" in post.text and "software_engineer" in post.text


async def test_usage_for_anything_else_and_bad_options(harness):
    usage = await command(harness, "dance")
    assert "/interview start role:sales" in ack_text(usage)
    too_many = await command(harness, "start sales questions:40")
    assert "between 1 and 15" in ack_text(too_many)
    await harness.fake.settle()
    assert harness.fake.posts() == []


async def test_commands_without_an_interview_explain_what_to_do(harness):
    await command(harness, "hint")  # in a channel, nothing running
    await harness.fake.wait_for(lambda: harness.fake.response_url_posts, what="respond()")
    assert "no interview running" in harness.fake.response_url_posts[0]["text"]
    await command(harness, "status", channel=DM)
    await harness.fake.wait_for(lambda: len(harness.fake.response_url_posts) == 2, what="respond()")
    assert "no interview running" in harness.fake.response_url_posts[1]["text"]
    assert "&lt;role&gt;" in harness.fake.response_url_posts[1]["text"]  # core's text, escaped
    assert harness.fake.posts() == []  # errors from commands are private


# ---------------------------------------------------------------------- deadlines and 429s


async def test_a_slow_brain_still_gets_slack_acked_within_3_seconds(make_harness):
    h = await make_harness(brain=ScriptedBrain(when=ANSWERS, delay=10))  # slow over the answer
    fake = h.fake
    await say(h, "start sales")
    await fake.wait_for_posts(1, channel=DM)

    started = time.monotonic()
    answer = asyncio.create_task(h.sender.event(message_event(
        GOOD_ANSWER, user=ALICE, channel=DM, channel_type="im")))
    hint = asyncio.create_task(h.sender.command(slash_command(
        "hint", user=ALICE, channel=DM, response_url=fake.response_url())))
    deliveries = await asyncio.gather(answer, hint)
    assert all(d.status == 200 for d in deliveries)
    assert all(d.seconds < 3.0 for d in deliveries), [d.seconds for d in deliveries]
    # The candidate sees that the interviewer is thinking, then the real reply replaces it.
    placeholder = (await fake.wait_for_posts(2, channel=DM))[1]
    assert "Thinking" in placeholder.text
    final = await fake.wait_for(lambda: next((c for c in fake.calls_to("chat.update")
                                              if c.args["ts"] == placeholder.ts and c.action_ids),
                                             None), timeout=30, what="the final reply")
    assert "Thinking" not in final.text and not final.text.endswith("…")
    assert time.monotonic() - started >= 9  # it really was slow
    # The hint, queued behind the slow turn, comes after it: nothing was lost or interleaved.
    hint_post = (await fake.wait_for_posts(3, channel=DM))[2]
    assert hint_post.at > final.at


async def test_a_429_from_chat_post_message_is_retried(harness):
    fake = harness.fake
    fake.fail("chat.postMessage", status=429, retry_after=0, times=1)
    await say(harness, "start sales")
    greeting = (await fake.wait_for_posts(1, channel=DM))[0]
    assert len(fake.rejected) == 1 and fake.rejected[0].method == "chat.postMessage"
    assert greeting.args == fake.rejected[0].args  # the same message, sent again
    assert greeting.action_ids
