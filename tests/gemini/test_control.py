"""Core keeps control when Gemini proposes otherwise; streaming; token accounting."""

from __future__ import annotations

import json

import pytest

from core.brain.llm_output import MessageExtractor
from core.brain.llm_prompts import RECENT_ENTRIES
from core.models import TextDelta
from tests.fakes.gemini_fake import plan
from tests.support.gemini import interview

VAGUE = "We usually handle it as a team, in general."


async def test_core_overrides_an_early_end_proposed_by_the_model(gemini_service, fake, who,
                                                                  where):
    await gemini_service.start(who, where, interview(questions=3))
    fake.script(plan("We're done here, goodbye!", "end"))

    reply = await gemini_service.answer(who, where, VAGUE)

    session = await gemini_service.session_for(who, where)
    assert session.state.value == "active"  # the model cannot end the interview
    assert reply.kind.value != "ended" and not reply.interview_over
    assert "goodbye" not in reply.text  # core's own words replace the overridden plan


async def test_core_overrides_a_follow_up_beyond_the_limit(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview(questions=3))
    for _ in range(2):  # core allows two follow-ups per question
        fake.script(plan("Can you say more?", "follow_up"))
        await gemini_service.answer(who, where, VAGUE)
    session = await gemini_service.session_for(who, where)
    assert session.here.follow_ups == 2 and session.current == 0

    fake.script(plan("And one more thing?", "follow_up"))
    await gemini_service.answer(who, where, VAGUE)

    allowed = fake.requests[-1].schema["properties"]["move"]["enum"]
    assert "follow_up" not in allowed  # not even offered to the model
    session = await gemini_service.session_for(who, where)
    assert session.progress[0].follow_ups == 2  # the limit held
    assert session.current == 1  # core moved on to the next question


async def test_core_overrides_a_wrap_up_before_the_last_question(gemini_service, fake, who,
                                                                 where):
    await gemini_service.start(who, where, interview(questions=3))
    fake.script(plan("That's all, thanks!", "wrap_up"))

    reply = await gemini_service.answer(who, where, VAGUE)

    session = await gemini_service.session_for(who, where)
    assert session.report is None and session.state.value == "active"
    assert reply.report is None


async def test_an_allowed_alternative_move_is_accepted(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview(questions=3))
    fake.script(plan("Thanks. **Question 2 of 3**: next one?", "ask", read="efficient"))

    reply = await gemini_service.answer(who, where, VAGUE)

    session = await gemini_service.session_for(who, where)
    assert session.current == 1 and reply.text.startswith("Thanks. **Question 2")
    assert reply.persona.value == "efficient"


async def test_stream_yields_the_message_as_it_is_written(gemini_service, fake, who, where):
    await gemini_service.start(who, where, interview())
    message = 'Line one.\nA "quoted" word, a backslash \\ and an emoji 😀 — done.'
    fake.script(plan(message, "follow_up"))
    fake.chunk_chars = 5

    events = [event async for event in gemini_service.answer_stream(who, where, VAGUE)]

    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 5 and "".join(deltas) == message
    assert events[-1].text == message


async def test_token_usage_is_kept_per_session_and_shown_by_status(gemini_service, fake, who,
                                                                   where):
    await gemini_service.start(who, where, interview())
    await gemini_service.answer(who, where, VAGUE)

    status = await gemini_service.status(who, where)
    usage = status.status.tokens
    assert usage.calls == 2
    expected_in = sum(max(1, r.prompt_chars // 4) for r in fake.requests)
    assert usage.input_tokens == expected_in  # read from usageMetadata.promptTokenCount
    assert usage.output_tokens > 0
    assert f"{usage.input_tokens:,} in" in status.text
    assert status.status.brain == "gemini:gemini-3.8-flash"


def test_recent_window_is_a_few_exchanges():
    assert 4 <= RECENT_ENTRIES <= 10


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_message_extractor_decodes_escapes_split_anywhere(size):
    message = 'Tab\there, "quotes", back\\slash, unicode é \u00e9 😀 and \\u done'
    raw = json.dumps({"read": "normal", "move": "ask", "message": message, "x": "y"})
    extractor = MessageExtractor()
    out = "".join(extractor.feed(raw[i : i + size]) for i in range(0, len(raw), size))
    assert out == message
    assert extractor.done and json.loads(extractor.buffer)["message"] == message


def test_message_extractor_waits_for_the_key():
    extractor = MessageExtractor()
    assert extractor.feed('{"read": "normal", "mess') == ""
    assert extractor.feed('age": "Hi') == "Hi"
    assert extractor.feed(' there"}') == " there"
