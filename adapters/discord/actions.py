"""The one place where Discord events become service calls.

Slash commands, buttons and typed messages all come here, so each verb behaves
the same whichever way it was asked for. Interactions are acknowledged (deferred)
before any slow work, well within Discord's 3 seconds; the work then runs in the
user's turn queue, so replies land in the order the user acted.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

import discord
import structlog
from pydantic import ValidationError

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
from adapters.discord.errors import tell, user_message, withdraw
from adapters.discord.files import read_context_file
from adapters.discord.streaming import StreamingReply
from adapters.discord.views import InterviewView
from core.errors import InterviewError, InvalidOptionError
from core.models import DEFAULT_QUESTIONS, Difficulty, Focus, InterviewOptions, Reply, Where, Who
from core.service import InterviewService

log = structlog.get_logger(__name__)

THREAD_ARCHIVE_MINUTES = 1440  # a day of quiet before Discord archives the thread
THREAD_NAME_LIMIT = 100


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
    def __init__(self, service: InterviewService) -> None:
        self.service = service
        self.turns = TurnQueue()
        self.view = InterviewView(self)  # persistent: one instance serves every message
        self.buttons = LiveButtons(self.view)  # and where it is live in each conversation

    def verb(self, name: str, who: Who, where: Where) -> Awaitable[Reply]:
        """The service call for a small verb (hint, skip, end, status, reset)."""
        calls = {
            "hint": self.service.hint,
            "skip": self.service.skip,
            "end": self.service.feedback,
            "status": self.service.status,
            "reset": self.service.reset,
        }
        return calls[name](who, where)

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
        async with self.turns.turn(interaction.user.id, channel_id):
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
        options = await self._options(role.id, request)
        who = who_of(interaction.user)
        if not opens_thread:  # a DM, or a thread or channel that cannot hold threads: stay here
            async with self.turns.turn(interaction.user.id, interaction.channel_id or 0):
                reply = await self.service.start(who, where_of(interaction.channel), options)
                await deliver(FollowupDelivery(interaction, self.buttons), reply)
            return
        channel: discord.TextChannel = interaction.channel  # type: ignore[assignment]
        thread = await self._open_thread(channel, interaction.user, role.name, request.private)
        async with self.turns.turn(interaction.user.id, thread.id):
            await self._start_in(thread, who, options)
        audience = (
            "only you and I can see it" if thread.is_private() else "others can read along"
        )
        await interaction.followup.send(
            f"Your {role.name} interview is ready in {thread.mention}. Answer there: only your "
            f"messages count as answers, and {audience}.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    async def _options(self, role_id: str, request: StartRequest) -> InterviewOptions:
        parts = []
        if request.file is not None:
            parts.append(await read_context_file(request.file))
        if request.context:
            parts.append(request.context)
        try:
            return InterviewOptions(
                role=role_id,
                difficulty=request.difficulty,
                questions=request.questions,
                focus=request.focus,
                context="\n\n".join(parts),
                custom_questions=[request.question] if request.question else [],
            )
        except ValidationError as error:
            log.info("discord.bad_options", errors=error.error_count())
            raise InvalidOptionError("Some of those options aren't valid. Check them and try again.") from error

    async def _open_thread(
        self, channel: discord.TextChannel, user: discord.abc.User, role_name: str, private: bool
    ) -> discord.Thread:
        """A thread for the candidate: private when asked and allowed, public otherwise."""
        name = f"{user.display_name} · {role_name} interview"[:THREAD_NAME_LIMIT]
        thread = None
        if private:
            try:
                thread = await channel.create_thread(
                    name=name,
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
            except discord.HTTPException as error:  # private threads not allowed here
                log.info("discord.private_thread_refused", status=error.status, channel=channel.id)
        if thread is None:
            thread = await channel.create_thread(
                name=name,
                type=discord.ChannelType.public_thread,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        await thread.add_user(user)  # the candidate follows (or, if private, can see) the thread
        log.info("discord.thread_opened", thread=thread.id, private=thread.is_private())
        return thread

    # ----------------------------------------------------------------- typed messages

    async def start_in_channel(
        self, channel: discord.abc.Messageable, who: Who, role: str, context: str = ""
    ) -> None:
        """``start sales`` typed in a DM (or in the candidate's thread)."""
        resolved = self.service.resolve_role(role)
        options = InterviewOptions(role=resolved.id, context=context)
        await self._start_in(channel, who, options)

    async def _start_in(self, channel: discord.abc.Messageable, who: Who, options: InterviewOptions) -> None:
        where = where_of(channel)  # type: ignore[arg-type]
        try:
            async with channel.typing():
                reply = await self.service.start(who, where, options)
        except InterviewError as error:
            # In a fresh thread, say why it is empty; the command also gets a private answer.
            if isinstance(channel, discord.Thread):
                await channel.send(user_message(error), allowed_mentions=NO_PINGS)
            raise
        await deliver(ChannelDelivery(channel, self.buttons), reply)

    async def verb_in_channel(self, channel: discord.abc.Messageable, who: Who, name: str) -> Reply:
        async with channel.typing():
            reply = await self.verb(name, who, where_of(channel))  # type: ignore[arg-type]
        await deliver(ChannelDelivery(channel, self.buttons), reply)
        return reply

    async def answer_in_channel(self, channel: discord.abc.Messageable, who: Who, text: str) -> Reply:
        """The candidate's answer: the reply streams into the conversation as it is written."""
        delivery = ChannelDelivery(channel, self.buttons)
        streamer = StreamingReply(delivery)
        where = where_of(channel)  # type: ignore[arg-type]
        async with channel.typing():
            try:
                reply = await streamer.run(self.service.answer_stream(who, where, text))
            except BaseException:
                await streamer.discard()
                raise
        await delivery.settle(reply)
        return reply
