"""The HTTP surface: the original REST API (start_session / chat / feedback) and a web chat page.

Every route is a thin translation: JSON in, one call on ``InterviewService``, JSON
out. Each HTTP session is its own user and conversation in core (see ``sessions``),
so the unguessable ``session_id`` is the only key a client needs.

Status codes: 422 bad input (readable ``detail``), 401 missing/wrong bearer token,
404 unknown session, 409 interview already over, 503 model unavailable (nothing
was saved, so the same request can simply be sent again).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import structlog
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import SecretStr, ValidationError

from adapters.http.schemas import (
    ChatRequest,
    DeletedResponse,
    ErrorResponse,
    HealthResponse,
    RolesResponse,
    SessionRef,
    SessionView,
    StartSessionRequest,
    StartSessionResponse,
    TurnResponse,
)
from adapters.http.sessions import fingerprint, identities, new_session_id
from core.errors import (
    BrainError,
    InterviewError,
    InvalidInputError,
    InvalidOptionError,
    NoActiveInterviewError,
    UnknownRoleError,
)
from core.models import InterviewOptions, Reply, TextDelta, Where, Who
from core.report import FeedbackReport
from core.service import InterviewService

log = structlog.get_logger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
RETRY_AFTER_SECONDS = 5

# The page loads nothing from elsewhere; say so, so an injected script could not either.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

DESCRIPTION = """
Practise job interviews over HTTP. Start a session, answer one question at a time,
and get a structured feedback report. Turn responses use the same fields as the
terminal's `--json` events: `kind`, `text`, `persona`, `question_index` and, for
`feedback`, the whole report as `report`.

When the server sets `API_TOKEN`, send `Authorization: Bearer <token>` with every
request except `GET /`, `GET /healthz` and these docs.
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


def create_app(service: InterviewService, *, api_token: str | None = None) -> FastAPI:
    app = FastAPI(title="Interview practice API", version="1.0.0", description=DESCRIPTION)
    _install_error_handlers(app)
    app.include_router(_public_routes(service))
    app.include_router(_api_routes(service), dependencies=[Depends(_token_guard(api_token))])
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
    log.info("http.serving", url=f"http://{host}:{port}/", token_required=bool(secret),
             brain=service.brain.name)
    await uvicorn.Server(config).serve()


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


def _install_error_handlers(app: FastAPI) -> None:
    """Map core's errors to status codes. Starlette picks the most specific class."""

    def handle(exc_type: type[Exception], to_error: Callable[[Any], ApiError]) -> None:
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return to_error(exc).response()

        app.add_exception_handler(exc_type, handler)

    handle(ApiError, lambda exc: exc)
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
    handle(InterviewError, lambda exc: ApiError(400, "interview_error", exc.user_message))


def _invalid(errors: list[dict[str, Any]]) -> ApiError:
    """A 422 whose detail reads as a sentence, e.g. ``questions: must be at most 15``."""
    problems = []
    for error in errors:
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
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
            options = InterviewOptions.model_validate(body.model_dump())
        except ValidationError as error:
            raise _invalid(error.errors()) from None
        session_id = new_session_id()
        reply = await service.start(*identities(session_id), options)
        log.info("http.session_started", session=fingerprint(session_id), role=options.role,
                 questions=options.questions)
        return StartSessionResponse.for_session(session_id, reply)

    @router.post("/chat", response_model=TurnResponse, tags=["interview"],
                 responses=_errors(404, 409, 422, 503))
    async def chat(body: ChatRequest) -> TurnResponse:
        """Send the candidate's answer; get the next turn (the report too, after the last one)."""
        reply = await take_turn(body.session_id,
                                lambda who, where: service.answer(who, where, body.message))
        log.info("http.turn", session=fingerprint(body.session_id), kind=reply.kind.value)
        return TurnResponse.from_reply(reply)

    @router.post("/chat/stream", tags=["interview"], responses={
        200: {"content": {"text/event-stream": {}},
              "description": "Server-sent events: `delta` ({text}) events, then one `reply` "
                             "(a TurnResponse), or one `error` (an ErrorResponse with status)."},
        **_errors(404, 409, 422, 503)})
    async def chat_stream(body: ChatRequest) -> StreamingResponse:
        """Like POST /chat, streaming the interviewer's words as they are written."""
        who, where = identities(body.session_id)
        events = aiter(service.answer_stream(who, where, body.message))
        try:
            # The first event is awaited here so that 404/409/503 keep their status codes.
            first = await anext(events)
        except NoActiveInterviewError:
            raise await gone(body.session_id) from None
        log.info("http.turn_streaming", session=fingerprint(body.session_id))
        return StreamingResponse(_sse(first, events), media_type="text/event-stream",
                                 headers=SSE_HEADERS)

    @router.post("/hint", response_model=TurnResponse, tags=["interview"],
                 responses=_errors(404, 409, 422, 503))
    async def hint(body: SessionRef) -> TurnResponse:
        """A nudge for the question in play, without the answer."""
        return TurnResponse.from_reply(await take_turn(body.session_id, service.hint))

    @router.post("/skip", response_model=TurnResponse, tags=["interview"],
                 responses=_errors(404, 409, 422, 503))
    async def skip(body: SessionRef) -> TurnResponse:
        """Move on to the next question (after the last one: the report)."""
        return TurnResponse.from_reply(await take_turn(body.session_id, service.skip))

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

    return router


# --------------------------------------------------------------------- server-sent events


def _frame(event: str, data: dict[str, Any]) -> str:
    # json.dumps escapes newlines, so each event's data is exactly one line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_frame(event: TextDelta | Reply) -> str:
    if isinstance(event, TextDelta):
        return _frame("delta", {"text": event.text})
    return _frame("reply", TurnResponse.from_reply(event).model_dump(mode="json"))


async def _sse(first: TextDelta | Reply, events: AsyncIterator[TextDelta | Reply]
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
