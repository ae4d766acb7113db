"""The real entry point (``run_api`` under uvicorn) over TCP, with API_TOKEN from the environment."""

from __future__ import annotations

import httpx

from tests.http.conftest import LiveServer
from tests.http.helpers import GOOD_ANSWERS, parse_sse


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
