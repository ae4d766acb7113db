"""Fixtures: a fake Slack on 127.0.0.1 and the real Bolt app served over HTTP in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.slack.app import SlackBot, build_slack_bot, serve_http
from core.brain.base import Brain
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from core.store import InMemoryStore, SessionStore
from tests.fakes.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender
from tests.support.slack import Harness, fake  # noqa: F401 (the fake Slack fixture)


@pytest.fixture
async def make_harness(fake: FakeSlack) -> AsyncIterator[Callable[..., object]]:
    runners = []
    bots: list[SlackBot] = []

    async def make(brain: Brain | None = None, store: SessionStore | None = None,
                   **options) -> Harness:
        """A new app; pass the ``store`` of an earlier one to play a restart or a replica."""
        service = InterviewService(brain=brain or OfflineBrain(), store=store or InMemoryStore())
        bot = build_slack_bot(service, token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                              base_url=fake.base_url, **options)
        runner = await serve_http(bot.app, "127.0.0.1", 0)
        runners.append(runner)
        bots.append(bot)
        port = runner.addresses[0][1]
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events")
        return Harness(bot, sender, fake, service)

    yield make
    for bot in bots:
        await bot.background.drain(timeout=5)
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def harness(make_harness) -> Harness:
    return await make_harness()
