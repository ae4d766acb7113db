"""History through the service: finished interviews are kept, shown, forgotten, re-run."""

import asyncio

import pytest

from core import NoActiveInterviewError, ReplyKind, Where, Who
from core.models import Persona
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from core.store import InMemoryStore
from tests.support.brains import ScriptedBrain
from tests.support.interviews import options

STORY = "At my last job I cut onboarding time from 10 days to 4 by rewriting the checklist; " \
        "I owned it and support tickets fell 30%."


async def _finish_one(service, who, where, role="sales"):
    await service.start(who, where, options(role, questions=1))
    await service.answer(who, where, STORY)
    return await service.feedback(who, where)


async def test_finished_interviews_show_in_progress_newest_first(service, who):
    for number, role in enumerate(["sales", "marketing"]):
        await _finish_one(service, who, Where(platform="test", conversation_id=f"c{number}"), role)
    progress = await service.progress(who)
    assert [entry.role for entry in progress.entries] == ["marketing", "sales"]
    assert set(progress.trends) == {"communication", "technical", "structure"}


async def test_progress_is_per_user(service, who, where):
    await _finish_one(service, who, where)
    other = Who(platform="test", user_id="someone-else")
    assert (await service.progress(other)).entries == []


async def test_forget_deletes_history_and_live_interviews(service, who, where):
    await _finish_one(service, who, where)
    live = Where(platform="test", conversation_id="live")
    await service.start(who, live, options())
    result = await service.forget(who)
    assert result.interviews == 1 and result.sessions >= 1
    assert (await service.progress(who)).entries == []
    assert await service.session_for(who, live) is None


async def test_a_fallback_report_can_be_re_run_when_the_model_is_back(who, where):
    brain = ScriptedBrain(name="flaky-model", fail_reports=True)  # turns work, reports fail
    service = InterviewService(brain=brain, store=InMemoryStore())
    first = await _finish_one(service, who, where)
    assert first.kind is ReplyKind.feedback and first.report.notice  # offline fallback
    assert first.report.generated_by == "offline"
    brain.fail_reports = False
    again = await service.feedback(who, where)
    assert again.report.generated_by == "flaky-model" and again.report.notice is None
    entries = (await service.progress(who)).entries
    assert len(entries) == 1  # the re-run replaced the entry rather than adding one


async def test_forget_during_a_turn_is_not_undone_by_that_turn(who, where):
    service = InterviewService(brain=OfflineBrain(), store=InMemoryStore())
    await service.start(who, where, options(questions=1))
    service.brain = brain = ScriptedBrain(gate=asyncio.Event())
    turn = asyncio.create_task(service.answer(who, where, STORY))
    await brain.wait_at_gate()  # the turn is now waiting on the model
    await service.forget(who)
    brain.gate.set()
    with pytest.raises(NoActiveInterviewError):
        await turn
    assert await service.session_for(who, where) is None
    assert (await service.progress(who)).entries == []


async def test_whether_an_answer_counts_is_cores_reading_not_the_models(who, where):
    # A model that calls every answer confused but still moves on.
    service = InterviewService(brain=ScriptedBrain(persona=Persona.confused), store=InMemoryStore())
    await service.start(who, where, options(questions=1))
    await service.answer(who, where, STORY)
    report = (await service.feedback(who, where)).report
    assert report.answered == 1 and report.scores is not None
