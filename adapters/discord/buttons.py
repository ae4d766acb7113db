"""Which message carries the live interview buttons in each conversation.

The buttons have fixed custom ids (so they survive a restart): a press says which
button, not which question. Left alone, Skip pressed twice, or pressed under a
question long gone, would act on whatever question is current. So, per
conversation (a DM or a candidate's thread):

- when a new message with the buttons goes out, the previous one loses them
  (edited with no components), and Discord stops offering them there;
- a press on any message but the latest one is refused with a short private
  note, and so is a second press on a message whose first press is still being
  handled (a double-click);
- once the interview is over, its buttons are removed and late presses are told so.

This lives in memory only. After a restart nothing is known, so presses act as
before (the session still decides what they may do); the first buttons message
the bot sends is tracked again.
"""

from __future__ import annotations

from collections import OrderedDict

import discord
import structlog

log = structlog.get_logger(__name__)

MOVED_ON = "That question has moved on; use the buttons under the latest question."
INTERVIEW_OVER = "This interview is over. Start a new one with `/interview start`."
REMEMBERED_CONVERSATIONS = 10_000  # oldest forgotten first; a forgotten one behaves as after a restart


class LiveButtons:
    """The persistent view, and where it is live in each conversation (by channel id)."""

    def __init__(self, view: discord.ui.View) -> None:
        self.view = view
        # channel id -> the message with the live buttons; None once the interview is over
        self._latest: OrderedDict[int, discord.PartialMessage | None] = OrderedDict()
        self._pressing: set[int] = set()  # messages whose press is being handled

    # ----------------------------------------------------------------- presses

    def claim(self, channel_id: int, message: discord.Message) -> str | None:
        """Let one press on ``message`` act, or return the note that refuses it.

        Synchronous on purpose: check and claim happen with no await in between, so
        of two presses dispatched together exactly one gets through.
        """
        if message.id in self._pressing:
            return MOVED_ON  # a double-click: the first press is already on it
        refusal = self.refusal(channel_id, message.id)
        if refusal is not None:
            return refusal
        self._pressing.add(message.id)
        if channel_id not in self._latest:  # after a restart: the pressed message is the one we know
            self._remember(channel_id, _partial(message))
        return None

    def release(self, message_id: int) -> None:
        """The press is done (whether it acted or failed); a failed one may be retried."""
        self._pressing.discard(message_id)

    def refusal(self, channel_id: int, message_id: int) -> str | None:
        """Why a press on ``message_id`` must not act now, or None if it may."""
        if channel_id not in self._latest:
            return None  # not known (say, after a restart): trust the press
        latest = self._latest[channel_id]
        if latest is None:
            return INTERVIEW_OVER
        return None if latest.id == message_id else MOVED_ON

    # ----------------------------------------------------------------- messages

    async def moved_to(self, channel_id: int, message: discord.Message) -> None:
        """``message`` now carries the buttons; the previous one of the conversation loses them."""
        previous = self._remember(channel_id, _partial(message))
        if previous is not None and previous.id != message.id:
            await _retire(previous)

    async def ended(self, channel_id: int) -> None:
        """The interview here is over (or was reset): no message keeps live buttons."""
        previous = self._remember(channel_id, None)
        if previous is not None:
            await _retire(previous)

    def _remember(
        self, channel_id: int, message: discord.PartialMessage | None
    ) -> discord.PartialMessage | None:
        previous = self._latest.pop(channel_id, None)
        self._latest[channel_id] = message
        while len(self._latest) > REMEMBERED_CONVERSATIONS:
            self._latest.popitem(last=False)
        return previous


def _partial(message: discord.Message) -> discord.PartialMessage:
    """A light handle that edits through the channel.

    Not through the interaction's webhook: a follow-up's token expires after 15
    minutes, and a candidate may well think longer than that about a question.
    """
    return discord.PartialMessage(channel=message.channel, id=message.id)  # type: ignore[arg-type]


async def _retire(message: discord.PartialMessage) -> None:
    """Remove the buttons from an older message; it may be gone, which is fine."""
    try:
        await message.edit(view=None)
    except discord.HTTPException as error:
        log.info("discord.buttons_retire_failed", message=message.id, status=error.status)
