"""Several processes as one: two API processes on one Redis, 200 candidates, full interviews.

The servers are the real entry point (``python -m bot api``) with the offline brain, in
their own processes; the candidates are HTTP clients (aiohttp) in this one. Each
candidate starts an interview and answers until the report, in overlapping pairs:
answer n to one process and answer n + 1 to the other 0-20 ms later, both numbered
with ``Turn-Number`` (a client with two tabs, or one that does not wait). One answer in
ten is sent again to the other process after its reply came (a client whose response
was lost): it must get the same reply and not be recorded twice. A request that fails
(a 5xx, a reset connection) is counted as an error and sent again, as a client would.

Measured in one run, on the same machine:
- capacity: no pause between turns, the servers saturated: turns per second for one
  process on the default SQLite store, then for two processes on Redis;
- latency: two processes on Redis, the same 200 candidates pausing between their pairs
  so that together they send half of the measured two-process capacity (people think
  and type between answers; a saturated server measures its queue, not its speed):
  p50 / p99 of every answer.
Every phase is then checked from the stored transcripts: answers lost, recorded twice,
or stored out of client turn order.

Targets: 0 errors, 0 lost, 0 duplicated, 0 out of order, p99 < 300 ms (latency phase);
throughput per process on Redis at least 80 % of the single SQLite process.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
import psutil
import redis

from bench.processes import bot_processes, redis_server
from bench.support import SCRIPTED_ANSWERS, percentile

CANDIDATES = 200
QUESTIONS = 3
REPEAT_EVERY = 10  # one answer in ten is sent again after its reply
PAIR_SPACING = (0.0, 0.02)
LOAD_SHARE = 0.5  # the latency phase offers this share of the measured capacity
MAX_SENDS = 5
SEED = 17


@dataclass
class Sent:
    number: int
    text: str
    status: int = 0
    body: dict = field(default_factory=dict)
    ms: float = 0.0


@dataclass
class Phase:
    name: str
    processes: int
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    turns: int = 0
    repeats: int = 0
    repeats_differing: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the bot processes (and redis-server), during the phase
    unfinished: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0

    @property
    def throughput(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float:
        """Turns per CPU-second of the servers: what a process does with a core of its own,
        whatever else the machine runs meanwhile."""
        return self.turns / self.cpu_seconds if self.cpu_seconds else 0.0


class Candidate:
    def __init__(self, number: int, urls: list[str], http: aiohttp.ClientSession,
                 phase: Phase, think: tuple[float, float] | None, rng: random.Random) -> None:
        self.number, self.urls, self.http, self.phase = number, urls, http, phase
        self.think, self.rng = think, rng
        self.session_id = ""
        self.sent: list[Sent] = []
        self.finished = False

    def url(self, turn: int) -> str:
        return self.urls[(self.number + turn) % len(self.urls)]

    async def post(self, url: str, path: str, body: dict, headers: dict | None = None
                   ) -> tuple[int, dict, float]:
        """One request, sent again after a failure (counted) until it gets an answer."""
        for _ in range(MAX_SENDS):
            started = time.perf_counter()
            try:
                async with self.http.post(url + path, json=body, headers=headers) as response:
                    data = await response.json(content_type=None)
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError) as error:
                self.phase.errors[f"{type(error).__name__} {str(error)[:60]}"] += 1
                await asyncio.sleep(0.2)
                continue
            ms = (time.perf_counter() - started) * 1000
            if status >= 500 or data.get("error") == "turn_out_of_order":
                # Nothing was recorded; a client sends it again (a gap: once the turn
                # before it, still being retried by the other request, is in).
                self.phase.errors[f"HTTP {status} {data.get('error', '')}"] += 1
                await asyncio.sleep(0.2)
                continue
            return status, data, ms
        return 0, {}, 0.0

    async def run(self) -> None:
        if self.think:  # arrivals spread over one cycle, as people arrive
            await asyncio.sleep(self.rng.uniform(0, self.think[1]))
        status, data, _ = await self.post(self.url(0), "/start_session",
                                          {"role": "sales", "questions": QUESTIONS})
        if status != 200:
            self.phase.errors[f"start {status}"] += 1
            return
        self.session_id = data["session_id"]
        number = 1
        while not self.finished and number < 60:
            await asyncio.gather(self.answer(number), self.answer(number + 1, late=True))
            number += 2
            if self.think and not self.finished:
                await asyncio.sleep(self.rng.uniform(*self.think))

    async def answer(self, number: int, late: bool = False) -> None:
        if late:
            await asyncio.sleep(self.rng.uniform(*PAIR_SPACING))
        text = (f"{SCRIPTED_ANSWERS[(self.number + number) % len(SCRIPTED_ANSWERS)]} "
                f"That was candidate {self.number}, answer {number}.")
        sent = Sent(number, text)
        self.sent.append(sent)
        body = {"session_id": self.session_id, "message": text}
        headers = {"Turn-Number": str(number)}
        sent.status, sent.body, sent.ms = await self.post(self.url(number), "/chat", body, headers)
        if sent.status == 200:
            self.phase.latencies.append(sent.ms)
            self.phase.turns += 1
            self.finished |= sent.body.get("kind") in ("feedback", "ended")
        elif sent.status == 409 and sent.body.get("error") == "interview_ended":
            self.finished = True  # the other answer of the pair ended the interview
        else:
            self.phase.errors[f"HTTP {sent.status} {sent.body.get('error', '')}"] += 1
        if sent.status == 200 and (self.number * 7 + number) % REPEAT_EVERY == 0:
            # The response was "lost": send it again, to the other process.
            status, again, _ = await self.post(self.url(number + 1), "/chat", body, headers)
            self.phase.repeats += 1
            self.phase.repeats_differing += status != 200 or again != sent.body

    async def check(self) -> None:
        """The stored transcript against what was sent and acknowledged."""
        if not self.session_id:
            self.phase.unfinished += 1
            return
        async with self.http.get(f"{self.urls[0]}/sessions/{self.session_id}") as response:
            view = await response.json()
        stored = [e["text"] for e in view["transcript"] if e["speaker"] == "candidate"]
        acknowledged = sorted((s for s in self.sent if s.status == 200), key=lambda s: s.number)
        counts = Counter(stored)
        self.phase.lost += sum(1 for s in acknowledged if counts[s.text] == 0)
        self.phase.duplicated += sum(1 for n in counts.values() if n > 1)
        expected = [s.text for s in acknowledged]
        self.phase.out_of_order += [t for t in stored if t in expected] != \
            [t for t in expected if t in counts]
        self.phase.unfinished += view["state"] != "finished"


async def _phase(name: str, urls: list[str], think: tuple[float, float] | None) -> Phase:
    phase = Phase(name, len(urls))
    rng = random.Random(SEED)
    # Idle connections are closed before the server's keep-alive (uvicorn: 5 s) ends, as a
    # well-behaved client does: reusing one the server is closing resets the request.
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=2)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        candidates = [Candidate(n, urls, http, phase, think, random.Random(rng.random()))
                      for n in range(CANDIDATES)]
        started = time.perf_counter()
        await asyncio.gather(*(candidate.run() for candidate in candidates))
        phase.seconds = time.perf_counter() - started
        for candidate in candidates:
            await candidate.check()
    return phase


def _run_phase(name: str, count: int, env: dict[str, str],
               think: tuple[float, float] | None, redis_url: str | None = None) -> Phase:
    with bot_processes(count, ["api", "--host", "127.0.0.1"], env) as bots:
        before = _cpu([bot.process.pid for bot in bots], redis_url)
        phase = asyncio.run(_phase(name, [bot.url for bot in bots], think))
        phase.cpu_seconds = _cpu([bot.process.pid for bot in bots], redis_url) - before
        return phase


def _cpu(pids: list[int], redis_url: str | None) -> float:
    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    if redis_url:
        with redis.Redis.from_url(redis_url) as client:
            info = client.info("cpu")
        total += info["used_cpu_user"] + info["used_cpu_sys"]
    return total


def _lines(phase: Phase) -> list[str]:
    errors = sum(phase.errors.values())
    detail = f" ({', '.join(f'{k}: {v}' for k, v in phase.errors.most_common())})" if errors else ""
    return [
        f"{phase.name}: {phase.turns} turns in {phase.seconds:.1f} s = {phase.throughput:.0f} "
        f"turns/s ({phase.throughput / phase.processes:.0f} per process), "
        f"{phase.per_cpu_second:.0f} per server CPU-second; "
        f"p50 {percentile(phase.latencies, 50):.0f} ms, p99 {percentile(phase.latencies, 99):.0f}"
        f" ms, max {max(phase.latencies, default=0):.0f} ms",
        f"  errors {errors}{detail}; lost {phase.lost}; duplicated {phase.duplicated}; out of "
        f"order {phase.out_of_order}; interviews unfinished {phase.unfinished}; repeats "
        f"{phase.repeats} ({phase.repeats_differing} answered differently)",
    ]


def main() -> None:
    with redis_server() as redis_url:
        if redis_url is None:
            print("redis-server is not installed (apt-get install redis-server): skipped")
            return
        print(f"{CANDIDATES} candidates, {QUESTIONS}-question interviews, answers in overlapping "
              f"pairs across processes, 1 in {REPEAT_EVERY} sent again", flush=True)
        single = _run_phase("capacity, 1 process, SQLite", 1, {"STORE_URL": ""}, None)
        for line in _lines(single):
            print(line, flush=True)
        shared = {"STORE_URL": redis_url}
        cluster = _run_phase("capacity, 2 processes, Redis", 2, shared, None, redis_url)
        for line in _lines(cluster):
            print(line, flush=True)
        # Each candidate sends a pair every `cycle` seconds on average (jittered).
        cycle = 2 * CANDIDATES / (LOAD_SHARE * cluster.throughput)
        paced = _run_phase(f"latency, 2 processes, Redis, a pair every {cycle:.1f} s per "
                           f"candidate ({LOAD_SHARE:.0%} of capacity)", 2, shared,
                           (0.5 * cycle, 1.5 * cycle), redis_url)
        for line in _lines(paced):
            print(line, flush=True)
    ratio = (cluster.throughput / 2) / single.throughput if single.throughput else 0.0
    efficiency = cluster.per_cpu_second / single.per_cpu_second if single.per_cpu_second else 0.0
    clean = all(not (sum(p.errors.values()) or p.lost or p.duplicated or p.out_of_order
                     or p.repeats_differing) for p in (single, cluster, paced))
    print(f"per-process throughput on Redis / single SQLite process: {ratio:.2f} wall-clock, "
          f"{efficiency:.2f} per CPU-second (target >= 0.8; wall-clock figures move with "
          "whatever else the machine runs, per CPU-second ones do not)")
    print(f"latency p99 under 300 ms: "
          f"{'yes' if percentile(paced.latencies, 99) < 300 else 'NO'}; "
          f"0 errors, lost, duplicated, out of order: {'yes' if clean else 'NO'}")


if __name__ == "__main__":
    main()
