"""A whole interview in the terminal adapter, the OpenAI-compatible brain talking to the fake.

Runs ``python -m bot cli --role sales --json`` as a real subprocess, configured only by
environment variables (BRAIN, OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_API_KEY), as an
operator would, against a hosted-style server that wants a key and a local one that
does not support JSON schemas.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.fakes.openai_fake import FakeOpenAI, cut, plan, rate_limited
from tests.support.openai_compat import API_KEY, MODEL

REPO = Path(__file__).resolve().parents[2]
FIRST = ("At my last company I owned a renewal with a 40k customer. I mapped their "
         "stakeholders, ran a value review, and we renewed at 20% more.")
MORE = ("I called the champion first, I rebuilt the business case with their usage data, "
        "and as a result we closed the deal two weeks early, up 15%.")


async def _run_cli(fake: FakeOpenAI, answers: list[str], tmp_path: Path,
                   **env_extra: str) -> tuple[list[dict], str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GEMINI_", "GOOGLE_", "OPENAI_", "DISCORD_", "SLACK_"))}
    env.update(BRAIN="openai", OPENAI_BASE_URL=fake.base_url, OPENAI_MODEL=MODEL,
               OPENAI_TIMEOUT_SECONDS="10", PYTHONPATH=str(REPO), NO_COLOR="1", **env_extra)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "cli", "--role", "sales", "--questions", "2", "--json",
        "--ask", "Tell me about a deal you won.", "--ask", "Tell me about a renewal you saved.",
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(
        process.communicate("\n".join(answers).encode() + b"\n"), timeout=90)
    assert process.returncode == 0, stderr.decode()[-2000:]
    events = [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]
    assert API_KEY not in stdout.decode() and API_KEY not in stderr.decode()
    return events, stderr.decode()


async def test_whole_interview_in_the_terminal_with_a_hosted_provider(tmp_path: Path):
    async with FakeOpenAI(api_key=API_KEY) as fake:
        fake.script(
            plan("Hi! Let's begin. **Question 1 of 2**: tell me about a deal.", "greet"),
            cut('{"read": "normal", "move": "follow_up", "message": "So what did y'),  # drops
            rate_limited("0.1"),  # the re-sent answer: waited out, then fine
        )
        events, stderr = await _run_cli(fake, [FIRST, FIRST, "/status", *[MORE] * 6], tmp_path,
                                        OPENAI_API_KEY=API_KEY)

    kinds = [event["kind"] for event in events]
    assert kinds[0] == "greeting" and "Question 1 of 2" in events[0]["text"]
    assert kinds[1] == "error" and "dropped mid-reply" in events[1]["text"]
    assert kinds[2] in ("follow_up", "question")
    status = next(event for event in events if event.get("status"))
    assert status["status"]["brain"] == f"openai:{MODEL}"
    assert status["status"]["tokens"]["input_tokens"] > 0
    final = events[-1]
    assert final["kind"] == "feedback" and final["report"]["scores"] is not None
    assert final["report"]["generated_by"] == f"openai:{MODEL}"

    assert not fake.steps  # the cut and the 429 were both served
    turns = [r for r in fake.requests if r.stream]
    assert turns[1].last_user_text == turns[2].last_user_text == turns[3].last_user_text
    assert f"<candidate_answer>\n{FIRST}\n</candidate_answer>" in turns[1].last_user_text
    assert all(r.headers["authorization"] == f"Bearer {API_KEY}" for r in fake.requests)
    assert not fake.requests[-1].stream  # the report
    host = fake.base_url.removeprefix("http://").removesuffix("/v1")
    assert f"brain=openai:{MODEL} at {host}" in stderr


async def test_whole_interview_in_the_terminal_with_a_local_server_without_schemas(
        tmp_path: Path):
    async with FakeOpenAI(schema_support="none", think=True) as fake:
        events, _ = await _run_cli(fake, [FIRST, *[MORE] * 6], tmp_path)

    assert events[0]["kind"] == "greeting" and events[-1]["kind"] == "feedback"
    assert events[-1]["report"]["generated_by"] == f"openai:{MODEL}"
    assert not any(event["kind"] == "error" for event in events)
    assert all("authorization" not in r.headers for r in fake.requests)
    assert [r.response_format.get("type") for r in fake.requests[:2]] == ["json_schema",
                                                                          "json_object"]


async def test_an_incomplete_configuration_stops_at_start_up(tmp_path: Path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENAI_")}
    env.update(BRAIN="openai", OPENAI_BASE_URL="http://127.0.0.1:9/v1", PYTHONPATH=str(REPO))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "cli", "--role", "sales", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 2
    assert "OPENAI_MODEL" in stderr.decode()
