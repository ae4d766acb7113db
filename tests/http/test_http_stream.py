"""POST /chat/stream: server-sent `delta` events as the interviewer writes, then one `reply`."""

from __future__ import annotations

import httpx

from tests.http.helpers import GOOD_ANSWERS, parse_sse, start, transcript
from tests.support.brains import ScriptedBrain


async def stream(client: httpx.AsyncClient, session_id: str, message: str) -> httpx.Response:
    return await client.post("/chat/stream", json={"session_id": session_id, "message": message})


# Asked first, and answered by GOOD_ANSWERS[0]: the turn does not depend on the question drawn.
BEHIND_TARGET = "Tell me about a time you were behind your sales target. What did you do?"


async def test_deltas_arrive_first_and_add_up_to_the_final_reply(client: httpx.AsyncClient):
    session_id = (await start(client, custom_questions=[BEHIND_TARGET]))["session_id"]

    response = await stream(client, session_id, GOOD_ANSWERS[0])

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "reply" and names.count("reply") == 1
    assert set(names[:-1]) == {"delta"} and len(names) > 3  # the test brain streams word by word
    reply = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "delta") == reply["text"]
    # Which question is drawn varies: the answer may also be steered back to it.
    assert reply["kind"] in {"follow_up", "question", "steer"}
    assert reply["persona"] in {"normal", "efficient"} and reply["question_index"] in {1, 2}


async def test_a_streamed_turn_is_saved_like_a_chat_turn(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]

    reply = parse_sse((await stream(client, session_id, GOOD_ANSWERS[0])).text)[-1][1]

    entries = await transcript(client, session_id)
    assert [e["text"] for e in entries[-2:]] == [GOOD_ANSWERS[0], reply["text"]]


async def test_the_last_streamed_answer_brings_the_report(client: httpx.AsyncClient):
    session_id = (await start(client, questions=1, custom_questions=[BEHIND_TARGET]))["session_id"]

    for attempt in range(4):  # the interviewer may follow up twice, then wraps up
        name, reply = parse_sse((await stream(client, session_id, GOOD_ANSWERS[attempt % 3])).text)[-1]
        assert name == "reply"
        if reply["kind"] == "feedback":
            break

    assert reply["kind"] == "feedback"
    assert reply["report"]["answered"] == 1 and reply["report"]["scores"]


async def test_a_failure_mid_stream_is_an_error_event_and_the_answer_can_be_resent(
        client: httpx.AsyncClient, brain: ScriptedBrain):
    session_id = (await start(client))["session_id"]
    before = await transcript(client, session_id)

    brain.break_on = True
    response = await stream(client, session_id, GOOD_ANSWERS[0])
    brain.break_on = None

    assert response.status_code == 200  # the stream had begun, so the error is an event
    events = parse_sse(response.text)
    assert [name for name, _ in events] == ["delta", "error"]
    error = events[-1][1]
    assert error["status"] == 503 and error["error"] == "model_unavailable"
    assert "send your answer again" in error["detail"]
    assert await transcript(client, session_id) == before

    resent = parse_sse((await stream(client, session_id, GOOD_ANSWERS[0])).text)
    assert resent[-1][0] == "reply"
    assert [e["text"] for e in await transcript(client, session_id)][1] == GOOD_ANSWERS[0]


async def test_a_blank_streamed_message_is_422_before_any_event(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]

    response = await stream(client, session_id, "  ")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
