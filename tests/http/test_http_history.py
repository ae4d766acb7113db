"""Practice identity and history over HTTP: ``user_id`` at the start, GET/DELETE /history, the chart."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest
import structlog

from adapters.http import create_app
from adapters.http.sessions import practice_who, user_key
from core.history import Dimension, HistoryEntry, Trend, trend
from core.models import Where, Who
from core.service import InterviewService
from core.stores import Storage
from core.stores.sqlite import sqlite_storage
from tests.http.helpers import GOOD_ANSWERS, answer, finish_interview, start
from tests.support.brains import ScriptedBrain, word_streamer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def new_user() -> str:
    return secrets.token_urlsafe(16)  # what the page does: random, kept by the client


async def history(client: httpx.AsyncClient, user_id: str, **params) -> dict:
    response = await client.get("/history", params={"user_id": user_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def practise(client: httpx.AsyncClient, user_id: str, **options) -> str:
    """One whole interview for the user; returns its session id."""
    session_id = (await start(client, user_id=user_id, **options))["session_id"]
    await finish_interview(client, session_id)
    return session_id


# ------------------------------------------------------------------ practice identity


async def test_a_user_id_makes_the_user_a_practice_identity_and_the_session_the_conversation(
        client: httpx.AsyncClient, http_service: InterviewService):
    user_id = new_user()

    started = await start(client, user_id=user_id)
    session_id = started["session_id"]

    who = Who(platform="http", user_id=user_key(user_id))
    session = await http_service.session_for(who, Where(platform="http", conversation_id=session_id))
    assert session is not None and session.who == who
    assert user_id not in session_id  # the session carries a one-way key, not the user id
    assert await http_service.session_for(Who(platform="http", user_id=user_id),
                                          Where(platform="http", conversation_id=session_id)) is None
    # Every verb still addresses the interview by its session id alone.
    assert (await answer(client, session_id, GOOD_ANSWERS[0])).status_code == 200
    assert (await client.post("/hint", json={"session_id": session_id})).status_code == 200
    view = (await client.get(f"/sessions/{session_id}")).json()
    assert [e["text"] for e in view["transcript"] if e["speaker"] == "candidate"] == [GOOD_ANSWERS[0]]


async def test_one_user_can_hold_two_interviews_at_once(client: httpx.AsyncClient):
    user_id = new_user()

    first = (await start(client, user_id=user_id))["session_id"]
    second = (await start(client, user_id=user_id, role="pm"))["session_id"]
    await answer(client, first, GOOD_ANSWERS[0])

    assert first != second
    assert (await client.get(f"/sessions/{first}")).json()["status"]["role"] == "sales"
    assert (await client.get(f"/sessions/{second}")).json()["status"]["role"] == "product_manager"
    assert len((await client.get(f"/sessions/{second}")).json()["transcript"]) == 1


@pytest.mark.parametrize("user_id", ["", "has space", "x" * 129, "ünïcode", "a/b", "a.b",
                                     "line\nbreak", "\u200b"])
async def test_an_unusable_user_id_is_a_readable_422(client: httpx.AsyncClient, user_id: str):
    response = await client.post("/start_session", json={"role": "sales", "user_id": user_id})

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["detail"].startswith("Invalid request. user_id: ")
    assert body["errors"][0]["field"] == "user_id"
    assert "use 1 to 128 letters, digits, '-' or '_'" in body["detail"]


async def test_the_session_survives_a_restart_with_its_user(tmp_path):
    """SQLite store, two app instances one after the other: the session id alone finds it again."""
    user_id, path = new_user(), tmp_path / "bot.sqlite3"

    async def app_client(storage: Storage) -> httpx.AsyncClient:
        app = create_app(InterviewService(brain=word_streamer(), store=storage.sessions,
                                          history=storage.history))
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

    storage = sqlite_storage(path)
    async with await app_client(storage) as client:
        session_id = (await start(client, user_id=user_id))["session_id"]
        await answer(client, session_id, GOOD_ANSWERS[0])
    await storage.close()

    storage = sqlite_storage(path)
    try:
        async with await app_client(storage) as client:
            await finish_interview(client, session_id)
            entries = (await history(client, user_id))["interviews"]
    finally:
        await storage.close()
    assert len(entries) == 1 and entries[0]["role"] == "sales"


# ------------------------------------------------------------------ GET /history


async def test_history_lists_the_users_finished_interviews_newest_first(client: httpx.AsyncClient):
    mine, theirs = new_user(), new_user()
    await practise(client, mine, role="sales", difficulty="junior")
    await practise(client, mine, role="pm", difficulty="senior")
    await practise(client, theirs, role="ux")
    await start(client, user_id=mine)  # still open: not history yet

    response = await client.get("/history", params={"user_id": mine})

    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    interviews = body["interviews"]
    assert [(i["role"], i["difficulty"]) for i in interviews] == [
        ("product_manager", "senior"), ("sales", "junior")]
    assert interviews[0]["finished_at"] >= interviews[1]["finished_at"]
    for interview in interviews:
        assert interview["date"] == time.strftime("%Y-%m-%d", time.gmtime(interview["finished_at"]))
        assert time.time() - interview["finished_at"] < 600
        assert set(interview["scores"]) == {"communication", "technical", "structure"}
        assert all(1 <= score <= 5 for score in interview["scores"].values())
        assert set(interview) == {"id", "date", "finished_at", "role", "difficulty", "scores"}
    assert set(body["trends"]) == {"communication", "technical", "structure"}
    assert (await history(client, theirs))["interviews"][0]["role"] == "ux_designer"
    assert await history(client, new_user()) == {
        "interviews": [], "trends": {dim.value: "too_early" for dim in Dimension}}


async def test_the_trend_of_each_score_follows_the_users_interviews(
        client: httpx.AsyncClient, http_service: InterviewService):
    user_id = new_user()
    await practise(client, user_id)
    recorded = (await http_service.progress(practice_who(user_id))).entries[0]
    first = await http_service.history.get_entry("http", recorded.user_id, recorded.id)
    # Six earlier interviews: communication climbs, technical falls, structure holds.
    climbing, falling, steady = [2, 2, 2, 4, 4, 4], [5, 5, 5, 2, 2, 2], [3, 3, 3, 3, 3, 3]
    for index, scores in enumerate(zip(climbing, falling, steady, strict=True)):
        copy = first.model_copy(update={
            "id": f"earlier-{index}", "finished_at": first.finished_at - 3600 * (10 - index),
            **dict(zip(["communication", "technical", "structure"], scores, strict=True))})
        await http_service.history.record(HistoryEntry.model_validate(copy.model_dump()))

    body = await history(client, user_id, limit=6)

    assert len(body["interviews"]) == 6  # the real one and the five latest copies
    series = {dim: [i["scores"][dim] for i in reversed(body["interviews"])]
              for dim in ("communication", "technical", "structure")}
    assert body["trends"] == {dim: trend(values).value for dim, values in series.items()}
    assert body["trends"]["technical"] == Trend.slipping


@pytest.mark.parametrize(("params", "words"), [
    ({}, "user_id: user_id is required"),
    ({"user_id": "not ok!"}, "user_id: this user_id cannot be used"),
    ({"user_id": "ok", "limit": 0}, "limit: Input should be greater than or equal to 1"),
    ({"user_id": "ok", "limit": 51}, "limit: Input should be less than or equal to 50"),
])
async def test_a_bad_history_query_is_a_readable_422(client: httpx.AsyncClient, params, words):
    for path in ("/history", "/history/chart.png"):
        response = await client.get(path, params=params)

        assert response.status_code == 422, path
        assert words in response.json()["detail"]


async def test_the_chart_is_a_png_of_the_users_scores(client: httpx.AsyncClient):
    user_id = new_user()
    empty = await client.get("/history/chart.png", params={"user_id": user_id})
    await practise(client, user_id)
    await practise(client, user_id)

    chart = await client.get("/history/chart.png", params={"user_id": user_id})

    assert chart.status_code == 200
    assert chart.headers["content-type"] == "image/png"
    assert chart.headers["cache-control"] == "no-store"  # private data: no shared caches
    assert chart.content.startswith(PNG_SIGNATURE)
    assert empty.content.startswith(PNG_SIGNATURE)
    assert len(chart.content) > len(empty.content)  # two lines of points drawn


async def test_history_needs_the_api_token_when_the_server_sets_one(http_service: InterviewService):
    app = create_app(http_service, api_token="s3cret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        refused = await client.get("/history", params={"user_id": "someone"})
        chart = await client.get("/history/chart.png", params={"user_id": "someone"})
        delete = await client.delete("/history", params={"user_id": "someone"})
        allowed = await client.get("/history", params={"user_id": "someone"},
                                   headers={"Authorization": "Bearer s3cret"})

    assert [refused.status_code, chart.status_code, delete.status_code] == [401, 401, 401]
    assert allowed.status_code == 200


# ------------------------------------------------------------------ DELETE /history


async def test_forgetting_a_user_deletes_their_history_and_open_interviews_only(
        client: httpx.AsyncClient):
    user_id, other = new_user(), new_user()
    await practise(client, user_id)
    await practise(client, user_id)
    open_session = (await start(client, user_id=user_id))["session_id"]
    others_session = await practise(client, other)

    response = await client.delete("/history", params={"user_id": user_id})

    # Two finished interviews; three sessions (the two finished ones are kept until they expire).
    assert response.status_code == 200
    assert response.json() == {"interviews": 2, "sessions": 3}
    assert (await history(client, user_id))["interviews"] == []
    assert (await answer(client, open_session, GOOD_ANSWERS[0])).status_code == 404
    assert len((await history(client, other))["interviews"]) == 1
    assert (await client.get(f"/sessions/{others_session}")).status_code == 200
    again = await client.delete("/history", params={"user_id": user_id})
    assert again.json() == {"interviews": 0, "sessions": 0}


# ------------------------------------------------------------------ re-running a failed report


async def test_feedback_reruns_a_report_that_fell_back_once_the_model_is_back(
        client: httpx.AsyncClient, brain: ScriptedBrain):
    user_id = new_user()
    session_id = (await start(client, user_id=user_id))["session_id"]
    await answer(client, session_id, GOOD_ANSWERS[0])  # of two questions: still open

    brain.down = True
    fell_back = (await client.post("/feedback", json={"session_id": session_id})).json()
    still_down = await client.post("/feedback", json={"session_id": session_id})
    brain.down = False
    rerun = await client.post("/feedback", json={"session_id": session_id})

    assert "offline reviewer" in fell_back["notice"]
    assert still_down.status_code == 200 and "offline reviewer" in still_down.json()["notice"]
    assert rerun.status_code == 200  # a finished interview's report, not 409
    assert rerun.json()["notice"] is None and rerun.json()["answered"] == 1
    view = (await client.get(f"/sessions/{session_id}")).json()
    assert view["state"] == "finished" and view["report"]["notice"] is None
    assert len((await history(client, user_id))["interviews"]) == 1  # replaced, not added
    assert (await client.post("/feedback", json={"session_id": session_id})).json() == rerun.json()


# ------------------------------------------------------------------ privacy of the ids


async def test_logs_carry_fingerprints_never_the_user_id(client: httpx.AsyncClient):
    user_id = new_user()
    with structlog.testing.capture_logs() as logs:
        await practise(client, user_id)
        await history(client, user_id)
        await client.delete("/history", params={"user_id": user_id})

    events = {entry["event"] for entry in logs}
    assert {"http.session_started", "http.history", "http.forgot_user"} <= events
    assert user_id not in repr(logs)


async def test_without_a_user_id_the_session_is_its_own_user_as_before(
        client: httpx.AsyncClient, http_service: InterviewService):
    session_id = (await start(client))["session_id"]
    await finish_interview(client, session_id)

    progress = await http_service.progress(Who(platform="http", user_id=session_id))

    assert len(progress.entries) == 1 and "." not in session_id


async def test_openapi_documents_the_history_and_the_user_id(client: httpx.AsyncClient):
    schema = (await client.get("/openapi.json")).json()

    assert {"get", "delete"} <= set(schema["paths"]["/history"])
    chart = schema["paths"]["/history/chart.png"]["get"]
    assert "image/png" in chart["responses"]["200"]["content"]
    assert {"401", "422"} <= set(chart["responses"])
    start_fields = schema["components"]["schemas"]["StartSessionRequest"]["properties"]
    assert "practice identity" in start_fields["user_id"]["description"]
