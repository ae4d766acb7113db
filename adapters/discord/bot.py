"""The Discord client: intents, the ``/interview`` tree, the persistent view, start-up.

``build_discord_client`` makes a ready-to-start client (tests log it in to a fake
Discord); ``run_discord`` is the entry point ``python -m bot discord`` uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import discord
import structlog
from discord import app_commands

from adapters.discord.actions import InterviewActions
from adapters.discord.commands import InterviewCommands
from adapters.discord.conversation import NO_PINGS
from adapters.discord.errors import on_interaction_error
from adapters.discord.messages import handle_message
from core.conversation import Conversation
from core.service import InterviewService

log = structlog.get_logger(__name__)

# What the bot needs in a server, and nothing more (see the README's Discord section).
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    embed_links=True,
    attach_files=True,  # the progress chart of /interview history
    read_message_history=True,
)
INVITE_SCOPES = ("bot", "applications.commands")


def bot_intents() -> discord.Intents:
    """Minimal intents. Message content is the one privileged intent: answers in threads."""
    intents = discord.Intents.none()
    intents.guilds = True  # channels and threads, to open a thread per candidate
    intents.guild_messages = True  # messages in threads (answers)
    intents.dm_messages = True  # messages in DMs (answers; DMs carry content without the intent)
    intents.message_content = True  # privileged: read answers typed in server threads
    return intents


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


class InterviewBot(discord.Client):
    def __init__(self, service: InterviewService, *, guild_ids: Iterable[int] = (), **options: Any) -> None:
        options.setdefault("intents", bot_intents())
        options.setdefault("allowed_mentions", NO_PINGS)
        super().__init__(**options)
        self.service = service
        self.guild_ids = [int(guild_id) for guild_id in guild_ids]
        self.actions = InterviewActions(Conversation(service))
        self.practice = self.actions.practice
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(InterviewCommands(self.actions, self.practice))
        self.tree.error(on_interaction_error)

    async def setup_hook(self) -> None:
        self.add_view(self.actions.view)  # buttons on old messages keep working after a restart
        shards = getattr(self, "shard_ids", None)
        if shards and 0 not in shards:
            return  # one bot, several processes: the process running shard 0 syncs commands
        await self._sync_commands()

    async def _sync_commands(self) -> None:
        """Per-guild sync shows commands at once (development); global sync can take a while."""
        if not self.guild_ids:
            synced = await self.tree.sync()
            log.info("discord.commands_synced", scope="global", commands=len(synced))
            return
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("discord.commands_synced", scope="guild", guild=guild_id, commands=len(synced))

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info(
            "discord.ready",
            user=str(self.user),
            guilds=len(self.guilds),
            invite_url=invite_url(self.application_id or self.user.id),
        )

    async def on_message(self, message: discord.Message) -> None:
        await handle_message(self.actions, message)


class ShardedInterviewBot(InterviewBot, discord.AutoShardedClient):
    """The same bot as some shards of a sharded bot (``shard_ids`` of ``shard_count``)."""


def build_discord_client(
    service: InterviewService, *, guild_ids: Iterable[int] = (), **options: Any
) -> InterviewBot:
    """A client ready to ``start(token)``; ``options`` go to ``discord.Client`` (or, with
    ``shard_ids``, to ``discord.AutoShardedClient``)."""
    kind = ShardedInterviewBot if "shard_ids" in options else InterviewBot
    return kind(service, guild_ids=guild_ids, **options)


async def run_discord(service: InterviewService, *, token: str, guild_ids: Iterable[int] = (),
                      shards: Mapping[str, Any] | None = None) -> None:
    """Run the Discord bot until it is stopped. ``shards``: ``shard_ids`` and ``shard_count``
    when this process runs some shards of a sharded bot."""
    if not token:
        raise RuntimeError("DISCORD_TOKEN is not set: create a bot in the Discord developer portal.")
    client = build_discord_client(service, guild_ids=guild_ids, **dict(shards or {}))
    try:
        async with client:
            await client.start(token)
    except discord.PrivilegedIntentsRequired as error:
        raise RuntimeError(
            "Enable the Message Content intent for this bot in the Discord developer portal "
            "(Bot > Privileged Gateway Intents): the bot reads answers typed in interview threads."
        ) from error
    except discord.LoginFailure as error:
        raise RuntimeError("Discord rejected the token: check DISCORD_TOKEN.") from error
    except discord.ConnectionClosed as error:
        if error.code not in (4010, 4011):
            raise
        raise RuntimeError(
            "Discord wants this bot sharded (or the shard settings are invalid): set "
            "DISCORD_SHARD_COUNT, and DISCORD_SHARD_IDS per process (see README, Discord)."
        ) from error
