"""The terminal as a user runs it: ``python -m bot`` in a subprocess, answers through a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository


def run_cli(args: list[str], stdin: str, env: dict | None = None, timeout: float = 60):
    # Each run gets its own SQLite file unless a test shares one on purpose.
    isolated = {"SQLITE_PATH": tempfile.mktemp(suffix=".sqlite3"), "STORE_URL": ""}
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **isolated, **(env or {})}
    for key in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "DISCORD_TOKEN", "SLACK_BOT_TOKEN"):
        if not env or key not in env:
            environment.pop(key, None)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=environment, timeout=timeout)


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]
