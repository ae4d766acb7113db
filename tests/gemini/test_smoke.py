"""``python -m bench.smoke_gemini``: skips without a key, never calls Google from CI.

The real-API run needs a key and is never part of the test run; here the script runs as
a subprocess against the loopback fake (``GEMINI_BASE_URL``) to show it prints latency,
tokens and cost, and without a key (or in CI) to show it skips cleanly.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakes.gemini_fake import FakeGemini
from tests.support.gemini import API_KEY

REPO = Path(__file__).resolve().parents[2]


def _environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GEMINI_", "GOOGLE_", "CI", "LOG_"))}
    env.update(PYTHONPATH=str(REPO), NO_COLOR="1", **extra)
    return env


async def _smoke(tmp_path: Path, **extra: str) -> tuple[int, str, str]:
    # The working directory has no .env, so only the environment configures it.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.smoke_gemini", cwd=tmp_path, env=_environment(**extra),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    return process.returncode, stdout.decode(), stderr.decode()


async def test_without_a_key_the_smoke_test_skips_and_sends_nothing(tmp_path: Path):
    code, out, _ = await _smoke(tmp_path)
    assert code == 0
    assert out.startswith("skipped: no GEMINI_API_KEY (or GOOGLE_API_KEY) is set")


async def test_in_ci_the_smoke_test_never_calls_google(tmp_path: Path):
    code, out, _ = await _smoke(tmp_path, GEMINI_API_KEY=API_KEY, CI="true")
    assert code == 0 and out.startswith("skipped: CI is set")


async def test_the_smoke_test_prints_latency_tokens_and_cost(tmp_path: Path):
    async with FakeGemini() as fake:
        code, out, err = await _smoke(tmp_path, GEMINI_API_KEY=API_KEY,
                                      GEMINI_BASE_URL=fake.base_url, CI="true")
    assert code == 0, err[-2000:]
    lines = out.splitlines()
    assert lines[0] == "Gemini smoke test: gemini:gemini-3.8-flash, API v1, role " \
                       "software_engineer, 2 questions"
    assert any(line.startswith("greet ") and " s " in line for line in lines)
    report = next(line for line in lines if line.startswith("report "))
    assert report.split()[1] == "-"  # the report is not streamed: no first-token time
    assert "cost: $" in out and "at $0.75 in / $3.75 out per 1M tokens" in out
    assert "report: by gemini:gemini-3.8-flash, 2 answered" in out
    assert all(r.body["store"] is False for r in fake.requests)
    assert API_KEY not in out and API_KEY not in err
