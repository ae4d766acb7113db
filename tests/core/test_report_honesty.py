"""The offline report claims only what it checked, and its evidence shows its point."""

import re

import pytest

from core.brain.offline import OfflineBrain
from core.brain.offline_report import OFFLINE_LIMITS
from core.models import InterviewOptions, Where, Who
from core.roles import default_catalog
from core.service import InterviewService
from core.store import InMemoryStore

STRONG_STORY = ("At my last company our Node API kept getting OOM-killed every six hours. I took "
                "heap snapshots an hour apart, found closures piling up from a listener "
                "registered on every request, and moved the registration to start-up. I added a "
                "leak test to CI. Memory stayed flat at 300 MB for the next month and the "
                "restarts stopped.")


@pytest.fixture
def service():
    return InterviewService(brain=OfflineBrain(), store=InMemoryStore())


async def interview(service, answers, user="u", **options):
    who, where = Who(platform="test", user_id=user), Where(platform="test", conversation_id="c")
    options.setdefault("questions", len(answers))
    await service.start(who, where, InterviewOptions(**options))
    for text in answers:
        reply = await service.answer(who, where, text)
        if reply.interview_over:
            break
    return (await service.feedback(who, where)).report


async def test_a_strong_answer_is_never_called_correct_or_a_model_answer(service):
    report = await interview(service, [STRONG_STORY], role="software_engineer",
                             question_ids=["swe-b1"], difficulty="senior")
    text = report.model_dump_json().lower()
    assert "model answer" not in text and "correct" not in text
    assert report.questions[0].score == 5
    assert OFFLINE_LIMITS in report.summary  # says in one line what it cannot check


async def test_no_next_level_advice_above_senior(service):
    report = await interview(service, [STRONG_STORY], role="software_engineer",
                             question_ids=["swe-b1"], difficulty="senior")
    assert not any("next difficulty level" in step for step in report.next_steps)
    mid = await interview(service, [STRONG_STORY], user="m", role="software_engineer",
                          question_ids=["swe-b1"], difficulty="mid")
    assert any("next difficulty level" in step for step in mid.next_steps)


async def test_insulting_the_interviewer_costs_communication(service):
    polite = await interview(service, [STRONG_STORY], user="p", role="software_engineer",
                             question_ids=["swe-b1"])
    rude = await interview(service, ["This is the dumbest question, whoever built this bot is "
                                     "an idiot.", STRONG_STORY], user="r",
                           role="software_engineer", question_ids=["swe-b1"], questions=1)
    assert rude.scores.communication.score <= polite.scores.communication.score - 2
    assert "conduct" in rude.scores.communication.reason


async def test_a_hedged_guess_is_not_quoted_as_a_result(service):
    story = ("Last quarter I ran our paid social campaign for the launch. I picked the audience "
             "and wrote the ads myself. The spend was maybe 30k? Sign-ups went up a lot.")
    report = await interview(service, [story], role="marketing", question_ids=["mkt-b1"])
    for point in report.strengths:
        assert "maybe 30k" not in point.evidence


async def test_one_complete_story_can_earn_full_structure(service):
    report = await interview(service, [STRONG_STORY], role="software_engineer",
                             question_ids=["swe-b1"])
    assert report.scores.structure.score == 5


async def test_evidence_quotes_are_the_candidates_words(service):
    answers = [STRONG_STORY, "We rolled it out as a team and it went fine in the end."]
    report = await interview(service, answers, role="software_engineer",
                             question_ids=["swe-b1", "swe-b3"])
    said = " ".join(answers)
    for point in report.strengths + report.weaknesses:
        for quoted in re.findall(r"“(.+?)…?”", point.evidence):
            assert quoted.rstrip("…") in said, (point.point, quoted)


async def test_a_custom_question_identical_to_a_bank_one_is_asked_once(service):
    bank = default_catalog().get("sales").questions[0].text
    who, where = Who(platform="test", user_id="d"), Where(platform="test", conversation_id="c")
    await service.start(who, where, InterviewOptions(
        role="sales", questions=5, custom_questions=[bank.upper(), bank + "  ", "Why sales?",
                                                     "why sales"],
        question_ids=[default_catalog().get("sales").questions[0].id]))
    session = await service.session_for(who, where)
    texts = [re.sub(r"[^a-z ]", "", q.text.lower()).strip() for q in session.questions]
    assert len(texts) == len(set(texts)) == 5


async def test_tailoring_is_claimed_only_when_a_requirement_chose_questions(service):
    jd = ("Senior Backend Engineer, Payments\n"
          "- You will design and operate our payments API, handling retries and idempotency so "
          "customers are never double charged.\n"
          "- You'll join the on-call rotation and lead incident response for payment outages.")
    who, where = Who(platform="test", user_id="jd"), Where(platform="test", conversation_id="c")
    greeting = await service.start(who, where, InterviewOptions(
        role="software_engineer", difficulty="senior", questions=4, context=jd))
    session = await service.session_for(who, where)
    assert session.questions[0].id == "swe-t6"  # the payment retry question, the JD's first ask
    assert "tailored" in greeting.text and "payments API" in greeting.text
    who2 = Who(platform="test", user_id="cats")
    other = await service.start(who2, where, InterviewOptions(
        role="marketing", context="I like cats and long walks on the beach."))
    assert "not tailored" in other.text
