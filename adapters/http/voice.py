"""Spoken answers over HTTP: ``POST /chat`` and ``/chat/stream`` with a multipart recording.

The JSON routes stay exactly as they are. A ``multipart/form-data`` request to either
path is handed, at the ASGI level, to the audio routes here (``AudioAnswers``), so one
endpoint takes both a typed and a spoken answer and each keeps its own validation.

Form fields: ``session_id`` and ``audio`` (the recording: wav, ogg/opus, mp3, m4a or
webm, up to ``core.audio.MAX_AUDIO_BYTES`` and five minutes). The response is the usual
turn with ``heard`` (the transcript and its delivery figures); the stream sends one
``heard`` event first, before the interviewer's ``delta`` events. Unusable audio is a
422 (``error``: ``invalid_input``) and changes nothing.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Depends, File, Form, UploadFile
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.http.dependencies import get_service, stream_turn, take_turn
from adapters.http.schemas import TurnResponse
from adapters.http.sessions import fingerprint, identities
from core.audio import MAX_AUDIO_BYTES, AudioError
from core.service import InterviewService

log = structlog.get_logger(__name__)

AUDIO_ROUTES = {"/chat": "/chat/audio", "/chat/stream": "/chat/audio/stream"}
READ_CHUNK = 256 * 1024

# Added to the OpenAPI operations of POST /chat and /chat/stream.
MULTIPART_DOC: dict[str, Any] = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["session_id", "audio"],
    "properties": {
        "session_id": {"type": "string"},
        "audio": {"type": "string", "format": "binary",
                  "description": f"A spoken answer: wav, ogg/opus, mp3, m4a or webm, up to "
                                 f"{MAX_AUDIO_BYTES // (1024 * 1024)} MB and 5 minutes. It is "
                                 "transcribed and not kept; the turn carries `heard`."},
    }}}}}}


class AudioAnswers:
    """Pure ASGI: a multipart POST to /chat or /chat/stream goes to the audio routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope.get("method") == "POST"
                and scope.get("path") in AUDIO_ROUTES and _is_multipart(scope)):
            scope = {**scope, "path": AUDIO_ROUTES[scope["path"]]}
        await self.app(scope, receive, send)


def _is_multipart(scope: Scope) -> bool:
    return any(name == b"content-type" and value.lower().startswith(b"multipart/form-data")
               for name, value in scope.get("headers", ()))


async def read_upload(audio: UploadFile) -> bytes:
    """The recording's bytes, refused as soon as it passes the limit."""
    data = bytearray()
    while chunk := await audio.read(READ_CHUNK):
        data += chunk
        if len(data) > MAX_AUDIO_BYTES:
            raise AudioError("too_large")
    return bytes(data)


router = APIRouter(include_in_schema=False)


@router.post("/chat/audio")
async def chat_audio(session_id: str = Form(..., min_length=1), audio: UploadFile = File(...),
                     service: InterviewService = Depends(get_service)) -> Any:
    data = await read_upload(audio)
    reply = await take_turn(service, session_id,
                            lambda who, where: service.answer_audio(who, where, data))
    log.info("http.spoken_turn", session=fingerprint(session_id), kind=reply.kind.value)
    return TurnResponse.from_reply(reply)


@router.post("/chat/audio/stream")
async def chat_audio_stream(session_id: str = Form(..., min_length=1),
                            audio: UploadFile = File(...),
                            service: InterviewService = Depends(get_service)) -> Any:
    data = await read_upload(audio)
    who, where = identities(session_id)
    return await stream_turn(service, session_id, service.answer_audio_stream(who, where, data))
