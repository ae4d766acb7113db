"""Brains: the language-model boundary (offline rules by default, Gemini with a key)."""

from core.brain.base import MOVE_KIND, Brain, Move, ReportRequest, TurnPlan, TurnRequest

__all__ = ["MOVE_KIND", "Brain", "Move", "ReportRequest", "TurnPlan", "TurnRequest"]
