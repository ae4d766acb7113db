"""Spoken answers over HTTP: a multipart recording on POST /chat and /chat/stream.

Real audio (espeak-ng), the real app through httpx, the real offline recogniser; and with
a key, the real google-genai SDK against the Gemini fake.
"""

from __future__ import annotations

import httpx
import pytest

from adapters.http import create_app
from core.brain.gemini import GeminiBrain
from core.service import InterviewService
from core.store import InMemoryStore
from tests.fakes.gemini_fake import FakeGemini
from tests.http.helpers import parse_sse, start, transcript
from tests.speech import CORRUPT, SHORT_ANSWER, encode, heard_key_words, needs_espeak, silence, speak, too_long
from tests.support.brains import ScriptedBrain, word_streamer

pytestmark = needs_espeak


def recording(name: str, data: bytes, kind: str = "audio/ogg") -> dict:
    return {"audio": (name, data, kind)}


async def say(client: httpx.AsyncClient, session_id: str, data: bytes, *, path: str = "/chat",
              name: str = "answer.ogg", kind: str = "audio/ogg") -> httpx.Response:
    return await client.post(path, data={"session_id": session_id},
                             files=recording(name, data, kind))


async def test_a_spoken_answer_on_chat_is_transcribed_and_answered(client: httpx.AsyncClient):
    session_id = (await start(client, questions=1))["session_id"]
    response = await say(client, session_id, encode(speak(SHORT_ANSWER)))
    assert response.status_code == 200, response.text
    turn = response.json()
    assert len(heard_key_words(turn["heard"]["text"])) >= 3, turn["heard"]["text"]
    delivery = turn["heard"]["delivery"]
    assert delivery["engine"] == "pocketsphinx" and delivery["words_per_minute"] > 60
    assert delivery["pace"] in {"slow", "within", "fast", "too_short"}
    saved = await transcript(client, session_id)
    assert saved[-2]["speaker"] == "candidate" and saved[-2]["text"] == turn["heard"]["text"]
    report = (await client.post("/feedback", json={"session_id": session_id})).json()
    assert report["delivery"]["spoken_answers"] == 1
    assert report["delivery"]["answers"][0]["words"] == delivery["words"]
    assert "scores" in report and "delivery" not in report["scores"]


async def test_a_spoken_answer_streams_heard_first(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]
    response = await say(client, session_id, speak(SHORT_ANSWER), path="/chat/stream",
                         name="answer.wav", kind="audio/wav")
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[0] == "heard" and names[-1] == "reply" and "delta" in names
    heard = events[0][1]
    assert events[-1][1]["heard"] == heard and heard["delivery"]["words"] >= 10


@pytest.mark.parametrize("data,kind,words", [
    (b"", "audio/ogg", "empty"),
    (CORRUPT, "audio/wav", "damaged"),
    (b"a typed note, not a recording\n" * 30, "text/plain", "isn't audio"),
    (silence(), "audio/wav", "silent"),
    (too_long(), "audio/wav", "longer than 5 minutes"),
])
async def test_bad_audio_is_a_clear_422_and_changes_nothing(client: httpx.AsyncClient,
                                                            data: bytes, kind: str, words: str):
    session_id = (await start(client))["session_id"]
    before = await transcript(client, session_id)
    for path in ("/chat", "/chat/stream"):
        response = await say(client, session_id, data, path=path, kind=kind)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_input" and words in response.json()["detail"]
    assert await transcript(client, session_id) == before


async def test_form_problems_and_unknown_sessions(client: httpx.AsyncClient):
    response = await client.post("/chat", data={"session_id": "x"},
                                 files={"other": ("a.txt", b"x", "text/plain")})
    assert response.status_code == 422 and "audio: Field required" in response.json()["detail"]
    response = await say(client, "no-such-session", speak(SHORT_ANSWER))
    assert response.status_code == 404 and response.json()["error"] == "session_not_found"


async def test_a_recording_over_the_limit_is_413_while_json_keeps_its_own_limit():
    app = create_app(InterviewService(brain=word_streamer(), store=InMemoryStore()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        big = b"RIFF" + bytes(26 * 1024 * 1024)
        response = await say(client, "x", big, kind="audio/wav")
        assert response.status_code == 413 and "recording is too large" in response.json()["detail"]
        medium = encode(speak(SHORT_ANSWER)) + bytes(2 * 1024 * 1024)  # fine as audio, not as JSON
        session_id = (await start(client))["session_id"]
        response = await say(client, session_id, medium)
        assert response.status_code != 413
        response = await client.post("/chat", json={"session_id": session_id, "message": "x" * 1_100_000})
        assert response.status_code == 413 and "1,000 KB" in response.json()["detail"]


async def test_the_model_being_down_keeps_the_session(client: httpx.AsyncClient,
                                                      brain: ScriptedBrain):
    session_id = (await start(client))["session_id"]
    before = await transcript(client, session_id)
    brain.down = True
    response = await say(client, session_id, encode(speak(SHORT_ANSWER)))
    assert response.status_code == 503
    assert await transcript(client, session_id) == before
    brain.down = False
    assert (await say(client, session_id, encode(speak(SHORT_ANSWER)))).status_code == 200


async def test_openapi_documents_the_multipart_answer(client: httpx.AsyncClient):
    schema = (await client.get("/openapi.json")).json()
    for path in ("/chat", "/chat/stream"):
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        assert "application/json" in content
        assert content["multipart/form-data"]["schema"]["properties"]["audio"]["format"] == "binary"
    assert "heard" in schema["components"]["schemas"]["TurnResponse"]["properties"]
    assert "/chat/audio" not in schema["paths"]


async def test_with_a_key_gemini_transcribes():
    async with FakeGemini() as fake:
        fake.transcript = "Um, I led a team of five engineers and we tested the database weekly."
        brain = GeminiBrain(api_key="AIza-test-key", base_url=fake.base_url, timeout_seconds=5)
        app = create_app(InterviewService(brain=brain, store=InMemoryStore()))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver") as client:
            session_id = (await start(client, questions=1))["session_id"]
            turn = (await say(client, session_id, encode(speak(SHORT_ANSWER)))).json()
            report = (await client.post("/feedback", json={"session_id": session_id})).json()
        await brain.aclose()
    assert turn["heard"]["text"] == fake.transcript
    assert turn["heard"]["delivery"]["fillers"] == 1
    assert report["delivery"]["answers"][0]["engine"].startswith("gemini:")
    assert any(request.audio for request in fake.requests)
