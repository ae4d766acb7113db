"""The HTTP API's happy paths, through the real FastAPI app (httpx ASGI transport)."""

from __future__ import annotations

import asyncio

import httpx
import structlog

from adapters.http.sessions import fingerprint
from core.models import Where, Who
from core.service import InterviewService
from tests.http.helpers import GOOD_ANSWERS, answer, finish_interview, start, transcript


async def test_roles_lists_every_role_with_the_choices_the_page_needs(client: httpx.AsyncClient,
                                                                     http_service: InterviewService):
    response = await client.get("/roles")

    assert response.status_code == 200
    body = response.json()
    assert [role["id"] for role in body["roles"]] == [role.id for role in http_service.roles()]
    sales = next(role for role in body["roles"] if role["id"] == "sales")
    assert sales["name"] and sales["summary"] and sales["aliases"]
    assert body["difficulties"] == ["junior", "mid", "senior"]
    assert set(body["focuses"]) == {"behavioural", "technical", "mixed"}
    assert body["questions"] == {"min": 1, "max": 15, "default": 5}


async def test_healthz_names_the_brain(client: httpx.AsyncClient):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "brain": "offline"}


async def test_start_session_returns_an_unguessable_id_the_greeting_and_the_first_question(
        client: httpx.AsyncClient):
    first = await start(client, difficulty="senior", questions=3, focus="behavioural")
    second = await start(client)

    assert first["session_id"] != second["session_id"]
    assert len(first["session_id"]) >= 32  # 192 bits from secrets.token_urlsafe
    assert first["kind"] == "greeting"
    assert first["greeting"] == first["text"]
    assert first["question"] and first["question"] in first["text"]
    assert (first["question_index"], first["question_total"]) == (1, 3)
    assert first["actions"] == ["hint", "skip", "end"]
    assert first["report"] is None


async def test_each_http_session_is_its_own_user_and_conversation_in_core(
        client: httpx.AsyncClient, http_service: InterviewService):
    started = await start(client, role="pm", difficulty="junior", questions=4, focus="technical",
                          context="Seed-stage fintech, owns onboarding and activation metrics.")
    session_id = started["session_id"]

    session = await http_service.session_for(Who(platform="http", user_id=session_id),
                                             Where(platform="http", conversation_id=session_id))

    assert session is not None
    assert session.role_id == "product_manager"  # the alias was resolved
    assert (session.options.difficulty, session.options.questions, session.options.focus) == (
        "junior", 4, "technical")
    assert "fintech" in session.options.context


async def test_custom_questions_are_asked_first(client: httpx.AsyncClient):
    mine = "How would you sell to a customer who just churned from us"

    started = await start(client, custom_questions=[mine, "   "], questions=2)

    assert started["question"].startswith(mine)


async def test_a_whole_interview_over_chat_ends_with_the_report(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]

    turns = await finish_interview(client, session_id)

    for turn in turns:
        assert set(turn) >= {"kind", "text", "persona", "question_index", "question_total",
                             "question", "actions", "report"}
        assert turn["persona"] in {"normal", "efficient", "chatty", "confused", "off_topic",
                                   "abusive"}
    assert [turn["question_index"] for turn in turns] == sorted(t["question_index"] for t in turns)
    assert turns[-1]["question_index"] == 2
    final = turns[-1]
    assert final["actions"] == [] and final["question"] is None
    report = final["report"]
    assert report["answered"] == 2
    assert 1 <= report["scores"]["communication"]["score"] <= 5
    assert report["scores"]["technical"]["reason"]
    assert len(report["questions"]) == 2
    for review in report["questions"]:  # the terminal's names: questions[i].star.result
        assert review["star"] == "not_applicable" or isinstance(review["star"]["result"], bool)
    assert report["next_steps"]


async def test_feedback_ends_early_and_returns_the_same_report_every_time(client: httpx.AsyncClient):
    session_id = (await start(client, questions=3))["session_id"]
    assert (await answer(client, session_id, GOOD_ANSWERS[0])).status_code == 200

    first = await client.post("/feedback", json={"session_id": session_id})
    again = await client.post("/feedback", json={"session_id": session_id})

    assert first.status_code == 200 and again.status_code == 200
    report = first.json()
    assert report == again.json()
    assert report["answered"] == 1
    assert report["role"] and report["summary"]
    assert GOOD_ANSWERS[0][:40] in report["questions"][0]["answer_excerpt"]
    assert [q["score"] is not None for q in report["questions"]].count(True) == 1


