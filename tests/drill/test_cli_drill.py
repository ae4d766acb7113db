"""Every odd input through the terminal, as a user would pipe it: a reply, no crash, no loss.

A pipe carries one answer per line, so a multi-line entry is sent with its line
breaks turned into spaces. Text that cannot be UTF-8 (a lone surrogate) is sent as
the invalid bytes a broken client would produce.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.cli import ROOT
from tests.support.corpus import CORPUS, Odd

NORMAL_ANSWER = "At my last job I cut build times 40% by caching the dependency downloads."
NORMAL_KINDS = {"follow_up", "question", "feedback"}


def as_pipe_line(text: str) -> bytes:
    """One line of a pipe: no line breaks of any kind; unencodable text as raw bytes."""
    return " ".join(text.splitlines()).encode("utf-8", errors="surrogatepass")


def run_terminal(stdin: bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "STORE_URL": "memory://"}
    for key in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "DISCORD_TOKEN", "SLACK_BOT_TOKEN"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "bot", "cli", "--role", "software_engineer",
                           "--questions", "3", "--json"], input=stdin, capture_output=True,
                          cwd=ROOT, env=env, timeout=60)


@pytest.mark.parametrize("odd", CORPUS, ids=[odd.name for odd in CORPUS])
def test_the_terminal_survives_odd_input(odd: Odd):
    result = run_terminal(as_pipe_line(odd.text) + b"\n" + NORMAL_ANSWER.encode() + b"\n")
    stderr = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr
    turns = [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]
    greeting, odd_reply, normal_reply, feedback = turns  # one turn per line, then the report
    assert greeting["kind"] == "greeting"
    assert odd_reply["text"].strip()
    assert odd_reply["kind"] == "notice" if odd.rejected else odd_reply["kind"] != "error"
    # The interview carries on: the next ordinary answer gets an ordinary turn.
    assert normal_reply["kind"] in NORMAL_KINDS
    assert feedback["kind"] == "feedback" and feedback["report"]["questions"]


def test_bytes_that_are_not_utf8_get_a_reply_and_the_interview_goes_on():
    result = run_terminal(b"I led the \xff\xfe migration \xc3( and cut costs 20%.\n"
                          + NORMAL_ANSWER.encode() + b"\n")
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    kinds = [json.loads(line)["kind"] for line in result.stdout.decode().splitlines()]
    assert kinds[0] == "greeting" and kinds[-1] == "feedback"
    assert kinds[1] not in ("error", "notice") and kinds[2] in NORMAL_KINDS
