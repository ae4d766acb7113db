"""Helpers for the Slack tests: the app's harness, the workspace's people and places, turns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.slack.app import SlackBot, build_slack_bot, serve_http
from core.models import Where, Who
from core.service import InterviewService
from tests.fakes.slack_fake import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackSender,
    message_event,
    slash_command,
)

TEAM = "T0TEAM"
CHANNEL = "C0GENERAL"
DM = "D0DM1"
ALICE, BOB = "U0ALICE", "U0BOB"
GOOD_ANSWER = ("In my last role I owned a territory of 40 accounts and grew revenue by 30% in a "
               "year by running weekly pipeline reviews with my team.")


def who(user: str) -> Who:
    return Who(platform="slack", user_id=user)


def where(conversation: str) -> Where:
    return Where(platform="slack", conversation_id=conversation)


async def command(h, text: str, user: str = ALICE, channel: str = CHANNEL):
    delivery = await h.sender.command(slash_command(text, user=user, channel=channel,
                                                    response_url=h.fake.response_url()))
    assert delivery.status == 200, delivery.body
    return delivery


async def say(h, text: str, *, user: str = ALICE, channel: str = DM, thread_ts: str | None = None,
              **kwargs):
    channel_type = "im" if channel.startswith("D") else "channel"
    payload = message_event(text, user=user, channel=channel, channel_type=channel_type,
                            thread_ts=thread_ts, **kwargs)
    delivery = await h.sender.event(payload)
    assert delivery.status == 200, delivery.body
    return payload


async def start_in_channel(h, user: str, text: str = "start role:sales questions:2") -> str:
    """Start a channel interview; returns the thread it lives in."""
    before = len(h.fake.posts(CHANNEL))
    await command(h, text, user=user)
    opening = await h.fake.wait_for(
        lambda: next((p for p in h.fake.posts(CHANNEL)[before:] if "thread_ts" not in p.args
                      and f"<@{user}>" in p.text), None), what="the opening message")
    await h.fake.wait_for_posts(1, channel=CHANNEL, thread_ts=opening.ts)
    return opening.ts


class Harness:
    """The Bolt app over HTTP: ``sender`` plays Slack, ``fake`` records what the app did."""

    def __init__(self, bot: SlackBot, sender: SlackSender, fake: FakeSlack,
                 service: InterviewService) -> None:
        self.bot = bot
        self.sender = sender
        self.fake = fake
        self.service = service


@asynccontextmanager
async def slack_harness(service: InterviewService, fake: FakeSlack) -> AsyncIterator[Harness]:
    """The real Bolt app over signed HTTP, in front of ``fake``, on the given service."""
    bot = build_slack_bot(service, token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                          base_url=fake.base_url)
    runner = await serve_http(bot.app, "127.0.0.1", 0)
    sender = SlackSender(f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events")
    try:
        yield Harness(bot, sender, fake, service)
    finally:
        await bot.background.drain(timeout=5)
        await runner.cleanup()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    slack.add_im("U0ALICE", "D0DM1")  # the DM most tests talk to the bot in
    yield slack
    await slack.stop()
