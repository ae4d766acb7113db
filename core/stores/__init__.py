"""Persistent and shared session stores behind ``core.store.SessionStore``.

``build_store`` picks one from ``STORE_URL``; ``build_history`` gives the matching
history store (finished interviews, progress, team stats, "forget me").
"""

from core.stores.factory import build_history, build_store

__all__ = ["build_history", "build_store"]
