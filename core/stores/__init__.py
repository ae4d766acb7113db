"""Storage backends: memory, SQLite (the embedded default) and Redis (shared).

Each backend holds both halves the service needs, a ``core.store.SessionStore`` and a
``core.history.HistoryStore``, returned together as a ``Storage``. ``build_storage``
picks one from ``STORE_URL``; ``bot.wiring`` injects both into the service.
"""

from core.store import load_session
from core.stores.factory import build_storage, build_store
from core.stores.storage import Storage

__all__ = ["Storage", "build_storage", "build_store", "load_session"]