async def test_feedback_with_no_answers_has_no_invented_scores(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]

    report = (await client.post("/feedback", json={"session_id": session_id})).json()

    assert report["answered"] == 0
    assert report["scores"] is None


async def test_hint_keeps_the_question_and_skip_moves_on(client: httpx.AsyncClient):
    started = await start(client, questions=2)
    session_id = started["session_id"]

    hint = (await client.post("/hint", json={"session_id": session_id})).json()
    skipped = (await client.post("/skip", json={"session_id": session_id})).json()
    last = (await client.post("/skip", json={"session_id": session_id})).json()

    assert hint["kind"] == "hint" and hint["question"] == started["question"]
    assert hint["question_index"] == 1
    assert skipped["kind"] == "question" and skipped["question_index"] == 2
    assert skipped["question"] != started["question"]
    assert last["kind"] == "feedback"
    assert all(q["skipped"] for q in last["report"]["questions"])


async def test_session_view_has_status_and_a_transcript_in_order(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]
    await answer(client, session_id, GOOD_ANSWERS[0])

    view = (await client.get(f"/sessions/{session_id}")).json()

    assert view["session_id"] == session_id
    assert view["state"] == "active"
    assert view["status"]["role"] == "sales" and view["status"]["question_total"] == 2
    assert view["status"]["answers_given"] == 1
    speakers = [entry["speaker"] for entry in view["transcript"]]
    assert speakers == ["interviewer", "candidate", "interviewer"]
    assert view["transcript"][0]["kind"] == "greeting"
    assert view["transcript"][1]["text"] == GOOD_ANSWERS[0]
    assert view["transcript"][1]["persona"] and view["transcript"][1]["question_index"] == 1
    assert view["report"] is None

    await client.post("/feedback", json={"session_id": session_id})
    finished = (await client.get(f"/sessions/{session_id}")).json()
    assert finished["state"] == "finished" and finished["report"]["answered"] == 1
    assert finished["question"] is None


async def test_delete_discards_the_session(client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]

    deleted = await client.delete(f"/sessions/{session_id}")

    assert deleted.status_code == 200
    assert deleted.json() == {"session_id": session_id, "deleted": True}
    assert (await client.get(f"/sessions/{session_id}")).status_code == 404
    assert (await answer(client, session_id, GOOD_ANSWERS[0])).status_code == 404


async def test_sessions_do_not_leak_into_each_other(client: httpx.AsyncClient):
    first = (await start(client))["session_id"]
    second = (await start(client))["session_id"]

    await answer(client, first, GOOD_ANSWERS[0])

    assert len(await transcript(client, first)) == 3
    assert len(await transcript(client, second)) == 1


async def test_two_answers_sent_at_once_are_both_kept_in_order_never_interleaved(
        client: httpx.AsyncClient):
    session_id = (await start(client, questions=5))["session_id"]

    responses = await asyncio.gather(answer(client, session_id, GOOD_ANSWERS[0]),
                                     answer(client, session_id, GOOD_ANSWERS[1]))

    assert [r.status_code for r in responses] == [200, 200]
    entries = await transcript(client, session_id)
    assert [e["speaker"] for e in entries] == ["interviewer", "candidate", "interviewer",
                                               "candidate", "interviewer"]
    assert [e["text"] for e in entries if e["speaker"] == "candidate"] == GOOD_ANSWERS[:2]


async def test_logs_carry_a_fingerprint_never_the_session_id(client: httpx.AsyncClient):
    with structlog.testing.capture_logs() as logs:
        session_id = (await start(client))["session_id"]
        await answer(client, session_id, GOOD_ANSWERS[0])

    http_events = [entry for entry in logs if entry["event"].startswith("http.")]
    assert {"http.session_started", "http.turn"} <= {entry["event"] for entry in http_events}
    assert all(entry["session"] == fingerprint(session_id) for entry in http_events)
    assert session_id not in repr(logs)


async def test_the_page_and_its_assets_are_served_with_a_strict_content_policy(
        client: httpx.AsyncClient):
    page = await client.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert asset in page.text
        assert (await client.get(asset)).status_code == 200


async def test_openapi_documents_every_endpoint(client: httpx.AsyncClient):
    schema = (await client.get("/openapi.json")).json()

    assert {"/start_session", "/chat", "/chat/stream", "/feedback", "/hint", "/skip", "/roles",
            "/sessions/{session_id}", "/healthz"} <= set(schema["paths"])
    chat = schema["paths"]["/chat"]["post"]
    assert {"200", "404", "409", "422", "503"} <= set(chat["responses"])
    assert (await client.get("/docs")).status_code == 200
