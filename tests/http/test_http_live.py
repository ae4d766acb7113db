"""The real entry point (``run_api`` under uvicorn) over TCP, with API_TOKEN from the environment."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx

from tests.http.helpers import GOOD_ANSWERS, parse_sse
from tests.support.http import LiveServer


async def test_run_api_serves_the_page_and_guards_the_api_with_the_token(live_server: LiveServer):
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        page = await client.get("/")
        health = await client.get("/healthz")
        refused = await client.get("/roles")
        allowed = await client.get("/roles", headers={"Authorization": f"Bearer {live_server.token}"})

    assert page.status_code == 200 and "<title>Interview practice</title>" in page.text
    assert health.json()["status"] == "ok"
    assert refused.status_code == 401
    assert allowed.status_code == 200 and allowed.json()["roles"]


async def test_a_turn_streams_over_a_real_socket_and_logs_keep_secrets_out(live_server: LiveServer):
    auth = {"Authorization": f"Bearer {live_server.token}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=auth) as client:
        started = (await client.post("/start_session", json={"role": "sales"})).json()
        body = {"session_id": started["session_id"], "message": GOOD_ANSWERS[0]}
        async with client.stream("POST", "/chat/stream", json=body) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            chunks = [chunk async for chunk in response.aiter_text()]

    events = parse_sse("".join(chunks))
    assert events[-1][0] == "reply"
    assert sum(1 for name, _ in events if name == "delta") > 3
    log = live_server.log_path.read_text()
    assert "http.serving" in log and "http.session_started" in log
    assert live_server.token not in log
    assert started["session_id"] not in log


async def test_the_access_log_hides_session_ids_and_user_ids(live_server: LiveServer):
    auth = {"Authorization": f"Bearer {live_server.token}"}
    user_id = "live-user-" + "q" * 20
    async with httpx.AsyncClient(base_url=live_server.url, headers=auth) as client:
        started = (await client.post("/start_session",
                                     json={"role": "sales", "user_id": user_id})).json()
        viewed = await client.get(f"/sessions/{started['session_id']}")
        listed = await client.get("/history", params={"user_id": user_id, "limit": 3})

    assert viewed.status_code == 200 and listed.status_code == 200
    log = live_server.log_path.read_text()
    assert "GET /sessions/[hidden]" in log  # the access log is on, with the id masked
    assert "GET /history?user_id=[hidden]&limit=3" in log
    assert started["session_id"] not in log and user_id not in log


async def test_a_twenty_megabyte_body_over_a_real_socket_is_a_readable_413(live_server: LiveServer):
    auth = {"Authorization": f"Bearer {live_server.token}", "Content-Type": "application/json"}
    body = json.dumps({"role": "sales", "context": "x" * 20_000_000}).encode()

    async def chunked() -> AsyncIterator[bytes]:  # the same body with no Content-Length
        for start in range(0, len(body), 65_536):
            yield body[start:start + 65_536]

    async with httpx.AsyncClient(base_url=live_server.url, headers=auth, timeout=30) as client:
        declared = await client.post("/start_session", content=body)
        streamed = await client.post("/start_session", content=chunked())
        health = await client.get("/healthz")

    for refused in (declared, streamed):
        # The client finished sending and read the answer: no reset connection.
        assert refused.status_code == 413
        assert refused.json()["error"] == "request_too_large"
    assert health.status_code == 200  # the server carries on
