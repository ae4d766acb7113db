"""Building and running the Slack app (slack-bolt's ``AsyncApp``).

Socket Mode (``SLACK_APP_TOKEN``) needs no public URL and is the default for
self-hosting; HTTP mode serves commands, events and interactivity at
``/slack/events`` and verifies every request with ``SLACK_SIGNING_SECRET``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.background import Background
from adapters.slack.files import FileReader
from adapters.slack.interviews import SlackInterviews
from adapters.slack.listeners import register_listeners
from adapters.slack.outbox import Outbox
from core.service import InterviewService
from core.store import SessionStore

log = structlog.get_logger(__name__)

EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 3


@dataclass
class SlackBot:
    """The Bolt app and the pieces behind it (tests and shutdown reach for the latter)."""

    app: AsyncApp
    interviews: SlackInterviews
    background: Background


def build_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) instead of failing the turn."""
    handlers = [AsyncConnectionErrorRetryHandler(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    kwargs = {"base_url": base_url} if base_url else {}
    return AsyncWebClient(token=token, retry_handlers=handlers, **kwargs)


def build_slack_bot(service: InterviewService, *, token: str, signing_secret: str = "",
                    client: AsyncWebClient | None = None, base_url: str | None = None,
                    stream_grace: float = 1.0, stream_interval: float = 1.0) -> SlackBot:
    client = client or build_client(token, base_url)
    # A single-workspace app: Bolt authorizes with the client's token (auth.test, cached).
    app = AsyncApp(signing_secret=signing_secret, client=client, name="interview-bot")
    interviews = SlackInterviews(service, Outbox(client), FileReader(token, client.base_url),
                                 stream_grace=stream_grace, stream_interval=stream_interval)
    background = Background()
    app.middleware(skip_repeated_events(service.store))
    register_listeners(app, interviews, background)
    app.error(log_unhandled_error)
    return SlackBot(app=app, interviews=interviews, background=background)


def build_slack_app(service: InterviewService, *, token: str, signing_secret: str = "",
                    client: AsyncWebClient | None = None, base_url: str | None = None,
                    stream_grace: float = 1.0, stream_interval: float = 1.0) -> AsyncApp:
    return build_slack_bot(service, token=token, signing_secret=signing_secret, client=client,
                           base_url=base_url, stream_grace=stream_grace,
                           stream_interval=stream_interval).app


def skip_repeated_events(seen: SessionStore):
    """Global middleware: an event id seen before is acked and dropped (retries, duplicates).

    Ids are remembered in the session store, so with a shared store (Redis) a retry that
    reaches another replica is dropped too.
    """

    async def skip_repeated(body: dict, request: AsyncBoltRequest, ack: AsyncAck, next):
        event_id = body.get("event_id")
        if event_id and not await seen.first_time(f"slack:event:{event_id}"):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            log.info("slack.duplicate_event_skipped", event_id=event_id, retry=retry)
            return await ack()
        return await next()

    return skip_repeated


async def log_unhandled_error(error: Exception, body: dict) -> BoltResponse | None:
    """Last resort: listeners handle their own errors, so this only sees Bolt-level ones."""
    log.error("slack.unhandled_error", error=type(error).__name__,
              request_type=body.get("type"), exc_info=error)
    return None


async def serve_http(app: AsyncApp, host: str, port: int) -> web.AppRunner:
    """Serve ``/slack/events`` with aiohttp (Bolt's own adapter); returns the started runner."""
    runner = web.AppRunner(app.web_app(path=EVENTS_PATH, port=port))
    await runner.setup()
    await web.TCPSite(runner, host=host, port=port).start()
    return runner


async def run_slack(service: InterviewService, *, bot_token: str, app_token: str = "",
                    signing_secret: str = "", http: bool = False, port: int = 3000,
                    host: str = "0.0.0.0", base_url: str | None = None) -> None:
    """Run until cancelled: Socket Mode when an app token is set (and not ``http``), else HTTP.

    ``base_url`` points the Web API elsewhere (tests use a fake Slack on 127.0.0.1).
    """
    token = bot_token
    if not token:
        raise ValueError("SLACK_BOT_TOKEN is not set: see the Slack section of README.md")
    use_http = http or not app_token
    if use_http and not signing_secret:
        raise ValueError(
            "HTTP mode (--http) needs SLACK_SIGNING_SECRET: see the Slack section of README.md"
            if http else
            "Slack needs SLACK_APP_TOKEN (Socket Mode, the default) or SLACK_SIGNING_SECRET "
            "(HTTP mode) besides SLACK_BOT_TOKEN: see the Slack section of README.md")
    bot = build_slack_bot(service, token=token, signing_secret=signing_secret, base_url=base_url)
    if use_http:
        runner = await serve_http(bot.app, host, port)
        log.info("slack.started", mode="http", host=host, port=port, path=EVENTS_PATH)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
            await bot.background.drain()
    else:
        handler = AsyncSocketModeHandler(bot.app, app_token)
        await handler.connect_async()
        log.info("slack.started", mode="socket")
        try:
            await asyncio.Event().wait()
        finally:
            await handler.close_async()
            await bot.background.drain()
