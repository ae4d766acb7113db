"""What slash commands, buttons and typed messages share: identities, ordering, delivery.

- ``who_of`` / ``where_of`` translate Discord users and channels into core's ``Who``
  and ``Where`` (a DM channel, or the thread opened for a candidate). A thread's
  conversation id carries its parent channel, ``"<channel id>:<thread id>"``, so a
  channel's practice stats find every interview held in its threads by prefix.
- ``TurnQueue`` runs one person's messages in one conversation one at a time, in the
  order Discord stamped them (the snowflake's ``created_at``; ties by arrival): a second
  message sent while the first is being answered waits behind it. A conversation's
  events always reach one shard (DMs shard 0, a server its shard), so this queue sees
  all of one user's messages there. A typed answer is also a named turn
  (``message_turn``): a replayed ``MESSAGE_CREATE`` (a resumed gateway session, a
  restarted shard) gets no second turn, and the shared store orders by the same time.
- ``ChannelDelivery`` and ``FollowupDelivery`` send rendered messages with no pings,
  and keep the interview buttons under the conversation's latest question only
  (``LiveButtons``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord

from adapters.discord.buttons import LiveButtons
from adapters.discord.render import Outgoing, render_reply
from core.locks import KeyedLocks
from core.models import Reply, TurnRef, Where, Who

PLATFORM = "discord"
# Echoed candidate text must never ping @everyone, roles or users.
NO_PINGS = discord.AllowedMentions.none()


def who_of(user: discord.abc.User) -> Who:
    return Who(platform=PLATFORM, user_id=str(user.id), display_name=user.display_name)


def conversation_id_of(channel: discord.abc.Snowflake | None) -> str:
    """A DM (or any other channel) is its own id; a thread is ``"<parent id>:<thread id>"``.

    Every lookup (typed messages, buttons, slash commands) goes through here, so they
    all build the same id for one conversation.
    """
    if channel is None:  # discord.py could not resolve the channel: matches no interview
        return "unknown"
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return f"{channel.parent_id}:{channel.id}"
    return str(channel.id)


def where_of(channel: discord.abc.Snowflake | None) -> Where:
    return Where(platform=PLATFORM, conversation_id=conversation_id_of(channel))


def stats_prefix_of(channel: discord.abc.Snowflake | None) -> str | None:
    """The conversation-id prefix of a server channel's interviews (asked from it or a thread)."""
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return f"{channel.parent_id}:"
    if isinstance(channel, discord.abc.GuildChannel):
        return f"{channel.id}:"
    return None  # a DM has no team to count


def message_turn(message: discord.Message) -> TurnRef:
    """A typed answer as a named turn: the message id, and when Discord stamped it."""
    return TurnRef(key=f"discord:{message.id}", sent_at=message.created_at.timestamp())


class TurnQueue:
    """FIFO per (user, conversation), on core's ``KeyedLocks``.

    Entering takes the lock without yielding when it is free, so turns start in the
    order their events were dispatched.
    """

    def __init__(self) -> None:
        self._locks = KeyedLocks()
        self._handling = 0  # messages and presses being handled or waiting

    @asynccontextmanager
    async def turn(self, user_id: int, channel_id: int,
                   sent_at: float | None = None) -> AsyncIterator[None]:
        """Hold the queue; waiters with an earlier ``sent_at`` go first, then by arrival."""
        self._handling += 1
        try:
            async with self._locks.hold((user_id, channel_id),
                                        float("inf") if sent_at is None else sent_at):
                yield
        finally:
            self._handling -= 1

    def __len__(self) -> int:
        return self._handling


async def edit_message(message: discord.Message, outgoing: Outgoing,
                       view: discord.ui.View | None) -> discord.Message:
    """Replace a sent message's content; the same for channel posts and follow-ups."""
    return await message.edit(
        content=outgoing.content,
        embeds=outgoing.embeds,
        view=view,
        allowed_mentions=NO_PINGS,
    )


class BaseDelivery:
    """What both deliveries share: where the buttons go, and keeping only the latest live."""

    buttons: LiveButtons
    channel_id: int
    ephemeral: bool = False

    @property
    def can_embed(self) -> bool:
        """Interaction messages always show embeds; channel posts need Embed Links."""
        return True

    async def send(self, outgoing: Outgoing) -> discord.Message:
        raise NotImplementedError

    def view_for(self, outgoing: Outgoing) -> discord.ui.View | None:
        # Private (ephemeral) messages never carry the buttons: they belong under the
        # question the conversation sees, and an ephemeral message can't be edited later.
        return self.buttons.view if outgoing.buttons and not self.ephemeral else None

    async def edit(self, message: discord.Message, outgoing: Outgoing) -> discord.Message:
        return await self.shown(outgoing, await edit_message(message, outgoing, self.view_for(outgoing)))

    async def shown(self, outgoing: Outgoing, message: discord.Message) -> discord.Message:
        """Once a message with the buttons is out, the conversation's older one loses them."""
        if self.view_for(outgoing) is not None:
            await self.buttons.moved_to(self.channel_id, message)
        return message

    async def settle(self, reply: Reply) -> None:
        """After a whole reply is shown: an interview that is over keeps no live buttons."""
        if not reply.actions:
            await self.buttons.ended(self.channel_id)


class ChannelDelivery(BaseDelivery):
    """Messages posted in a channel, DM or thread."""

    def __init__(self, channel: discord.abc.Messageable, buttons: LiveButtons) -> None:
        self.channel = channel
        self.buttons = buttons
        self.channel_id = channel.id  # type: ignore[attr-defined]

    @property
    def can_embed(self) -> bool:
        guild = getattr(self.channel, "guild", None)
        if guild is None or guild.me is None:  # a DM: no server permissions apply
            return True
        return self.channel.permissions_for(guild.me).embed_links  # type: ignore[attr-defined]

    async def send(self, outgoing: Outgoing) -> discord.Message:
        message = await self.channel.send(
            content=outgoing.content,
            embeds=outgoing.embeds,
            view=self.view_for(outgoing),
            allowed_mentions=NO_PINGS,
        )
        return await self.shown(outgoing, message)


class FollowupDelivery(BaseDelivery):
    """Messages sent as an interaction's follow-ups (after it was deferred)."""

    def __init__(
        self, interaction: discord.Interaction, buttons: LiveButtons, *, ephemeral: bool = False
    ) -> None:
        self.interaction = interaction
        self.buttons = buttons
        self.channel_id = interaction.channel_id or 0
        self.ephemeral = ephemeral

    async def send(self, outgoing: Outgoing) -> discord.Message:
        options: dict[str, Any] = {"allowed_mentions": NO_PINGS, "ephemeral": self.ephemeral, "wait": True}
        if outgoing.content:
            options["content"] = outgoing.content
        if outgoing.embeds:
            options["embeds"] = outgoing.embeds
        if (view := self.view_for(outgoing)) is not None:
            options["view"] = view
        return await self.shown(outgoing, await self.interaction.followup.send(**options))


async def deliver(delivery: BaseDelivery, reply: Reply) -> list[discord.Message]:
    """Send a whole reply: its text in chunks (buttons under the last) and report embeds."""
    messages = [await delivery.send(outgoing)
                for outgoing in render_reply(reply, embeds=delivery.can_embed)]
    await delivery.settle(reply)
    return messages
