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
from core.errors import InterviewError, NoActiveInterviewError

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
BAD_OPTION = "That option value isn't valid. Check the command's options and try again."
NOT_ALLOWED = "You can't use that command here."


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, InterviewError):
        return error.__cause__
    return error


def user_message(error: BaseException, *, slash: bool = True) -> str:
    """The friendly sentence for an error; unknown errors get a generic one.

    Core's "no interview" wording suggests typing ``start sales`` (right in a DM); for
    slash commands, which also run in server channels, the hint names the command.
    """
    error = _unwrap(error)
    generic_no_interview = error.args == (NoActiveInterviewError.user_message,)
    if slash and isinstance(error, NoActiveInterviewError) and generic_no_interview:
        return NO_INTERVIEW_HERE
    if isinstance(error, InterviewError):
        return error.user_message
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
