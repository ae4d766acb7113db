"""Fixtures for the Gemini brain: the loopback fake, the real SDK pointed at it, a service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import structlog

from core import InterviewOptions, InterviewService
from core.brain.gemini import GeminiBrain
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini

# Looks like a real key (AIza + 35 characters) so any leak would be recognisable.
API_KEY = "AIzaSyTESTKEY-do-not-leak-0123456789abc"
MODEL = "gemini-3.8-flash"
ROLE = "software_engineer"


def make_brain(fake: FakeGemini, **overrides) -> GeminiBrain:
    settings = dict(api_key=API_KEY, model=MODEL, base_url=fake.base_url, timeout_seconds=3,
                    retry_attempts=3, retry_initial_delay=0.01, retry_max_delay=0.05)
    settings.update(overrides)
    return GeminiBrain(**settings)


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


def interview(questions: int = 3, **overrides) -> InterviewOptions:
    return InterviewOptions(role=ROLE, questions=questions, **overrides)


@pytest.fixture
def captured_logs(caplog: pytest.LogCaptureFixture):
    """Everything logged during the test, ours (structlog) and the SDK's (logging), as text."""
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        yield lambda: "\n".join([repr(event) for event in events]
                                + [record.getMessage() for record in caplog.records]
                                + [caplog.text])
