"""Gemini hears spoken answers: real audio through the real SDK to the fake, strict about parts."""

from __future__ import annotations

import io
import wave

import pytest

from core.audio import AudioError
from core.errors import BrainError
from core.models import ReplyKind
from tests.fakes.gemini_fake import FakeGemini, error
from tests.speech import SHORT_ANSWER, encode, needs_espeak, silence, speak
from tests.support.gemini import API_KEY, interview

pytestmark = needs_espeak
SPOKEN = "Um, I led a team of five engineers and, you know, we tested the database every week."


async def test_gemini_transcribes_the_answer_and_keeps_fillers(fake: FakeGemini, gemini_service,
                                                              who, where, captured_logs):
    fake.transcript = SPOKEN
    await gemini_service.start(who, where, interview(questions=1))
    reply = await gemini_service.answer_audio(who, where, encode(speak(SHORT_ANSWER)))
    assert reply.heard is not None and reply.heard.text == SPOKEN
    figures = reply.heard.delivery
    assert figures.engine.startswith("gemini:") and figures.fillers == 2
    assert figures.words_per_minute > 0 and figures.speaking_seconds > 3
    [sent] = [request for request in fake.requests if request.audio]
    [(mime, wav)] = sent.audio
    assert mime == "audio/wav"  # ogg/opus is re-encoded to what Gemini reads everywhere
    with wave.open(io.BytesIO(wav)) as audio:
        assert (audio.getframerate(), audio.getnchannels()) == (16_000, 1)
    # The transcript reached the interviewer as the answer.
    assert any(SPOKEN in request.contents_text for request in fake.requests if not request.audio)
    assert API_KEY not in captured_logs() and SPOKEN not in captured_logs()
    report = (await gemini_service.feedback(who, where)).report
    assert report.delivery is not None and report.delivery.answers[0].fillers == 2


async def test_gemini_failure_keeps_the_session_and_asks_again(fake: FakeGemini, gemini_service,
                                                               who, where):
    await gemini_service.start(who, where, interview(questions=2))
    fake.script(error(400, "Unable to process input audio."))
    with pytest.raises(BrainError):
        await gemini_service.answer_audio(who, where, speak(SHORT_ANSWER))
    session = await gemini_service.session_for(who, where)
    assert session.answered_count() == 0 and session.delivery == []
    reply = await gemini_service.answer_audio(who, where, speak(SHORT_ANSWER))
    assert reply.kind in (ReplyKind.follow_up, ReplyKind.question, ReplyKind.clarify,
                          ReplyKind.steer)


async def test_silence_never_reaches_gemini(fake: FakeGemini, gemini_service, who, where):
    await gemini_service.start(who, where, interview(questions=1))
    calls = len(fake.requests)
    with pytest.raises(AudioError) as caught:
        await gemini_service.answer_audio(who, where, silence())
    assert caught.value.code == "silent" and len(fake.requests) == calls


async def test_gemini_saying_no_speech_is_a_clear_message(fake: FakeGemini, brain):
    # Gemini answers "[no speech]" for a recording without words: that is no words, not text.
    assert await brain.transcribe_audio(silence(1.0)) == ""


async def test_the_fake_is_strict_about_audio_parts(brain):
    from google.genai import types

    for part in (types.Part.from_bytes(data=b"not a wav", mime_type="audio/wav"),
                 types.Part.from_bytes(data=b"x", mime_type="audio/webm")):
        with pytest.raises(Exception) as caught:
            await brain.client.aio.models.generate_content(model=brain.model, contents=[part])
        assert getattr(caught.value, "code", None) == 400


async def test_voice_in_the_terminal_with_a_key(fake: FakeGemini, tmp_path):
    """``/voice`` through ``python -m bot cli`` configured by environment, as an operator would."""
    import asyncio
    import json
    import os
    import sys
    from pathlib import Path

    fake.transcript = SPOKEN
    recording = tmp_path / "answer.ogg"
    recording.write_bytes(encode(speak(SHORT_ANSWER)))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GEMINI_", "GOOGLE_", "DISCORD_", "SLACK_"))}
    env.update(GEMINI_API_KEY=API_KEY, GEMINI_BASE_URL=fake.base_url, GEMINI_TIMEOUT_SECONDS="10",
               PYTHONPATH=str(Path(__file__).resolve().parents[2]), STORE_URL="memory://")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "cli", "--role", "sales", "--questions", "1", "--json",
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(
        process.communicate(f"/voice {recording}\n/end\n".encode()), timeout=120)
    assert process.returncode == 0, stderr.decode()[-2000:]
    turns = [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]
    [spoken] = [turn for turn in turns if turn.get("heard")]
    assert spoken["heard"]["text"] == SPOKEN
    assert spoken["heard"]["delivery"]["engine"].startswith("gemini:")
    assert turns[-1]["report"]["delivery"]["answers"][0]["fillers"] == 2
