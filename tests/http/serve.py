"""Runs the real entry point, the ``api`` surface (``run_api``), for the live tests: ``python -m tests.http.serve PORT``.

Settings come from the environment (``API_TOKEN``) and logging is set up as in
production (so uvicorn's access log is there to check). The brain is the offline
interviewer streaming word by word, so the page's SSE reader is exercised.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.logging import configure_logging
from bot.settings import Settings
from bot.surfaces import SURFACES
from core.service import InterviewService
from core.store import InMemoryStore
from tests.support.brains import word_streamer


async def main(port: int) -> None:
    settings = Settings(_env_file=None)
    configure_logging(settings.log_level, settings.log_format)
    service = InterviewService(brain=word_streamer(), store=InMemoryStore())
    # The api surface as ``python -m bot api --host 127.0.0.1 --port PORT`` runs it.
    await SURFACES["api"].run(service, settings, argparse.Namespace(host="127.0.0.1", port=port))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
