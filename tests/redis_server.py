"""A throwaway redis-server on 127.0.0.1 for the tests that need a shared store.

A pytest plugin (``tests/conftest.py`` loads it): tests ask for ``redis_url`` and
``redis_prefix``; the server starts once per test session, on first use.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway redis-server for the whole test session (no persistence)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not on PATH (apt-get install -y redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_redis(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for_redis(url: str, server: subprocess.Popen) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            client.close()
            return
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)


@pytest.fixture
def redis_prefix() -> str:
    """Each test gets its own key space on the shared server."""
    return f"test-{uuid.uuid4().hex[:10]}:"
