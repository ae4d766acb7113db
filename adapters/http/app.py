"""The HTTP surface: the original REST API (start_session / chat / feedback) and a web chat page.

Every route is a thin translation: JSON in, one call on ``InterviewService``, JSON
out. Each HTTP session is its own conversation in core, and its own user unless the
client gave a practice ``user_id`` at the start (see ``sessions``); either way the
unguessable ``session_id`` is the only key an interview needs. A practice user's
finished interviews add up to a history: ``GET /history``, its chart, and
``DELETE /history`` to forget the user.

Status codes: 422 bad input (readable ``detail``), 401 missing/wrong bearer token,
404 unknown session, 409 interview already over (or a named turn out of order or
reused), 413 request body over 1 MB (a spoken answer: over the audio limit), 503 model
unavailable or session busy (nothing was saved, so the same request can simply be sent
again).

Turns can be named with the ``Idempotency-Key`` and ``Turn-Number`` headers
(``core.turns``): a repeat gets the stored reply, and numbered turns apply in order.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any, Protocol

import structlog
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import SecretStr, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.http.schemas import (
    ChatRequest,
    DeletedResponse,
    ErrorResponse,
    ForgetResponse,
    HealthResponse,
    HistoryResponse,
    RolesResponse,
    SessionRef,
    SessionView,
    StartSessionRequest,
    StartSessionResponse,
    TurnResponse,
)
from adapters.http.limits import MAX_REQUEST_BYTES, BodySizeLimit
from adapters.http.voice import MULTIPART_DOC, AudioAnswers, audio_routes
from adapters.http.sessions import (
    check_user_id,
    fingerprint,
    identities,
    new_session_id,
    practice_who,
)
from core.errors import (
    BrainError,
    InterviewError,
    InvalidInputError,
    InvalidOptionError,
    LockLostError,
    NoActiveInterviewError,
    SessionBusyError,
    StoreUnavailableError,
    TurnConflictError,
    TurnOutOfOrderError,
    UnknownRoleError,
)
from core.history import DEFAULT_HISTORY_LIMIT
from core.models import Heard, InterviewOptions, Reply, TextDelta, TurnRef, Where, Who
from core.presentation import trend_chart_png
from core.report import FeedbackReport
from core.service import InterviewService

log = structlog.get_logger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
RETRY_AFTER_SECONDS = 5
MAX_HISTORY_LIMIT = 50

# The page loads nothing from elsewhere; say so, so an injected script could not either.
# (blob: is the history chart, fetched with the token and shown from memory.)
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
PRIVATE = {"Cache-Control": "no-store"}  # a user's history: never kept by a browser or proxy

DESCRIPTION = """
Practise job interviews over HTTP. Start a session, answer one question at a time,
and get a structured feedback report. Turn responses use the same fields as the
terminal's `--json` events: `kind`, `text`, `persona`, `question_index` and, for
`feedback`, the whole report as `report`.

Send an optional `user_id` (an opaque id your client keeps) with `POST /start_session`
to keep a practice history: `GET /history`, `GET /history/chart.png`, and
`DELETE /history` to forget it all.

Name your turns to make re-sending safe: send `Idempotency-Key` (any unique string) or
`Turn-Number` (1, 2, 3... per session) with `/chat`, `/chat/stream`, `/hint` and `/skip`.
A repeated request gets the stored reply instead of being recorded twice, and numbered
turns are applied in number order, even when they race through several servers.

