"""Small helpers shared by the HTTP tests: realistic answers, SSE parsing, a whole interview."""

from __future__ import annotations

import json

import httpx

# Answers a candidate might really give: specific, owned, with outcomes.
GOOD_ANSWERS = [
    "Last spring I was 40% behind my quarterly number with five weeks left. I went back through "
    "every stalled deal, called the three largest champions myself and offered a phased rollout. "
    "Two of them signed, and I closed the quarter at 96% of target.",
    "I start discovery by confirming why they agreed to meet, then I ask about the process they "
    "use today, what it costs them, and who else feels the pain. I summarise back, agree a next "
    "step with a date, and send notes the same day. On my last team that lifted our "
    "discovery-to-demo rate from 30% to 45%.",
    "The result was that the customer renewed for two years and expanded from 40 to 65 seats, "
    "which was about 120k in new annual revenue. I owned the renewal plan and ran every call.",
]


def parse_sse(body: str) -> list[tuple[str, dict]]:
    """``event:``/``data:`` frames into (event, data) pairs, in order."""
    events = []
    for frame in body.split("\n\n"):
        if not frame.strip():
            continue
        name, data = "message", []
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").strip())
        events.append((name, json.loads("\n".join(data))))
    return events


async def start(client: httpx.AsyncClient, **options) -> dict:
    body = {"role": "sales", "questions": 2, **options}
    response = await client.post("/start_session", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def answer(client: httpx.AsyncClient, session_id: str, message: str) -> httpx.Response:
    return await client.post("/chat", json={"session_id": session_id, "message": message})


async def finish_interview(client: httpx.AsyncClient, session_id: str, max_turns: int = 10) -> list[dict]:
    """Answer until the interview ends; returns every turn. Fails if it never ends."""
    turns = []
    for turn in range(max_turns):
        response = await answer(client, session_id, GOOD_ANSWERS[turn % len(GOOD_ANSWERS)])
        assert response.status_code == 200, response.text
        turns.append(response.json())
        if turns[-1]["kind"] == "feedback":
            return turns
    raise AssertionError(f"the interview did not end after {max_turns} answers: {turns}")


async def transcript(client: httpx.AsyncClient, session_id: str) -> list[dict]:
    response = await client.get(f"/sessions/{session_id}")
    assert response.status_code == 200, response.text
    return response.json()["transcript"]
