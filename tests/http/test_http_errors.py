"""Every error status of the HTTP API: 422, 404, 409 and 503, each with a readable detail."""

from __future__ import annotations

import httpx
import pytest

from adapters.http import create_app
from adapters.http.schemas import MAX_MESSAGE_CHARS
from core.service import InterviewService
from core.store import InMemoryStore
from tests.http.helpers import GOOD_ANSWERS, answer, finish_interview, start, transcript
from tests.support.brains import ScriptedBrain, word_streamer

# ------------------------------------------------------------------ 422: bad input


async def test_an_unknown_role_lists_the_known_roles_and_suggests_the_closest(
        client: httpx.AsyncClient):
    response = await client.post("/start_session", json={"role": "salse"})

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unknown_role"
    assert body["suggestion"] == "sales"
    assert "sales" in body["known_roles"] and "software_engineer" in body["known_roles"]
    assert "salse" in body["detail"] and "sales" in body["detail"]
    assert "**" not in body["detail"]  # markdown is for chat surfaces, not JSON


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"questions": 0}, "questions", "greater than or equal to 1"),
    ({"questions": 16}, "questions", "less than or equal to 15"),
    ({"difficulty": "expert"}, "difficulty", "junior"),
    ({"focus": "vibes"}, "focus", "behavioural"),
    ({"role": ""}, "role", "at least 1 character"),
    ({"custom_questions": ["q?"] * 16}, "custom_questions", "at most 15"),
    ({"custom_questions": ["x" * 2001]}, "custom_questions.0", "at most 2000 characters"),
])
async def test_options_out_of_range_say_which_field_and_why(client: httpx.AsyncClient, change,
                                                            field, words):
    response = await client.post("/start_session", json={"role": "sales", **change})

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["detail"].startswith(f"Invalid request. {field}: ")
    assert words in body["detail"]
    assert body["errors"][0]["field"] == field


async def test_a_body_that_is_not_json_is_a_readable_422(client: httpx.AsyncClient):
    response = await client.post("/chat", content=b"{not json",
                                 headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Invalid request. the body is not valid JSON"
    assert body["errors"] == [{"field": "", "message": "the body is not valid JSON"}]


@pytest.mark.parametrize("message", ["", "   ", "\n\t \u200b"])
async def test_an_empty_or_blank_message_is_422_and_changes_nothing(client: httpx.AsyncClient,
                                                                    message: str):
    session_id = (await start(client))["session_id"]

    response = await answer(client, session_id, message)

    assert response.status_code == 422
    assert "message: the message is empty" in response.json()["detail"]
    assert len(await transcript(client, session_id)) == 1


async def test_a_message_over_the_limit_is_422_and_one_at_the_limit_is_accepted(
        client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]
    at_limit = (GOOD_ANSWERS[0] + " ") * (MAX_MESSAGE_CHARS // (len(GOOD_ANSWERS[0]) + 1) + 1)

    too_long = await answer(client, session_id, at_limit[:MAX_MESSAGE_CHARS + 1])
    accepted = await answer(client, session_id, at_limit[:MAX_MESSAGE_CHARS])

    assert too_long.status_code == 422
    assert "too long (20,001 characters); the limit is 20,000" in too_long.json()["detail"]
    assert accepted.status_code == 200
    assert "long answer" in accepted.json()["text"]  # core's notice: only part was analysed


async def test_a_missing_session_id_is_422(client: httpx.AsyncClient):
    response = await client.post("/chat", json={"message": "hello"})

    assert response.status_code == 422
    assert "session_id: Field required" in response.json()["detail"]


# ------------------------------------------------------------------ 404: unknown session


@pytest.mark.parametrize(("method", "path", "status", "error"), [
    ("GET", "/no-such-endpoint", 404, "not_found"),
    ("PUT", "/chat", 405, "method_not_allowed"),
])
async def test_unknown_paths_and_methods_answer_in_the_same_error_format(
        client: httpx.AsyncClient, method, path, status, error):
    response = await client.request(method, path)

    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/chat", {"message": "hello"}),
    ("POST", "/chat/stream", {"message": "hello"}),
    ("POST", "/hint", {}),
    ("POST", "/skip", {}),
    ("POST", "/feedback", {}),
    ("GET", "/sessions/{id}", None),
    ("DELETE", "/sessions/{id}", None),
])
async def test_an_unknown_session_is_404_everywhere(client: httpx.AsyncClient, method, path, body):
    unknown = "not-a-session-anyone-was-given"
    json_body = None if body is None else {"session_id": unknown, **body}

    response = await client.request(method, path.format(id=unknown), json=json_body)

    assert response.status_code == 404
    assert response.json()["error"] == "session_not_found"
    assert "POST /start_session" in response.json()["detail"]


