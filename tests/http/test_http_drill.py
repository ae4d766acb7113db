"""The bad-input drill through HTTP: every odd input gets a clear status, and nothing crashes.

Each input of ``tests/support/corpus.py`` goes through POST /chat (some through
/chat/stream too), sent the way a real client sends JSON: ASCII-escaped, so even a
lone surrogate arrives as ``\\ud800``. What is rejected (blank, or over 20,000
characters) is a readable 422 that leaves the interview as it was; everything else
is a turn. No response ever carries a raw control character, and a huge or
corrupt resume is bounded.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.http.schemas import MAX_MESSAGE_CHARS
from adapters.http.sessions import identities
from core.models import MAX_CONTEXT_CHARS
from core.service import InterviewService
from tests.http.helpers import GOOD_ANSWERS, parse_sse, start, transcript
from tests.support.corpus import CORPUS, Odd

STREAMED = {"zero_width_only", "control_mixed", "rtl", "bidi_override", "html", "lone_surrogate",
            "one_huge_word", "fifty_thousand"}
MEGABYTE = 1_000_000


def post_json(client: httpx.AsyncClient, path: str, body: dict) -> httpx.Response:
    """Like ``client.post(json=...)``, but ASCII-escaped as most clients send it."""
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def refused_by_http(odd: Odd) -> bool:
    return odd.rejected or len(odd.text) > MAX_MESSAGE_CHARS


def assert_clean_text(body: bytes) -> None:
    """Valid UTF-8 (no lone surrogates), and no raw control character outside SSE framing."""
    text = body.decode("utf-8")  # strict: raises on anything that is not UTF-8
    raw = [ch for ch in text.replace("\n", "") if unicodedata.category(ch) in ("Cc", "Cs")]
    assert raw == []


async def assert_carries_on(client: httpx.AsyncClient, session_id: str) -> None:
    turn = await post_json(client, "/chat", {"session_id": session_id, "message": GOOD_ANSWERS[2]})
    assert turn.status_code == 200 and turn.json()["text"]
    report = await client.post("/feedback", json={"session_id": session_id})
    assert report.status_code == 200 and report.json()["summary"]
    assert_clean_text(report.content)


@pytest.mark.parametrize("odd", CORPUS, ids=[odd.name for odd in CORPUS])
async def test_every_odd_answer_gets_a_clear_status_through_chat(client: httpx.AsyncClient,
                                                                 odd: Odd):
    session_id = (await start(client, questions=3))["session_id"]
    before = await transcript(client, session_id)

    response = await post_json(client, "/chat", {"session_id": session_id, "message": odd.text})

    assert_clean_text(response.content)
    after = await transcript(client, session_id)
    if refused_by_http(odd):
        assert response.status_code == 422
        assert response.json()["detail"].startswith("Invalid request. message: the message is ")
        assert after == before  # nothing half-saved
    else:
        assert response.status_code == 200
        assert response.json()["text"].strip() and response.json()["kind"] != "error"
        assert len(after) == len(before) + 2
        stored = after[-2]["text"]
        assert stored and len(stored) <= 8_000
        assert "\x00" not in stored and "\u200b" not in stored and "\u202e" not in stored
    await assert_carries_on(client, session_id)


@pytest.mark.parametrize("odd", [odd for odd in CORPUS if odd.name in STREAMED],
                         ids=lambda odd: odd.name)
async def test_odd_answers_through_the_stream_end_in_one_reply_or_a_json_422(
        client: httpx.AsyncClient, odd: Odd):
    session_id = (await start(client, questions=3))["session_id"]
    before = await transcript(client, session_id)

    response = await post_json(client, "/chat/stream",
                               {"session_id": session_id, "message": odd.text})

    assert_clean_text(response.content)
    if refused_by_http(odd):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/json")
        assert await transcript(client, session_id) == before
    else:
        assert response.status_code == 200
        events = parse_sse(response.text)
        assert [name for name, _ in events].count("reply") == 1 and events[-1][0] == "reply"
        assert events[-1][1]["text"].strip()
    await assert_carries_on(client, session_id)


@pytest.mark.parametrize(("role", "words"), [
    ("\u200b\u202e", "role: the role is empty"),
    ("\x00\x07", "role: the role is empty"),
    ("sa\u200bles\x00", None),  # invisible characters dropped: it is simply "sales"
    ("<script>alert(1)</script>", "I don't know the role “<script>alert(1)</script>”"),
    ("I did it \ud800 anyway.", "role: Input should be a valid string"),
])
async def test_odd_roles_are_cleaned_or_refused_readably(client: httpx.AsyncClient, role: str,
                                                         words: str | None):
    response = await post_json(client, "/start_session", {"role": role})

    assert_clean_text(response.content)
    if words is None:
        assert response.status_code == 200
        assert "Sales" in response.json()["text"]
    else:
        assert response.status_code == 422
        assert words in response.json()["detail"]


# ------------------------------------------------------------------ resumes: corrupt and huge


def corrupt_resume(chars: int) -> str:
    """What a binary file (a PDF, a zip) looks like when pasted as text: bytes read as Latin-1."""
    noise = random.Random(7).randbytes(chars).decode("latin-1")
    return "%PDF-1.7\n" + noise + "\nJohn Doe, account executive, closed 1.2M in 2024."


async def test_a_corrupt_resume_is_cleaned_and_bounded_to_what_core_keeps(
        client: httpx.AsyncClient, http_service: InterviewService):
    resume = corrupt_resume(40_000)
    assert sum(unicodedata.category(ch) == "Cc" for ch in resume) > 1000

    response = await post_json(client, "/start_session", {"role": "sales", "context": resume})

    assert response.status_code == 200
    assert_clean_text(response.content)
    session = await http_service.session_for(*identities(response.json()["session_id"]))
    context = session.options.context
    assert context.startswith("%PDF-1.7") and len(context) <= MAX_CONTEXT_CHARS
    assert all(ch in "\n\t" or unicodedata.category(ch) != "Cc" for ch in context)


async def test_a_resume_over_the_field_limit_is_a_readable_422(client: httpx.AsyncClient):
    response = await post_json(client, "/start_session", {"role": "sales", "context": "x" * 50_001})

    assert response.status_code == 422
    assert response.json()["detail"] == ("Invalid request. context: String should have at most "
                                         "50000 characters")


async def test_a_twenty_megabyte_resume_is_a_friendly_413_and_the_api_carries_on(
        client: httpx.AsyncClient):
    body = json.dumps({"role": "sales", "context": "résumé " * (20 * MEGABYTE // 7)})
    assert len(body.encode()) > 20 * MEGABYTE

    response = await client.post("/start_session", content=body,
                                 headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"
    assert "the limit is 1,000 KB" in response.json()["detail"]
    assert "12,000 characters" in response.json()["detail"]
    assert (await client.post("/start_session", json={"role": "sales"})).status_code == 200


async def test_a_huge_body_without_a_length_is_refused_once_past_the_limit(
        client: httpx.AsyncClient):
    async def chunks() -> AsyncIterator[bytes]:  # Transfer-Encoding: chunked, no Content-Length
        yield b'{"role": "sales", "context": "'
        for _ in range(20 * 16):  # 20 MB in 64 KB pieces
            yield b"x" * 65_536
        yield b'"}'

    response = await client.post("/start_session", content=chunks(),
                                 headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"
    assert "the limit is 1,000 KB" in response.json()["detail"]


async def test_an_oversized_answer_is_413_and_the_interview_is_untouched(
        client: httpx.AsyncClient):
    session_id = (await start(client))["session_id"]
    before = await transcript(client, session_id)

    response = await post_json(client, "/chat", {"session_id": session_id,
                                                 "message": "I led it. " * 200_000})

    assert response.status_code == 413
    assert await transcript(client, session_id) == before


async def test_a_body_that_is_not_utf8_is_a_readable_422(client: httpx.AsyncClient):
    response = await client.post("/chat", content=b'{"session_id": "x", "message": "\xff\xfe"}',
                                 headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.json()["detail"] == ("Invalid request. The body could not be read: send JSON "
                                         "encoded as UTF-8.")
