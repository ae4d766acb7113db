"""Kill a bot process with SIGKILL, start again on the same SQLite file: nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import ReplyKind
from core.session import SessionState
from core.stores.sqlite import SqliteStore
from tests.stores.helpers import answer_text, candidate_texts, person, place, service_on

REPO = Path(__file__).resolve().parents[2]
WORKER = "tests.stores.crash_worker"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


class Worker:
    """The worker process, read line by line until the moment we kill it."""

    def __init__(self, mode: str, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", WORKER, mode, str(path)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def wait_for(self, prefix: str) -> str:
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"worker exited (code {self.process.wait()}) before {prefix!r}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process.stdout.close()
        assert self.process.returncode == -signal.SIGKILL


async def test_an_interview_resumes_after_the_process_is_killed_mid_turn(tmp_path):
    path = tmp_path / "bot.sqlite3"
    worker = Worker("interview", path)
    try:
        worker.wait_for("ANSWERED 2")
        worker.wait_for("IN_FLIGHT")
    finally:
        worker.kill()

    store = SqliteStore(path)
    try:
        service = service_on(store)
        session = await service.session_for(person(), place())
        assert session is not None and session.state is SessionState.active
        # Both answered turns survived, the unanswered one left no half-written trace.
        assert candidate_texts(session) == [answer_text("turn 0"), answer_text("turn 1")]
        before = len(session.transcript)

        reply = await service.answer(person(), place(), answer_text("turn 2 again"))
        assert reply.kind in (ReplyKind.question, ReplyKind.follow_up)
        resumed = await service.session_for(person(), place())
        assert candidate_texts(resumed)[-1] == answer_text("turn 2 again")
        assert len(resumed.transcript) == before + 2  # the answer and the interviewer's reply
    finally:
        await store.close()


async def test_every_acknowledged_write_survives_a_kill(tmp_path):
    path = tmp_path / "bot.sqlite3"
    worker = Worker("writes", path)
    try:
        worker.wait_for("COMMITTED 50")
        acknowledged = int(worker.wait_for("COMMITTED").split()[1])
    finally:
        worker.kill()

    store = SqliteStore(path)
    try:
        session = await store.get("discord:u1:c1")
        # The worker may have committed a few more after the line we read, never fewer.
        assert int(session.brain_notes["count"]) >= acknowledged
        row = await store.db.fetch_one("PRAGMA integrity_check")
        assert row[0] == "ok"
    finally:
        await store.close()
