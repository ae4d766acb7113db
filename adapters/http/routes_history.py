"""A practice user's history: the list with trends, its chart, and "forget me"."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from adapters.http.dependencies import get_service, practice_user
from adapters.http.errors import error_responses
from adapters.http.schemas import ForgetResponse, HistoryResponse
from adapters.http.sessions import fingerprint
from core.history import DEFAULT_HISTORY_LIMIT
from core.presentation import trend_chart_png
from core.models import Who
from core.service import InterviewService

log = structlog.get_logger("adapters.http.app")

MAX_HISTORY_LIMIT = 50
PRIVATE = {"Cache-Control": "no-store"}  # a user's history: never kept by a browser or proxy

router = APIRouter(tags=["history"], responses=error_responses(401, 422))


@router.get("/history", response_model=HistoryResponse)
async def history(who: Who = Depends(practice_user),
                  service: InterviewService = Depends(get_service),
                  limit: int = Query(DEFAULT_HISTORY_LIMIT, ge=1, le=MAX_HISTORY_LIMIT,
                                     description="How many interviews, newest first.")
                  ) -> JSONResponse:
    """The user's last finished interviews (date, role, scores) and the trend of each score."""
    progress = await service.progress(who, limit)
    log.info("http.history", user=fingerprint(who.user_id), interviews=len(progress.entries))
    return JSONResponse(HistoryResponse.of(progress).model_dump(mode="json"), headers=PRIVATE)


@router.get("/history/chart.png", response_class=Response, responses={
    200: {"content": {"image/png": {}}, "description": "Scores over time, oldest first."}})
async def history_chart(who: Who = Depends(practice_user),
                        service: InterviewService = Depends(get_service),
                        limit: int = Query(DEFAULT_HISTORY_LIMIT, ge=1, le=MAX_HISTORY_LIMIT)
                        ) -> Response:
    """The history's scores as a line chart (PNG)."""
    progress = await service.progress(who, limit)
    # Drawing takes about 0.1 s of CPU: off the event loop, so other turns keep flowing.
    png = await asyncio.to_thread(trend_chart_png, progress.entries)
    return Response(png, media_type="image/png", headers=PRIVATE)


@router.delete("/history", response_model=ForgetResponse)
async def forget(who: Who = Depends(practice_user),
                 service: InterviewService = Depends(get_service)) -> ForgetResponse:
    """Delete everything stored about the user: history, preferences and open interviews."""
    result = await service.forget(who)
    log.info("http.forgot_user", user=fingerprint(who.user_id), interviews=result.interviews,
             sessions=result.sessions)
    return ForgetResponse(interviews=result.interviews, sessions=result.sessions)
