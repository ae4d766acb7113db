"""Server-sent events for streamed turns: ``heard``, ``delta`` events, then one ``reply``
(or one ``error``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from adapters.http.schemas import ErrorResponse, TurnResponse
from core.errors import BrainError, InterviewError
from core.models import Heard, Reply, TextDelta


def _frame(event: str, data: dict[str, Any]) -> str:
    # json.dumps escapes newlines, so each event's data is exactly one line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_frame(event: Heard | TextDelta | Reply) -> str:
    if isinstance(event, TextDelta):
        return _frame("delta", {"text": event.text})
    if isinstance(event, Heard):
        return _frame("heard", event.model_dump(mode="json"))
    return _frame("reply", TurnResponse.from_reply(event).model_dump(mode="json"))


async def sse_events(first: Heard | TextDelta | Reply, events: AsyncIterator[Heard | TextDelta | Reply]
               ) -> AsyncIterator[str]:
    """``delta`` events then one ``reply``; a failure mid-stream becomes one ``error`` event."""
    try:
        yield _event_frame(first)
        async for event in events:
            yield _event_frame(event)
    except BrainError as error:
        body = ErrorResponse(detail=error.user_message, error="model_unavailable",
                             retryable=error.retryable)
        yield _frame("error", {"status": 503, **body.model_dump(exclude_none=True)})
    except InterviewError as error:
        body = ErrorResponse(detail=error.user_message, error="interview_error")
        yield _frame("error", {"status": 400, **body.model_dump(exclude_none=True)})
    finally:
        # Releases the session lock promptly if the client went away mid-stream.
        await events.aclose()  # type: ignore[attr-defined]
