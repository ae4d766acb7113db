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

import discord
import structlog

from adapters.discord.conversation import NO_PINGS, PLATFORM, stats_prefix_of, who_of
from adapters.discord.errors import on_interaction_error, tell
from adapters.discord.render import CHART_FILENAME, history_embed, stats_embed
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


class PracticeData:
    """The handlers behind ``/interview history``, ``stats``, ``share`` and ``forget``."""

    def __init__(self, service: InterviewService, *, forget_timeout: float = FORGET_TIMEOUT_SECONDS) -> None:
        self.service = service
        self.forget_timeout = forget_timeout

    def role_names(self) -> dict[str, str]:
        return {role.id: role.name for role in self.service.roles()}

    async def history(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        progress = await self.service.progress(who_of(interaction.user))
        # Without Attach Files here, the sparklines in the embed still show the trend.
        can_attach = interaction.app_permissions.attach_files
        chart = await self._chart(progress.entries) if progress.entries and can_attach else None
        embed = history_embed(progress, self.role_names(), chart=chart is not None)
        extra = {"file": discord.File(io.BytesIO(chart), filename=CHART_FILENAME)} if chart else {}
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS, **extra)
        log.info("discord.history_shown", interviews=len(progress.entries), chart=chart is not None)

    async def _chart(self, entries) -> bytes | None:
        """The trend chart; without it the history is still worth showing."""
        try:
            return await asyncio.to_thread(trend_chart_png, entries)
        except Exception as error:  # matplotlib trouble must not cost the user their history
            log.warning("discord.chart_failed", error=type(error).__name__)
            return None

    async def stats(self, interaction: discord.Interaction) -> None:
        prefix = stats_prefix_of(interaction.channel)
        if prefix is None:
            await interaction.response.send_message(
                STATS_NEED_A_CHANNEL, ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        stats = await self.service.channel_stats(PLATFORM, prefix)
        channel_mention = f"<#{prefix.rstrip(':')}>"
        embed = stats_embed(stats, self.role_names(), channel_mention)
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)
        log.info("discord.stats_shown", interviews=stats.sessions, members=len(stats.members))

    async def share(self, interaction: discord.Interaction, scores: bool) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await self.service.share_scores(who_of(interaction.user), scores)
        await interaction.followup.send(
            SHARING_ON if scores else SHARING_OFF, ephemeral=True, allowed_mentions=NO_PINGS
        )
        log.info("discord.share_scores", share=scores)

    async def forget(self, interaction: discord.Interaction) -> None:
        """Ask first; the view does the deleting once the user confirms."""
        view = ForgetView(self.service, who_of(interaction.user), interaction, timeout=self.forget_timeout)
        await interaction.response.send_message(
            FORGET_QUESTION, view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )


class ForgetView(discord.ui.View):
    """"Delete everything" / "Cancel", for the asking user only, for a minute."""

    def __init__(
        self, service: InterviewService, who: Who, origin: discord.Interaction, *, timeout: float
    ) -> None:
        super().__init__(timeout=timeout)
        self.service = service
        self.who = who
        self.origin = origin  # the slash command whose private answer carries these buttons

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
        try:
            await self.origin.edit_original_response(content=FORGET_TIMED_OUT, view=None)
        except discord.HTTPException as error:  # the user may have dismissed the message
            log.info("discord.forget_expiry_not_shown", status=error.status)
