"""HTTP surface: REST API and web chat page on FastAPI (``python -m bot api``)."""

from adapters.http.app import create_app, run_api

__all__ = ["create_app", "run_api"]
