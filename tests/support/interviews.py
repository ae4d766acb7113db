"""Small builders for core's inputs, shared by test packages."""

from __future__ import annotations

from core import InterviewOptions


def options(role: str = "sales", **overrides) -> InterviewOptions:
    return InterviewOptions(role=role, **overrides)
