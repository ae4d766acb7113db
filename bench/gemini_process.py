"""The fake Gemini (tests/fakes) in a process of its own, for the deadline and fault benchmarks.

Run apart from the bot, its work (JSON, streaming, sleeping connections) does not share
the bot's event loop, as Google's servers would not. The real ``GeminiBrain`` (the
google-genai SDK, streaming) talks to it over loopback.

``python -m bench.gemini_process MODE SEED`` prints ``PORT <n>`` once it serves, and
``STATS {json}`` (calls, faults injected) when stopped with SIGTERM. Modes:

- ``slow``: every call takes 2-8 s, then a plausible interviewer answers;
- ``faulty``: healthy calls take 0.2-1 s; 20% fail (a 429, a 500, a hang beyond the
  client's timeout, or for streamed replies a stream cut mid-way).

Replies end with ``[ref <label>]``, the label of the answer they reply to (``start``
for the greeting, ``h`` for a hint), so a benchmark can tell which reply is whose.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.fakes.gemini_fake import FakeGemini, Recorded, Step, auto_reply, cut, error, hang

SLOW_SECONDS = (2.0, 8.0)
HEALTHY_SECONDS = (0.2, 1.0)
FAILURE_RATE = 0.20
STREAM_CHUNK_CHARS = 48  # about a dozen tokens per streamed chunk, as Gemini sends them
# Faulty mode's hangs outlast the benchmark's client timeout (bench_faults).
HANG_SECONDS = float(os.environ.get("BENCH_GEMINI_HANG_SECONDS", "11.5"))

_NEW_ANSWER = re.compile(r"The candidate's new message:\n<candidate_answer>\n\((a\d+)\)")
_HINT = re.compile(r"^Chosen move: hint\b", re.MULTILINE)


def signed(step: Step, recorded: Recorded) -> Step:
    """Append ``[ref label]`` to a turn plan's message (a report passes through unchanged)."""
    data = json.loads(step.text)
    if "message" not in data:
        return step
    match = _NEW_ANSWER.search(recorded.last_user_text)
    label = "h" if _HINT.search(recorded.last_user_text) else match.group(1) if match else "start"
    data["message"] += f"\n\n[ref {label}]"
    return Step("json", json.dumps(data))


class Model:
    def __init__(self, mode: str, seed: int) -> None:
        self.mode = mode
        self.random = random.Random(seed)
        self.calls = 0
        self.injected: Counter[str] = Counter()

    def __call__(self, recorded: Recorded) -> Step:
        self.calls += 1
        healthy = signed(auto_reply(recorded), recorded)
        if self.mode == "slow":
            return hang(self.random.uniform(*SLOW_SECONDS), then=healthy)
        if self.random.random() >= FAILURE_RATE:
            return hang(self.random.uniform(*HEALTHY_SECONDS), then=healthy)
        streamed = recorded.method == "streamGenerateContent"
        kind = self.random.choice(["429", "500", "hang"] + (["cut"] if streamed else []))
        self.injected[kind] += 1
        if kind == "429":
            return error(429, "Resource has been exhausted (e.g. check quota).")
        if kind == "500":
            return error(500, "An internal error has occurred.")
        if kind == "hang":
            return hang(HANG_SECONDS, then=healthy)
        return cut(healthy.text[: len(healthy.text) // 2])  # the ref is never in the half shown


async def _serve(mode: str, seed: int) -> None:
    model = Model(mode, seed)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with FakeGemini(responder=model, chunk_chars=STREAM_CHUNK_CHARS) as fake:
        print(f"PORT {fake.base_url.rsplit(':', 1)[1]}", flush=True)
        await stop.wait()
    print("STATS " + json.dumps({"calls": model.calls, "injected": dict(model.injected)}),
          flush=True)


@dataclass
class GeminiProcess:
    base_url: str
    stats: dict


@contextmanager
def gemini_process(mode: str, seed: int, env: dict[str, str] | None = None
                   ) -> Iterator[GeminiProcess]:
    """Start the fake in its own process; ``stats`` is filled in when the block ends."""
    process = subprocess.Popen([sys.executable, "-m", "bench.gemini_process", mode, str(seed)],
                               stdout=subprocess.PIPE, text=True,
                               # Injected faults make aiohttp log client disconnects there.
                               stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    assert process.stdout is not None
    line = process.stdout.readline().split()
    if line[:1] != ["PORT"]:
        process.kill()
        raise RuntimeError("the fake Gemini process did not start")
    running = GeminiProcess(f"http://127.0.0.1:{line[1]}", {})
    try:
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
        stats = [row for row in out.splitlines() if row.startswith("STATS ")]
        if stats:
            running.stats.update(json.loads(stats[-1].removeprefix("STATS ")))


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], int(sys.argv[2])))