When the server sets `API_TOKEN`, send `Authorization: Bearer <token>` with every
request except `GET /`, `GET /healthz` and these docs. Without it, anyone who knows a
`user_id` can read its history: set it whenever the API is reachable beyond localhost.
Request bodies are limited to 1 MB; a spoken answer (multipart `audio` on `POST /chat` or
`/chat/stream`) to 25 MB and 5 minutes. It is transcribed and answered like text; the turn
then carries `heard` (the transcript and delivery figures), and the report a `delivery`
section apart from the scores.
"""


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in codes}


class ApiError(Exception):
    """An HTTP error with a readable sentence and a stable code (see ``ErrorResponse``)."""

    def __init__(self, status: int, error: str, detail: str, *,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.body = ErrorResponse(detail=detail, error=error, **extra)
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse(self.body.model_dump(exclude_none=True), status_code=self.status,
                            headers=self.headers)


# --------------------------------------------------------------------- the app


def create_app(service: InterviewService, *, api_token: str | None = None,
               max_request_bytes: int = MAX_REQUEST_BYTES) -> FastAPI:
    app = FastAPI(title="Interview practice API", version="1.1.0", description=DESCRIPTION)
    _install_error_handlers(app, max_request_bytes)
    app.add_middleware(AudioAnswers)  # a multipart /chat is a spoken answer (see ``voice``)
    app.add_middleware(BodySizeLimit, max_bytes=max_request_bytes)
    guarded = [Depends(_token_guard(api_token))]
    app.include_router(_public_routes(service))
    app.include_router(_api_routes(service), dependencies=guarded)
    app.include_router(_history_routes(service), dependencies=guarded)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


class ApiSettings(Protocol):
    """What ``run_api`` reads from ``bot.settings.Settings`` (adapters do not import bot)."""

    api_token: SecretStr | None
    log_level: str


async def run_api(service: InterviewService, settings: ApiSettings, *, host: str, port: int) -> None:
    """Serve the API and the page until the process is stopped (``python -m bot api``)."""
    secret = settings.api_token.get_secret_value() if settings.api_token else ""
    app = create_app(service, api_token=secret or None)
    # log_config=None keeps the project's logging set-up instead of uvicorn's own; open
    # streams get a few seconds to finish on shutdown rather than holding it up.
    config = uvicorn.Config(app, host=host, port=port, log_config=None,
                            log_level=settings.log_level.lower(), timeout_graceful_shutdown=5)
    _keep_ids_out_of_access_logs()
    log.info("http.serving", url=f"http://{host}:{port}/", token_required=bool(secret),
             brain=service.brain.name)
    await uvicorn.Server(config).serve()


# Session ids (in /sessions/{id}) and user ids (in ?user_id=) are secrets; uvicorn's
# access log prints every path, so it gets them masked.
_PRIVATE_IN_PATHS = re.compile(r"(/sessions/|user_id=)[^/?&#\s\"]+")


class _PrivateIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_PRIVATE_IN_PATHS.sub(r"\1[hidden]", arg) if isinstance(arg, str)
                                else arg for arg in record.args)
        return True


def _keep_ids_out_of_access_logs() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, _PrivateIdFilter) for existing in access.filters):
        access.addFilter(_PrivateIdFilter())


# --------------------------------------------------------------------- auth

_bearer_scheme = HTTPBearer(auto_error=False, description="Required when the server sets API_TOKEN.")


def _token_guard(api_token: str | None) -> Callable[..., Awaitable[None]]:
    expected = api_token.encode() if api_token else None

    async def require_token(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer_scheme),
    ) -> None:
        if expected is None:
            return
        given = credentials.credentials.encode() if credentials else b""
        # Constant-time comparison: response timing must not reveal how much matched.
        if not hmac.compare_digest(given, expected):
            raise ApiError(401, "unauthorized",
                           "This server needs an API token: send 'Authorization: Bearer <token>'.",
                           headers={"WWW-Authenticate": "Bearer"})

    return require_token


# --------------------------------------------------------------------- errors


def _install_error_handlers(app: FastAPI, max_request_bytes: int) -> None:
    """Map core's errors to status codes. Starlette picks the most specific class."""

    def handle(exc_type: type[Exception], to_error: Callable[[Any], ApiError]) -> None:
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return to_error(exc).response()

        app.add_exception_handler(exc_type, handler)

    handle(ApiError, lambda exc: exc)
    handle(StarletteHTTPException, lambda exc: _http_error(exc, max_request_bytes))
    handle(RequestValidationError, lambda exc: _invalid(exc.errors()))
    handle(UnknownRoleError, lambda exc: ApiError(
        422, "unknown_role", exc.user_message.replace("**", ""),
        known_roles=exc.known, suggestion=exc.suggestion))
    handle(InvalidOptionError, lambda exc: ApiError(422, "invalid_option", exc.user_message))
    handle(InvalidInputError, lambda exc: ApiError(422, "invalid_input", exc.user_message))
    handle(NoActiveInterviewError, lambda exc: _not_found())
    handle(BrainError, lambda exc: ApiError(
        503, "model_unavailable", exc.user_message, retryable=exc.retryable,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))
    handle(SessionBusyError, lambda exc: _busy(exc))
    handle(LockLostError, lambda exc: _busy(exc))
    handle(StoreUnavailableError, lambda exc: _busy(exc, "store_unavailable"))
    handle(TurnOutOfOrderError, lambda exc: ApiError(
        409, "turn_out_of_order", exc.user_message, expected_turn=exc.expected))
    handle(TurnConflictError, lambda exc: ApiError(
        409, "turn_conflict", exc.user_message, expected_turn=exc.expected))
    handle(InterviewError, lambda exc: ApiError(400, "interview_error", exc.user_message))


