"""Helpers for the HTTP tests: a real server in a subprocess or a thread, and the browser."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from adapters.http import create_app
from core.service import InterviewService
from core.store import InMemoryStore
from tests.support.brains import ScriptedBrain, word_streamer

ROOT = Path(__file__).resolve().parents[2]  # the repository
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = ROOT / "tests" / "output"  # screenshots for people to look at
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@dataclass(frozen=True)
class LiveServer:
    url: str
    token: str
    log_path: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the API server did not start in 30 s:\n{log_path.read_text()}")


@pytest.fixture
def outage_server() -> Iterator[tuple[str, ScriptedBrain]]:
    """The app under uvicorn in a thread, with a brain the test can switch off (no token)."""
    brain = word_streamer()
    app = create_app(InterviewService(brain=brain, store=InMemoryStore()))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", brain
    server.should_exit = True
    thread.join(timeout=10)
