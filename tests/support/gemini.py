"""The Gemini brain as the Gemini tests build it: the real SDK pointed at the loopback fake."""

from __future__ import annotations

from core import InterviewOptions
from core.brain.gemini import GeminiBrain
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


def interview(questions: int = 3, **overrides) -> InterviewOptions:
    return InterviewOptions(role=ROLE, questions=questions, **overrides)
