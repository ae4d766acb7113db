"""Typed messages: answers in DMs and in candidates' threads, and a few typed commands.

- Typed commands are core's one grammar (``core.commands``), as on every surface: in a
  DM with the bot ``start sales`` (or ``start role:sales senior 3``) starts an interview;
  during one, ``hint``, ``skip``, ``end`` (or ``stop``, ``quit``, ``finish``), ``status``,
  ``reset``, ``roles`` and ``help`` typed alone act as commands, anything else is an
  answer; outside one, ``history``, ``stats``, ``share on|off`` and ``forget`` answer in
  the DM. A voice message or an audio file is a spoken answer (``voice``).
- In a server, a message counts only if its author has an interview in that very
  conversation (the thread opened for them). Other members can read along and talk;
  their messages are ignored silently. No map to keep: the session is the proof, so
  this still holds after a restart. (A candidate writing in a thread whose interview
  never started is told so, while this process remembers the thread.)
- Only what people write counts: Discord's system messages (a thread renamed, a
  message pinned, someone joining) arrive as messages too, and are never answers.
"""

from __future__ import annotations

import discord
import structlog

from adapters.discord.actions import START_FAILED_HERE, InterviewActions
from adapters.discord.commands import HELP_TEXT
from adapters.discord.conversation import NO_PINGS, message_turn, who_of, where_of
from adapters.discord.errors import on_message_error
from adapters.discord.files import read_context_file
from adapters.discord.render import render_roles, split_text
from adapters.discord.voice import answer_by_voice, audio_attachment
from core.commands import RECORD_COMMANDS, Command

log = structlog.get_logger(__name__)

WRITTEN = (discord.MessageType.default, discord.MessageType.reply)
# History, stats, sharing and forgetting show a person's scores: never in a server thread.
RECORDS_ARE_PRIVATE = (
    "Your practice data is private, so I don't show it here. Use `/interview history` (or "
    "`stats`, `share`, `forget`) and only you will see the answer, or type it in a DM with me."
)


async def handle_message(actions: InterviewActions, message: discord.Message) -> None:
    """Route one message; every turn of one author in one conversation runs in order."""
    if message.author.bot or message.webhook_id is not None or message.type not in WRITTEN:
        return
    if isinstance(message.channel, discord.TextChannel):
        return  # interviews started in a text channel live in their own thread, never in it
    is_dm = message.guild is None
    # Take the turn first (it does not yield when free), so messages keep their order.
    async with actions.turns.turn(message.author.id, message.channel.id,
                                  message.created_at.timestamp()):
        channel = message.channel if is_dm else await _known_channel(message)
        if channel is None:
            return
        if not is_dm and not await _is_candidate(actions, message.author, channel):
            if actions.failed_threads.get(message.channel.id) == message.author.id:
                await channel.send(START_FAILED_HERE, allowed_mentions=NO_PINGS)
            return
        try:
            await _act(actions, message, channel, is_dm)
        except Exception as error:  # one handler: a friendly line, never a crash
            await on_message_error(channel, error, user=message.author.id)


async def _known_channel(message: discord.Message) -> discord.abc.Messageable | None:
    """The message's channel with its parent known (a thread's conversation id needs it).

    discord.py caches the threads Discord announces; one it has not seen (say, after a
    restart) arrives as a bare ``PartialMessageable``, so it is fetched from Discord.
    """
    channel = message.channel
    if not isinstance(channel, discord.PartialMessageable) or message.guild is None:
        return channel
    try:
        return await message.guild.fetch_channel(channel.id)  # type: ignore[return-value]
    except discord.HTTPException as error:
        log.info("discord.channel_fetch_failed", channel=channel.id, status=error.status)
        return None


async def _is_candidate(
    actions: InterviewActions, author: discord.abc.User, channel: discord.abc.Messageable
) -> bool:
    return await actions.conversation.exists(who_of(author), where_of(channel))  # type: ignore[arg-type]


async def _act(
    actions: InterviewActions, message: discord.Message, channel: discord.abc.Messageable, is_dm: bool
) -> None:
    who, where = who_of(message.author), where_of(channel)  # type: ignore[arg-type]
    # Core's one grammar: mid-interview only a command typed alone counts.
    command = (await actions.conversation.understand(who, where, message.content)).command
    if command is None:
        if (recording := audio_attachment(message)) is not None:  # a spoken answer (voice.py)
            await answer_by_voice(actions, channel, who, recording)
            return
        if not message.content.strip() and message.attachments:
            await channel.send(
                "I take typed answers and voice messages only. Please type your answer, or record "
                "it as a voice message.", allowed_mentions=NO_PINGS
            )
            return
        await actions.answer_in_channel(channel, who, message.content, message_turn(message))
        return
    log.info("discord.typed_command", verb=command.command.value, dm=is_dm)
    if command.command is Command.start:
        context = await read_context_file(message.attachments[0]) if message.attachments else ""
        await actions.start_in_channel(channel, who, command, context)
    elif command.command is Command.roles:
        for chunk in split_text(render_roles(actions.service.roles())):
            await channel.send(chunk, allowed_mentions=NO_PINGS)
    elif command.command is Command.help:
        await channel.send(HELP_TEXT, allowed_mentions=NO_PINGS)
    elif command.command in RECORD_COMMANDS:
        if is_dm:
            await actions.practice.in_channel(channel, who, command)
        else:
            await channel.send(RECORDS_ARE_PRIVATE, allowed_mentions=NO_PINGS)
    else:
        await actions.verb_in_channel(channel, who, command.command.value)
