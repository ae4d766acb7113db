"""The one place where Discord events become service calls.

Slash commands, buttons and typed messages all come here, so each verb behaves
the same whichever way it was asked for. Interactions are acknowledged (deferred)
before any slow work, well within Discord's 3 seconds; the work then runs in the
user's turn queue, so replies land in the order the user acted.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import aclosing
from dataclasses import dataclass

import discord
import structlog

from adapters.discord.buttons import LiveButtons
from adapters.discord.conversation import (
    NO_PINGS,
    ChannelDelivery,
    FollowupDelivery,
    TurnQueue,
    deliver,
    where_of,
    who_of,
)
from adapters.discord.errors import tell, withdraw
from adapters.discord.files import read_context_file
from adapters.discord.practice import PracticeData
from adapters.discord.streaming import StreamingReply
from adapters.discord.views import InterviewView
from core.commands import Command, ParsedCommand
from core.conversation import Conversation, Replied
from core.errors import InvalidOptionError
from core.models import (
    DEFAULT_QUESTIONS,
    Difficulty,
    Focus,
    Reply,
    TurnRef,
    Where,
    Who,
)
from core.turns import TurnRepeated, unless_repeated

log = structlog.get_logger(__name__)

THREAD_ARCHIVE_MINUTES = 1440  # a day of quiet before Discord archives the thread
THREAD_NAME_LIMIT = 100
FAILED_THREADS_REMEMBERED = 1000  # threads whose interview never started (oldest forgotten)
PRIVATE_REFUSED = (
    "🔓 You asked for a private thread, but this server doesn't let me create one here, so "
    "this thread is **public**: others in the channel can read along. If you'd rather practise "
    "privately, use `/interview reset` here and start again in a DM with me."
)
NO_PRIVATE_IN_ANNOUNCEMENTS = (
    "🔓 Announcement channels have no private threads, so this thread is **public**: others "
    "can read along. For a private interview, use `/interview reset` here and start again "
    "in a DM with me."
)
START_FAILED_HERE = (
    "This interview couldn't start (I've told you why privately). Run `/interview start` in "
    "the channel to try again; this thread is closed."
)


@dataclass
class StartRequest:
    """What the candidate asked for, before it is checked."""

    role: str
    difficulty: Difficulty = Difficulty.mid
    questions: int = DEFAULT_QUESTIONS
    focus: Focus = Focus.mixed
    private: bool = False
    file: discord.Attachment | None = None
    context: str | None = None
    question: str | None = None


class InterviewActions:
    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.service = conversation.service
        self.practice = PracticeData(conversation)  # history, stats, share, forget
        self.turns = TurnQueue()
        self.view = InterviewView(self)  # persistent: one instance serves every message
        self.buttons = LiveButtons(self.view)  # and where it is live in each conversation
        # thread id -> the candidate whose interview never started there (it was closed)
        self.failed_threads: OrderedDict[int, int] = OrderedDict()

    async def verb(self, name: str, who: Who, where: Where) -> Reply:
        """A verb about the interview here (hint, skip, end, status, reset), by core's dispatch."""
        return await self.run(ParsedCommand(Command(name)), who, where)

    async def run(self, command: ParsedCommand, who: Who, where: Where,
                  extra_context: str = "") -> Reply:
        outcome = await self.conversation.handle(who, where, command, extra_context=extra_context)
        assert isinstance(outcome, Replied), outcome
        return outcome.reply

    # ----------------------------------------------------------------- interactions

    async def press(self, interaction: discord.Interaction, name: str) -> None:
        """A button under a question: acts once, and only under the latest question."""
        message = interaction.message
        assert message is not None  # a button press always comes with its message
        channel_id, message_id = interaction.channel_id or 0, message.id
        refusal = self.buttons.claim(channel_id, message)
        if refusal is not None:
            log.info("discord.stale_press", message=message_id, verb=name)
            await tell(interaction, refusal)
            return
        try:
            await self.verb_from_interaction(interaction, name, pressed=message_id)
        finally:
            self.buttons.release(message_id)

    async def verb_from_interaction(
        self,
        interaction: discord.Interaction,
        name: str,
        *,
        ephemeral: bool = False,
        pressed: int | None = None,  # the message whose button was pressed
    ) -> None:
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        who, where = who_of(interaction.user), where_of(interaction.channel)
        channel_id = interaction.channel_id or 0
        async with self.turns.turn(interaction.user.id, channel_id, _sent_at(interaction)):
            # A typed answer handled while this press waited may have moved the question on.
            if pressed is not None and (refusal := self.buttons.refusal(channel_id, pressed)):
                await withdraw(interaction, refusal)
                return
            reply = await self.verb(name, who, where)
            await deliver(FollowupDelivery(interaction, self.buttons, ephemeral=ephemeral), reply)

    async def start_from_interaction(self, interaction: discord.Interaction, request: StartRequest) -> None:
        # Resolve the role before acknowledging: an unknown role gets an instant private answer.
        role = self.service.resolve_role(request.role)
        opens_thread = isinstance(interaction.channel, discord.TextChannel)
        await interaction.response.defer(thinking=True, ephemeral=opens_thread)
        command = await self._command(role.id, request)
        who = who_of(interaction.user)
        if not opens_thread:  # a DM, or a thread or channel that cannot hold threads: stay here
            async with self.turns.turn(interaction.user.id, interaction.channel_id or 0,
                                       _sent_at(interaction)):
                reply = await self.run(command, who, where_of(interaction.channel))
                await deliver(FollowupDelivery(interaction, self.buttons), reply)
            return
        channel: discord.TextChannel = interaction.channel  # type: ignore[assignment]
        thread, note = await self._open_thread(
            channel, interaction.user, role.name, request.private, interaction.app_permissions
        )
        async with self.turns.turn(interaction.user.id, thread.id, _sent_at(interaction)):
            try:
                if note:  # said before the first question, where the candidate will look
                    await thread.send(note, allowed_mentions=NO_PINGS)
                await self.start_in_channel(thread, who, command)
            except BaseException:
                await self._close_failed_thread(thread, interaction.user.id)
                raise
        audience = (
            "only you and I can see it" if thread.is_private() else "others can read along"
        )
        if note:
            audience += " (a private thread wasn't possible here)"
        await interaction.followup.send(
            f"Your {role.name} interview is ready in {thread.mention}. Answer there: only your "
            f"messages count as answers, and {audience}.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    async def _command(self, role_id: str, request: StartRequest) -> ParsedCommand:
        """The slash command's options as core's ``start`` command, checked now."""
        parts = []
        if request.file is not None:
            parts.append(await read_context_file(request.file))
        if request.context:
            parts.append(request.context)
        command = ParsedCommand(Command.start, role=role_id, difficulty=request.difficulty,
                                questions=request.questions, focus=request.focus,
                                context="\n\n".join(parts),
                                custom_questions=[request.question] if request.question else [])
        try:
            command.options()
        except InvalidOptionError as error:
            log.info("discord.bad_options")
            raise InvalidOptionError("Some of those options aren't valid. Check them and try again.") from error
        return command

    async def _open_thread(
        self,
        channel: discord.TextChannel,
        user: discord.abc.User,
        role_name: str,
        private: bool,
        permissions: discord.Permissions,
    ) -> tuple[discord.Thread, str]:
        """A thread for the candidate, and what to tell them about it first ("" if nothing).

        Private when asked and possible. An announcement channel takes announcement threads
        only (never private ones); a text channel that refuses a private thread gets a
        public one, and the candidate is told before the first question.
        """
        name = f"{user.display_name} · {role_name} interview"[:THREAD_NAME_LIMIT]
        thread, note = None, ""
        public = discord.ChannelType.public_thread
        if channel.is_news():
            public = discord.ChannelType.news_thread
            note = NO_PRIVATE_IN_ANNOUNCEMENTS if private else ""
        elif private and not permissions.create_private_threads:
            note = PRIVATE_REFUSED
        elif private:
            try:
                thread = await channel.create_thread(
                    name=name,
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
            except discord.HTTPException as error:  # the server refuses private threads
                log.info("discord.private_thread_refused", status=error.status, channel=channel.id)
                note = PRIVATE_REFUSED
        if thread is None:
            thread = await channel.create_thread(
                name=name, type=public, auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        await thread.add_user(user)  # the candidate follows (or, if private, can see) the thread
        log.info("discord.thread_opened", thread=thread.id, private=thread.is_private())
        return thread, note

    async def _close_failed_thread(self, thread: discord.Thread, user_id: int) -> None:
        """The interview never started: remove its thread, or say so in it and archive it.

        Deleting needs Manage Threads, which the invite does not ask for; archiving a
        thread it created the bot may always do. Either way nothing is left to look alive.
        """
        try:
            await thread.delete()
            return
        except discord.HTTPException as error:
            log.info("discord.failed_thread_kept", thread=thread.id, status=error.status)
        self.failed_threads[thread.id] = user_id
        while len(self.failed_threads) > FAILED_THREADS_REMEMBERED:
            self.failed_threads.popitem(last=False)
        for close in (
            lambda: thread.send(START_FAILED_HERE, allowed_mentions=NO_PINGS),
            lambda: thread.edit(archived=True),
        ):
            try:
                await close()
            except discord.HTTPException as error:  # e.g. no Send Messages in Threads here
                log.info("discord.failed_thread_close_step", thread=thread.id, status=error.status)

    # ----------------------------------------------------------------- typed messages

    async def start_in_channel(self, channel: discord.abc.Messageable, who: Who,
                               command: ParsedCommand, extra_context: str = "") -> None:
        """Start in a DM or the candidate's thread; ``extra_context``: a file's text."""
        where = where_of(channel)  # type: ignore[arg-type]
        async with channel.typing():
            reply = await self.run(command, who, where, extra_context)
        try:
            await deliver(ChannelDelivery(channel, self.buttons), reply)
        except BaseException:
            await self.service.reset(who, where)  # nobody saw it start: leave no session behind
            raise

    async def verb_in_channel(self, channel: discord.abc.Messageable, who: Who, name: str) -> Reply:
        async with channel.typing():
            reply = await self.verb(name, who, where_of(channel))  # type: ignore[arg-type]
        await deliver(ChannelDelivery(channel, self.buttons), reply)
        return reply

    async def answer_in_channel(self, channel: discord.abc.Messageable, who: Who, text: str,
                                turn: TurnRef | None = None) -> Reply | None:
        """The candidate's answer: the reply streams into the conversation as it is written.

        A repeat of a named turn already applied shows nothing (it was answered then).
        """
        delivery = ChannelDelivery(channel, self.buttons)
        streamer = StreamingReply(delivery)
        where = where_of(channel)  # type: ignore[arg-type]
        async with channel.typing():
            try:
                events = unless_repeated(self.service.answer_stream(who, where, text, turn))
                async with aclosing(events):
                    reply = await streamer.run(events)  # the preview is discarded on failure
            except TurnRepeated:
                log.info("discord.turn_repeated", user=who.user_id)
                return None
        await delivery.settle(reply)
        return reply


def _sent_at(interaction: discord.Interaction) -> float:
    """When Discord stamped a press or command: queued with typed messages in that order."""
    return interaction.created_at.timestamp()
