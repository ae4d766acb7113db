"""One error handler for slash commands, buttons and typed messages.

The user sees a short, friendly message (ephemeral where Discord allows it); the
details go to the log. Nothing here re-raises: the bot keeps running and the
interview, which core saves only after a successful turn, survives.
"""

from __future__ import annotations

import discord
import structlog
from discord import app_commands

from adapters.discord.conversation import NO_PINGS
from core.commands import CommandError, CommandProblem
from core.errors import ErrorCode, InterviewError

log = structlog.get_logger(__name__)

FALLBACK = "Something went wrong on my side. Your interview is safe; please try again."
NO_INTERVIEW_HERE = (
    "There's no interview running here. Start one with `/interview start role:sales`, or use "
    "the commands inside your interview thread."
)
FORBIDDEN = (
    "I'm missing a permission here (I need to send messages and create threads). "
    "Ask a server admin, or practise with me in a DM."
)
NO_INTERVIEW_TYPED = (
    "There's no interview running here. Start one by typing `start <role>` (for example "
    "`start sales`), or with `/interview start`."
)
ALREADY_ACTIVE = (
    "You already have an interview running here. Answer the current question, or end it "
    "first: `/interview end` for feedback, or `/interview reset` to discard it."
)
ALREADY_ACTIVE_TYPED = (
    "You already have an interview running here. Answer the current question, or end it "
    "first: type `end` for feedback, or `reset` to discard it."
)
SLASH_WORDING = {ErrorCode.no_interview: NO_INTERVIEW_HERE, ErrorCode.already_active: ALREADY_ACTIVE}
TYPED_WORDING = {ErrorCode.no_interview: NO_INTERVIEW_TYPED,
                 ErrorCode.already_active: ALREADY_ACTIVE_TYPED}
# Typed commands' problems in Discord's words (a typed `start` is only read in DMs and threads).
COMMAND_WORDING = {CommandProblem.missing_role: (
    "Which role would you like to practise? For example `start sales`; type `roles` for the list.")}
BAD_OPTION = "That option value isn't valid. Check the command's options and try again."
NOT_ALLOWED = "You can't use that command here."


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, InterviewError):
        return error.__cause__
    return error


def user_message(error: BaseException, *, slash: bool = True) -> str:
    """The friendly sentence for an error, in Discord's words; unknown errors get a generic one.

    Core's errors carry a code and a neutral default; where core gave its default, the
    sentence names the command to use: the slash command (which also runs in server
    channels), or the typed words in a DM or thread.
    """
    error = _unwrap(error)
    if isinstance(error, CommandError):
        return COMMAND_WORDING.get(error.problem, error.user_message)
    if isinstance(error, InterviewError):
        wording = (SLASH_WORDING if slash else TYPED_WORDING).get(error.error_code)
        return wording if wording and getattr(error, "generic", False) else error.user_message
    if isinstance(error, discord.Forbidden):
        return FORBIDDEN
    if isinstance(error, app_commands.TransformerError):
        return BAD_OPTION
    if isinstance(error, app_commands.CheckFailure):
        return NOT_ALLOWED
    return FALLBACK


def log_error(error: BaseException, **context: object) -> None:
    error = _unwrap(error)
    if isinstance(error, InterviewError):
        log.info("discord.user_error", error=type(error).__name__, **context)
    else:
        log.error("discord.error", error=type(error).__name__, exc_info=error, **context)


async def tell(interaction: discord.Interaction, text: str) -> None:
    """Send ``text`` privately to whoever triggered the interaction, however far it got."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as error:  # the interaction may have expired
        log.warning("discord.error_reply_failed", status=error.status)


async def withdraw(interaction: discord.Interaction, text: str) -> None:
    """After a public "thinking…" defer, take it back and answer ``text`` privately instead.

    The first follow-up would fill the thinking message and keep it public; with that
    message deleted, the follow-up is a message of its own and can be ephemeral.
    """
    try:
        await interaction.delete_original_response()
    except discord.HTTPException as error:
        log.warning("discord.withdraw_failed", status=error.status)
    await tell(interaction, text)


async def on_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The handler for the command tree and for every view."""
    command = interaction.command.qualified_name if interaction.command else None
    custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
    log_error(error, command=command, custom_id=custom_id, user=interaction.user.id)
    await tell(interaction, user_message(error))


async def on_message_error(channel: discord.abc.Messageable, error: BaseException, *, user: int) -> None:
    """The same, for typed messages: a reply in the conversation (DMs and threads)."""
    log_error(error, user=user, channel=getattr(channel, "id", None))
    try:
        await channel.send(user_message(error, slash=False), allowed_mentions=NO_PINGS)
    except discord.HTTPException as http_error:
        log.warning("discord.error_reply_failed", status=http_error.status)
