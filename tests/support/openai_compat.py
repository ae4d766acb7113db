"""The OpenAI-compatible brain as its tests build it: the real SDK pointed at the loopback fake."""

from __future__ import annotations

from core import InterviewOptions, InterviewService
from core.brain.openai_compat import OpenAICompatBrain
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


def interview(questions: int = 3, **overrides) -> InterviewOptions:
    return InterviewOptions(role=ROLE, questions=questions, **overrides)


async def state(service: InterviewService, who, where) -> dict:
    session = await service.session_for(who, where)
    return session.model_dump(exclude={"updated_at"})
