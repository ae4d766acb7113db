"""Errors that core raises towards the surfaces.

Every error carries an ``error_code`` (``ErrorCode``) and ``user_message``: a short, friendly,
surface-neutral sentence (no slash commands, no surface's syntax). Each adapter owns
its wording: it words the codes it knows in its own idiom (``/interview start
role:sales`` on Discord, ``--role`` in the terminal) and shows ``user_message`` for the
rest. ``generic`` says the message is the code's default, so an adapter may replace it;
a specific message (e.g. "This interview is over") is kept.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorCode(StrEnum):
    """What went wrong, for adapters to word (the HTTP API has its own public codes)."""

    unexpected = "unexpected"
    unknown_role = "unknown_role"
    invalid_option = "invalid_option"
    invalid_input = "invalid_input"
    no_interview = "no_interview"
    already_active = "already_active"
    model_unavailable = "model_unavailable"
    turn_out_of_order = "turn_out_of_order"
    turn_conflict = "turn_conflict"
    session_busy = "session_busy"
    lock_lost = "lock_lost"
    store_unavailable = "store_unavailable"
    document = "document"  # core.documents.DocumentError: ``problem`` says which way
    audio = "audio"  # core.audio.AudioError: its ``code`` string says which way (its own
    # name since before these codes: hence ``error_code`` here, never shadowed)


class InterviewError(Exception):
    """Base class: something the user should be told about, never a crash."""

    error_code: ClassVar[ErrorCode] = ErrorCode.unexpected
    user_message: str = "Something went wrong. Your interview is safe; please try again."

    def __init__(self, user_message: str | None = None) -> None:
        self.generic = not user_message
        if user_message:
            self.user_message = user_message
        super().__init__(self.user_message)


class UnknownRoleError(InterviewError):
    error_code = ErrorCode.unknown_role

    def __init__(self, requested: str, known: list[str], suggestion: str | None) -> None:
        self.requested = requested
        self.known = known
        self.suggestion = suggestion
        hint = f" Did you mean **{suggestion}**?" if suggestion else ""
        super().__init__(
            f"I don't know the role “{requested}”.{hint} Known roles: {', '.join(known)}."
        )


class InvalidOptionError(InterviewError):
    """An option out of range (e.g. 40 questions) or of the wrong kind."""

    error_code = ErrorCode.invalid_option


class NoActiveInterviewError(InterviewError):
    error_code = ErrorCode.no_interview
    user_message = "There's no interview running here. Start one with the role you want to practise."


class InterviewAlreadyActiveError(InterviewError):
    error_code = ErrorCode.already_active
    user_message = (
        "You already have an interview running here. Answer the current question, "
        "or end it first (for feedback) or reset it (to discard it)."
    )


class InvalidInputError(InterviewError):
    """Input rejected before it reached the interview (e.g. empty). State unchanged."""

    error_code = ErrorCode.invalid_input


class BrainError(InterviewError):
    """The language model failed. The session is untouched and the turn can be re-sent."""

    error_code = ErrorCode.model_unavailable
    user_message = (
        "The interviewer couldn't answer just now (the AI service is busy or unavailable). "
        "Your interview is saved: please send your answer again in a moment."
    )

    def __init__(self, user_message: str | None = None, *, retryable: bool = True,
                 usage: tuple[int, int] | None = None) -> None:
        self.retryable = retryable
        # Tokens (in, out) the failed call still cost: a blocked prompt or a reply cut
        # mid-way is billed. Core may add them to the stored session's usage.
        self.usage = usage
        super().__init__(user_message)


class TurnOutOfOrderError(InterviewError):
    """A numbered turn arrived, but an earlier one never did (within the wait)."""

    error_code = ErrorCode.turn_out_of_order

    def __init__(self, expected: int, got: int) -> None:
        self.expected = expected
        self.got = got
        super().__init__(
            f"Turn {got} arrived before turn {expected}. Send turn {expected} first; "
            "nothing was recorded."
        )


class TurnConflictError(InterviewError):
    """A turn number or idempotency key was already used, for a different request."""

    error_code = ErrorCode.turn_conflict

    def __init__(self, detail: str, expected: int | None = None) -> None:
        self.expected = expected
        super().__init__(detail)


class SessionBusyError(InterviewError):
    """A turn waited too long for the one before it (shared store); nothing was recorded."""

    error_code = ErrorCode.session_busy
    user_message = (
        "I'm still working on your previous message. Please send this one again in a moment; "
        "your interview is safe."
    )


class LockLostError(InterviewError):
    """This turn's lease lapsed and another turn may have taken the session: not saved."""

    error_code = ErrorCode.lock_lost
    user_message = (
        "That took too long on my side, so your message was not kept. Please send it again; "
        "your interview is safe."
    )


class StoreUnavailableError(InterviewError):
    """The shared store (Redis) could not be reached; nothing was recorded."""

    error_code = ErrorCode.store_unavailable
    user_message = (
        "I can't reach my storage just now, so that message was not kept. Your interview is "
        "safe: please send it again in a moment."
    )
