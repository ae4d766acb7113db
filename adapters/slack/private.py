"""Private answers to one slash command, however long it takes and however many there are.

Slack's ``response_url`` takes at most 5 messages and only for 30 minutes, and a
refused one is no exception: Bolt's ``respond`` just hands back the 404. A command
whose work outlives it (a slow model, a long history) would then go silent. So each
command's answers go through ``PrivateReply``: the response_url while it lasts, then
ephemeral messages (``chat.postEphemeral``), which only the user sees as well.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from slack_sdk.errors import SlackApiError

from adapters.slack.outbox import Outbox
from adapters.slack.places import SlackPlace

log = structlog.get_logger(__name__)

RESPONSE_URL_USES = 5
RESPONSE_URL_SECONDS = 29 * 60  # Slack's 30 minutes, less a margin for clocks and queues


class PrivateReply:
    def __init__(self, respond: Callable[..., Awaitable[Any]], outbox: Outbox, place: SlackPlace,
                 user_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._respond = respond
        self._outbox = outbox
        self._place = place
        self._user_id = user_id
        self._clock = clock
        self._started = clock()
        self._uses = 0

    async def __call__(self, text: str | None = None, **message: Any) -> None:
        if self._uses < RESPONSE_URL_USES and self._clock() - self._started < RESPONSE_URL_SECONDS:
            self._uses += 1
            response = await self._respond(text=text, **message)
            status = getattr(response, "status_code", 200)
            if status == 200:
                return
            log.info("slack.response_url_refused", status=status)
            self._uses = RESPONSE_URL_USES  # spent or expired: the rest go as ephemerals
        try:
            await self._outbox.ephemeral(self._place, self._user_id, text or "",
                                         blocks=message.get("blocks"))
        except SlackApiError as error:  # e.g. a DM between people: nowhere left to say it
            log.warning("slack.private_reply_failed", error=error.response.get("error"))
