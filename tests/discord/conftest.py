"""Fixtures: a fake Discord on 127.0.0.1 and the real discord.py client logged in to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.discord.bot import InterviewBot
from core.service import InterviewService
from tests.discord.helpers import Chat, running_bot
from tests.fakes.discord_fake import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def start_bot(fake: FakeDiscord):
    """``async with start_bot(service, **options) as client``: a bot of the test's own making."""
    return lambda service, **options: running_bot(fake, service, **options)


@pytest.fixture
async def bot(fake: FakeDiscord, service: InterviewService) -> AsyncIterator[InterviewBot]:
    """The bot on the offline brain (``service`` comes from tests/conftest.py)."""
    async with running_bot(fake, service) as client:
        yield client


@pytest.fixture
def chat(fake: FakeDiscord, bot: InterviewBot) -> Chat:
    return Chat(fake, bot)
