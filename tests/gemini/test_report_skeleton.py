"""Brain contract: the offline and the Gemini report of one interview share a skeleton.

The same scripted interview (one question answered, one skipped, one reached but not
answered, one never reached) runs once through the offline brain and once through the
Gemini brain against the fake. Judgement differs; the skeleton must not: the same
questions, in order, with the same wording for skipped and unanswered ones.
"""

from __future__ import annotations

from typing import Any

from core import InterviewService
from core.brain.offline import OfflineBrain
from core.report import FeedbackReport
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini
from tests.gemini.conftest import interview, make_brain

QUESTIONS = ["swe-b2", "swe-b5", "swe-b1", "swe-b4"]
ANSWERS = [
    "The reviewer said my pull request was far too big. I asked which parts worried him, "
    "split it into three, and added a benchmark that showed the cache halved p95 latency.",
    "I now open smaller pull requests with a short design note, and I ask the reviewer early.",
    "We shipped the split version a week later and review time dropped from days to hours.",
]


async def _run(service: InterviewService, who, where) -> FeedbackReport:
    await service.start(who, where, interview(questions=len(QUESTIONS), question_ids=QUESTIONS))
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
             # The words for a question without an answer must be the same in both.
             **({} if review.score is not None else {
                 "excerpt": review.answer_excerpt, "note": review.note,
                 "star": review.star if review.star == "not_applicable"
                 else review.star.model_dump(),
                 "ownership": review.ownership.value, "specificity": review.specificity.value})}
            for review in report.questions],
    }


async def test_offline_and_gemini_reports_share_one_skeleton(who, where):
    offline = await _run(InterviewService(brain=OfflineBrain(), store=InMemoryStore()),
                         who, where)
    async with FakeGemini() as fake:
        brain = make_brain(fake)
        gemini = await _run(InterviewService(brain=brain, store=InMemoryStore()), who, where)
        await brain.aclose()

    assert gemini.generated_by.startswith("gemini") and offline.generated_by == "offline"
    assert skeleton(gemini) == skeleton(offline)
    shape = skeleton(offline)
    assert [q["answered"] for q in shape["questions"]] == [True, False, False]  # 4th not reached
    assert [q["skipped"] for q in shape["questions"]] == [False, True, False]
    assert shape["questions"][1]["excerpt"] == "(skipped)"
    assert shape["questions"][2]["note"] == "Not answered."
