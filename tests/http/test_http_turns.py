"""Idempotency-Key and Turn-Number: re-sending is safe, numbered turns apply in order.

The two-server tests run two apps, each with its own RedisStore on a real
redis-server, as two API processes behind a load balancer would.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

import core.turns
from adapters.http import create_app
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from core.stores.redis import RedisStore
from tests.http.helpers import GOOD_ANSWERS, parse_sse, start, transcript


async def chat(client: httpx.AsyncClient, session_id: str, message: str, path: str = "/chat",
               **headers: str) -> httpx.Response:
    return await client.post(path, json={"session_id": session_id, "message": message},
                             headers={k.replace("_", "-"): v for k, v in headers.items()})


def answers(entries: list[dict]) -> list[str]:
    return [entry["text"] for entry in entries if entry["speaker"] == "candidate"]


async def test_a_repeated_idempotency_key_returns_the_same_turn_and_records_it_once(client):
    session_id = (await start(client, questions=5))["session_id"]
    first = await chat(client, session_id, GOOD_ANSWERS[0], Idempotency_Key="req-1")
    again = await chat(client, session_id, GOOD_ANSWERS[0], Idempotency_Key="req-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert answers(await transcript(client, session_id)) == [GOOD_ANSWERS[0]]


async def test_a_streamed_repeat_gets_the_stored_reply_as_its_reply_event(client):
    session_id = (await start(client, questions=5))["session_id"]
    first = parse_sse((await chat(client, session_id, GOOD_ANSWERS[0], "/chat/stream",
                                  Turn_Number="1")).text)[-1]
    again = parse_sse((await chat(client, session_id, GOOD_ANSWERS[0], "/chat/stream",
                                  Turn_Number="1")).text)
    assert again == [first] and first[0] == "reply"
    assert answers(await transcript(client, session_id)) == [GOOD_ANSWERS[0]]


async def test_reusing_a_turn_number_for_another_message_is_a_409_that_names_the_next(client):
    session_id = (await start(client, questions=5))["session_id"]
    assert (await chat(client, session_id, GOOD_ANSWERS[0], Turn_Number="1")).status_code == 200
    reused = await chat(client, session_id, GOOD_ANSWERS[1], Turn_Number="1")
    assert reused.status_code == 409
    assert reused.json()["error"] == "turn_conflict" and reused.json()["expected_turn"] == 2
    assert answers(await transcript(client, session_id)) == [GOOD_ANSWERS[0]]


async def test_a_turn_whose_predecessor_never_comes_is_a_409_with_the_expected_number(
        client, monkeypatch):
    monkeypatch.setattr(core.turns, "TURN_GAP_WAIT_SECONDS", 0.2)
    session_id = (await start(client, questions=5))["session_id"]
    early = await chat(client, session_id, GOOD_ANSWERS[1], Turn_Number="2")
    assert early.status_code == 409
    body = early.json()
    assert body["error"] == "turn_out_of_order" and body["expected_turn"] == 1
    assert "Send turn 1 first" in body["detail"]
    assert answers(await transcript(client, session_id)) == []


@pytest.mark.parametrize("headers", [
    {"Turn-Number": "0"}, {"Turn-Number": "two"}, {"Idempotency-Key": "has space"},
    {"Idempotency-Key": "x" * 129},
])
async def test_malformed_turn_headers_are_a_readable_422(client, headers):
    session_id = (await start(client))["session_id"]
    response = await client.post("/chat", json={"session_id": session_id, "message": "Hi"},
                                 headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["errors"][0]["field"] == next(iter(headers))
    assert answers(await transcript(client, session_id)) == []


async def test_hint_and_skip_take_the_headers_too(client):
    session_id = (await start(client, questions=5))["session_id"]
    ref = {"session_id": session_id}
    hint = await client.post("/hint", json=ref, headers={"Turn-Number": "1"})
    assert (await client.post("/hint", json=ref, headers={"Turn-Number": "1"})).json() == \
        hint.json()
    skip = await client.post("/skip", json=ref, headers={"Idempotency-Key": "skip-1"})
    again = await client.post("/skip", json=ref, headers={"Idempotency-Key": "skip-1"})
    assert again.json() == skip.json() and skip.json()["question_index"] == 2


async def test_the_headers_are_in_the_openapi_schema(client):
    schema = (await client.get("/openapi.json")).json()
    parameters = {p["name"] for p in schema["paths"]["/chat"]["post"]["parameters"]}
    assert {"Idempotency-Key", "Turn-Number"} <= parameters


# --------------------------------------------------------------------- two servers on Redis


@pytest.fixture
async def two_servers(redis_url, redis_prefix):
    stores = [RedisStore.from_url(redis_url, prefix=redis_prefix) for _ in range(2)]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(
        app=create_app(InterviewService(brain=OfflineBrain(), store=store))),
        base_url="http://testserver") for store in stores]
    yield clients
    for client in clients:
        await client.aclose()
    for store in stores:
        await store.close()


async def test_numbered_answers_sent_to_two_servers_at_once_are_applied_in_order(two_servers):
    session_id = (await start(two_servers[0], questions=10))["session_id"]
    texts = [f"{GOOD_ANSWERS[n % 3]} ({n})" for n in range(1, 7)]
    responses = await asyncio.gather(*(
        chat(two_servers[n % 2], session_id, texts[n - 1], Turn_Number=str(n))
        for n in (6, 4, 2, 5, 3, 1)))
    assert [r.status_code for r in responses] == [200] * 6
    assert answers(await transcript(two_servers[1], session_id)) == texts


async def test_a_retry_on_the_other_server_gets_the_reply_the_first_one_gave(two_servers):
    session_id = (await start(two_servers[0], questions=5))["session_id"]
    first = await chat(two_servers[0], session_id, GOOD_ANSWERS[0], Idempotency_Key="k1")
    retry = await chat(two_servers[1], session_id, GOOD_ANSWERS[0], Idempotency_Key="k1")
    assert retry.status_code == 200 and retry.json() == first.json()
    assert answers(await transcript(two_servers[1], session_id)) == [GOOD_ANSWERS[0]]
