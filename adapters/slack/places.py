"""Where a Slack conversation is, and who is speaking, in core's vocabulary.

A DM is ``{team}:{channel}``; a channel interview lives in a thread and is
``{team}:{channel}:{thread_ts}``. The mapping is reversible so that a button press
(which carries only the conversation id) finds its way back to the right thread.
A channel's practice stats gather every thread under ``{team}:{channel}:``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Where, Who

PLATFORM = "slack"


@dataclass(frozen=True)
class SlackPlace:
    team_id: str
    channel_id: str
    thread_ts: str | None = None  # None for a DM: the whole DM is the conversation

    @property
    def where(self) -> Where:
        return Where(platform=PLATFORM, conversation_id=self.conversation_id)

    @property
    def conversation_id(self) -> str:
        parts = [self.team_id, self.channel_id]
        if self.thread_ts:
            parts.append(self.thread_ts)
        return ":".join(parts)

    @classmethod
    def from_conversation_id(cls, conversation_id: str) -> SlackPlace:
        team_id, channel_id, *rest = conversation_id.split(":")
        return cls(team_id=team_id, channel_id=channel_id, thread_ts=rest[0] if rest else None)

    @property
    def is_thread(self) -> bool:
        return self.thread_ts is not None


def channel_prefix(team_id: str, channel_id: str) -> str:
    """The start of every interview thread's conversation id in one channel.

    The trailing colon matters: without it, channel ``C1`` would also count the
    threads of channel ``C12``.
    """
    return f"{team_id}:{channel_id}:"


def is_dm(channel_id: str) -> bool:
    """Slack's direct-message channel ids start with ``D``."""
    return channel_id.startswith("D")


def slack_who(user_id: str, display_name: str = "") -> Who:
    return Who(platform=PLATFORM, user_id=user_id, display_name=display_name)
