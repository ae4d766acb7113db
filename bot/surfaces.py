"""The registry of surfaces: how each one is chosen, given its arguments, and run.

Each surface registers itself once here; ``bot.__main__`` builds the command line and
runs what was asked (or what is configured) from this table, with no per-surface
branches. The adapters take plain values; reading them out of ``Settings`` is done
here, the only place that knows both.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.settings import Settings
from core.service import InterviewService

Runner = Callable[[InterviewService, Settings, argparse.Namespace], Awaitable[int | None]]


@dataclass(frozen=True)
class Surface:
    name: str
    help: str
    run: Runner
    label: str = ""  # in the start-up line; the name when empty
    # A short command in the terminal: no background jobs, quiet logs, no warm-up.
    terminal: bool = False
    # Loads the answer-reading model first (everything that holds an interview).
    warm_up: bool = True
    # On when no surface is named (Discord, Slack: when their tokens are set).
    configured: Callable[[Settings], bool] | None = None
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None

    @property
    def shown_as(self) -> str:
        return self.label or self.name


SURFACES: dict[str, Surface] = {}


def register(surface: Surface) -> Surface:
    if surface.name in SURFACES:
        raise ValueError(f"surface {surface.name!r} is registered twice")
    SURFACES[surface.name] = surface
    return surface


def configured(settings: Settings, named: str | None) -> list[Surface]:
    """The surface asked for, else every configured one, else the terminal interview."""
    if named:
        return [SURFACES[named]]
    chosen = [s for s in SURFACES.values() if s.configured is not None and s.configured(settings)]
    return chosen or [SURFACES[DEFAULT]]


# ----------------------------------------------------------------------------- terminal


def _terminal(command: str) -> Runner:
    async def run(service: InterviewService, settings: Settings, args: argparse.Namespace) -> int:
        from adapters import cli

        return await getattr(cli, command)(service, args)

    return run


def _cli_arguments(parser: argparse.ArgumentParser) -> None:
    from adapters import cli

    cli.add_arguments(parser)


DEFAULT = "cli"
register(Surface("cli", "interview in the terminal", _terminal("run_cli"), label="terminal",
                 terminal=True, add_arguments=_cli_arguments))
register(Surface("history", "show your practice history and trends (terminal)",
                 _terminal("show_history"), label="terminal", terminal=True, warm_up=False))
register(Surface("forget", "delete everything stored about you (terminal)",
                 _terminal("forget_me"), label="terminal", terminal=True, warm_up=False))


# ----------------------------------------------------------------------------- chat platforms


async def run_discord(service: InterviewService, settings: Settings,
                      args: argparse.Namespace | None = None) -> None:
    from adapters.discord import run_discord as run

    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    await run(service, token=token, guild_ids=settings.guild_ids, shards=settings.discord_shards)


def _slack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true",
                        help="HTTP mode at /slack/events instead of Socket Mode")
    parser.add_argument("--port", type=int, default=3000)


async def run_slack(service: InterviewService, settings: Settings,
                    args: argparse.Namespace | None = None) -> None:
    from adapters.slack import run_slack as run

    await run(service, bot_token=_secret(settings.slack_bot_token),
              app_token=_secret(settings.slack_app_token),
              signing_secret=_secret(settings.slack_signing_secret),
              http=getattr(args, "http", False), port=getattr(args, "port", None) or 3000,
              base_url=settings.slack_api_url or None)


register(Surface("discord", "run the Discord bot (needs DISCORD_TOKEN)", run_discord,
                 configured=lambda settings: settings.has_discord))
register(Surface("slack", "run the Slack app (needs SLACK_BOT_TOKEN)", run_slack,
                 configured=lambda settings: settings.has_slack, add_arguments=_slack_arguments))


# ----------------------------------------------------------------------------- web


def _api_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)


async def run_api(service: InterviewService, settings: Settings,
                  args: argparse.Namespace | None = None) -> None:
    from adapters.http import run_api as run

    await run(service, host=getattr(args, "host", None) or settings.api_host,
              port=getattr(args, "port", None) or settings.api_port,
              api_token=_secret(settings.api_token), log_level=settings.log_level)


register(Surface("api", "serve the HTTP API and the web chat page", run_api, label="http",
                 add_arguments=_api_arguments))


def _secret(value) -> str:
    return value.get_secret_value() if value else ""
