"""Brain contract: offline, Gemini and OpenAI-compatible brains behave as one interface.

The same scripted interview (one question answered, one skipped, one reached but not
answered, one never reached) runs through the offline brain, the Gemini brain against
the fake Gemini, and the OpenAI-compatible brain against the fake chat completions server
(with enforced schemas, and with a server that ignores them). Judgement differs; the
contract does not:

* a streamed turn is text deltas, then exactly one plan whose message the deltas spell;
* the plan's move is one core allowed;
* the report has one skeleton: the same questions, in order, with the same wording for
  skipped and unanswered ones;
* model brains count tokens and sign the report with their name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from core import InterviewOptions, InterviewService
from core.brain.base import Brain, Move, TurnPlan, TurnRequest
from core.brain.gemini import GeminiBrain
from core.brain.offline import OfflineBrain
from core.brain.openai_compat import OpenAICompatBrain
from core.models import TextDelta
from core.report import FeedbackReport
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini
from tests.fakes.openai_fake import FakeOpenAI

QUESTIONS = ["swe-b2", "swe-b5", "swe-b1", "swe-b4"]
ANSWERS = [
    "The reviewer said my pull request was far too big. I asked which parts worried him, "
    "split it into three, and added a benchmark that showed the cache halved p95 latency.",
    "I now open smaller pull requests with a short design note, and I ask the reviewer early.",
    "We shipped the split version a week later and review time dropped from days to hours.",
]
FAST_RETRIES = dict(retry_initial_delay=0.01, retry_max_delay=0.05)


@asynccontextmanager
async def offline() -> AsyncIterator[Brain]:
    yield OfflineBrain()


@asynccontextmanager
async def gemini() -> AsyncIterator[Brain]:
    async with FakeGemini() as fake:
        brain = GeminiBrain(api_key="AIza-contract-test-key", base_url=fake.base_url,
                            **FAST_RETRIES)
        yield brain
        await brain.aclose()


def openai_compat(schema_support: str):
    @asynccontextmanager
    async def make() -> AsyncIterator[Brain]:
        async with FakeOpenAI(schema_support=schema_support) as fake:
            brain = OpenAICompatBrain(model="llama3.2", base_url=fake.base_url, **FAST_RETRIES)
            yield brain
            await brain.aclose()
    return make


BRAINS = {"offline": offline, "gemini": gemini,
          "openai": openai_compat("json_schema"), "openai-no-schema": openai_compat("ignored")}


async def _run(service: InterviewService, who, where) -> FeedbackReport:
    options = InterviewOptions(role="software_engineer", questions=len(QUESTIONS),
                               question_ids=QUESTIONS)
    await service.start(who, where, options)
    for answer in ANSWERS:  # answer (and any follow-ups) until question 2 comes up
        if (await service.session_for(who, where)).current > 0:
            break
        await service.answer(who, where, answer)
    assert (await service.session_for(who, where)).current == 1
    await service.skip(who, where)  # question 2 skipped, question 3 reached
    return (await service.feedback(who, where)).report


def skeleton(report: FeedbackReport) -> dict[str, Any]:
    return {
        "answered": report.answered,
        "scored": report.scores is not None,
        "questions": [
            {"question": review.question, "skipped": review.skipped,
             "answered": review.score is not None,
             # The words for a question without an answer must be the same in all.
             **({} if review.score is not None else {
                 "excerpt": review.answer_excerpt, "note": review.note,
                 "star": review.star if review.star == "not_applicable"
                 else review.star.model_dump(),
                 "ownership": review.ownership.value, "specificity": review.specificity.value})}
            for review in report.questions],
    }


@pytest.fixture(scope="module")
def offline_skeleton() -> dict[str, Any]:
    import asyncio

    from core import Where, Who

    async def run() -> FeedbackReport:
        service = InterviewService(brain=OfflineBrain(), store=InMemoryStore())
        return await _run(service, Who(platform="test", user_id="u1"),
                          Where(platform="test", conversation_id="c1"))

    shape = skeleton(asyncio.run(run()))
    assert [q["answered"] for q in shape["questions"]] == [True, False, False]  # 4th not reached
    assert [q["skipped"] for q in shape["questions"]] == [False, True, False]
    assert shape["questions"][1]["excerpt"] == "(skipped)"
    assert shape["questions"][2]["note"] == "Not answered."
    return shape


@pytest.mark.parametrize("kind", BRAINS)
async def test_every_brain_writes_the_same_report_skeleton(kind, offline_skeleton, who, where):
    async with BRAINS[kind]() as brain:
        service = InterviewService(brain=brain, store=InMemoryStore())
        report = await _run(service, who, where)
        session = await service.session_for(who, where)

    assert skeleton(report) == offline_skeleton
    assert report.generated_by == brain.name and report.notice is None
    model_brain = kind != "offline"
    assert (session.usage.input_tokens > 0) == model_brain


@pytest.mark.parametrize("kind", BRAINS)
async def test_a_streamed_turn_is_deltas_then_one_allowed_plan(kind, who, where):
    async with BRAINS[kind]() as brain:
        service = InterviewService(brain=brain, store=InMemoryStore())
        await service.start(who, where, InterviewOptions(role="sales", questions=2))
        session = await service.session_for(who, where)
        allowed = [Move.follow_up, Move.ask]
        request = TurnRequest(role=service.catalog.get(session.role_id), session=session,
                              move=Move.follow_up, allowed=allowed, answer=ANSWERS[0],
                              next_question=session.questions[1])
        events = [event async for event in brain.stream_turn(request)]

    *deltas, plan = events
    assert isinstance(plan, TurnPlan) and all(isinstance(d, TextDelta) for d in deltas)
    assert deltas and "".join(d.text for d in deltas) == plan.message
    assert plan.move in allowed and plan.message.strip()
