"""FastAPI dependencies shared by the routers: the service, the bearer token, turn names,
the practice user, and running one turn with its 404/409 mapping."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog
from fastapi import Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.http.errors import ApiError, ended, not_found
from adapters.http.sessions import check_user_id, fingerprint, identities, practice_who
from adapters.http.sse import sse_events
from core.conversation import Conversation
from core.errors import NoActiveInterviewError
from core.models import Heard, Reply, TextDelta, TurnRef, Where, Who
from core.service import InterviewService

log = structlog.get_logger("adapters.http.app")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def get_service(request: Request) -> InterviewService:
    """The service ``create_app`` was given (kept on ``app.state``)."""
    return request.app.state.service


def get_conversation(service: InterviewService = Depends(get_service)) -> Conversation:
    """Core's read model over the service (it keeps no state: one per request costs nothing)."""
    return Conversation(service)


_bearer_scheme = HTTPBearer(auto_error=False, description="Required when the server sets API_TOKEN.")


async def require_token(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer_scheme),
) -> None:
    """The bearer token, when the app was created with one (``API_TOKEN``)."""
    expected: bytes | None = request.app.state.api_token
    if expected is None:
        return
    given = credentials.credentials.encode() if credentials else b""
    # Constant-time comparison: response timing must not reveal how much matched.
    if not hmac.compare_digest(given, expected):
        detail = ("That API token is not the one this server expects: check API_TOKEN."
                  if credentials else
                  "This server needs an API token: send 'Authorization: Bearer <token>'.")
        raise ApiError(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


MAX_TURN_NUMBER = 1_000_000


async def turn_ref(
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", min_length=1, max_length=128, pattern=r"^[!-~]+$",
        description="Any unique string per request (1-128 visible ASCII characters). A "
                    "request repeated with the same key gets the stored reply; nothing is "
                    "recorded twice."),
    turn_number: int | None = Header(
        None, alias="Turn-Number", ge=1, le=MAX_TURN_NUMBER,
        description="This session's turn count, 1 for the first turn after the start. Turn "
                    "n is applied right after turn n - 1 (it waits up to 10 s for it); a "
                    "repeated number gets the stored reply."),
) -> TurnRef | None:
    """Optional headers that name a turn (see ``core.turns``)."""
    if idempotency_key is None and turn_number is None:
        return None
    return TurnRef(key=idempotency_key, number=turn_number)


async def practice_user(
    user_id: str | None = Query(None, description="The user_id sent with POST /start_session."),
) -> Who:
    """The practice identity a history request is about, or a readable 422."""
    if user_id is None:
        message = "user_id is required: the one your client sent with POST /start_session"
    else:
        try:
            return practice_who(check_user_id(user_id))
        except ValueError as error:
            message = str(error)
    raise ApiError(422, "invalid_request", f"Invalid request. user_id: {message}.",
                   errors=[{"field": "user_id", "message": message}])


Call = Callable[[Who, Where], Awaitable[Reply]]


async def take_turn(service: InterviewService, session_id: str, call: Call) -> Reply:
    """Run one service call; a missing interview becomes 404, a finished one 409."""
    who, where = identities(session_id)
    try:
        return await call(who, where)
    except NoActiveInterviewError:
        raise await gone(service, session_id) from None


async def gone(service: InterviewService, session_id: str) -> ApiError:
    exists = await Conversation(service).exists(*identities(session_id))
    return ended() if exists else not_found()


async def stream_turn(service: InterviewService, session_id: str,
                      stream: AsyncIterator[Heard | TextDelta | Reply]) -> StreamingResponse:
    events = aiter(stream)
    try:
        # The first event is awaited here so that 404/409/422/503 keep their status codes.
        first = await anext(events)
    except NoActiveInterviewError:
        raise await gone(service, session_id) from None
    log.info("http.turn_streaming", session=fingerprint(session_id))
    return StreamingResponse(sse_events(first, events), media_type="text/event-stream",
                             headers=SSE_HEADERS)