# ------------------------------------------------------------------ 409: interview over


@pytest.mark.parametrize(("path", "body"), [
    ("/chat", {"message": "one more thing"}),
    ("/chat/stream", {"message": "one more thing"}),
    ("/hint", {}),
    ("/skip", {}),
])
async def test_a_finished_interview_is_409_for_anything_but_feedback(client: httpx.AsyncClient,
                                                                    path, body):
    session_id = (await start(client))["session_id"]
    await finish_interview(client, session_id)

    response = await client.post(path, json={"session_id": session_id, **body})

    assert response.status_code == 409
    assert response.json()["error"] == "interview_ended"
    assert "POST /feedback" in response.json()["detail"]
    feedback = await client.post("/feedback", json={"session_id": session_id})
    assert feedback.status_code == 200 and feedback.json()["answered"] == 2


# ------------------------------------------------------------------ 503: model unavailable


async def test_a_model_outage_is_503_and_the_same_answer_can_be_sent_again(
        client: httpx.AsyncClient, brain: ScriptedBrain):
    session_id = (await start(client))["session_id"]
    before = await transcript(client, session_id)

    brain.down = True
    failed = await answer(client, session_id, GOOD_ANSWERS[0])

    assert failed.status_code == 503
    assert failed.headers["retry-after"].isdigit()
    assert failed.json()["error"] == "model_unavailable"
    assert failed.json()["retryable"] is True
    assert "send your answer again" in failed.json()["detail"]
    assert await transcript(client, session_id) == before  # nothing half-saved

    brain.down = False
    resent = await answer(client, session_id, GOOD_ANSWERS[0])

    assert resent.status_code == 200
    candidate = [e["text"] for e in await transcript(client, session_id) if e["speaker"] == "candidate"]
    assert candidate == [GOOD_ANSWERS[0]]


@pytest.mark.parametrize(("path", "entries_after"), [
    ("/hint", 2),  # greeting, hint
    ("/skip", 2),  # greeting, next question
    ("/chat/stream", 3),  # greeting, answer, reply
])
async def test_other_turns_are_503_during_an_outage_and_work_after_it(
        client: httpx.AsyncClient, brain: ScriptedBrain, path: str, entries_after: int):
    started = await start(client)
    body = {"session_id": started["session_id"], "message": GOOD_ANSWERS[0]}

    brain.down = True
    failed = await client.post(path, json=body)
    brain.down = False
    retried = await client.post(path, json=body)

    assert failed.status_code == 503
    assert failed.json()["error"] == "model_unavailable"
    assert retried.status_code == 200
    assert len(await transcript(client, started["session_id"])) == entries_after


async def test_feedback_during_an_outage_falls_back_to_the_offline_reviewer(
        client: httpx.AsyncClient, brain: ScriptedBrain):
    session_id = (await start(client))["session_id"]
    await answer(client, session_id, GOOD_ANSWERS[0])

    brain.down = True
    response = await client.post("/feedback", json={"session_id": session_id})

    assert response.status_code == 200
    assert response.json()["answered"] == 1
    assert "offline reviewer" in response.json()["notice"]


async def test_feedback_is_503_when_no_reviewer_is_available_and_the_interview_stays_open():
    brain = word_streamer()
    service = InterviewService(brain=brain, store=InMemoryStore(), fallback=brain)
    transport = httpx.ASGITransport(app=create_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        session_id = (await start(client))["session_id"]
        await answer(client, session_id, GOOD_ANSWERS[0])

        brain.down = True
        failed = await client.post("/feedback", json={"session_id": session_id})
        brain.down = False

        assert failed.status_code == 503
        view = (await client.get(f"/sessions/{session_id}")).json()
        assert view["state"] == "active" and view["report"] is None
        report = await client.post("/feedback", json={"session_id": session_id})
        assert report.status_code == 200 and report.json()["answered"] == 1


async def test_starting_during_an_outage_is_503(client: httpx.AsyncClient, brain: ScriptedBrain):
    brain.down = True

    response = await client.post("/start_session", json={"role": "sales"})

    assert response.status_code == 503
    assert response.json()["error"] == "model_unavailable"
