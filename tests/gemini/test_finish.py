"""Finish reasons, in-stream errors and the tokens they still cost.

A content filter that stops a reply part-way is a "filter stop": the candidate is asked
to rephrase (sending the same words again would be stopped again). MAX_TOKENS and OTHER
are logged with their reason. Google bills a blocked prompt and a reply cut by an error,
so their tokens are counted and logged too.
"""

from __future__ import annotations

import pytest
import structlog

from core import BrainError
from core.brain import gemini
from core.brain.base import Move, TurnRequest
from core.models import TextDelta
from tests.fakes.gemini_fake import blocked, finish, plan, stream_error
from tests.support.gemini import interview

ANSWER = "At my last job I cut our build time from 20 to 6 minutes by caching dependencies."
PARTIAL = '{"read": "normal", "move": "follow_up", "message": "Tell me how you measured the'


async def _state(service, who, where) -> dict:
    session = await service.session_for(who, where)
    return session.model_dump(exclude={"updated_at"})


async def _stream_fails(service, who, where) -> tuple[list[str], BrainError]:
    deltas: list[str] = []
    with pytest.raises(BrainError) as failure:
        async for event in service.answer_stream(who, where, ANSWER):
            if isinstance(event, TextDelta):
                deltas.append(event.text)
    return deltas, failure.value


@pytest.mark.parametrize("reason", ["SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST",
                                    "SPII"])
async def test_a_filter_stop_after_partial_text_asks_to_rephrase(
        gemini_service, fake, who, where, reason):
    await gemini_service.start(who, where, interview())
    before = await _state(gemini_service, who, where)
    fake.script(finish(reason, PARTIAL))

    with structlog.testing.capture_logs() as events:
        deltas, failure = await _stream_fails(gemini_service, who, where)

    assert "".join(deltas) == "Tell me how you measured the"  # the preview had started
    assert failure.user_message == gemini.FILTERED  # not "couldn't read the reply"
    assert not failure.retryable
    assert await _state(gemini_service, who, where) == before
    failed = next(e for e in events if e["event"] == "gemini.failed")
    assert failed["reason"] == "filtered" and failed["finish_reason"] == reason
    reply = await gemini_service.answer(who, where, ANSWER)
    assert reply.text


@pytest.mark.parametrize("reason", ["MAX_TOKENS", "OTHER"])
async def test_a_reply_cut_short_is_logged_with_its_reason(gemini_service, fake, who, where,
                                                            reason):
    await gemini_service.start(who, where, interview())
    fake.script(finish(reason, PARTIAL))

    with structlog.testing.capture_logs() as events:
        _, failure = await _stream_fails(gemini_service, who, where)

    assert failure.user_message == gemini.UNREADABLE
    cut_short = [e for e in events if e["event"] == "gemini.incomplete_finish"]
    assert [e["finish_reason"] for e in cut_short] == [reason]
    assert cut_short[0]["log_level"] == "warning"


async def test_a_complete_plan_that_hit_max_tokens_is_still_used(gemini_service, fake, who,
                                                                 where):
    await gemini_service.start(who, where, interview())
    complete = plan("What changed for the team?", "follow_up")
    fake.script(finish("MAX_TOKENS", complete.text))

    reply = await gemini_service.answer(who, where, ANSWER)

    assert reply.text == "What changed for the team?"


async def test_an_error_event_mid_stream_is_busy_and_its_tokens_are_counted(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(stream_error(PARTIAL, 503))

    with structlog.testing.capture_logs() as events:
        deltas, failure = await _stream_fails(gemini_service, who, where)

    assert "".join(deltas) == "Tell me how you measured the"
    assert failure.user_message == gemini.BUSY and failure.retryable
    request = fake.requests[-1]
    assert failure.usage == (request.usage["promptTokenCount"],
                             request.usage["candidatesTokenCount"]
                             + request.usage["thoughtsTokenCount"])
    call = next(e for e in events if e["event"] == "gemini.call")
    assert call["outcome"] == "api_error" and call["tokens_in"] > 0


async def test_a_blocked_prompt_still_counts_its_input_tokens(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(blocked("PROHIBITED_CONTENT"))

    with structlog.testing.capture_logs() as events, pytest.raises(BrainError) as failure:
        await gemini_service.answer(who, where, ANSWER)

    assert failure.value.user_message == gemini.BLOCKED
    prompt_tokens = fake.requests[-1].usage["promptTokenCount"]
    assert failure.value.usage == (prompt_tokens, 0)
    call = next(e for e in events if e["event"] == "gemini.call")
    assert call["outcome"] == "blocked" and call["tokens_in"] == prompt_tokens


async def test_a_blocked_report_is_counted_in_the_saved_session(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview(questions=2))
    await gemini_service.answer(who, where, ANSWER)
    before = (await gemini_service.session_for(who, where)).usage
    fake.script(blocked())

    reply = await gemini_service.feedback(who, where)

    assert reply.report.generated_by == "offline" and reply.report.notice
    after = (await gemini_service.session_for(who, where)).usage
    assert after.calls == before.calls + 1
    assert after.input_tokens == before.input_tokens + fake.requests[-1].usage["promptTokenCount"]


@pytest.mark.parametrize(("step", "message"), [
    (finish("RECITATION", PARTIAL), gemini.FILTERED),
    (finish("SAFETY"), gemini.FILTERED),
    (finish("MAX_TOKENS", PARTIAL), gemini.UNREADABLE),
])
async def test_the_non_streaming_call_reads_finish_reasons_the_same_way(
        gemini_service, brain, fake, who, where, step, message):
    await gemini_service.start(who, where, interview())
    session = await gemini_service.session_for(who, where)
    request = TurnRequest(role=gemini_service.catalog.get(session.role_id), session=session,
                          move=Move.hint, allowed=[Move.hint])
    fake.script(step)

    with pytest.raises(BrainError) as failure:
        await brain.plan_turn(request)

    assert failure.value.user_message == message
