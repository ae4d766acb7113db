"""``run_slack``: the entry point ``python -m bot slack`` calls, in both transports."""

from __future__ import annotations

import asyncio
import socket

import pytest

from adapters.slack import run_slack
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from tests.fakes.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    SlackSender,
    slash_command,
)

DM = "D0DM1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_http_mode_serves_slack_events(fake):
    port = free_port()
    task = asyncio.create_task(run_slack(
        InterviewService(brain=OfflineBrain()),
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, http=True, port=port, host="127.0.0.1", base_url=fake.base_url))
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events")
    for _ in range(100):  # until the server listens
        try:
            delivery = await sender.command(slash_command("start sales", user="U1", channel=DM,
                                                          response_url=fake.response_url()))
            break
        except OSError:
            await asyncio.sleep(0.05)
    assert delivery.status == 200
    await fake.wait_for_posts(1, channel=DM)
    await stop(task)


async def test_socket_mode_when_an_app_token_is_set(fake):
    task = asyncio.create_task(run_slack(
        InterviewService(brain=OfflineBrain()),
        bot_token=BOT_TOKEN, app_token=APP_TOKEN, base_url=fake.base_url))
    await fake.wait_socket_connected()
    envelope = await fake.send_envelope("slash_commands", slash_command(
        "start sales", user="U1", channel=DM, response_url=fake.response_url()))
    await fake.wait_ack(envelope)
    await fake.wait_for_posts(1, channel=DM)
    await stop(task)


@pytest.mark.parametrize("values,http,message", [
    ({"bot_token": ""}, False, "SLACK_BOT_TOKEN"),
    ({"bot_token": BOT_TOKEN, "app_token": APP_TOKEN}, True,
     r"HTTP mode \(--http\) needs SLACK_SIGNING"),
    # Only a bot token: both ways in are named, the default (Socket Mode) first.
    ({"bot_token": BOT_TOKEN}, False,
     "needs SLACK_APP_TOKEN .Socket Mode, the default. or SLACK_SIGNING_SECRET"),
])
async def test_missing_settings_are_explained(values, http, message):
    with pytest.raises(ValueError, match=message):
        await run_slack(InterviewService(brain=OfflineBrain()), **values, http=http)