def _busy(exc: InterviewError, error: str = "session_busy") -> ApiError:
    """The turn could not take its place in time, or the shared store was out of reach:
    nothing was recorded, so the same request can be sent again."""
    return ApiError(503, error, exc.user_message, retryable=True, headers={"Retry-After": "1"})


def _http_error(exc: StarletteHTTPException, max_request_bytes: int) -> ApiError:
    """The framework's own errors (unknown path, unreadable or oversized body) in our format."""
    if exc.status_code == 413:  # a chunked body passed the limit (see ``limits``)
        return ApiError(413, "request_too_large", str(exc.detail))
    if exc.status_code == 400:  # FastAPI could not parse the body (e.g. it is not UTF-8)
        return ApiError(422, "invalid_request",
                        "Invalid request. The body could not be read: send JSON encoded as UTF-8.")
    status = HTTPStatus(exc.status_code)
    return ApiError(exc.status_code, status.phrase.lower().replace(" ", "_"), str(exc.detail),
                    headers=exc.headers)


def _invalid(errors: list[dict[str, Any]]) -> ApiError:
    """A 422 whose detail reads as a sentence, e.g. ``questions: must be at most 15``."""
    problems = []
    for error in errors:
        loc = error.get("loc", ())
        # "body" / "query" says where the field was, which the field name already makes clear.
        parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
        field = ".".join(str(part) for part in parts)
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        problems.append({"field": field, "message": message})
    detail = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"]
                       for p in problems)
    return ApiError(422, "invalid_request", f"Invalid request. {detail}", errors=problems)


def _not_found() -> ApiError:
    return ApiError(404, "session_not_found",
                    "No interview has this session_id (it may have expired or been deleted). "
                    "Start a new one with POST /start_session.")


def _ended() -> ApiError:
    return ApiError(409, "interview_ended",
                    "This interview has ended. Get the report with POST /feedback, "
                    "or start a new one with POST /start_session.")


# --------------------------------------------------------------------- turn names

MAX_TURN_NUMBER = 1_000_000


async def _turn_ref(
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


# --------------------------------------------------------------------- routes


def _public_routes(service: InterviewService) -> APIRouter:
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)

    @router.get("/healthz", response_model=HealthResponse, tags=["meta"])
    async def healthz() -> HealthResponse:
        return HealthResponse(brain=service.brain.name)

    return router


