"""The buttons under each question: Hint, Skip, End & get feedback.

A persistent view: no timeout and stable custom ids, registered once at start-up
(``Client.add_view``), so the buttons still work after a restart. The view holds no
per-interview state; whoever presses is checked against the session of that
conversation, and only its candidate gets past ``interaction_check``. Since the ids
do not say which question a button sat under, ``InterviewActions.press`` lets a
press act only on the conversation's latest question, and only once
(``adapters.discord.buttons``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from adapters.discord.conversation import where_of, who_of
from adapters.discord.errors import on_interaction_error, tell

if TYPE_CHECKING:
    from adapters.discord.actions import InterviewActions

HINT_ID = "interview:hint"
SKIP_ID = "interview:skip"
END_ID = "interview:end"
NOT_YOURS = "This isn't your interview. Start your own with `/interview start`."


class InterviewView(discord.ui.View):
    def __init__(self, actions: InterviewActions) -> None:
        super().__init__(timeout=None)
        self.actions = actions

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not await self.actions.conversation.exists(who_of(interaction.user),
                                                      where_of(interaction.channel)):
            await tell(interaction, NOT_YOURS)
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        await on_interaction_error(interaction, error)

    @discord.ui.button(label="Hint", emoji="💡", style=discord.ButtonStyle.secondary, custom_id=HINT_ID)
    async def hint(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.actions.press(interaction, "hint")

    @discord.ui.button(label="Skip", emoji="⏭️", style=discord.ButtonStyle.secondary, custom_id=SKIP_ID)
    async def skip(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.actions.press(interaction, "skip")

    @discord.ui.button(label="End & get feedback", style=discord.ButtonStyle.primary, custom_id=END_ID)
    async def end(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.actions.press(interaction, "end")
