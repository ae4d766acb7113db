"""The user's practice data: history and progress, a channel's stats, sharing scores, forgetting.

None of these touch a running interview, so they do not take the user's turn. Each
is acknowledged (deferred, privately) before it reads the store, because a SQLite
or Redis store may take a moment, and a chart takes about a tenth of a second of
CPU: it is drawn in a worker thread so the event loop keeps serving everyone else.

``/interview forget`` deletes everything only after the user confirms on a private
message whose buttons work for them alone and expire after a minute.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import structlog

from adapters.discord.conversation import NO_PINGS, stats_prefix_of, where_of, who_of
from adapters.discord.errors import on_interaction_error, tell
from adapters.discord.render import CHART_FILENAME, history_embed, stats_embed
from core.commands import Command, ParsedCommand
from core.conversation import (
    ConfirmForget,
    Conversation,
    Outcome,
    SharingSet,
    ShowHistory,
    ShowStats,
)
from core.history import ForgetResult
from core.models import Who
from core.presentation import trend_chart_png
from core.service import InterviewService

log = structlog.get_logger(__name__)

FORGET_TIMEOUT_SECONDS = 60.0
FORGET_CONFIRM_ID = "forget:confirm"
FORGET_CANCEL_ID = "forget:cancel"

STATS_NEED_A_CHANNEL = (
    "Practice stats belong to a server channel: run `/interview stats` in the channel where "
    "your team practises. For your own progress, use `/interview history`."
)
SHARING_ON = (
    "Your average scores now show in the practice stats of the channels where you practised "
    "(`/interview stats`). Turn it off any time with `/interview share scores:False`."
)
SHARING_OFF = (
    "Your scores are private: channel stats show only how many interviews you did and for "
    "which roles."
)
FORGET_QUESTION = (
    "**Delete everything I keep about you on Discord?** That is your finished interviews "
    "(reports and transcripts), your history and progress, your sharing choice, and any "
    "interview still running. This cannot be undone."
)
FORGET_CANCELLED = "Cancelled. Nothing was deleted."
FORGET_TIMED_OUT = (
    "No answer within a minute, so nothing was deleted. Run `/interview forget` again if you like."
)
FORGET_WORKING = "Deleting…"
FORGET_FAILED = (
    "The deletion did not finish (a storage problem on my side). Please run `/interview forget` again."
)
NOT_YOUR_CONFIRMATION = (
    "Only the person who asked can confirm this. Run `/interview forget` for your own data."
)


def forgotten_text(result: ForgetResult) -> str:
    return (
        f"Done. I deleted {result.interviews} finished interview(s) and {result.sessions} "
        "interview session(s). Nothing about you is stored any more; start afresh whenever you like."
    )


Send = Callable[..., Awaitable[Any]]


class PracticeData:
    """``history``, ``stats``, ``share`` and ``forget``: slash commands, or typed in a DM.

    Both go through core's one dispatch (``Conversation.handle``) and differ only in
    where the answer goes: a private follow-up, or the DM it was typed in.
    """

    def __init__(self, conversation: Conversation, *,
                 forget_timeout: float = FORGET_TIMEOUT_SECONDS) -> None:
        self.conversation = conversation
        self.service = conversation.service
        self.forget_timeout = forget_timeout

    async def history(self, interaction: discord.Interaction) -> None:
        await self.from_interaction(interaction, ParsedCommand(Command.history))

    async def stats(self, interaction: discord.Interaction) -> None:
        await self.from_interaction(interaction, ParsedCommand(Command.stats))

    async def share(self, interaction: discord.Interaction, scores: bool) -> None:
        await self.from_interaction(interaction, ParsedCommand(Command.share, share=scores))

    async def forget(self, interaction: discord.Interaction) -> None:
        await self.from_interaction(interaction, ParsedCommand(Command.forget))

    async def from_interaction(self, interaction: discord.Interaction,
                               command: ParsedCommand) -> None:
        """A slash command: answered privately; acknowledged first when it reads the store."""
        who, scope = who_of(interaction.user), stats_prefix_of(interaction.channel)
        instant = command.command is Command.forget or (command.command is Command.stats
                                                        and scope is None)
        if not instant:
            await interaction.response.defer(thinking=True, ephemeral=True)
        outcome = await self.conversation.handle(who, where_of(interaction.channel), command,
                                                 channel_scope=scope)

        async def send(**message: Any) -> discord.Message | None:
            if instant:
                await interaction.response.send_message(**message, ephemeral=True,
                                                        allowed_mentions=NO_PINGS)
                return None
            return await interaction.followup.send(**message, ephemeral=True,
                                                   allowed_mentions=NO_PINGS)

        if isinstance(outcome, ConfirmForget):  # the view does the deleting once confirmed
            view = ForgetView(self.service, who, interaction.edit_original_response,
                              timeout=self.forget_timeout)
            await send(content=FORGET_QUESTION, view=view)
            return
        await self._show(outcome, scope, send, can_attach=interaction.app_permissions.attach_files)

    async def in_channel(self, channel: discord.abc.Messageable, who: Who,
                         command: ParsedCommand) -> None:
        """Typed in a DM with the bot (private already): answered there."""
        scope = stats_prefix_of(channel)  # type: ignore[arg-type]
        outcome = await self.conversation.handle(who, where_of(channel), command,  # type: ignore[arg-type]
                                                 channel_scope=scope)

        async def send(**message: Any) -> discord.Message:
            return await channel.send(**message, allowed_mentions=NO_PINGS)

        if isinstance(outcome, ConfirmForget):
            view = ForgetView(self.service, who, None, timeout=self.forget_timeout)
            view.edit_prompt = (await send(content=FORGET_QUESTION, view=view)).edit
            return
        await self._show(outcome, scope, send, can_attach=True)

    async def _show(self, outcome: Outcome, scope: str | None, send: Send, *,
                    can_attach: bool) -> None:
        if isinstance(outcome, ShowHistory):
            progress = outcome.progress
            # Without Attach Files here, the sparklines in the embed still show the trend.
            chart = await self._chart(progress.entries) if progress.entries and can_attach else None
            embed = history_embed(progress, self.conversation.role_names(), chart=chart is not None)
            extra = {"file": discord.File(io.BytesIO(chart), filename=CHART_FILENAME)} if chart else {}
            await send(embed=embed, **extra)
            log.info("discord.history_shown", interviews=len(progress.entries), chart=chart is not None)
        elif isinstance(outcome, ShowStats):
            if outcome.stats is None or scope is None:
                await send(content=STATS_NEED_A_CHANNEL)
                return
            embed = stats_embed(outcome.stats, self.conversation.role_names(), f"<#{scope.rstrip(':')}>")
            await send(embed=embed)
            log.info("discord.stats_shown", interviews=outcome.stats.sessions,
                     members=len(outcome.stats.members))
        elif isinstance(outcome, SharingSet):
            await send(content=SHARING_ON if outcome.share else SHARING_OFF)
            log.info("discord.share_scores", share=outcome.share)
        else:
            raise ValueError(f"{type(outcome).__name__} is not about the user's records")

    async def _chart(self, entries) -> bytes | None:
        """The trend chart; without it the history is still worth showing."""
        try:
            return await asyncio.to_thread(trend_chart_png, entries)
        except Exception as error:  # matplotlib trouble must not cost the user their history
            log.warning("discord.chart_failed", error=type(error).__name__)
            return None


class ForgetView(discord.ui.View):
    """"Delete everything" / "Cancel", for the asking user only, for a minute."""

    def __init__(
        self, service: InterviewService, who: Who, edit_prompt: Send | None, *, timeout: float
    ) -> None:
        super().__init__(timeout=timeout)
        self.service = service
        self.who = who
        # Edits the message that carries these buttons (a private answer, or a DM message).
        self.edit_prompt = edit_prompt

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if str(interaction.user.id) != self.who.user_id:
            await tell(interaction, NOT_YOUR_CONFIRMATION)
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await on_interaction_error(interaction, error)

    @discord.ui.button(
        label="Delete everything", style=discord.ButtonStyle.danger, custom_id=FORGET_CONFIRM_ID
    )
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()  # one deletion per question, however often the button is pressed
        # Answer the press at once by removing the buttons; the deletion may take a moment.
        await interaction.response.edit_message(content=FORGET_WORKING, view=None)
        try:
            result = await self.service.forget(self.who)
        except Exception as error:  # say so on the question itself: "Deleting…" must not linger
            log.error("discord.forget_failed", error=type(error).__name__, exc_info=error)
            await interaction.edit_original_response(content=FORGET_FAILED)
            return
        await interaction.edit_original_response(content=forgotten_text(result))
        log.info("discord.forgot_user", interviews=result.interviews, sessions=result.sessions)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id=FORGET_CANCEL_ID)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content=FORGET_CANCELLED, view=None)

    async def on_timeout(self) -> None:
        if self.edit_prompt is None:
            return
        try:
            await self.edit_prompt(content=FORGET_TIMED_OUT, view=None)
        except discord.HTTPException as error:  # the user may have dismissed the message
            log.info("discord.forget_expiry_not_shown", status=error.status)
