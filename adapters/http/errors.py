"""HTTP errors: core's errors as status codes with a readable ``detail`` and a stable
``error`` code (``ErrorResponse``); every documented status and code is made here."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.http.schemas import ErrorResponse
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

RETRY_AFTER_SECONDS = 5


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
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


def install_error_handlers(app: FastAPI, max_request_bytes: int) -> None:
    """Map core's errors to status codes. Starlette picks the most specific class."""

    def handle(exc_type: type[Exception], to_error: Callable[[Any], ApiError]) -> None:
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return to_error(exc).response()

        app.add_exception_handler(exc_type, handler)

    handle(ApiError, lambda exc: exc)
    handle(StarletteHTTPException, lambda exc: _http_error(exc, max_request_bytes))
    handle(RequestValidationError, lambda exc: invalid(exc.errors()))
    handle(UnknownRoleError, lambda exc: ApiError(
        422, "unknown_role", exc.user_message.replace("**", ""),
        known_roles=exc.known, suggestion=exc.suggestion))
    handle(InvalidOptionError, lambda exc: ApiError(422, "invalid_option", exc.user_message))
    handle(InvalidInputError, lambda exc: ApiError(422, "invalid_input", exc.user_message))
    handle(NoActiveInterviewError, lambda exc: not_found())
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


def invalid(errors: list[dict[str, Any]]) -> ApiError:
    """A 422 whose detail reads as a sentence, e.g. ``questions: must be at most 15``."""
    problems = []
    for error in errors:
        loc = error.get("loc", ())
        # "body" / "query" says where the field was, which the field name already makes clear.
        parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
        field = ".".join(str(part) for part in parts)
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":  # not "0: JSON decode error"
            field, message = "", "the body is not valid JSON"
        problems.append({"field": field, "message": message})
    detail = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"]
                       for p in problems)
    return ApiError(422, "invalid_request", f"Invalid request. {detail}", errors=problems)


def not_found() -> ApiError:
    return ApiError(404, "session_not_found",
                    "No interview has this session_id (it may have expired or been deleted). "
                    "Start a new one with POST /start_session.")


def ended() -> ApiError:
    return ApiError(409, "interview_ended",
                    "This interview has ended. Get the report with POST /feedback, "
                    "or start a new one with POST /start_session.")
