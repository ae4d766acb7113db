"""Entry point: ``python -m bot [cli|discord|slack|api]`` (also the ``interview-bot`` script).

With no surface named, runs what is configured: Discord when DISCORD_TOKEN is set,
Slack when its tokens are set (both when both are), otherwise a terminal interview.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys

# Imported here, on the main thread, before the warm-up thread imports the answer reader
# (wordllama imports requests): google-genai reads sys.modules["requests"] without
# importing it, and mid-import would find a half-initialised module and fail the call.
import requests  # noqa: F401
from pydantic import ValidationError

from adapters import cli
from bot.logging import configure_logging
from bot.settings import Settings
from bot.wiring import build_service, describe_brain, describe_store
from core import semantics
from core.history import retention_loop


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="interview-bot",
        description="A mock-interview partner. With no surface named, runs what is configured "
                    "(Discord, Slack) or else a terminal interview.")
    surfaces = parser.add_subparsers(dest="surface")
    cli.add_arguments(surfaces.add_parser("cli", help="interview in the terminal"))
    surfaces.add_parser("history", help="show your practice history and trends (terminal)")
    surfaces.add_parser("forget", help="delete everything stored about you (terminal)")
    surfaces.add_parser("discord", help="run the Discord bot (needs DISCORD_TOKEN)")
    slack = surfaces.add_parser("slack", help="run the Slack app (needs SLACK_BOT_TOKEN)")
    slack.add_argument("--http", action="store_true",
                       help="HTTP mode at /slack/events instead of Socket Mode")
    slack.add_argument("--port", type=int, default=3000)
    api = surfaces.add_parser("api", help="serve the HTTP API and the web chat page")
    api.add_argument("--host", default=None)
    api.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    if args.surface is None:
        # Without a surface, the terminal's defaults apply (used when nothing is configured).
        defaults = argparse.ArgumentParser()
        cli.add_arguments(defaults)
        args = defaults.parse_args([], namespace=args)
    return args


def configured_surfaces(settings: Settings, surface: str | None) -> list[str]:
    if surface:
        return [surface]
    chosen = [name for name, on in (("discord", settings.has_discord),
                                    ("slack", settings.has_slack)) if on]
    return chosen or ["cli"]


TERMINAL_COMMANDS = {"cli": cli.run_cli, "history": cli.show_history, "forget": cli.forget_me}


async def run(args: argparse.Namespace, settings: Settings) -> int:
    surfaces = configured_surfaces(settings, args.surface)
    try:
        service = build_service(settings)
    except ValueError as error:  # e.g. an unknown STORE_URL scheme
        print(f"interview-bot: {error}", file=sys.stderr)
        return 2
    label = {"cli": "terminal", "api": "http", "history": "terminal", "forget": "terminal"}
    print(f"interview-bot: surfaces={','.join(label.get(s, s) for s in surfaces)} "
          f"brain={describe_brain(service.brain)} store={describe_store(service.store)}",
          file=sys.stderr, flush=True)
    if surfaces[0] not in ("history", "forget"):
        # Load the answer-reading model (about 1 s) now rather than inside the first turn.
        # In this thread, before any work starts: a worker thread importing it while the
        # loop imports the model SDKs can trip Python's partial-import guard.
        semantics.warm_up()
    try:
        if surfaces[0] in TERMINAL_COMMANDS:
            # No background job in a short terminal run: apply retention once instead.
            await service.history.purge_older_than(settings.retention_days)
            return await TERMINAL_COMMANDS[surfaces[0]](service, args)
        await service.store.get("startup-check")  # opens and migrates the store: fail fast
        await asyncio.to_thread(semantics.warm_up)  # the reading model, before the first user
        freeze_startup_heap()
        retention = asyncio.create_task(
            retention_loop(service.history, service.store, days=settings.retention_days))
        runners = []
        for surface in surfaces:
            if surface == "discord":
                from adapters.discord import run_discord

                runners.append(run_discord(service, settings))
            elif surface == "slack":
                from adapters.slack import run_slack

                runners.append(run_slack(service, settings, http=getattr(args, "http", False),
                                         port=getattr(args, "port", 3000),
                                         base_url=settings.slack_api_url or None))
            elif surface == "api":
                from adapters.http import run_api

                runners.append(run_api(service, settings, host=args.host or settings.api_host,
                                       port=args.port or settings.api_port))
        try:
            await asyncio.gather(*runners)
        finally:
            retention.cancel()
            # Let a purge in flight stop before the store closes under it.
            await asyncio.gather(retention, return_exceptions=True)
        return 0
    except (ValueError, RuntimeError) as error:  # incomplete or rejected configuration
        print(f"interview-bot: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # network down, DNS, refused connections
        print(f"interview-bot: cannot reach the service ({error}). Check the network and "
              "try again.", file=sys.stderr)
        return 3
    finally:
        await service.aclose()


def freeze_startup_heap() -> None:
    """Move everything made at start-up (modules, the role catalog, the reading model) out
    of the garbage collector's sight: full collections then scan only what turns create,
    instead of pausing the event loop for the whole heap."""
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings()
    except ValidationError as error:  # a setting with the wrong type or out of range
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                             for e in error.errors())
        print(f"interview-bot: invalid settings: {problems}", file=sys.stderr)
        return 2
    quiet_terminal = configured_surfaces(settings, args.surface)[0] in TERMINAL_COMMANDS and \
        "LOG_LEVEL" not in os.environ
    # A terminal interview shows the conversation; routine logs would only clutter it.
    configure_logging("WARNING" if quiet_terminal else settings.log_level, settings.log_format)
    try:
        return asyncio.run(run(args, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
