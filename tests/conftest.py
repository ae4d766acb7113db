"""Fixtures shared by every test package: a service on the offline brain, identities."""

from __future__ import annotations

import pytest

from core import InterviewService, Where, Who
from core.brain.offline import OfflineBrain
from core.store import InMemoryStore

# A throwaway redis-server for the tests that share a store (``redis_url``, ``redis_prefix``).
pytest_plugins = ["tests.redis_server"]


@pytest.fixture
def service() -> InterviewService:
    return InterviewService(brain=OfflineBrain(), store=InMemoryStore())


@pytest.fixture
def who() -> Who:
    return Who(platform="test", user_id="u1", display_name="Ada")


@pytest.fixture
def where() -> Where:
    return Where(platform="test", conversation_id="c1")
