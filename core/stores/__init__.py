"""Persistent and shared session stores behind ``core.store.SessionStore``.

``build_store`` picks one from ``STORE_URL``; ``build_history`` gives the matching
history store (finished interviews, progress, team stats, "forget me").
"""

from __future__ import annotations

import structlog
from pydantic import ValidationError

from core.session import Session

log = structlog.get_logger(__name__)


def load_session(key: str, data: str | bytes) -> Session | None:
    """A stored session, or None when it cannot be read (e.g. written by an incompatible
    version): the user can start again instead of hitting an error on every message."""
    try:
        return Session.model_validate_json(data)
    except ValidationError as error:
        log.error("store.unreadable_session", key=key, errors=error.error_count())
        return None


from core.stores.factory import build_history, build_store  # noqa: E402  (uses nothing above)

__all__ = ["build_history", "build_store", "load_session"]
