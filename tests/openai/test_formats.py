"""Servers that only partly support structured output: the brain steps down and still works.

A server without JSON-schema support rejects the schema (the brain steps down to JSON mode,
then to plain text, once, and puts the schema into the instructions); a server that accepts
the schema and ignores it gets its JSON taken out of prose and code fences, a ``<think>``
block skipped; an off-schema reply is sent back once with the reason.
"""

from __future__ import annotations

import asyncio

import structlog

from core import InterviewService
from core.models import TextDelta
from core.store import InMemoryStore
from tests.fakes.openai_fake import FakeOpenAI, error, plan, text
from tests.support.openai_compat import interview, make_brain

ANSWER = "I owned the migration of our payments service to Postgres and cut p95 latency by 40%."
SCHEMA_NOTE = "must match this JSON schema"


async def _whole_interview(fake: FakeOpenAI, who, where, **brain_settings):
    """Start, one streamed answer, the report; returns (streamed text, reply, report, events)."""
    brain = make_brain(fake, **brain_settings)
    service = InterviewService(brain=brain, store=InMemoryStore())
    with structlog.testing.capture_logs() as events:
        await service.start(who, where, interview(questions=2))
        deltas, reply = [], None
        async for event in service.answer_stream(who, where, ANSWER):
            if isinstance(event, TextDelta):
                deltas.append(event.text)
            else:
                reply = event
        report = (await service.feedback(who, where)).report
    await brain.aclose()
    return "".join(deltas), reply, report, events


def _formats(fake: FakeOpenAI) -> list[str | None]:
    return [r.response_format.get("type") if r.response_format else None for r in fake.requests]


async def test_a_json_mode_server_gets_json_mode_after_one_rejected_schema(who, where):
    async with FakeOpenAI(schema_support="json_object") as fake:
        streamed, reply, report, events = await _whole_interview(fake, who, where)

    # One 400 for the schema, then JSON mode for every call, the schema in the instructions.
    assert _formats(fake) == ["json_schema", "json_object", "json_object", "json_object"]
    assert all(SCHEMA_NOTE in r.system_text for r in fake.requests[1:])
    assert streamed == reply.text and reply.kind.value == "follow_up"
    assert report.notice is None and report.generated_by.startswith("openai:")
    downs = [e for e in events if e["event"] == "openai.response_format_unsupported"]
    assert [(e["rejected"], e["now"]) for e in downs] == [("json_schema", "json_object")]


async def test_a_server_without_response_formats_gets_plain_text(who, where):
    async with FakeOpenAI(schema_support="none") as fake:
        streamed, reply, report, _ = await _whole_interview(fake, who, where)

    assert _formats(fake) == ["json_schema", "json_object", None, None, None]
    assert streamed == reply.text and report.notice is None


async def test_json_in_prose_after_a_think_block_is_read_and_only_the_message_is_shown(
        who, where):
    async with FakeOpenAI(schema_support="ignored", think=True) as fake:
        streamed, reply, report, _ = await _whole_interview(fake, who, where)

    assert streamed == reply.text == "What was the measurable result of what you did?"
    assert "<think>" not in streamed and "```" not in streamed
    assert report.notice is None and report.scores is not None
    assert len(fake.requests) == 3  # nothing had to be asked twice


async def test_a_fixed_text_mode_never_sends_a_response_format(who, where):
    async with FakeOpenAI() as fake:
        streamed, reply, _, _ = await _whole_interview(fake, who, where, response_format="text")

    assert _formats(fake) == [None, None, None]
    assert all(SCHEMA_NOTE in r.system_text for r in fake.requests)
    assert streamed == reply.text


async def test_a_fixed_mode_the_server_rejects_is_a_configuration_error(who, where):
    async with FakeOpenAI(schema_support="json_object") as fake:
        brain = make_brain(fake, response_format="json_schema")
        service = InterviewService(brain=brain, store=InMemoryStore())
        try:
            await service.start(who, where, interview())
        except Exception as failure:  # noqa: BLE001 - checked below
            caught = failure
        await brain.aclose()

    assert "isn't set up correctly" in caught.user_message  # type: ignore[attr-defined]
    assert _formats(fake) == ["json_schema"]  # no stepping down when the mode is fixed


async def test_an_unrelated_400_does_not_step_down(openai_service, fake, who, where):
    await openai_service.start(who, where, interview())
    fake.script(error(400, "This model's maximum context length is 8192 tokens.",
                      code="context_length_exceeded", param="messages"))

    try:
        await openai_service.answer(who, where, ANSWER)
    except Exception as failure:  # noqa: BLE001 - checked below
        caught = failure

    assert "isn't set up correctly" in caught.user_message  # type: ignore[attr-defined]
    assert _formats(fake) == ["json_schema", "json_schema"]


async def test_an_off_schema_reply_is_sent_back_once_with_the_reason(
        openai_service, fake: FakeOpenAI, who, where):
    await openai_service.start(who, where, interview())
    fake.script(text('{"reply": "Tell me more"}'),
                plan("What did you measure first?", "follow_up"))

    with structlog.testing.capture_logs() as events:
        reply = await openai_service.answer(who, where, ANSWER)

    assert reply.text == "What did you measure first?"
    first, retry = fake.requests[1:]
    assert first.stream and not retry.stream  # the retry is asked in one piece
    assert [m["role"] for m in retry.messages] == ["system", "user", "assistant", "user"]
    assert retry.messages[2]["content"] == '{"reply": "Tell me more"}'
    assert "That reply was rejected: turn plan fields missing" in retry.last_user_text
    # The server did not hold the model to the schema, so from now on the model reads it.
    assert SCHEMA_NOTE not in first.system_text and SCHEMA_NOTE in retry.system_text
    assert any(e["event"] == "openai.schema_not_enforced" for e in events)
    session = await openai_service.session_for(who, where)
    assert session.usage.input_tokens == sum(r.usage["prompt_tokens"] for r in fake.requests)


async def test_calls_in_flight_together_step_down_once(where):
    """Several interviews hit a JSON-mode server at once: one step down, no one fails."""
    from core import Who

    async with FakeOpenAI(schema_support="json_object") as fake:
        brain = make_brain(fake)
        service = InterviewService(brain=brain, store=InMemoryStore())
        with structlog.testing.capture_logs() as events:
            replies = await asyncio.gather(*(
                service.start(Who(platform="test", user_id=f"u{i}"), where, interview())
                for i in range(4)))
        await brain.aclose()

    assert all(reply.kind.value == "greeting" for reply in replies)
    downs = [e for e in events if e["event"] == "openai.response_format_unsupported"]
    assert len(downs) == 1 and brain.format == "json_object"
