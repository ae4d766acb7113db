"""The ``/interview`` command group: the interview verbs, and the user's practice data.

A feature module in the spirit of a cog: one ``app_commands.Group`` whose methods
are the subcommands. Each one only translates options and hands over to
``InterviewActions`` (start, end, hint, skip, status, reset) or ``PracticeData``
(history, stats, share, forget); errors go to the tree's single error handler.
"""

# No ``from __future__ import annotations``: discord.py reads these annotations at runtime.

import discord
from discord import app_commands

from adapters.discord.actions import InterviewActions, StartRequest
from adapters.discord.conversation import NO_PINGS
from adapters.discord.practice import PracticeData
from adapters.discord.render import render_roles, split_text
from core.models import DEFAULT_QUESTIONS, MAX_QUESTIONS, MIN_QUESTIONS, Difficulty, Focus

AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices

HELP_TEXT = """**Mock interview practice**
`/interview start role:sales` starts an interview. Options: `difficulty` (junior, mid, senior), \
`questions` (1-15), `focus` (behavioural, technical, mixed), `private` (a private thread), \
`file` (your resume or the job description, .pdf/.txt/.md), `context` (the same as text), \
`question` (one question you want to practise).
In a server channel I open a thread for you: your messages there are your answers. \
In a DM with me, just type your answers; typed commands work there too: `start sales`, \
`hint`, `skip`, `end` (or `stop`, `quit`, `finish`), `status`, `reset`, and outside an interview \
`history`, `share on|off` and `forget`.
Under each question: **Hint**, **Skip**, **End & get feedback**.
Other commands: `/interview end` (feedback report; again later to see it), `hint`, `skip`, \
`status`, `roles`, `reset` (discard the interview).
Your data: `history` (your last interviews and how your scores move), `stats` (who practised \
what in this channel; scores only of members who share them), `share` (show or hide your \
scores there), `forget` (delete everything I keep about you)."""


class InterviewCommands(app_commands.Group):
    def __init__(self, actions: InterviewActions, practice: PracticeData) -> None:
        super().__init__(name="interview", description="Practise a job interview with an AI interviewer")
        self.actions = actions
        self.practice = practice

    @app_commands.command(description="Start a mock interview")
    @app_commands.describe(
        role="The role to practise for, e.g. sales",
        difficulty="How demanding the questions are",
        questions="How many main questions (1-15)",
        focus="Behavioural, technical or a mix",
        private="In a server: use a private thread only you and the bot can see",
        file="Your resume or the job description (.pdf, .txt or .md, up to 5 MB)",
        context="Your resume or the job description as text",
        question="A question you want to practise (asked among the others)",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        role: str,
        difficulty: Difficulty = Difficulty.mid,
        questions: app_commands.Range[int, MIN_QUESTIONS, MAX_QUESTIONS] = DEFAULT_QUESTIONS,
        focus: Focus = Focus.mixed,
        private: bool = False,
        file: discord.Attachment | None = None,
        context: app_commands.Range[str, 1, 4000] | None = None,
        question: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        request = StartRequest(role, difficulty, questions, focus, private, file, context, question)
        await self.actions.start_from_interaction(interaction, request)

    @start.autocomplete("role")
    async def role_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        matches = self.actions.conversation.roles_matching(current)
        return [app_commands.Choice(name=role.name, value=role.id) for role in matches][:AUTOCOMPLETE_LIMIT]

    @app_commands.command(description="End the interview and get your feedback report")
    async def end(self, interaction: discord.Interaction) -> None:
        await self.actions.verb_from_interaction(interaction, "end")

    @app_commands.command(description="Get a hint for the current question")
    async def hint(self, interaction: discord.Interaction) -> None:
        await self.actions.verb_from_interaction(interaction, "hint")

    @app_commands.command(description="Skip the current question")
    async def skip(self, interaction: discord.Interaction) -> None:
        await self.actions.verb_from_interaction(interaction, "skip")

    @app_commands.command(description="Where you are in the interview")
    async def status(self, interaction: discord.Interaction) -> None:
        await self.actions.verb_from_interaction(interaction, "status", ephemeral=True)

    @app_commands.command(description="Discard the interview here without feedback")
    async def reset(self, interaction: discord.Interaction) -> None:
        await self.actions.verb_from_interaction(interaction, "reset", ephemeral=True)

    @app_commands.command(description="The roles you can practise")
    async def roles(self, interaction: discord.Interaction) -> None:
        # One message holds 2,000 characters: a long list goes on in private follow-ups.
        first, *rest = split_text(render_roles(self.actions.service.roles()))
        await interaction.response.send_message(first, ephemeral=True, allowed_mentions=NO_PINGS)
        for chunk in rest:
            await interaction.followup.send(chunk, ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(description="How the interview practice works")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(HELP_TEXT, ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(description="Your last interviews and how your scores are moving")
    async def history(self, interaction: discord.Interaction) -> None:
        await self.practice.history(interaction)

    @app_commands.command(description="Who practised what in this channel (scores only if shared)")
    async def stats(self, interaction: discord.Interaction) -> None:
        await self.practice.stats(interaction)

    @app_commands.command(description="Show or hide your scores in channel practice stats")
    @app_commands.describe(scores=(
        "True: show your average scores in /interview stats; False: keep them private"
    ))
    async def share(self, interaction: discord.Interaction, scores: bool) -> None:
        await self.practice.share(interaction, scores)

    @app_commands.command(description="Delete everything the bot keeps about you (asks first)")
    async def forget(self, interaction: discord.Interaction) -> None:
        await self.practice.forget(interaction)
