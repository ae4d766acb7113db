"""``/interview history``, ``stats``, ``share`` and ``forget``: the user's records in Slack.

History and stats are private answers: the slash command's ``response_url`` (or the
DM they were typed in). The trend chart is drawn in a worker thread (matplotlib is
CPU-bound) and uploaded to the user's DM with the bot only after the text has gone
out, so a failed upload never costs the history. Forgetting asks first: a prompt
whose buttons only its owner may press, behind Slack's own confirm dialog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import SlackMessage, read_button_value, text_messages
from adapters.slack.dedupe import Claims
from adapters.slack.outbox import Outbox
from adapters.slack.places import SlackPlace, channel_prefix, is_dm, slack_who
from adapters.slack.practice_blocks import (
    CHART_FAILED,
    FORGET_CANCEL,
    KEPT,
    SHARING_OFF,
    SHARING_ON,
    STATS_IN_DM,
    forget_prompt,
    forgotten_text,
    history_messages,
    stats_messages,
)
from core.commands import ParsedCommand
from core.conversation import (
    ConfirmForget,
    Conversation,
    SharingSet,
    ShowHistory,
    ShowStats,
)
from core.history import Progress
from core.models import Who
from core.presentation import trend_chart_png

log = structlog.get_logger(__name__)

Send = Callable[[SlackMessage], Awaitable[object]]

CHART_FILENAME = "interview-scores.png"
CHART_TITLE = "Interview scores over time"
CHART_ALT_TEXT = ("Line chart of the communication, technical and structure scores (1 to 5) "
                  "of each interview")
CHART_COMMENT = "Your interview scores over time (from `/interview history`)."
NOT_YOUR_DATA = ("These buttons belong to <@{owner}>. To delete your own data, use "
                 "`/interview forget`.")


class SlackPractice:
    """The record verbs (history, stats, share, forget). What the adapter remembers of a user
    lives in core's store as notes, so ``service.forget`` deletes it too."""

    def __init__(self, conversation: Conversation, outbox: Outbox, *, guarded,
                 presses: Claims) -> None:
        self.conversation = conversation
        self.service = conversation.service
        self.outbox = outbox
        self.guarded = guarded  # SlackInterviews.guarded: the adapter's one error handler
        self.presses = presses

    async def run(self, command: ParsedCommand, who: Who, team: str, channel: str,
                  send: Send) -> None:
        """A record command through core's one dispatch, answered in Slack's idiom."""
        place = SlackPlace(team, channel)
        scope = None if is_dm(channel) else channel_prefix(team, channel)
        outcome = await self.conversation.handle(who, place.where, command, channel_scope=scope)
        if isinstance(outcome, ShowHistory):
            await self.history(who, outcome.progress, send)
        elif isinstance(outcome, ShowStats):
            await send_all(send, text_messages(STATS_IN_DM) if outcome.stats is None
                           else stats_messages(outcome.stats, self.conversation.role_name))
        elif isinstance(outcome, SharingSet):
            log.info("slack.share_scores", share=outcome.share)
            await send_all(send, text_messages(SHARING_ON if outcome.share else SHARING_OFF))
        elif isinstance(outcome, ConfirmForget):
            await send(forget_prompt(who.user_id, place.conversation_id))
        else:
            raise ValueError(f"{command.command} is not a record command")

    # ------------------------------------------------------------------ history

    async def history(self, who: Who, progress: Progress, send: Send) -> None:
        await send_all(send, history_messages(progress, self.conversation.role_name))
        if progress.entries and not await self.upload_chart(who, progress):
            await send_all(send, text_messages(CHART_FAILED))

    async def upload_chart(self, who: Who, progress: Progress) -> bool:
        """The trend chart into the user's DM with the bot; False (and a log line) if it failed."""
        client = self.outbox.client
        try:
            png = await asyncio.to_thread(trend_chart_png, progress.entries)
            opened = await client.conversations_open(users=who.user_id)
            await client.files_upload_v2(channel=opened["channel"]["id"], file=png,
                                         filename=CHART_FILENAME, title=CHART_TITLE,
                                         alt_txt=CHART_ALT_TEXT, initial_comment=CHART_COMMENT)
        # The chart is a nice-to-have and the text already went out: whatever failed
        # (a missing files:write scope, the upload host, drawing), log it and carry on.
        except Exception as error:
            code = error.response.get("error") if isinstance(error, SlackApiError) else None
            log.warning("slack.chart_upload_failed", error=type(error).__name__, code=code)
            return False
        log.info("slack.chart_uploaded", interviews=len(progress.entries), size=len(png))
        return True

    # ------------------------------------------------------------------ forget

    async def on_forget_button(self, body: dict, action: dict, respond: Any) -> None:
        """Delete everything / Cancel under a forget prompt; ``respond`` is Bolt's response_url."""
        presser = body["user"]["id"]
        decoded = read_button_value(action.get("value", ""))
        if decoded is None:
            log.warning("slack.button_value_unreadable")
            return
        owner, conversation_id = decoded

        async def tell_privately(text: str) -> None:
            if respond is not None:  # only the presser sees it; the prompt stays as it is
                await respond(text=text, response_type="ephemeral", replace_original=False)
            else:
                place = SlackPlace.from_conversation_id(conversation_id)
                await self.outbox.ephemeral(place, presser, text)

        async with self.guarded(tell_privately, surface="button", action=action.get("action_id")):
            if presser != owner:
                log.info("slack.forget_refused_for_other_user")
                await tell_privately(NOT_YOUR_DATA.format(owner=owner))
                return
            press = f"forget:{presser}:{(body.get('container') or {}).get('message_ts')}"
            if not await self.presses.first_time(press):
                return  # a double click: answered once
            try:
                text = await self._forget_or_keep(presser, action["action_id"])
            except BaseException:
                await self.presses.forget(press)  # it failed: the user may press again
                raise
            if respond is not None:
                await respond(text=text, replace_original=True)  # the prompt becomes the answer
            else:
                await tell_privately(text)

    async def _forget_or_keep(self, user_id: str, action_id: str) -> str:
        if action_id == FORGET_CANCEL:
            return KEPT
        result = await self.service.forget(slack_who(user_id))
        log.info("slack.user_forgotten", interviews=result.interviews, sessions=result.sessions)
        return forgotten_text(result)


async def send_all(send: Send, messages: list[SlackMessage]) -> None:
    for message in messages:
        await send(message)
