"""A bot process that the crash tests kill with SIGKILL at a chosen moment.

Modes (argv: mode, sqlite path):
- ``interview``: start an interview, answer two questions, print ``ANSWERED 2``, then
  send a third answer to a brain that never returns (a turn in flight) and print
  ``IN_FLIGHT``. The test kills the process there.
- ``writes``: save one session over and over, printing ``COMMITTED n`` after each put
  returns, until killed.
"""

from __future__ import annotations

import asyncio
import sys

from core.service import InterviewService
from core.stores.sqlite import SqliteStore
from tests.stores.helpers import answer_text, bare_session, long_options, person, place
from tests.support.brains import ScriptedBrain

HANG_MARK = "[hang]"


def hanging_brain() -> ScriptedBrain:
    """The offline brain, except that it never finishes a turn whose answer says [hang]."""
    return ScriptedBrain(when=lambda request: HANG_MARK in (request.answer or ""),
                         gate=asyncio.Event())


def say(line: str) -> None:
    print(line, flush=True)


async def interview(path: str) -> None:
    service = InterviewService(brain=hanging_brain(), store=SqliteStore(path))
    await service.start(person(), place(), long_options())
    for turn in range(2):
        await service.answer(person(), place(), answer_text(f"turn {turn}"))
    say("ANSWERED 2")
    turn = asyncio.create_task(service.answer(person(), place(), HANG_MARK + answer_text("turn 2")))
    await asyncio.sleep(0.2)  # the turn now holds the lock and waits on the brain
    say("IN_FLIGHT")
    await turn


async def writes(path: str) -> None:
    store = SqliteStore(path)
    session = bare_session()
    count = 0
    while True:
        count += 1
        session.brain_notes["count"] = str(count)
        await store.put(session)
        say(f"COMMITTED {count}")


if __name__ == "__main__":
    mode, sqlite_path = sys.argv[1], sys.argv[2]
    asyncio.run({"interview": interview, "writes": writes}[mode](sqlite_path))
