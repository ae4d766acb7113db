"""Fixtures for the Gemini brain: the loopback fake, the real SDK pointed at it, a service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import structlog

from core import InterviewService
from core.brain.gemini import GeminiBrain
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini
from tests.support.gemini import make_brain

@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as server:
        yield server


@pytest.fixture
async def brain(fake: FakeGemini) -> AsyncIterator[GeminiBrain]:
    gemini = make_brain(fake)
    yield gemini
    await gemini.aclose()


@pytest.fixture
def gemini_service(brain: GeminiBrain) -> InterviewService:
    return InterviewService(brain=brain, store=InMemoryStore())


@pytest.fixture
def captured_logs(caplog: pytest.LogCaptureFixture):
    """Everything logged during the test, ours (structlog) and the SDK's (logging), as text."""
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        yield lambda: "\n".join([repr(event) for event in events]
                                + [record.getMessage() for record in caplog.records]
                                + [caplog.text])
