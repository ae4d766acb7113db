"""Helpers for the Discord tests: the real client logged in to the fake, and a patient user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.discord import build_discord_client
from adapters.discord.bot import InterviewBot
from core.brain.base import Brain
from core.brain.offline import OfflineBrain
from core.models import Where, Who
from core.service import InterviewService
from core.session import Session
from core.store import InMemoryStore
from tests.fakes.discord_fake import FakeDiscord

# A complete sales story: enough for the interview to move on to the next question.
STRONG_ANSWER = (
    "At Acme I owned a 400k ARR deal with a logistics company. I mapped the economic buyer, "
    "the CFO, and a champion in operations, ran discovery calls with both, and built a mutual "
    "action plan. When procurement stalled I brought a business case with ROI numbers. We "
    "closed in 90 days, 20% above target, and I reused the plan for two later deals."
)


def who_for(user) -> Who:
    return Who(platform="discord", user_id=str(user.id), display_name=user.global_name)


def where_for(fake: FakeDiscord, channel_id: int | str) -> Where:
    """The conversation as core stores it: a thread is "<parent channel>:<thread>", a DM its id.

    Built from the fake's own records, not from the adapter, so a test checks the adapter.
    """
    channel = fake.channels[int(channel_id)]
    if channel["type"] in (11, 12):
        return Where(platform="discord", conversation_id=f"{channel['parent_id']}:{channel['id']}")
    return Where(platform="discord", conversation_id=str(channel_id))


async def stored_session(fake: FakeDiscord, service: InterviewService, user, channel_id) -> Session | None:
    return await service.session_for(who_for(user), where_for(fake, channel_id))


async def start_in_channel(fake: FakeDiscord, chat: Chat, user, **options) -> tuple[dict, dict]:
    """``/interview start`` in the practice channel; returns the interaction and the new thread."""
    known = {t["id"] for t in fake.threads()}
    interaction = await fake.slash(user, fake.channel_id, "start", {"role": "sales", **options})
    await chat.finished(interaction)
    [thread] = [t for t in fake.threads() if t["id"] not in known]
    return interaction, thread


def make_service(brain: Brain | None = None) -> InterviewService:
    return InterviewService(brain=brain or OfflineBrain(), store=InMemoryStore())


@asynccontextmanager
async def running_bot(fake: FakeDiscord, service: InterviewService, **options) -> AsyncIterator[InterviewBot]:
    """Log the real client in to the fake and wait until it is ready."""
    client = build_discord_client(service, guild_ready_timeout=0, **options)
    runner = asyncio.create_task(client.start("fake-token"))
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({runner, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        await client.close()
        if runner in done:
            runner.result()  # surface the start-up error
        raise TimeoutError("the bot did not become ready")
    try:
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(runner, 10)


class Chat:
    """Acts as users and waits until the bot has finished answering."""

    def __init__(self, fake: FakeDiscord, bot: InterviewBot) -> None:
        self.fake = fake
        self.bot = bot

    def idle(self) -> bool:
        return len(self.bot.actions.turns) == 0

    async def say(self, user, channel_id: int, text: str, timeout: float = 10.0) -> list[dict]:
        """Send a message; return the bot's new messages once its turn is over."""
        before = {m["id"] for m in self.fake.channel_messages(channel_id)}
        await self.fake.say(user, channel_id, text)

        def new_messages() -> list[dict]:
            found = [m for m in self.fake.channel_messages(channel_id) if m["id"] not in before]
            return found if found and self.idle() else []

        return await self.fake.until(new_messages, timeout)

    async def finished(self, interaction: dict, timeout: float = 10.0) -> list[dict]:
        """Wait until an interaction was answered and its slow part is done."""

        def done() -> list[dict]:
            if self.fake.callback_for(interaction) is None or not self.idle():
                return []
            messages = self.fake.interaction_messages(interaction)
            if any(m.get("_deferred") for m in messages):
                return []
            return messages or [{}]

        return await self.fake.until(done, timeout)


# ----------------------------------------------------------------------------- fixtures


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
