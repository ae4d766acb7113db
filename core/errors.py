"""Errors that core raises towards the surfaces.

Every error carries ``user_message``: a short, friendly sentence a surface can show
as-is. Surfaces may word it in their own idiom (``/interview start`` vs ``start``)
by catching the specific type.
"""

from __future__ import annotations


class InterviewError(Exception):
    """Base class: something the user should be told about, never a crash."""

    user_message: str = "Something went wrong. Your interview is safe; please try again."

    def __init__(self, user_message: str | None = None) -> None:
        if user_message:
            self.user_message = user_message
        super().__init__(self.user_message)


class UnknownRoleError(InterviewError):
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


class NoActiveInterviewError(InterviewError):
    user_message = (
        "There's no interview running here. Start one with `start <role>` "
        "(for example `start sales`)."
    )


class InterviewAlreadyActiveError(InterviewError):
    user_message = (
        "You already have an interview running here. Answer the current question, "
        "or end it first (end for feedback, or reset to discard it)."
    )


class InvalidInputError(InterviewError):
    """Input rejected before it reached the interview (e.g. empty). State unchanged."""


class BrainError(InterviewError):
    """The language model failed. The session is untouched and the turn can be re-sent."""

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

    def __init__(self, expected: int, got: int) -> None:
        self.expected = expected
        self.got = got
        super().__init__(
            f"Turn {got} arrived before turn {expected}. Send turn {expected} first; "
            "nothing was recorded."
        )


class TurnConflictError(InterviewError):
    """A turn number or idempotency key was already used, for a different request."""

    def __init__(self, detail: str, expected: int | None = None) -> None:
        self.expected = expected
        super().__init__(detail)


class SessionBusyError(InterviewError):
    """A turn waited too long for the one before it (shared store); nothing was recorded."""

    user_message = (
        "I'm still working on your previous message. Please send this one again in a moment; "
        "your interview is safe."
    )


class LockLostError(InterviewError):
    """This turn's lease lapsed and another turn may have taken the session: not saved."""

    user_message = (
        "That took too long on my side, so your message was not kept. Please send it again; "
        "your interview is safe."
    )


class StoreUnavailableError(InterviewError):
    """The shared store (Redis) could not be reached; nothing was recorded."""

    user_message = (
        "I can't reach my storage just now, so that message was not kept. Your interview is "
        "safe: please send it again in a moment."
    )
