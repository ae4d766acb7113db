"""Socket Mode: the real AsyncSocketModeHandler connected to the fake's websocket.

``apps.connections.open`` on the fake hands out a ws:// URL on 127.0.0.1; the fake
says hello, sends envelopes, and records the app's acks by envelope id.
"""

from __future__ import annotations

import time

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import build_slack_bot
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from tests.fakes.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    button_press,
    message_event,
    slash_command,
)

DM = "D0SOCK"
ALICE = "U0ALICE"


async def test_socket_mode_commands_events_and_buttons(fake):
    fake.add_im(ALICE, DM)
    service = InterviewService(brain=OfflineBrain())
    bot = build_slack_bot(service, token=BOT_TOKEN, base_url=fake.base_url)
    handler = AsyncSocketModeHandler(bot.app, APP_TOKEN)
    await handler.connect_async()
    try:
        await fake.wait_socket_connected()
        opened = fake.calls_to("apps.connections.open")
        assert opened and opened[0].token == APP_TOKEN  # the app-level token, not the bot's

        sent = time.monotonic()
        envelope = await fake.send_envelope("slash_commands", slash_command(
            "start role:sales questions:3", user=ALICE, channel=DM,
            response_url=fake.response_url()))
        await fake.wait_ack(envelope, timeout=3)
        assert time.monotonic() - sent < 3
        greeting = (await fake.wait_for_posts(1, channel=DM))[0]
        assert "Question 1 of 3" in greeting.text

        answer = message_event("I grew my territory revenue by 30% in one year by running weekly "
                               "pipeline reviews.", user=ALICE, channel=DM, channel_type="im")
        await fake.wait_ack(await fake.send_envelope("events_api", answer))
        await fake.wait_for_posts(2, channel=DM)
        # Slack re-sends the same event (retry_attempt=1): acked, but no second turn.
        await fake.wait_ack(await fake.send_envelope("events_api", answer, retry_attempt=1))
        await fake.settle(quiet=0.5)
        assert len(fake.posts(DM)) == 2

        latest = fake.posts(DM)[-1]
        await fake.wait_ack(await fake.send_envelope(
            "interactive", button_press(latest, "interview_hint", user=ALICE)))
        hint = (await fake.wait_for_posts(3, channel=DM))[2]
        assert hint.action_ids  # a hint keeps the question's buttons
        session = await service.session_for(*_alice_dm())
        assert session.progress[session.current].hints == 1
    finally:
        await handler.close_async()
        await bot.background.drain(timeout=5)


def _alice_dm():
    from core.models import Where, Who
    return (Who(platform="slack", user_id=ALICE),
            Where(platform="slack", conversation_id=f"T0TEAM:{DM}"))
