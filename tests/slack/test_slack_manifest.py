"""The manifest a user pastes asks for what the adapter actually uses."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack.listeners.commands import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"
SCOPES = {"commands", "chat:write", "im:history", "im:read", "im:write", "channels:history",
          "groups:history", "files:read", "files:write", "users:read"}
EVENTS = {"message.im", "message.channels", "message.groups"}


def _list_under(text: str, key: str) -> set[str]:
    """The ``- item`` lines of a YAML list under ``key:`` (no YAML library needed)."""
    block = re.search(rf"^(\s*){key}:\n((?:\1\s+- .+\n)+)", text, re.M)
    assert block, f"{key} missing"
    return {line.strip()[2:].strip() for line in block.group(2).splitlines()}


def test_manifest_declares_scopes_events_command_and_socket_mode():
    text = MANIFEST.read_text()
    assert _list_under(text, "bot") == SCOPES
    assert _list_under(text, "bot_events") == EVENTS
    assert re.search(rf"- command: {re.escape(COMMAND)}\n", text)
    assert re.search(r"socket_mode_enabled: true", text)
    assert re.search(r"interactivity:\n\s+is_enabled: true", text)
    assert re.search(r"messages_tab_read_only_enabled: false", text)  # people can DM the bot
