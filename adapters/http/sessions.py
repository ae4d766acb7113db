"""How an HTTP session maps onto core: the session id is both the user and the conversation.

The id is a bearer capability (whoever holds it can answer), so it is unguessable
and never logged in full: logs carry a short fingerprint instead.
"""

from __future__ import annotations

import hashlib
import secrets

from core.models import Where, Who

PLATFORM = "http"
SESSION_ID_BYTES = 24  # 32 url-safe characters, 192 bits


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def identities(session_id: str) -> tuple[Who, Where]:
    """Core's identities for one HTTP session: one user, one conversation, one interview."""
    return (
        Who(platform=PLATFORM, user_id=session_id),
        Where(platform=PLATFORM, conversation_id=session_id),
    )


def fingerprint(session_id: str) -> str:
    """A short, stable, non-reversible tag for logs."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:10]
