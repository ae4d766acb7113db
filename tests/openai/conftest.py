"""Fixtures for the OpenAI-compatible brain: the loopback fake, the real SDK pointed at it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import structlog

from core import InterviewOptions, InterviewService
from core.brain.openai_compat import OpenAICompatBrain
from core.store import InMemoryStore
from tests.fakes.openai_fake import FakeOpenAI

# Looks like a real key so any leak would be recognisable.
API_KEY = "sk-proj-TESTKEY-do-not-leak-0123456789abcdef"
MODEL = "llama3.2"
ROLE = "software_engineer"


def make_brain(fake: FakeOpenAI, **overrides) -> OpenAICompatBrain:
    settings = dict(model=MODEL, base_url=fake.base_url, api_key=fake.api_key,
                    timeout_seconds=5, retry_attempts=3, retry_initial_delay=0.01,
                    retry_max_delay=0.05)
    settings.update(overrides)
    return OpenAICompatBrain(**settings)


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def brain(fake: FakeOpenAI) -> AsyncIterator[OpenAICompatBrain]:
    model_brain = make_brain(fake)
    yield model_brain
    await model_brain.aclose()


@pytest.fixture
def openai_service(brain: OpenAICompatBrain) -> InterviewService:
    return InterviewService(brain=brain, store=InMemoryStore())


def interview(questions: int = 3, **overrides) -> InterviewOptions:
    return InterviewOptions(role=ROLE, questions=questions, **overrides)


async def state(service: InterviewService, who, where) -> dict:
    session = await service.session_for(who, where)
    return session.model_dump(exclude={"updated_at"})


@pytest.fixture
def captured_logs(caplog: pytest.LogCaptureFixture):
    """Everything logged during the test, ours (structlog) and the SDK's (logging), as text."""
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        yield lambda: "\n".join([repr(event) for event in events]
                                + [record.getMessage() for record in caplog.records]
                                + [caplog.text])