def _api_routes(service: InterviewService) -> APIRouter:
    router = APIRouter(responses=_errors(401))
    Call = Callable[[Who, Where], Awaitable[Reply]]

    async def take_turn(session_id: str, call: Call) -> Reply:
        """Run one service call; a missing interview becomes 404, a finished one 409."""
        who, where = identities(session_id)
        try:
            return await call(who, where)
        except NoActiveInterviewError:
            raise await gone(session_id) from None

    async def gone(session_id: str) -> ApiError:
        session = await service.session_for(*identities(session_id))
        return _not_found() if session is None else _ended()

    @router.get("/roles", response_model=RolesResponse, tags=["interview"])
    async def roles() -> RolesResponse:
        return RolesResponse(roles=service.roles())

    @router.post("/start_session", response_model=StartSessionResponse, tags=["interview"],
                 responses=_errors(422, 503))
    async def start_session(body: StartSessionRequest) -> StartSessionResponse:
        """Open an interview: the greeting and the first question, with a new session_id."""
        try:
            options = InterviewOptions.model_validate(body.model_dump(exclude={"user_id"}))
        except ValidationError as error:
            raise _invalid(error.errors()) from None
        session_id = new_session_id(body.user_id)
        who, where = identities(session_id)
        reply = await service.start(who, where, options)
        log.info("http.session_started", session=fingerprint(session_id), role=options.role,
                 questions=options.questions,
                 user=fingerprint(who.user_id) if body.user_id else None)
        return StartSessionResponse.for_session(session_id, reply)

    @router.post("/chat", response_model=TurnResponse, tags=["interview"],
                 responses=_errors(404, 409, 413, 422, 503), openapi_extra=MULTIPART_DOC)
    async def chat(body: ChatRequest, turn: TurnRef | None = Depends(_turn_ref)) -> TurnResponse:
        """Send the candidate's answer; get the next turn (the report too, after the last one).

        A spoken answer is a multipart form instead (`session_id`, `audio`): the turn then
        carries `heard`, the transcript and its delivery figures.
        """
        reply = await take_turn(body.session_id,
                                lambda who, where: service.answer(who, where, body.message, turn))
        log.info("http.turn", session=fingerprint(body.session_id), kind=reply.kind.value)
        return TurnResponse.from_reply(reply)

    @router.post("/chat/stream", tags=["interview"], responses={
        200: {"content": {"text/event-stream": {}},
              "description": "Server-sent events: `delta` ({text}) events, then one `reply` "
                             "(a TurnResponse), or one `error` (an ErrorResponse with status)."},
        **_errors(404, 409, 413, 422, 503)}, openapi_extra=MULTIPART_DOC)
    async def chat_stream(body: ChatRequest,
                          turn: TurnRef | None = Depends(_turn_ref)) -> StreamingResponse:
        """Like POST /chat, streaming the interviewer's words as they are written.

        For a spoken answer (multipart), a `heard` event (the transcript) comes first.
        """
        who, where = identities(body.session_id)
        return await stream_turn(body.session_id,
                                 service.answer_stream(who, where, body.message, turn))

    async def stream_turn(session_id: str, stream: AsyncIterator[Heard | TextDelta | Reply]
                          ) -> StreamingResponse:
        events = aiter(stream)
        try:
            # The first event is awaited here so that 404/409/422/503 keep their status codes.
            first = await anext(events)
        except NoActiveInterviewError:
            raise await gone(session_id) from None
        log.info("http.turn_streaming", session=fingerprint(session_id))
        return StreamingResponse(_sse(first, events), media_type="text/event-stream",
                                 headers=SSE_HEADERS)

    @router.post("/hint", response_model=TurnResponse, tags=["interview"],
                 responses=_errors(404, 409, 422, 503))
    async def hint(body: SessionRef, turn: TurnRef | None = Depends(_turn_ref)) -> TurnResponse:
        """A nudge for the question in play, without the answer."""
        return TurnResponse.from_reply(await take_turn(
            body.session_id, lambda who, where: service.hint(who, where, turn)))

    @router.post("/skip", response_model=TurnResponse, tags=["interview"],
                 responses=_errors(404, 409, 422, 503))
    async def skip(body: SessionRef, turn: TurnRef | None = Depends(_turn_ref)) -> TurnResponse:
        """Move on to the next question (after the last one: the report)."""
        return TurnResponse.from_reply(await take_turn(
            body.session_id, lambda who, where: service.skip(who, where, turn)))

    @router.post("/feedback", response_model=FeedbackReport, tags=["interview"],
                 responses=_errors(404, 422, 503))
    async def feedback(body: SessionRef) -> FeedbackReport:
        """End the interview (if still running) and return the report; repeatable."""
        reply = await take_turn(body.session_id, service.feedback)
        assert reply.report is not None
        return reply.report

    @router.get("/sessions/{session_id}", response_model=SessionView, tags=["sessions"],
                responses=_errors(404))
    async def get_session(session_id: str) -> SessionView:
        """Status and transcript (and the report once it exists)."""
        who, where = identities(session_id)
        session = await service.session_for(who, where)
        if session is None:
            raise _not_found()
        status = await take_turn(session_id, service.status)
        assert status.status is not None
        return SessionView.of(session_id, session, status.status)

    @router.delete("/sessions/{session_id}", response_model=DeletedResponse, tags=["sessions"],
                   responses=_errors(404))
    async def delete_session(session_id: str) -> DeletedResponse:
        """Discard the interview and its transcript."""
        who, where = identities(session_id)
        if await service.session_for(who, where) is None:
            raise _not_found()
        await service.reset(who, where)
        log.info("http.session_deleted", session=fingerprint(session_id))
        return DeletedResponse(session_id=session_id)

    router.include_router(audio_routes(service, take_turn, stream_turn))
    return router


