"""How an HTTP session maps onto core, and how a practice identity keeps a history.

Without a ``user_id``, the session id is both the user and the conversation: an
anonymous interview. With one (an opaque id the client chooses and keeps, such
as the page's random id in ``localStorage``), the user is that practice identity,
so finished interviews add up to a history, while the conversation is still the
session.

Every later call names only the session, so the session id carries the user's
*key* after a dot: ``<random>.<key>``. The key is a one-way hash of the user id,
for two reasons: the user id is a bearer secret for ``/history`` and is never
stored or logged, and holding one session id never opens the history.

Both ids are bearer capabilities, so the random part is unguessable and logs
carry only short fingerprints.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from core.models import Where, Who

PLATFORM = "http"
SESSION_ID_BYTES = 24  # 32 url-safe characters, 192 bits
USER_KEY_SEPARATOR = "."  # never produced by token_urlsafe
MAX_USER_ID_CHARS = 128
USER_ID_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_USER_ID_CHARS}}}")
USER_ID_RULE = (f"use 1 to {MAX_USER_ID_CHARS} letters, digits, '-' or '_', for example a "
                "random id your client keeps")


def check_user_id(user_id: str) -> str:
    """The user id, or ``ValueError`` with a sentence saying what a valid one looks like."""
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise ValueError(f"this user_id cannot be used; {USER_ID_RULE}")
    return user_id


def user_key(user_id: str) -> str:
    """The user as core stores it: 128 bits of a SHA-256 of the client's id."""
    return "u" + hashlib.sha256(f"http-practice:{user_id}".encode()).hexdigest()[:32]


def practice_who(user_id: str) -> Who:
    """The practice identity behind a ``user_id`` (history, forget)."""
    return Who(platform=PLATFORM, user_id=user_key(user_id))


def new_session_id(user_id: str | None = None) -> str:
    token = secrets.token_urlsafe(SESSION_ID_BYTES)
    return token if user_id is None else f"{token}{USER_KEY_SEPARATOR}{user_key(user_id)}"


def identities(session_id: str) -> tuple[Who, Where]:
    """Core's identities for one HTTP session: its user (anonymous or practice) and conversation."""
    _, separator, key = session_id.partition(USER_KEY_SEPARATOR)
    who = Who(platform=PLATFORM, user_id=key if separator else session_id)
    return who, Where(platform=PLATFORM, conversation_id=session_id)


def fingerprint(secret: str) -> str:
    """A short, stable, non-reversible tag for logs (of a session id or a user key)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:10]
