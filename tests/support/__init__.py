"""Helpers shared by test packages (not test modules themselves)."""
