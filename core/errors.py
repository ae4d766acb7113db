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
