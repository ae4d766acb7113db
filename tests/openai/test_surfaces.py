"""The contract's scripted interview on every surface, with the OpenAI-compatible brain.

The same script as ``tests/contract`` (greeting, a probe, a clarification, a steer, a
hint, the next question, a skip, a probe, the report) is played on the terminal (a real
``python -m bot cli`` configured by BRAIN / OPENAI_* variables), HTTP, Discord and Slack,
each with the OpenAI-compatible brain talking to the fake server. Core decides the moves,
so every surface takes the same turns as with the offline brain; the words and the report
come from the model.
"""

from __future__ import annotations

import pytest

from tests.support.surfaces import SURFACES, driver_for
from tests.support.script import (
    EXPECTED_KINDS,
    QUESTIONS,
    SCRIPT,
    SKIPPED_QUESTIONS,
    report_shape,
)
from tests.fakes.openai_fake import FakeOpenAI
from tests.support.openai_compat import MODEL, make_brain


@pytest.mark.parametrize("surface", SURFACES)
async def test_the_scripted_interview_runs_on_every_surface(surface):
    async with FakeOpenAI() as fake:
        brain = make_brain(fake)
        env = {"BRAIN": "openai", "OPENAI_BASE_URL": fake.base_url, "OPENAI_MODEL": MODEL,
               "OPENAI_API_KEY": ""}
        try:
            async with driver_for(surface, brain, env) as driver:
                turns = await driver.play(SCRIPT)
        finally:
            await brain.aclose()

    assert [turn.kind for turn in turns] == EXPECTED_KINDS
    report = turns[-1].report
    if report is None:  # Discord and Slack: what a person reads
        rendered = turns[-1].rendered
        assert f"by openai:{MODEL}" in rendered and "could not write" not in rendered
        assert all(question in rendered for question in QUESTIONS)
    else:
        assert report["generated_by"] == f"openai:{MODEL}" and report["notice"] is None
        shape = report_shape(report)
        assert [review["question"] for review in shape["questions"]] == QUESTIONS
        for number, review in enumerate(shape["questions"], start=1):
            assert review["skipped"] == (number in SKIPPED_QUESTIONS)
            assert review["scored"] == (number not in SKIPPED_QUESTIONS)
    turn_calls = [r for r in fake.requests if r.stream]
    assert len(turn_calls) >= len(SCRIPT) - 1  # every turn but the report was the model's
