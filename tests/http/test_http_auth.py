"""The optional bearer token (API_TOKEN): every API route needs it; the page and /healthz do not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.http import create_app
from core.service import InterviewService

TOKEN = "correct-horse-battery-staple"
PUBLIC_PATHS = {"/", "/healthz"}


@pytest.fixture
def guarded_app(http_service: InterviewService):
    return create_app(http_service, api_token=TOKEN)


@pytest.fixture
async def anonymous(guarded_app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded_app),
                                 base_url="http://testserver") as client:
        yield client


def api_routes(app) -> list[tuple[str, str]]:
    """Every documented (method, path), so a route added later cannot skip the check."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path not in PUBLIC_PATHS
        for method in operations
    ]


async def test_every_api_route_refuses_a_request_without_the_token(guarded_app, anonymous):
    routes = api_routes(guarded_app)
    # roles, start, chat, stream, hint, skip, feedback, get and delete a session;
    # get, chart and delete the history.
    assert len(routes) == 12

    for method, path in routes:
        response = await anonymous.request(method, path.replace("{session_id}", "x"),
                                           params={"user_id": "someone"},
                                           json={"session_id": "x", "message": "hi"})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize("authorization", [
    "Bearer wrong-token",
    f"Bearer {TOKEN}x",
    f"Basic {TOKEN}",
    TOKEN,
    "Bearer ",
])
async def test_a_wrong_or_malformed_token_is_refused(anonymous, authorization: str):
    response = await anonymous.get("/roles", headers={"Authorization": authorization})

    assert response.status_code == 401


async def test_a_wrong_token_is_told_apart_from_a_missing_one(anonymous):
    missing = (await anonymous.get("/roles")).json()["detail"]
    wrong = (await anonymous.get("/roles", headers={"Authorization": "Bearer nope"})).json()
    assert "needs an API token" in missing
    assert "not the one this server expects" in wrong["detail"]
    assert wrong["error"] == "unauthorized"  # the same documented code for both


async def test_the_right_token_opens_the_api(anonymous):
    auth = {"Authorization": f"Bearer {TOKEN}"}

    started = await anonymous.post("/start_session", json={"role": "sales"}, headers=auth)
    turn = await anonymous.post("/chat", headers=auth, json={
        "session_id": started.json()["session_id"], "message": "I closed 12 deals last quarter."})

    assert started.status_code == 200
    assert turn.status_code == 200 and turn.json()["kind"]


@pytest.mark.parametrize("path", ["/", "/healthz", "/static/app.js", "/static/style.css",
                                  "/docs", "/openapi.json"])
async def test_the_page_health_check_and_docs_need_no_token(anonymous, path: str):
    response = await anonymous.get(path)

    assert response.status_code == 200


async def test_the_token_never_appears_in_the_openapi_schema(anonymous):
    schema = (await anonymous.get("/openapi.json")).text

    assert TOKEN not in schema
    assert '"HTTPBearer"' in schema  # documented as a security scheme
