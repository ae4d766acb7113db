"""One shard process for the sharding test: the real entry's wiring and ``run_discord``.

argv: the fake Discord's port. Settings (token, shard count and ids, STORE_URL) come from
the environment, as in production; only discord.py's URLs point at the fake.
"""

from __future__ import annotations

import asyncio
import sys

import discord
import yarl

from bot.logging import configure_logging
from bot.settings import Settings
from bot.surfaces import run_discord
from bot.wiring import build_service
from tests.fakes.discord_fake import API_PREFIX


async def main(port: int) -> None:
    discord.http.Route.BASE = f"http://127.0.0.1:{port}{API_PREFIX}"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway/")
    settings = Settings(_env_file=None)
    configure_logging(settings.log_level, "json")
    service = build_service(settings)
    try:
        await run_discord(service, settings)  # settings -> token, guild ids, shard ids
    finally:
        await service.aclose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
