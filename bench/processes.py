"""Real processes for the multi-process benchmarks: a throwaway redis-server, and the bot's
own entry point (``python -m bot api``, ``python -m bot slack --http``) on loopback ports.

Each bot process runs in a temporary folder (so no ``.env`` is picked up), with the
settings given here and logs at WARNING into a file, as a deployment would run it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A redis-server on a free port without persistence; None if it is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, server, "redis-server")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait(timeout=10)


@dataclass
class BotProcess:
    url: str
    process: subprocess.Popen
    log: Path


@contextmanager
def bot_processes(count: int, args: list[str], env: dict[str, str],
                  health_path: str | None = "/healthz") -> Iterator[list[BotProcess]]:
    """``count`` processes of ``python -m bot <args> --port <free port>``, ready to serve."""
    with tempfile.TemporaryDirectory() as workdir:
        started: list[BotProcess] = []
        base_env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("GEMINI_", "GOOGLE_", "SLACK_", "DISCORD_", "API_"))}
        try:
            for number in range(count):
                port = free_port()
                log_path = Path(workdir) / f"bot-{number}.log"
                with log_path.open("w") as log_file:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "bot", *args, "--port", str(port)],
                        cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT,
                        env={**base_env, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING",
                             "LOG_FORMAT": "json", "SQLITE_PATH": f"{workdir}/bot.sqlite3",
                             **env})
                started.append(BotProcess(f"http://127.0.0.1:{port}", process, log_path))
            for bot in started:
                _wait_until_serving(bot, health_path)
            yield started
        finally:
            for bot in started:
                bot.process.terminate()
            for bot in started:
                try:
                    bot.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    bot.process.kill()
                    bot.process.wait()


def _wait_until_serving(bot: BotProcess, health_path: str | None) -> None:
    deadline = time.monotonic() + 60
    port = int(bot.url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            raise RuntimeError(f"a bot process exited early:\n{bot.log.read_text()[-3000:]}")
        try:
            if health_path is None:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            else:
                with urllib.request.urlopen(bot.url + health_path, timeout=1) as response:
                    if response.status == 200:
                        return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"a bot process did not start in 60 s:\n{bot.log.read_text()[-3000:]}")


def _wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start")
