"""Every way an OpenAI-compatible server can fail, driven through the service.

Each failure surfaces as ``BrainError`` with a friendly message, leaves the stored session
as it was, and lets the same answer be sent again; or, for an unreadable reply, the
offline interviewer stands in with a notice. Rate limits honour ``Retry-After``.
"""

from __future__ import annotations

import pytest
import structlog

from core import BrainError, InterviewService
from core.brain import llm_failures as failures
from core.brain.base import Move, TurnRequest
from core.models import TextDelta
from core.store import InMemoryStore
from tests.fakes.openai_fake import (
    FakeOpenAI,
    cut,
    error,
    finish,
    hang,
    json_step,
    plan,
    quota_exhausted,
    rate_limited,
    refusal,
    stream_error,
    text,
)
from tests.support.openai_compat import API_KEY, interview, make_brain, state

ANSWER = "At my last job I found a race condition in our payment retries and fixed it."


async def _fails_then_recovers(service, fake, who, where, *steps, message: str) -> BrainError:
    """Script ``steps``, check the turn fails cleanly, then re-send the same answer."""
    await service.start(who, where, interview())
    before = await state(service, who, where)
    fake.script(*steps)

    with pytest.raises(BrainError) as failure:
        await service.answer(who, where, ANSWER)

    assert failure.value.user_message == message
    assert await state(service, who, where) == before  # nothing saved, nothing lost
    reply = await service.answer(who, where, ANSWER)  # the same answer, sent again
    session = await service.session_for(who, where)
    assert reply.kind.value in ("follow_up", "question")
    assert [e.text for e in session.transcript].count(ANSWER) == 1
    return failure.value


# --------------------------------------------------------------------------- rate limits


