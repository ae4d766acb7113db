"""Fixtures for the OpenAI-compatible brain: the loopback fake, the real SDK pointed at it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import structlog

from core import InterviewService
from core.brain.openai_compat import OpenAICompatBrain
from core.store import InMemoryStore
from tests.fakes.openai_fake import FakeOpenAI
from tests.support.openai_compat import make_brain

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


@pytest.fixture
def captured_logs(caplog: pytest.LogCaptureFixture):
    """Everything logged during the test, ours (structlog) and the SDK's (logging), as text."""
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        yield lambda: "\n".join([repr(event) for event in events]
                                + [record.getMessage() for record in caplog.records]
                                + [caplog.text])
