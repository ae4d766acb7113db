"""Every surface understands the same typed commands (core's one grammar and dispatch).

Typed in a DM on Discord or Slack, or as a ``/`` line in the terminal: ``stop``,
``quit`` and ``finish`` end the interview with the report, as ``end`` does; a lone
"History" during an interview is an answer; ``history`` after it lists the interview.
The surfaces run their real client libraries against the loopback fakes.
"""

from __future__ import annotations

import pytest

from core.models import ReplyKind
from tests.support.surfaces import SLACK_DM, SLACK_USER, DiscordDriver, SlackDriver, driver_for
from tests.support.script import Step
from tests.fakes.slack_fake import message_event

CHAT_SURFACES = ["discord", "slack"]


async def _history_shown(driver: DiscordDriver | SlackDriver) -> str:
    """Type ``history`` in the DM and return what the surface showed."""
    if isinstance(driver, DiscordDriver):
        shown = await driver.chat.say(driver.user, driver.dm, "history")
        return " ".join(embed.get("description", "") for message in shown
                        for embed in message["embeds"])
    h = driver.h
    before = len(h.fake.posts(SLACK_DM))
    await h.sender.event(message_event("history", user=SLACK_USER, channel=SLACK_DM,
                                       channel_type="im"))
    posts = await h.fake.wait_for_posts(before + 1, channel=SLACK_DM)
    await h.bot.background.drain()
    return " ".join(block.get("text", {}).get("text", "") for post in posts[before:]
                    for block in post.blocks or [])


@pytest.mark.parametrize("surface", CHAT_SURFACES)
@pytest.mark.parametrize("word", ["stop", "quit", "finish", "end"])
async def test_a_typed_end_word_ends_the_interview_with_the_report(surface, word):
    async with driver_for(surface) as driver:
        assert (await driver.start()).kind == ReplyKind.greeting
        ended = await driver.send(word)
    assert ended.kind == ReplyKind.feedback
    assert "0 question(s) answered" in ended.rendered  # the drawn report, nothing answered


@pytest.mark.parametrize("surface", CHAT_SURFACES)
async def test_a_one_word_answer_is_an_answer_and_history_lists_the_interview(surface):
    async with driver_for(surface) as driver:
        await driver.start()
        answered = await driver.send("History")  # "Which subject...?" "History": an answer
        # the interviewer reacted to it as the candidate's words, not as a command
        assert answered.kind in (ReplyKind.follow_up, ReplyKind.question, ReplyKind.clarify,
                                 ReplyKind.steer)
        assert (await driver.send("finish")).kind == ReplyKind.feedback
        shown = await _history_shown(driver)
    assert "last 1 interview(s)" in shown


async def test_the_terminal_takes_the_same_words_as_slash_lines():
    script = [Step("start", ReplyKind.greeting), Step("send", ReplyKind.feedback, "/quit")]
    async with driver_for("terminal") as driver:
        turns = await driver.play(script)
    assert [turn.kind for turn in turns] == ["greeting", "feedback"]
    assert turns[-1].report is not None
