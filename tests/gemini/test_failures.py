"""Every way the model can fail, driven through the service: a clear message, nothing lost.

Each failure must surface as ``BrainError`` with a friendly message, leave the stored
session exactly as it was (core works on a copy), and let the same answer be sent again.
"""

from __future__ import annotations

import pytest

from core import BrainError, InterviewService
from core.brain import gemini
from core.brain.base import Move, TurnRequest
from core.models import TextDelta
from core.store import InMemoryStore
from tests.fakes.gemini_fake import (
    blocked,
    cut,
    error,
    hang,
    plan,
    safety,
    text,
)
from tests.support.gemini import API_KEY, interview, make_brain

ANSWER = "At my last job I found a race condition in our payment retries and fixed it."


async def _state(service: InterviewService, who, where) -> dict:
    session = await service.session_for(who, where)
    return session.model_dump(exclude={"updated_at"})


async def _fails_then_recovers(service, fake, who, where, *steps, message: str) -> BrainError:
    """Script ``steps``, check the turn fails cleanly, then re-send the same answer."""
    await service.start(who, where, interview())
    before = await _state(service, who, where)
    fake.script(*steps)

    with pytest.raises(BrainError) as failure:
        await service.answer(who, where, ANSWER)

    assert failure.value.user_message == message
    assert await _state(service, who, where) == before  # nothing saved, nothing lost
    reply = await service.answer(who, where, ANSWER)  # the same answer, sent again
    session = await service.session_for(who, where)
    assert reply.kind.value in ("follow_up", "question")
    assert [e.text for e in session.transcript].count(ANSWER) == 1
    return failure.value


async def test_rate_limit_is_retried_and_the_turn_succeeds(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(error(429, "Resource has been exhausted (e.g. check quota)."),
                plan("What was the outcome?", "follow_up"))

    reply = await gemini_service.answer(who, where, ANSWER)

    assert reply.text == "What was the outcome?"
    assert len(fake.requests) == 3  # greeting, the 429, the retry


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_persistent_busy_service_gives_up_after_bounded_retries(
        gemini_service, fake, who, where, status):
    failure = await _fails_then_recovers(gemini_service, fake, who, where,
                                         *[error(status)] * 3, message=gemini.BUSY)
    assert failure.retryable
    assert len(fake.requests) == 1 + 3 + 1  # greeting, three attempts, the re-sent answer


async def test_timeout_is_not_retried_and_leaves_the_session_intact(fake, who, where):
    brain = make_brain(fake, timeout_seconds=0.5)
    service = InterviewService(brain=brain, store=InMemoryStore())
    await _fails_then_recovers(service, fake, who, where, hang(2.0), message=gemini.TIMED_OUT)
    assert len(fake.requests) == 3
    await brain.aclose()


@pytest.mark.parametrize(("step", "message"), [(safety(), gemini.FILTERED),
                                                (blocked(), gemini.BLOCKED)],
                         ids=["safety-finish", "block-reason"])
async def test_blocked_prompt_or_safety_finish_asks_to_rephrase(
        gemini_service, fake, who, where, step, message):
    failure = await _fails_then_recovers(gemini_service, fake, who, where, step, message=message)
    assert not failure.retryable
    assert "rephrase" in failure.user_message


@pytest.mark.parametrize("reply", [
    text("Sure! Here's my next question: what did you learn?"),
    text(""),
    text('{"read": "normal", "move": "follow_up"}'),
    text('{"read": "normal", "move": "follow_up", "message": "   "}'),
    text('{"read": "sleepy", "move": "follow_up", "message": "Why?"}'),
    text('["follow_up", "Why?"]'),
], ids=["prose", "empty", "no-message", "blank-message", "bad-read", "not-an-object"])
async def test_malformed_or_empty_json_is_a_clear_error(gemini_service, fake, who, where, reply):
    await _fails_then_recovers(gemini_service, fake, who, where, reply, message=gemini.UNREADABLE)


async def test_fenced_json_is_accepted(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(text('```json\n{"read": "normal", "move": "follow_up", '
                     '"message": "What changed afterwards?"}\n```'))

    reply = await gemini_service.answer(who, where, ANSWER)

    assert reply.text == "What changed afterwards?"


async def test_a_stream_cut_mid_way_shows_a_clear_error_after_the_preview(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    before = await _state(gemini_service, who, where)
    fake.script(cut('{"read": "normal", "move": "follow_up", "message": "What was the res'))

    deltas: list[str] = []
    with pytest.raises(BrainError) as failure:
        async for event in gemini_service.answer_stream(who, where, ANSWER):
            if isinstance(event, TextDelta):
                deltas.append(event.text)

    assert "".join(deltas) == "What was the res"  # shown while it was written
    assert failure.value.user_message == gemini.DROPPED
    assert await _state(gemini_service, who, where) == before
    reply = await gemini_service.answer(who, where, ANSWER)
    assert reply.text


async def test_a_rejected_key_is_a_configuration_error_and_never_leaks(
        gemini_service, fake, who, where, captured_logs):
    await gemini_service.start(who, where, interview())
    fake.script(error(400, f"API key not valid. Please pass a valid API key. ({API_KEY})"))

    with pytest.raises(BrainError) as failure:
        await gemini_service.answer(who, where, ANSWER)

    assert failure.value.user_message == gemini.MISCONFIGURED
    assert not failure.value.retryable
    assert len(fake.requests) == 2  # a 400 is not retried
    assert API_KEY not in str(failure.value) and failure.value.__cause__ is None
    logs = captured_logs()
    assert "gemini.failed" in logs and "api_error" in logs
    assert API_KEY not in logs


async def test_the_sdk_retry_log_is_scrubbed_too(gemini_service, fake, who, where, captured_logs):
    await gemini_service.start(who, where, interview())
    fake.script(error(503, f"Overloaded, key {API_KEY}"), plan("And then?", "follow_up"))

    reply = await gemini_service.answer(who, where, ANSWER)

    logs = captured_logs()
    assert reply.text == "And then?"
    assert "Retrying" in logs and "UNAVAILABLE" in logs  # the SDK did log the retry
    assert API_KEY not in logs


async def test_turn_logs_carry_tokens_but_no_answer_text(gemini_service, fake, who, where,
                                                         captured_logs):
    await gemini_service.start(who, where, interview())
    await gemini_service.answer(who, where, ANSWER)

    logs = captured_logs()
    assert "gemini.call" in logs and "tokens_in" in logs
    assert "race condition" not in logs and API_KEY not in logs


@pytest.mark.parametrize(("step", "message"), [
    (safety(), gemini.FILTERED), (blocked(), gemini.BLOCKED),
    (text("not json"), gemini.UNREADABLE), (error(503), gemini.BUSY),
])
async def test_the_non_streaming_call_fails_the_same_way(gemini_service, brain, fake, who, where,
                                                         step, message):
    await gemini_service.start(who, where, interview())
    session = await gemini_service.session_for(who, where)
    request = TurnRequest(role=gemini_service.catalog.get(session.role_id), session=session,
                          move=Move.hint, allowed=[Move.hint])
    fake.script(*([step] * 3))

    with pytest.raises(BrainError) as failure:
        await brain.plan_turn(request)

    assert failure.value.user_message == message
    assert fake.requests[-1].method == "generateContent"
