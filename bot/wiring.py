"""Building the service from settings: which brain, and which storage backend (the session
store and the practice history beside it), both injected into the service."""

from __future__ import annotations

from bot.settings import Settings
from core.brain.base import Brain
from core.brain.offline import OfflineBrain
from core.service import InterviewService
from core.store import SessionStore
from core.stores import Storage, build_storage as build_configured_storage


def build_brain(settings: Settings) -> Brain:
    """BRAIN picks the provider; auto is Gemini with a key, otherwise offline."""
    choice = settings.brain
    if choice == "auto":
        choice = "gemini" if settings.has_gemini else "offline"
    if choice == "gemini":
        if not settings.has_gemini:
            raise ValueError("BRAIN=gemini needs GEMINI_API_KEY (or GOOGLE_API_KEY)")
        from core.brain.gemini import GeminiBrain

        return GeminiBrain.from_settings(settings)
    if choice == "openai":
        from core.brain.openai_compat import OpenAICompatBrain

        return OpenAICompatBrain.from_settings(settings)  # a ValueError says what is missing
    return OfflineBrain()


def build_storage(settings: Settings) -> Storage:
    """SQLite at SQLITE_PATH by default; STORE_URL picks memory:// or a shared Redis.
    The backend holds both the sessions and the practice history."""
    return build_configured_storage(settings.store_url, sqlite_path=settings.sqlite_path,
                                    ttl_seconds=settings.session_ttl_hours * 3600)


def build_service(settings: Settings) -> InterviewService:
    storage = build_storage(settings)
    return InterviewService(brain=build_brain(settings), store=storage.sessions,
                            history=storage.history)


def describe_store(store: SessionStore) -> str:
    return {"SqliteStore": "sqlite", "RedisStore": "redis", "InMemoryStore": "memory"}.get(
        type(store).__name__, type(store).__name__)


def describe_brain(brain: Brain) -> str:
    """Provider and model for the start-up line (and the server, never its credentials)."""
    if brain.name == "offline":
        return "offline (no model configured: see BRAIN and GEMINI_API_KEY)"
    endpoint = getattr(brain, "endpoint", None)
    return f"{brain.name} at {endpoint}" if endpoint else brain.name
