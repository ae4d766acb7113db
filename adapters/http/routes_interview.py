"""The interview routes: roles, start, answer (plain or streamed), hint, skip, feedback,
and a session's view or deletion. Each is one call on the service, JSON in and out."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from adapters.http.dependencies import (
    get_conversation,
    get_service,
    stream_turn,
    take_turn,
    turn_ref,
)
from adapters.http.errors import error_responses, invalid, not_found
from adapters.http.schemas import (
    ChatRequest,
    DeletedResponse,
    RolesResponse,
    SessionRef,
    SessionView,
    StartSessionRequest,
    StartSessionResponse,
    TurnResponse,
)
from adapters.http.sessions import fingerprint, identities, new_session_id
from adapters.http.voice import MULTIPART_DOC
from core.conversation import Conversation
from core.models import InterviewOptions, TurnRef
from core.report import FeedbackReport
from core.service import InterviewService

log = structlog.get_logger("adapters.http.app")

router = APIRouter(responses=error_responses(401))


@router.get("/roles", response_model=RolesResponse, tags=["interview"])
async def roles(service: InterviewService = Depends(get_service)) -> RolesResponse:
    return RolesResponse(roles=service.roles())


@router.post("/start_session", response_model=StartSessionResponse, tags=["interview"],
             responses=error_responses(422, 503))
async def start_session(body: StartSessionRequest,
                        service: InterviewService = Depends(get_service)) -> StartSessionResponse:
    """Open an interview: the greeting and the first question, with a new session_id."""
    try:
        options = InterviewOptions.model_validate(body.model_dump(exclude={"user_id"}))
    except ValidationError as error:
        raise invalid(error.errors()) from None
    session_id = new_session_id(body.user_id)
    who, where = identities(session_id)
    reply = await service.start(who, where, options)
    log.info("http.session_started", session=fingerprint(session_id), role=options.role,
             questions=options.questions,
             user=fingerprint(who.user_id) if body.user_id else None)
    return StartSessionResponse.for_session(session_id, reply)


@router.post("/chat", response_model=TurnResponse, tags=["interview"],
             responses=error_responses(404, 409, 413, 422, 503), openapi_extra=MULTIPART_DOC)
async def chat(body: ChatRequest, turn: TurnRef | None = Depends(turn_ref),
               service: InterviewService = Depends(get_service)) -> TurnResponse:
    """Send the candidate's answer; get the next turn (the report too, after the last one).

    A spoken answer is a multipart form instead (`session_id`, `audio`): the turn then
    carries `heard`, the transcript and its delivery figures.
    """
    reply = await take_turn(service, body.session_id,
                            lambda who, where: service.answer(who, where, body.message, turn))
    log.info("http.turn", session=fingerprint(body.session_id), kind=reply.kind.value)
    return TurnResponse.from_reply(reply)


@router.post("/chat/stream", tags=["interview"], responses={
    200: {"content": {"text/event-stream": {}},
          "description": "Server-sent events: `delta` ({text}) events, then one `reply` "
                         "(a TurnResponse), or one `error` (an ErrorResponse with status)."},
    **error_responses(404, 409, 413, 422, 503)}, openapi_extra=MULTIPART_DOC)
async def chat_stream(body: ChatRequest, turn: TurnRef | None = Depends(turn_ref),
                      service: InterviewService = Depends(get_service)) -> StreamingResponse:
    """Like POST /chat, streaming the interviewer's words as they are written.

    For a spoken answer (multipart), a `heard` event (the transcript) comes first.
    """
    who, where = identities(body.session_id)
    return await stream_turn(service, body.session_id,
                             service.answer_stream(who, where, body.message, turn))


@router.post("/hint", response_model=TurnResponse, tags=["interview"],
             responses=error_responses(404, 409, 422, 503))
async def hint(body: SessionRef, turn: TurnRef | None = Depends(turn_ref),
               service: InterviewService = Depends(get_service)) -> TurnResponse:
    """A nudge for the question in play, without the answer."""
    return TurnResponse.from_reply(await take_turn(
        service, body.session_id, lambda who, where: service.hint(who, where, turn)))


@router.post("/skip", response_model=TurnResponse, tags=["interview"],
             responses=error_responses(404, 409, 422, 503))
async def skip(body: SessionRef, turn: TurnRef | None = Depends(turn_ref),
               service: InterviewService = Depends(get_service)) -> TurnResponse:
    """Move on to the next question (after the last one: the report)."""
    return TurnResponse.from_reply(await take_turn(
        service, body.session_id, lambda who, where: service.skip(who, where, turn)))


@router.post("/feedback", response_model=FeedbackReport, tags=["interview"],
             responses=error_responses(404, 422, 503))
async def feedback(body: SessionRef,
                   service: InterviewService = Depends(get_service)) -> FeedbackReport:
    """End the interview (if still running) and return the report; repeatable."""
    reply = await take_turn(service, body.session_id, service.feedback)
    assert reply.report is not None
    return reply.report


@router.get("/sessions/{session_id}", response_model=SessionView, tags=["sessions"],
            responses=error_responses(404))
async def get_session(session_id: str, service: InterviewService = Depends(get_service),
                      conversation: Conversation = Depends(get_conversation)) -> SessionView:
    """Status and transcript (and the report once it exists)."""
    view = await conversation.view(*identities(session_id))
    if view is None:
        raise not_found()
    status = await take_turn(service, session_id, service.status)
    assert status.status is not None
    return SessionView.of(session_id, view, status.status)


@router.delete("/sessions/{session_id}", response_model=DeletedResponse, tags=["sessions"],
               responses=error_responses(404))
async def delete_session(session_id: str, service: InterviewService = Depends(get_service),
                         conversation: Conversation = Depends(get_conversation)
                         ) -> DeletedResponse:
    """Discard the interview and its transcript."""
    who, where = identities(session_id)
    if not await conversation.exists(who, where):
        raise not_found()
    await service.reset(who, where)
    log.info("http.session_deleted", session=fingerprint(session_id))
    return DeletedResponse(session_id=session_id)
