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
from adapters.slack.dedupe import RecentIds
from adapters.slack.outbox import Outbox
from adapters.slack.parsing import Command, Verb
from adapters.slack.places import PLATFORM, SlackPlace, channel_prefix, is_dm, slack_who
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
from core.errors import InterviewError
from core.history import Progress
from core.models import Who
from core.presentation import trend_chart_png
from core.service import InterviewService

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
    """The record verbs; ``forget_local`` drops what the adapter itself remembers of a user."""

    def __init__(self, service: InterviewService, outbox: Outbox, *, guarded,
                 forget_local: Callable[[str], None], presses: RecentIds) -> None:
        self.service = service
        self.outbox = outbox
        self.guarded = guarded  # SlackInterviews.guarded: the adapter's one error handler
        self.forget_local = forget_local
        self.presses = presses

    async def run(self, command: Command, who: Who, team: str, channel: str, send: Send) -> None:
        if command.verb is Verb.history:
            await self.history(who, send)
        elif command.verb is Verb.stats:
            await self.stats(team, channel, send)
        elif command.verb is Verb.share:
            await self.share(who, bool(command.share), send)
        elif command.verb is Verb.forget:
            await send(forget_prompt(who.user_id, SlackPlace(team, channel).conversation_id))
        else:
            raise ValueError(f"{command.verb} is not a record verb")

    # ------------------------------------------------------------------ history

    async def history(self, who: Who, send: Send) -> None:
        progress = await self.service.progress(who)
        await send_all(send, history_messages(progress, self.role_name))
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

    # ------------------------------------------------------------------ stats and sharing

    async def stats(self, team: str, channel: str, send: Send) -> None:
        if is_dm(channel):
            await send_all(send, text_messages(STATS_IN_DM))
            return
        stats = await self.service.channel_stats(PLATFORM, channel_prefix(team, channel))
        await send_all(send, stats_messages(stats, self.role_name))

    async def share(self, who: Who, share: bool, send: Send) -> None:
        await self.service.share_scores(who, share)
        log.info("slack.share_scores", share=share)
        await send_all(send, text_messages(SHARING_ON if share else SHARING_OFF))

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
            if not self.presses.first_time(press):
                return  # a double click: answered once
            try:
                text = await self._forget_or_keep(presser, action["action_id"])
            except BaseException:
                self.presses.forget(press)  # it failed: the user may press again
                raise
            if respond is not None:
                await respond(text=text, replace_original=True)  # the prompt becomes the answer
            else:
                await tell_privately(text)

    async def _forget_or_keep(self, user_id: str, action_id: str) -> str:
        if action_id == FORGET_CANCEL:
            return KEPT
        result = await self.service.forget(slack_who(user_id))
        self.forget_local(user_id)
        log.info("slack.user_forgotten", interviews=result.interviews, sessions=result.sessions)
        return forgotten_text(result)

    # ------------------------------------------------------------------ helpers

    def role_name(self, role_id: str) -> str:
        try:
            return self.service.resolve_role(role_id).name
        except InterviewError:  # a role file removed since: its id still says what it was
            return role_id


async def send_all(send: Send, messages: list[SlackMessage]) -> None:
    for message in messages:
        await send(message)
