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

from bot.logging import configure_logging
from bot.settings import Settings
from bot.surfaces import DEFAULT, SURFACES, configured
from bot.wiring import build_service, describe_brain, describe_store
from core import semantics
from core.history import retention_loop


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="interview-bot",
        description="A mock-interview partner. With no surface named, runs what is configured "
                    "(Discord, Slack) or else a terminal interview.")
    commands = parser.add_subparsers(dest="surface")
    for surface in SURFACES.values():
        sub = commands.add_parser(surface.name, help=surface.help)
        if surface.add_arguments is not None:
            surface.add_arguments(sub)
    args = parser.parse_args(argv)
    if args.surface is None:
        # Without a surface, the terminal's defaults apply (used when nothing is configured).
        defaults = argparse.ArgumentParser()
        SURFACES[DEFAULT].add_arguments(defaults)
        args = defaults.parse_args([], namespace=args)
    return args


async def run(args: argparse.Namespace, settings: Settings) -> int:
    surfaces = configured(settings, args.surface)
    try:
        service = build_service(settings)
    except ValueError as error:  # e.g. an unknown STORE_URL scheme
        print(f"interview-bot: {error}", file=sys.stderr)
        return 2
    print(f"interview-bot: surfaces={','.join(s.shown_as for s in surfaces)} "
          f"brain={describe_brain(service.brain)} store={describe_store(service.store)}",
          file=sys.stderr, flush=True)
    if surfaces[0].warm_up:
        # Load the answer-reading model (about 1 s) now rather than inside the first turn.
        # In this thread, before any work starts: a worker thread importing it while the
        # loop imports the model SDKs can trip Python's partial-import guard.
        semantics.warm_up()
    try:
        if surfaces[0].terminal:
            # No background job in a short terminal run: apply retention once instead.
            await service.history.purge_older_than(settings.retention_days)
            return await surfaces[0].run(service, settings, args) or 0
        await service.store.get("startup-check")  # opens and migrates the store: fail fast
        await asyncio.to_thread(semantics.warm_up)  # the reading model, before the first user
        freeze_startup_heap()
        retention = asyncio.create_task(
            retention_loop(service.history, service.store, days=settings.retention_days))
        try:
            await asyncio.gather(*(surface.run(service, settings, args) for surface in surfaces))
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
    quiet_terminal = configured(settings, args.surface)[0].terminal and \
        "LOG_LEVEL" not in os.environ
    # A terminal interview shows the conversation; routine logs would only clutter it.
    configure_logging("WARNING" if quiet_terminal else settings.log_level, settings.log_format)
    try:
        return asyncio.run(run(args, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