def _history_routes(service: InterviewService) -> APIRouter:
    router = APIRouter(tags=["history"], responses=_errors(401, 422))

    @router.get("/history", response_model=HistoryResponse)
    async def history(who: Who = Depends(_practice_user),
                      limit: int = Query(DEFAULT_HISTORY_LIMIT, ge=1, le=MAX_HISTORY_LIMIT,
                                         description="How many interviews, newest first.")
                      ) -> JSONResponse:
        """The user's last finished interviews (date, role, scores) and the trend of each score."""
        progress = await service.progress(who, limit)
        log.info("http.history", user=fingerprint(who.user_id), interviews=len(progress.entries))
        return JSONResponse(HistoryResponse.of(progress).model_dump(mode="json"), headers=PRIVATE)

    @router.get("/history/chart.png", response_class=Response, responses={
        200: {"content": {"image/png": {}}, "description": "Scores over time, oldest first."}})
    async def history_chart(who: Who = Depends(_practice_user),
                            limit: int = Query(DEFAULT_HISTORY_LIMIT, ge=1, le=MAX_HISTORY_LIMIT)
                            ) -> Response:
        """The history's scores as a line chart (PNG)."""
        progress = await service.progress(who, limit)
        # Drawing takes about 0.1 s of CPU: off the event loop, so other turns keep flowing.
        png = await asyncio.to_thread(trend_chart_png, progress.entries)
        return Response(png, media_type="image/png", headers=PRIVATE)

    @router.delete("/history", response_model=ForgetResponse)
    async def forget(who: Who = Depends(_practice_user)) -> ForgetResponse:
        """Delete everything stored about the user: history, preferences and open interviews."""
        result = await service.forget(who)
        log.info("http.forgot_user", user=fingerprint(who.user_id), interviews=result.interviews,
                 sessions=result.sessions)
        return ForgetResponse(interviews=result.interviews, sessions=result.sessions)

    return router


async def _practice_user(
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


# --------------------------------------------------------------------- server-sent events


def _frame(event: str, data: dict[str, Any]) -> str:
    # json.dumps escapes newlines, so each event's data is exactly one line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_frame(event: Heard | TextDelta | Reply) -> str:
    if isinstance(event, TextDelta):
        return _frame("delta", {"text": event.text})
    if isinstance(event, Heard):
        return _frame("heard", event.model_dump(mode="json"))
    return _frame("reply", TurnResponse.from_reply(event).model_dump(mode="json"))


async def _sse(first: Heard | TextDelta | Reply, events: AsyncIterator[Heard | TextDelta | Reply]
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
