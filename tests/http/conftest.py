"""Fixtures for the HTTP tests: the real FastAPI app on the real service, through httpx's ASGI transport."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from adapters.http import create_app
from core.service import InterviewService
from core.store import InMemoryStore
from tests.support.brains import ScriptedBrain, word_streamer
from tests.support.http import ROOT, LiveServer, free_port, wait_until_healthy

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
        wait_until_healthy(url, process, log_path)
        yield LiveServer(url=url, token=token, log_path=log_path)
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down gracefully
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
