"""One error handler: users read a short friendly message, the interview survives, order is kept."""

from __future__ import annotations

import asyncio

from core.errors import BrainError
from core.models import Where, Who
from tests.fakes.slack_fake import message_event, slash_command
from tests.support.brains import ANSWERS, GREETING, ScriptedBrain

DM, CHANNEL = "D0DM1", "C0GENERAL"
ALICE = "U0ALICE"
ANSWER = "I grew my territory revenue by 30% in a year by running weekly pipeline reviews."


def dm(text: str) -> dict:
    return message_event(text, user=ALICE, channel=DM, channel_type="im")


async def test_brain_failures_get_friendly_words_and_the_answer_can_be_resent(make_harness):
    # The first answers fail (with these errors, in order), then the brain works.
    errors = [BrainError(), RuntimeError("boom: internal detail")]
    h = await make_harness(brain=ScriptedBrain(when=ANSWERS, errors=errors))
    await h.sender.event(dm("start sales"))
    await h.fake.wait_for_posts(1, channel=DM)
    for expected in ("couldn't answer just now", "Sorry, something went wrong"):
        count = len(h.fake.posts(DM))
        await h.sender.event(dm(ANSWER))
        message = (await h.fake.wait_for_posts(count + 1, channel=DM))[-1]
        assert expected in message.text
        assert "boom" not in message.text and "Traceback" not in message.text
    session = await h.service.session_for(Who(platform="slack", user_id=ALICE),
                                          Where(platform="slack", conversation_id=f"T0TEAM:{DM}"))
    assert session.answered_count() == 0  # nothing half-saved
    await h.sender.event(dm(ANSWER))  # the same answer again now works
    reply = (await h.fake.wait_for_posts(4, channel=DM))[-1]
    assert reply.action_ids and "Question" in reply.text


async def test_an_answer_sent_right_after_start_waits_for_the_interview(make_harness):
    brain = ScriptedBrain(when=GREETING, gate=asyncio.Event())
    h = await make_harness(brain=brain)
    await h.sender.event(dm("start sales"))
    await brain.wait_at_gate()
    await h.sender.event(dm(ANSWER))  # while the greeting is still being written
    brain.gate.set()
    posts = await h.fake.wait_for_posts(2, channel=DM)
    assert "Question 1" in posts[0].text
    assert "start sales" not in posts[1].text  # not the "how to start" help: it was answered
    assert len(h.bot.interviews.in_order) == 0  # no lock left behind


async def test_a_channel_the_bot_is_not_in_gets_advice_via_response_url(harness):
    harness.fake.fail("chat.postMessage", status=200, error="not_in_channel")
    await harness.sender.command(slash_command("start sales", user=ALICE, channel=CHANNEL,
                                               response_url=harness.fake.response_url()))
    await harness.fake.wait_for(lambda: harness.fake.response_url_posts, what="respond()")
    assert "/invite" in harness.fake.response_url_posts[0]["text"]
