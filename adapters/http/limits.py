"""A bound on request bodies, so that a 20 MB paste is a friendly 413, never a memory spike.

The largest real request (a 50,000-character resume and fifteen custom questions,
every character escaped as ``\\uXXXX``) is well under 1 MB. A body that declares a
larger ``Content-Length`` is refused without being parsed; a chunked body is
counted as it arrives and refused as soon as it passes the limit. Either way, what
the client is still sending is read and thrown away before the 413 goes out: a
server that answers and closes while the client is uploading makes the client see a
reset connection instead of the answer.

A spoken answer (multipart audio on ``POST /chat`` or ``/chat/stream``) may be larger:
up to ``core.audio.MAX_AUDIO_BYTES`` plus room for the form around it.

(FastAPI's own ``max_body_size`` answers the first case with a plain-text body
that no handler can change, hence this small middleware.)
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.schemas import ErrorResponse
from core.audio import MAX_AUDIO_BYTES

MAX_REQUEST_BYTES = 1_000_000
DISCARD_BYTES = 64_000_000  # beyond this, stop reading: the client gets a closed connection
AUDIO_PATHS = {"/chat", "/chat/stream"}
MAX_AUDIO_REQUEST_BYTES = MAX_AUDIO_BYTES + 64_000  # the recording and its form fields


def audio_too_large_detail() -> str:
    return (f"The recording is too large: the limit is {MAX_AUDIO_BYTES // (1024 * 1024)} MB. "
            "Keep a spoken answer under 5 minutes, or type it.")


def too_large_detail(limit: int) -> str:
    return (f"The request is too large: the limit is {limit // 1000:,} KB. A job description or "
            "resume is read up to its first 12,000 characters, so paste only the relevant part.")


class BodySizeLimit:
    """Pure ASGI middleware: nothing is buffered here, and responses stream through untouched."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, detail = self.max_bytes, too_large_detail(self.max_bytes)
        if _is_audio_answer(scope):
            limit, detail = max(limit, MAX_AUDIO_REQUEST_BYTES), audio_too_large_detail()
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _discard_rest(receive)
            await self._refuse(send, detail)
            return
        await self.app(scope, self._counting(receive, limit, detail), send)

    def _counting(self, receive: Receive, limit: int, detail: str) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if message.get("more_body", False):
                        await _discard_rest(receive)
                    # FastAPI passes an HTTPException from body reading on unchanged, and
                    # the app's handler renders it like the 413 below.
                    raise HTTPException(413, detail)
            return message

        return counted

    async def _refuse(self, send: Send, detail: str) -> None:
        body = ErrorResponse(detail=detail, error="request_too_large")
        payload = body.model_dump_json(exclude_none=True).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"connection", b"close"),  # the unread body must not be taken for the next request
        ]})
        await send({"type": "http.response.body", "body": payload})


async def _discard_rest(receive: Receive) -> None:
    """Read the rest of the body without keeping any of it (memory stays flat)."""
    budget = DISCARD_BYTES
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _is_audio_answer(scope: Scope) -> bool:
    return (scope.get("method") == "POST" and scope.get("path") in AUDIO_PATHS
            and _header(scope, b"content-type").startswith("multipart/form-data"))


def _header(scope: Scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return value.decode("latin-1").lower()
    return ""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
