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

Layout: the routes are module-level routers (``routes_interview``, ``routes_history``,
``voice``) that get the service and the token check as FastAPI dependencies
(``dependencies``); errors in ``errors``, server-sent events in ``sse``. This module
assembles the app and serves it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import structlog
import uvicorn
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from adapters.http import routes_history, routes_interview, voice
from adapters.http.dependencies import get_service, require_token
from adapters.http.errors import install_error_handlers
from adapters.http.limits import MAX_REQUEST_BYTES, BodySizeLimit
from adapters.http.schemas import HealthResponse
from adapters.http.voice import AudioAnswers
from core.service import InterviewService

log = structlog.get_logger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

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


# --------------------------------------------------------------------- the app

public = APIRouter()


@public.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)


@public.get("/healthz", response_model=HealthResponse, tags=["meta"])
async def healthz(service: InterviewService = Depends(get_service)) -> HealthResponse:
    return HealthResponse(brain=service.brain.name)


def create_app(service: InterviewService, *, api_token: str | None = None,
               max_request_bytes: int = MAX_REQUEST_BYTES) -> FastAPI:
    app = FastAPI(title="Interview practice API", version="1.1.0", description=DESCRIPTION)
    # What the routers' dependencies read (``dependencies.get_service``, ``require_token``).
    app.state.service = service
    app.state.api_token = api_token.encode() if api_token else None
    install_error_handlers(app, max_request_bytes)
    app.add_middleware(AudioAnswers)  # a multipart /chat is a spoken answer (see ``voice``)
    app.add_middleware(BodySizeLimit, max_bytes=max_request_bytes)
    guarded = [Depends(require_token)]
    app.include_router(public)
    app.include_router(routes_interview.router, dependencies=guarded)
    app.include_router(voice.router, dependencies=guarded)
    app.include_router(routes_history.router, dependencies=guarded)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


async def run_api(service: InterviewService, *, host: str, port: int, api_token: str = "",
                  log_level: str = "info") -> None:
    """Serve the API and the page until the process is stopped (``python -m bot api``)."""
    app = create_app(service, api_token=api_token or None)
    # log_config=None keeps the project's logging set-up instead of uvicorn's own; open
    # streams get a few seconds to finish on shutdown rather than holding it up.
    config = uvicorn.Config(app, host=host, port=port, log_config=None,
                            log_level=log_level.lower(), timeout_graceful_shutdown=5)
    _keep_ids_out_of_access_logs()
    log.info("http.serving", url=f"http://{host}:{port}/", auth_required=bool(api_token),
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
