"""Gemini judges correctness, relevance and integrity against each question's rubric.

The report prompt carries the anchored rubric of every answered question; the model's
judgement must quote the candidate, and the score follows it (the offline grader's
caps). During the interview a turn may challenge a wrong or risky claim.
"""

from __future__ import annotations

import copy

import pytest

from core.roles import default_catalog
from tests.fakes.gemini_fake import json_step, plan
from tests.support.gemini import interview

QUESTION = "swe-b2"  # a code review that came back with pushback; three misconceptions
WRONG = "The reviewer was being pedantic, so I got another teammate to approve it and merged it."
ANSWER = ("The reviewer said my pull request was far too big. I asked which parts worried "
          "him, split it into three, and added a benchmark for the cache change.")
SECOND = "I would start by profiling the endpoint and reading the slow query log."


def _bank_question():
    return next(q for q in default_catalog().get("software_engineer").questions
                if q.id == QUESTION)


def _report(first: dict | None = None, second: dict | None = None) -> dict:
    """A valid report for the two answers; ``first`` / ``second`` override a review."""
    mark = {"score": 4, "reason": "Specific."}
    review = {"story_question": True, "situation": True, "task": True, "action": True,
              "result": True, "quantified_result": False, "specificity": "high",
              "ownership": "clear", "correctness": "correct", "relevance": "on_question",
              "integrity": "no_concern", "flagged_quote": None, "flag_reason": None,
              "score": 4, "note": "Clear.", "stronger_answer": None}
    return {"summary": "Mixed.", "strengths": [{"point": "Knows where to look",
                                                "evidence": "the slow query log"}],
            "weaknesses": [{"point": "Vague plan", "evidence": "profiling the endpoint"}],
            "scores": {"communication": mark, "technical": mark, "structure": mark},
            "questions": [{**review, "number": 1, **(first or {})},
                          {**review, "number": 2, **(second or {})}],
            "adaptation": "Steady.", "next_steps": ["Practise."]}


async def _answer_both(service, fake, who, where, first: str = ANSWER) -> None:
    await service.start(who, where, interview(questions=2, question_ids=[QUESTION]))
    fake.script(plan("Next question.", "ask"))
    await service.answer(who, where, first)
    fake.script(plan("Thanks, that's the last one.", "wrap_up"))


async def test_the_report_prompt_carries_each_answered_questions_rubric(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview(questions=3, question_ids=[QUESTION]))
    fake.script(plan("Next question.", "ask"))
    await gemini_service.answer(who, where, ANSWER)
    session = await gemini_service.session_for(who, where)
    unanswered = session.questions[1]

    await gemini_service.feedback(who, where)

    request = fake.requests[-1]
    prompt = request.contents_text
    rubric = _bank_question().rubric
    assert f"A 1 answer: {rubric.score_1}" in prompt
    assert f"A 5 answer: {rubric.score_5}" in prompt
    for misconception in rubric.misconceptions:
        assert f"“{misconception.claim}” Why: {misconception.why}" in prompt
    assert "Key points: what the reviewer objected to;" in prompt
    assert prompt.index("<rubric>") < prompt.index("<candidate_answer>")
    # Only answered questions get a rubric; questions never reached are not listed at all.
    assert prompt.count("<rubric>") == 1
    assert unanswered.text in prompt and session.questions[2].text not in prompt
    schema = request.schema["properties"]["questions"]["items"]["properties"]
    assert {"correctness", "relevance", "integrity", "flagged_quote"} <= set(schema)


@pytest.mark.parametrize(("judgement", "score", "label"), [
    ({"correctness": "incorrect"}, 2, "Check this"),
    ({"integrity": "concern"}, 1, "Integrity"),
    ({"relevance": "off_question"}, 2, "Off the question"),
])
async def test_a_flagged_claim_is_quoted_in_the_note_and_caps_the_score(
        gemini_service, fake, who, where, judgement, score, label):
    await _answer_both(gemini_service, fake, who, where, first=WRONG)
    flag = {**judgement, "flagged_quote": "got another teammate to approve it",
            "flag_reason": "It goes around the reviewer.", "score": 4}
    fake.script(json_step(_report(first=flag)))

    reply = await gemini_service.answer(who, where, SECOND)

    review = reply.report.questions[0]
    assert reply.report.generated_by.startswith("gemini")
    assert review.score == score  # the model said 4; its own judgement caps it
    assert review.note.startswith(f"{label}: “got another teammate to approve it”: "
                                  "It goes around the reviewer.")
    assert review.stronger_answer is None  # the draft gave none; nothing is invented
    assert reply.report.questions[1].score == 4


@pytest.mark.parametrize(("flag", "reason"), [
    ({"correctness": "incorrect"}, "question 1 is judged incorrect / no_concern but "
                                   "flagged_quote is empty"),
    ({"correctness": "incorrect", "flagged_quote": "profiling the endpoint"},
     "the flagged_quote of question 1 is not a verbatim quote from the answer to that question"),
], ids=["no-quote", "quote-from-another-answer"])
async def test_a_judgement_must_quote_the_answer_it_judges(gemini_service, fake, who, where,
                                                           flag, reason):
    await _answer_both(gemini_service, fake, who, where, first=WRONG)
    bad = json_step(_report(first=flag))
    fake.script(bad, json_step(_report()))

    reply = await gemini_service.answer(who, where, SECOND)

    assert reply.report.generated_by.startswith("gemini")  # the retry was valid
    assert reason in fake.requests[-1].last_user_text


async def test_twice_unquoted_judgements_fall_back_to_the_offline_report(
        gemini_service, fake, who, where):
    await _answer_both(gemini_service, fake, who, where, first=WRONG)
    bad = json_step(_report(first={"integrity": "concern"}))
    fake.script(bad, copy.deepcopy(bad))

    reply = await gemini_service.answer(who, where, SECOND)

    assert reply.report.generated_by == "offline" and reply.report.notice


async def test_a_turn_may_challenge_a_claim_the_rubric_lists(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview(questions=2, question_ids=[QUESTION]))
    await gemini_service.answer(who, where, "I changed some things after the review, I think.")

    engine = fake.requests[-1].last_user_text.split("<engine>")[1]
    rubric = _bank_question().rubric
    assert f"“{rubric.misconceptions[0].claim}” (unethical)" in engine
    assert "follow_up" in fake.requests[-1].schema["properties"]["move"]["enum"]  # may challenge


async def test_a_detected_misconception_is_passed_as_a_rubric_note(gemini_service, fake, who,
                                                                   where):
    await gemini_service.start(who, where, interview(questions=2, question_ids=[QUESTION]))
    await gemini_service.answer(who, where, WRONG)

    engine = fake.requests[-1].last_user_text.split("<engine>")[1]
    rubric = _bank_question().rubric
    assert "Chosen move: follow_up" in engine
    assert "Rubric note: the candidate said" in engine
    assert f"Suggested challenge: {rubric.misconceptions[0].challenge}" in engine
    assert "Claims the rubric treats as wrong" not in engine  # the note says it already