async def test_a_short_retry_after_is_waited_out_and_the_turn_succeeds(
        openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    fake.script(rate_limited("0.2"), plan("What did the retry key on?", "follow_up"))

    with structlog.testing.capture_logs() as events:
        reply = await openai_service.answer(who, where, ANSWER)

    assert reply.text == "What did the retry key on?"
    assert len(fake.requests) == 3  # greeting, the 429, the retry
    waits = [e for e in events if e["event"] == "openai.rate_limited"]
    assert [e["wait_s"] for e in waits] == [0.2]  # the server's wait, not a blind backoff


async def test_retry_after_in_milliseconds_is_honoured(openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    fake.script(rate_limited(None, milliseconds="150"), plan("And then?", "follow_up"))

    with structlog.testing.capture_logs() as events:
        await openai_service.answer(who, where, ANSWER)

    assert [e["wait_s"] for e in events if e["event"] == "openai.rate_limited"] == [0.15]


async def test_a_long_retry_after_is_told_to_the_user_without_retrying(
        openai_service, fake, who, where):
    failure = await _fails_then_recovers(
        openai_service, fake, who, where, rate_limited("40"),
        message=failures.RATE_LIMITED.format(wait="about 40 seconds"))
    assert failure.retryable
    assert len(fake.requests) == 3  # greeting, the one 429, the re-sent answer


async def test_a_429_without_a_wait_backs_off_and_ends_busy(openai_service, fake, who, where):
    await _fails_then_recovers(openai_service, fake, who, where,
                               *[rate_limited(None)] * 3, message=failures.BUSY)
    assert len(fake.requests) == 5  # greeting, three attempts, the re-sent answer


async def test_an_exhausted_quota_is_a_configuration_problem_not_retried(
        openai_service, fake, who, where):
    with structlog.testing.capture_logs() as events:
        failure = await _fails_then_recovers(openai_service, fake, who, where,
                                             quota_exhausted(),
                                             message=failures.QUOTA_EXHAUSTED)
    assert not failure.retryable
    assert len(fake.requests) == 3
    assert [e["log_level"] for e in events if e["event"] == "openai.quota_exhausted"] == ["error"]


# --------------------------------------------------------------------------- server errors


async def test_a_server_error_is_retried_with_backoff(openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    fake.script(error(503, "The engine is currently overloaded."),
                plan("What broke first?", "follow_up"))

    reply = await openai_service.answer(who, where, ANSWER)

    assert reply.text == "What broke first?" and len(fake.requests) == 3


async def test_server_errors_that_keep_coming_end_busy(openai_service, fake, who, where):
    await _fails_then_recovers(openai_service, fake, who, where, *[error(500)] * 3,
                               message=failures.BUSY)


async def test_an_error_event_mid_stream_is_busy_after_the_preview(
        openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    before = await state(openai_service, who, where)
    fake.script(stream_error('{"read": "normal", "move": "follow_up", "message": "What was'))

    deltas: list[str] = []
    with pytest.raises(BrainError) as failure:
        async for event in openai_service.answer_stream(who, where, ANSWER):
            if isinstance(event, TextDelta):
                deltas.append(event.text)

    assert "".join(deltas) == "What was"  # shown while it was written
    assert failure.value.user_message == failures.BUSY
    assert await state(openai_service, who, where) == before


async def test_a_stream_cut_mid_way_says_the_connection_dropped(openai_service, fake, who,
                                                                where):
    await openai_service.start(who, where, interview())
    before = await state(openai_service, who, where)
    fake.script(cut('{"read": "normal", "move": "follow_up", "message": "What was the res'))

    deltas: list[str] = []
    with pytest.raises(BrainError) as failure:
        async for event in openai_service.answer_stream(who, where, ANSWER):
            if isinstance(event, TextDelta):
                deltas.append(event.text)

    assert "".join(deltas) == "What was the res"
    assert failure.value.user_message == failures.DROPPED
    assert await state(openai_service, who, where) == before
    assert (await openai_service.answer(who, where, ANSWER)).text


async def test_a_server_that_is_not_running_is_unreachable(who, where):
    async with FakeOpenAI() as fake:
        address = fake.base_url  # then the server stops: nothing listens there any more
    brain = make_brain(fake, base_url=address)
    service = InterviewService(brain=brain, store=InMemoryStore())

    with pytest.raises(BrainError) as failure:
        await service.start(who, where, interview())
    await brain.aclose()

    assert failure.value.user_message == failures.UNREACHABLE


async def test_a_slow_server_times_out(who, where):
    async with FakeOpenAI() as fake:
        brain = make_brain(fake, timeout_seconds=0.3)
        service = InterviewService(brain=brain, store=InMemoryStore())
        fake.script(hang(30))
        with pytest.raises(BrainError) as failure:
            await service.start(who, where, interview())
        await brain.aclose()

    assert failure.value.user_message == failures.TIMED_OUT
    assert len(fake.requests) == 1  # a timeout is not retried


@pytest.mark.parametrize("model", ["no-such-model"])
async def test_an_unknown_model_is_a_configuration_error(who, where, model):
    async with FakeOpenAI() as fake:
        brain = make_brain(fake, model=model)
        service = InterviewService(brain=brain, store=InMemoryStore())
        with pytest.raises(BrainError) as failure:
            await service.start(who, where, interview())
        await brain.aclose()

    assert failure.value.user_message == failures.MISCONFIGURED
    assert not failure.value.retryable and len(fake.requests) == 1


async def test_a_rejected_key_is_a_configuration_error_and_never_leaks(who, where,
                                                                       captured_logs):
    async with FakeOpenAI(api_key="sk-the-right-one-0000") as fake:
        brain = make_brain(fake, api_key=API_KEY)
        service = InterviewService(brain=brain, store=InMemoryStore())
        with pytest.raises(BrainError) as failure:
            await service.start(who, where, interview())
        await brain.aclose()

    assert failure.value.user_message == failures.MISCONFIGURED
    assert API_KEY not in captured_logs() and API_KEY not in str(failure.value)


# --------------------------------------------------------------------------- refusals, filters


async def test_a_refusal_asks_to_rephrase(openai_service, fake, who, where):
    failure = await _fails_then_recovers(openai_service, fake, who, where, refusal(),
                                         message=failures.BLOCKED)
    assert not failure.retryable and "rephrase" in failure.user_message


async def test_a_refusal_in_a_whole_reply_reads_the_same(brain, fake, who, where,
                                                         openai_service):
    await openai_service.start(who, where, interview())
    session = await openai_service.session_for(who, where)
    request = TurnRequest(role=openai_service.catalog.get(session.role_id), session=session,
                          move=Move.follow_up, allowed=[Move.follow_up, Move.ask],
                          answer=ANSWER)
    fake.script(refusal())

    with pytest.raises(BrainError) as failure:
        await brain.plan_turn(request)

    assert failure.value.user_message == failures.BLOCKED
    assert session.usage.input_tokens > 0  # the refused call was billed and counted


async def test_a_content_filter_stop_after_partial_text_asks_to_rephrase(
        openai_service, fake, who, where):
    await _fails_then_recovers(
        openai_service, fake, who, where,
        finish("content_filter", '{"read": "normal", "move": "follow_up", "message": "Wh'),
        message=failures.FILTERED)


# --------------------------------------------------------------------------- unreadable replies


async def test_a_reply_cut_by_the_length_limit_is_asked_for_again(
        openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    fake.script(finish("length", '{"read": "normal", "move": "follow_up", "message": "Wha'),
                plan("What would you change?", "follow_up"))

    with structlog.testing.capture_logs() as events:
        reply = await openai_service.answer(who, where, ANSWER)

    assert reply.text == "What would you change?"
    assert [e["finish_reason"] for e in events
            if e["event"] == "openai.incomplete_finish"] == ["length"]


async def test_unreadable_twice_the_offline_interviewer_stands_in_with_a_notice_once(
        openai_service, fake, who, where):
    await openai_service.start(who, where, interview(questions=3))
    fake.script(text("Sure, what did you learn?"), text("Great answer! Next question."))

    with structlog.testing.capture_logs() as events:
        reply = await openai_service.answer(who, where, ANSWER)

    assert reply.text.startswith(failures.FALLBACK_NOTICE)
    assert reply.kind.value in ("follow_up", "question")
    assert any(e["event"] == "openai.turn_fallback" for e in events)
    session = await openai_service.session_for(who, where)
    assert session.usage.input_tokens == sum(r.usage["prompt_tokens"] for r in fake.requests)

    fake.script(text("still not JSON"), text("nor this"))
    again = await openai_service.answer(who, where, "We shipped it behind a flag in May.")
    assert again.text and failures.FALLBACK_NOTICE not in again.text  # said once


async def test_an_unreadable_report_falls_back_to_the_offline_reviewer(
        openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    await openai_service.answer(who, where, ANSWER)
    broken = {"summary": "Good.", "strengths": [], "weaknesses": []}  # no scores, no reviews
    fake.script(json_step(broken), json_step(broken))

    reply = await openai_service.feedback(who, where)

    assert reply.report.generated_by == "offline" and reply.report.notice
    report_calls = [r for r in fake.requests if not r.stream]
    assert len(report_calls) == 2
    assert "That report was rejected" in report_calls[1].last_user_text
