"""Building the service from settings: which brain, which store."""

from __future__ import annotations

from bot.settings import Settings
from core.brain.base import Brain
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from core.store import InMemoryStore, SessionStore


def build_brain(settings: Settings) -> Brain:
    if settings.has_gemini:
        from core.brain.gemini import GeminiBrain

        return GeminiBrain.from_settings(settings)
    return OfflineBrain()


def build_store(settings: Settings, *, persistent: bool = True) -> SessionStore:
    ttl = settings.session_ttl_hours * 3600
    if not persistent or settings.store_url == "memory://":
        return InMemoryStore(ttl_seconds=ttl)
    try:
        from core.stores.factory import build_store as build_configured_store
    except ImportError:  # persistent stores not installed in this build
        return InMemoryStore(ttl_seconds=ttl)
    return build_configured_store(settings.store_url, sqlite_path=settings.sqlite_path,
                                  ttl_seconds=ttl)


def build_service(settings: Settings, *, persistent: bool = True) -> InterviewService:
    return InterviewService(brain=build_brain(settings),
                            store=build_store(settings, persistent=persistent))


def describe_brain(brain: Brain) -> str:
    return brain.name if brain.name != "offline" else "offline (no GEMINI_API_KEY set)"
