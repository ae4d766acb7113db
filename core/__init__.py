"""Platform-agnostic interview engine. Surfaces use ``InterviewService`` and the models below.

No platform library (discord, slack, http server, terminal) is imported anywhere in
``core``; ``tests/core/test_boundaries.py`` enforces it.
"""

from core.errors import (
    BrainError,
    InterviewAlreadyActiveError,
    InterviewError,
    InvalidInputError,
    InvalidOptionError,
    NoActiveInterviewError,
    UnknownRoleError,
)
from core.models import (
    Action,
    Difficulty,
    Focus,
    InterviewOptions,
    Persona,
    Reply,
    ReplyKind,
    RoleSummary,
    StatusInfo,
    TextDelta,
    TokenUsage,
    TurnRef,
    Where,
    Who,
)
from core.report import FeedbackReport
from core.service import InterviewService

__all__ = [
    "Action",
    "BrainError",
    "Difficulty",
    "FeedbackReport",
    "Focus",
    "InterviewAlreadyActiveError",
    "InterviewError",
    "InterviewOptions",
    "InterviewService",
    "InvalidInputError",
    "InvalidOptionError",
    "NoActiveInterviewError",
    "Persona",
    "Reply",
    "ReplyKind",
    "RoleSummary",
    "StatusInfo",
    "TextDelta",
    "TokenUsage",
    "TurnRef",
    "UnknownRoleError",
    "Where",
    "Who",
]
