"""Fixtures for the HTTP tests: the real FastAPI app on the real service, through httpx's ASGI transport."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from adapters.http import create_app
from core.service import InterviewService
from core.store import InMemoryStore
from tests.support.brains import ScriptedBrain, word_streamer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def brain() -> ScriptedBrain:
    return word_streamer()


@pytest.fixture
def http_service(brain: ScriptedBrain) -> InterviewService:
    return InterviewService(brain=brain, store=InMemoryStore())


@pytest.fixture
async def client(http_service: InterviewService) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(http_service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        yield client


# --------------------------------------------------------------------- a real server


@dataclass(frozen=True)
class LiveServer:
    url: str
    token: str
    log_path: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
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


@pytest.fixture(scope="package")  # stopped as soon as the HTTP tests are done
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``run_api`` in a subprocess on a free 127.0.0.1 port, with API_TOKEN set."""
    port = free_port()
    token = secrets.token_urlsafe(16)
    log_path = tmp_path_factory.mktemp("api") / "server.log"
    env = {**os.environ, "API_TOKEN": token, "PYTHONPATH": str(ROOT)}
    with log_path.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "tests.http.serve", str(port)],
                                   cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log_path)
        yield LiveServer(url=url, token=token, log_path=log_path)
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down gracefully
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
