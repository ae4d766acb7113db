"""Helpers for the store tests: sessions, services and history entries."""

from __future__ import annotations

from core.brain.offline import OfflineBrain
from core.history import HistoryEntry, HistoryStore
from core.models import Persona, InterviewOptions, Where, Who
from core.report import FeedbackReport, Score, Scores
from core.service import InterviewService
from core.session import Session
from core.store import SessionStore

ROLE = "software_engineer"

# ----------------------------------------------------------------------------- sessions


def person(user: str = "u1", platform: str = "discord", name: str = "") -> Who:
    return Who(platform=platform, user_id=user, display_name=name or f"name-{user}")


def place(conversation: str = "c1", platform: str = "discord") -> Where:
    return Where(platform=platform, conversation_id=conversation)


def bare_session(user: str = "u1", conversation: str = "c1", platform: str = "discord") -> Session:
    who, where = person(user, platform), place(conversation, platform)
    return Session(
        key=f"{platform}:{user}:{conversation}",
        who=who,
        where=where,
        options=InterviewOptions(role=ROLE),
        role_id=ROLE,
        questions=[],
        progress=[],
    )


def long_options(questions: int = 15) -> InterviewOptions:
    """Enough questions that a test's answers never reach the end of the interview."""
    return InterviewOptions(role=ROLE, questions=questions)


def service_on(store: SessionStore, history: HistoryStore | None = None) -> InterviewService:
    return InterviewService(brain=OfflineBrain(), store=store, history=history)


def answer_text(label: str) -> str:
    """A plain, on-topic answer that the engine counts as a real answer."""
    return (
        f"[{label}] In my last role I owned the rollout of a new deployment pipeline; "
        "I planned the migration, wrote the tests and cut release time by 30 percent."
    )


def candidate_texts(session: Session) -> list[str]:
    return [entry.text for entry in session.transcript if entry.speaker.value == "candidate"]


# ----------------------------------------------------------------------------- history


def report(scores: tuple[int, int, int] | None) -> FeedbackReport:
    made = None
    if scores is not None:
        communication, technical, structure = (Score(score=s, reason="test") for s in scores)
        made = Scores(communication=communication, technical=technical, structure=structure)
    return FeedbackReport(role=ROLE, difficulty="mid", summary="test report", answered=1, scores=made)


def entry(
    entry_id: str,
    *,
    user: str = "u1",
    conversation: str = "c1",
    role: str = ROLE,
    scores: tuple[int, int, int] | None = (3, 3, 3),
    finished_at: float = 1_700_000_000.0,
    platform: str = "discord",
) -> HistoryEntry:
    session = bare_session(user, conversation, platform)
    session.id = entry_id
    session.role_id = role
    session.report = report(scores)
    session.hear(f"answer by {user}", persona=Persona.normal, counts=True)
    return HistoryEntry.from_session(session, finished_at=finished_at)
