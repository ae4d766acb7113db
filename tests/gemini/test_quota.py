"""Rate limits as Google sends them: RetryInfo honoured, per-day quotas said plainly.

A 429's body carries ``google.rpc.RetryInfo`` (how long to wait) and ``QuotaFailure``
(which quota). The brain waits out a short delay, tells the user a long one, and treats
a per-day quota as a configuration problem: one error log line, a plain message, no retry.
"""

from __future__ import annotations

import pytest
import structlog

from core import BrainError
from core.brain import gemini
from core.brain.base import Move, TurnRequest
from core.brain.gemini_failures import parse_duration, quota_signal
from core.brain.llm_failures import say_wait
from tests.fakes.gemini_fake import error, plan, rate_limited
from tests.support.gemini import interview

ANSWER = "At my last job I cut our build time from 20 to 6 minutes by caching dependencies."


async def _state(service, who, where) -> dict:
    session = await service.session_for(who, where)
    return session.model_dump(exclude={"updated_at"})


async def test_a_short_retry_delay_is_waited_out_and_the_turn_succeeds(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(rate_limited("0.2s"), plan("What did the cache key on?", "follow_up"))

    with structlog.testing.capture_logs() as events:
        reply = await gemini_service.answer(who, where, ANSWER)

    assert reply.text == "What did the cache key on?"
    assert len(fake.requests) == 3  # greeting, the 429, the retry
    waits = [e for e in events if e["event"] == "gemini.rate_limited"]
    assert [e["wait_s"] for e in waits] == [0.2]  # RetryInfo's delay, not a blind backoff


async def test_a_long_retry_delay_is_told_to_the_user_without_retrying(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    before = await _state(gemini_service, who, where)
    fake.script(rate_limited("40s"))

    with pytest.raises(BrainError) as failure:
        await gemini_service.answer(who, where, ANSWER)

    assert failure.value.user_message == gemini.RATE_LIMITED.format(wait="about 40 seconds")
    assert failure.value.retryable
    assert len(fake.requests) == 2  # no pointless retries inside the 40 s
    assert await _state(gemini_service, who, where) == before
    reply = await gemini_service.answer(who, where, ANSWER)  # later, the same answer works
    assert reply.text


async def test_a_per_day_quota_is_a_configuration_problem_said_once_in_the_logs(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    # Google may still send a short RetryInfo with a per-day quota: waiting would not help.
    fake.script(rate_limited("0.5s", per_day=True), rate_limited("0.5s", per_day=True))

    with structlog.testing.capture_logs() as events:
        for _ in range(2):
            with pytest.raises(BrainError) as failure:
                await gemini_service.answer(who, where, ANSWER)
            assert failure.value.user_message == gemini.QUOTA_EXHAUSTED
            assert not failure.value.retryable

    assert len(fake.requests) == 3  # greeting and one request per attempt: never retried
    assert "not something you did" in gemini.QUOTA_EXHAUSTED
    errors = [e for e in events if e["log_level"] == "error"]
    assert [e["event"] for e in errors] == ["gemini.quota_exhausted"]
    assert errors[0]["quota_ids"] == ["GenerateRequestsPerDayPerProjectPerModel-FreeTier"]
    failures = [e for e in events if e["event"] == "gemini.failed"]
    assert [e["reason"] for e in failures] == ["quota_per_day"] * 2


async def test_short_delays_that_keep_coming_end_with_how_long_to_wait(
        gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(*[rate_limited("0.01s")] * 3)

    with pytest.raises(BrainError) as failure:
        await gemini_service.answer(who, where, ANSWER)

    assert failure.value.user_message == gemini.RATE_LIMITED.format(wait="about 5 seconds")
    assert len(fake.requests) == 1 + 3


async def test_a_429_without_details_backs_off_and_ends_busy(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    fake.script(*[error(429, "Resource has been exhausted")] * 3)

    with pytest.raises(BrainError) as failure:
        await gemini_service.answer(who, where, ANSWER)

    assert failure.value.user_message == gemini.BUSY and failure.value.retryable


@pytest.mark.parametrize(("step", "message"), [
    (rate_limited("40s"), gemini.RATE_LIMITED.format(wait="about 40 seconds")),
    (rate_limited("1s", per_day=True), gemini.QUOTA_EXHAUSTED),
], ids=["long-delay", "per-day"])
async def test_the_non_streaming_call_reads_quotas_the_same_way(
        gemini_service, brain, fake, who, where, step, message):
    await gemini_service.start(who, where, interview())
    session = await gemini_service.session_for(who, where)
    request = TurnRequest(role=gemini_service.catalog.get(session.role_id), session=session,
                          move=Move.hint, allowed=[Move.hint])
    fake.script(step)

    with pytest.raises(BrainError) as failure:
        await brain.plan_turn(request)

    assert failure.value.user_message == message
    assert fake.requests[-1].method == "generateContent" and len(fake.requests) == 2


async def test_a_short_delay_on_the_report_is_waited_out_too(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview(questions=2))
    await gemini_service.answer(who, where, ANSWER)
    fake.script(rate_limited("0.05s"))

    reply = await gemini_service.feedback(who, where)

    assert reply.report.generated_by.startswith("gemini") and reply.report.notice is None
    assert fake.requests[-1].method == fake.requests[-2].method == "generateContent"


def test_quota_signal_reads_retry_info_and_quota_failure():
    body = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
         "violations": [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34.5s"}]}}
    signal = quota_signal(body)
    assert signal.retry_after == 34.5 and not signal.per_day
    assert signal.quota_ids == ("GenerateRequestsPerMinutePerProjectPerModel",)
    # Bodies without details, or with odd ones, read as "nothing known".
    for odd in [None, "text", {"error": {"details": "x"}}, {"error": {"details": [1, {}]}}]:
        assert quota_signal(odd).retry_after is None and not quota_signal(odd).per_day


@pytest.mark.parametrize(("text", "seconds"), [("34s", 34.0), ("0.5s", 0.5), ("3.000000001s", 3.000000001),
                                               ("34", None), ("soon", None), (None, None)])
def test_retry_delays_are_protobuf_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("seconds", "said"), [(0.2, "about 5 seconds"), (34, "about 35 seconds"),
                                               (120, "about 2 minutes"),
                                               (3_700, "about 62 minutes"),
                                               (20_000, "about 6 hours")])
def test_waits_are_said_rounded_up(seconds, said):
    assert say_wait(seconds) == said
