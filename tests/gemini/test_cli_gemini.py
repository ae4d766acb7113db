"""A whole interview in the terminal adapter, with the Gemini brain talking to the fake.

Runs ``python -m bot cli --role sales --json`` as a real subprocess, configured only by
environment variables (GEMINI_API_KEY, GEMINI_BASE_URL), as an operator would.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.fakes.gemini_fake import FakeGemini, cut, error, plan
from tests.support.gemini import API_KEY, MODEL

REPO = Path(__file__).resolve().parents[2]
FIRST = ("At my last company I owned a renewal with a 40k customer. I mapped their "
         "stakeholders, ran a value review, and we renewed at 20% more.")
MORE = ("I called the champion first, I rebuilt the business case with their usage data, "
        "and as a result we closed the deal two weeks early, up 15%.")


async def test_whole_interview_in_the_terminal_with_gemini(fake: FakeGemini, tmp_path: Path):
    fake.script(
        plan("Hi! Let's begin. **Question 1 of 2**: tell me about a deal.", "greet"),
        cut('{"read": "normal", "move": "follow_up", "message": "So what did y'),  # drops
        error(429, "Resource has been exhausted"),  # the re-sent answer: retried, then fine
    )
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GEMINI_", "GOOGLE_", "DISCORD_", "SLACK_"))}
    env.update(GEMINI_API_KEY=API_KEY, GEMINI_BASE_URL=fake.base_url, GEMINI_MODEL=MODEL,
               GEMINI_TIMEOUT_SECONDS="10",
               PYTHONPATH=str(REPO), NO_COLOR="1")
    answers = [FIRST, FIRST, "/status", *[MORE] * 6]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "cli", "--role", "sales", "--questions", "2", "--json",
        "--ask", "Tell me about a deal you won.", "--ask", "Tell me about a renewal you saved.",
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(
        process.communicate("\n".join(answers).encode() + b"\n"), timeout=90)

    assert process.returncode == 0, stderr.decode()[-2000:]
    events = [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]
    kinds = [event["kind"] for event in events]
    assert len(kinds) >= 4, (kinds, stderr.decode()[-2000:])
    assert kinds[0] == "greeting" and "Question 1 of 2" in events[0]["text"]
    # The dropped stream: a clear message, then the same answer went through.
    assert kinds[1] == "error" and "dropped mid-reply" in events[1]["text"]
    assert kinds[2] in ("follow_up", "question")
    status = next(event for event in events if event.get("status"))
    assert status["status"]["brain"] == "gemini:gemini-3.8-flash"
    assert status["status"]["tokens"]["input_tokens"] > 0
    final = events[-1]
    assert final["kind"] == "feedback"
    assert final["report"]["generated_by"] == "gemini:gemini-3.8-flash"
    assert final["report"]["scores"] is not None

    # What Google would have received: the key in a header, the answers delimited.
    assert not fake.steps  # the cut and the 429 were both served
    turns = [r for r in fake.requests if r.method == "streamGenerateContent"]
    assert turns[1].last_user_text == turns[2].last_user_text == turns[3].last_user_text
    assert all(r.headers["x-goog-api-key"] == API_KEY for r in fake.requests)
    assert all("Sales" in r.system_text for r in turns)
    assert f"<candidate_answer>\n{FIRST}\n</candidate_answer>" in turns[1].last_user_text
    assert fake.requests[-1].method == "generateContent"  # the report
    # And the key is nowhere in what the program printed or logged.
    assert API_KEY not in stdout.decode() and API_KEY not in stderr.decode()
    assert "brain=gemini:gemini-3.8-flash" in stderr.decode()
