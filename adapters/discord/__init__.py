"""Discord surface: ``/interview`` slash commands, DMs and practice-channel threads.

Entry points: ``run_discord(service, token=...)`` for ``python -m bot discord`` and
``build_discord_client(service, guild_ids=...)`` for tests and custom wiring.
"""

from adapters.discord.bot import build_discord_client, invite_url, run_discord

__all__ = ["build_discord_client", "invite_url", "run_discord"]
