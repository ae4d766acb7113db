"""Typed messages: answers in DMs and in candidates' threads, and a few typed commands.

- In a DM with the bot, every message is the candidate's: ``start sales`` (or
  ``start role:sales``) starts an interview, ``hint``, ``skip``, ``end``, ``status``,
  ``reset``, ``roles`` and ``help`` typed alone act as commands, anything else is an answer;
  a voice message or an audio file is a spoken answer (``voice``).
- In a server, a message counts only if its author has an interview in that very
  conversation (the thread opened for them). Other members can read along and talk;
  their messages are ignored silently. No map to keep: the session is the proof, so
  this still holds after a restart. (A candidate writing in a thread whose interview
  never started is told so, while this process remembers the thread.)
- Only what people write counts: Discord's system messages (a thread renamed, a
  message pinned, someone joining) arrive as messages too, and are never answers.
"""

from __future__ import annotations

import re

import discord
import structlog

from adapters.discord.actions import START_FAILED_HERE, InterviewActions
from adapters.discord.commands import HELP_TEXT
from adapters.discord.conversation import NO_PINGS, message_turn, who_of, where_of
from adapters.discord.errors import on_message_error
from adapters.discord.files import read_context_file
from adapters.discord.render import render_roles, split_text
from adapters.discord.voice import answer_by_voice, audio_attachment

log = structlog.get_logger(__name__)

START = re.compile(
    r"^/?(?:interview\s+)?start(?:\s+(?:role\s*[:=]\s*)?(?P<role>.+))?$", re.IGNORECASE | re.DOTALL
)
VERB = re.compile(
    r"^/?(?:interview\s+)?(?P<verb>hint|skip|end|feedback|status|reset|roles|help)[.!]?$", re.IGNORECASE
)
VERB_ALIASES = {"feedback": "end"}
WRITTEN = (discord.MessageType.default, discord.MessageType.reply)
START_WITHOUT_ROLE = "Which role? For example `start sales`. Type `roles` to see them all."


def parse_command(text: str) -> tuple[str, str] | None:
    """``("start", role)`` or ``(verb, "")`` for a typed command; ``None`` for an answer."""
    text = text.strip()
    if match := START.match(text):
        return "start", (match.group("role") or "").strip()
    if match := VERB.match(text):
        verb = match.group("verb").lower()
        return VERB_ALIASES.get(verb, verb), ""
    return None


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
    session = await actions.service.session_for(who_of(author), where_of(channel))  # type: ignore[arg-type]
    return session is not None


async def _act(
    actions: InterviewActions, message: discord.Message, channel: discord.abc.Messageable, is_dm: bool
) -> None:
    who = who_of(message.author)
    command = parse_command(message.content)
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
    verb, argument = command
    log.info("discord.typed_command", verb=verb, dm=is_dm)
    if verb == "start":
        if not argument:
            await channel.send(START_WITHOUT_ROLE, allowed_mentions=NO_PINGS)
            return
        context = await read_context_file(message.attachments[0]) if message.attachments else ""
        await actions.start_in_channel(channel, who, argument, context)
    elif verb == "roles":
        for chunk in split_text(render_roles(actions.service.roles())):
            await channel.send(chunk, allowed_mentions=NO_PINGS)
    elif verb == "help":
        await channel.send(HELP_TEXT, allowed_mentions=NO_PINGS)
    else:
        await actions.verb_in_channel(channel, who, verb)
