"""Start-up: the invite URL is logged (the token never is); a missing intent is explained."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from adapters.discord import run_discord
from tests.fakes.discord_fake import FakeDiscord

TOKEN = "fake-token"


async def test_invite_url_is_logged_and_the_token_never(fake: FakeDiscord, service, start_bot) -> None:
    with capture_logs() as logs:
        async with start_bot(service):
            pass
    [ready] = [entry for entry in logs if entry["event"] == "discord.ready"]
    assert f"client_id={fake.application_id}" in ready["invite_url"]
    assert "scope=bot+applications.commands" in ready["invite_url"]
    assert "permissions=377957239808" in ready["invite_url"]
    assert TOKEN not in repr(logs)


async def test_a_missing_message_content_intent_is_explained(fake: FakeDiscord, service) -> None:
    fake.close_on_identify = 4014
    with pytest.raises(RuntimeError, match="Message Content"):
        await run_discord(service, token=TOKEN)


async def test_run_discord_needs_a_token(service) -> None:
    with pytest.raises(RuntimeError, match="DISCORD_TOKEN"):
        await run_discord(service, token="")
