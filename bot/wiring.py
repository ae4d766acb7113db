"""Building the service from settings: which brain, which store."""

from __future__ import annotations

from bot.settings import Settings
from core.brain.base import Brain
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from core.store import SessionStore
from core.stores import build_store as build_configured_store


def build_brain(settings: Settings) -> Brain:
    if settings.has_gemini:
        from core.brain.gemini import GeminiBrain

        return GeminiBrain.from_settings(settings)
    return OfflineBrain()


def build_store(settings: Settings) -> SessionStore:
    """SQLite at SQLITE_PATH by default; STORE_URL picks memory:// or a shared Redis."""
    return build_configured_store(settings.store_url, sqlite_path=settings.sqlite_path,
                                  ttl_seconds=settings.session_ttl_hours * 3600)


def build_service(settings: Settings) -> InterviewService:
    return InterviewService(brain=build_brain(settings), store=build_store(settings))


def describe_store(store: SessionStore) -> str:
    return {"SqliteStore": "sqlite", "RedisStore": "redis", "InMemoryStore": "memory"}.get(
        type(store).__name__, type(store).__name__)


def describe_brain(brain: Brain) -> str:
    return brain.name if brain.name != "offline" else "offline (no GEMINI_API_KEY set)"
