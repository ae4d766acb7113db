"""``python -m bench.eval_answers --brain openai`` against the fake server, as an operator runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakes.openai_fake import FakeOpenAI
from tests.support.openai_compat import MODEL

REPO = Path(__file__).resolve().parents[2]


async def test_the_answer_evaluation_runs_through_the_openai_brain_and_prints_tokens(
        tmp_path: Path):
    own = (REPO / "bench" / "cases" / "own_cases.jsonl").read_text().splitlines()
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(own[:3]) + "\n")
    async with FakeOpenAI() as fake:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("GEMINI_", "GOOGLE_", "OPENAI_", "BRAIN"))}
        env.update(OPENAI_BASE_URL=fake.base_url, OPENAI_MODEL=MODEL, PYTHONPATH=str(REPO))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.eval_answers", str(cases), "--brain", "openai",
            "--concurrency", "2", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=90)

    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "cases.jsonl: 3 cases, brain openai" in out
    billed = sum(r.usage["prompt_tokens"] + r.usage["completion_tokens"] for r in fake.requests)
    assert f"tokens: {billed:,} in all" in out
    assert "reports written by the offline fallback: 0.00 (0/3)" in out
