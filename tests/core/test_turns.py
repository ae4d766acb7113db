"""Named turns: a repeat is answered once, numbered turns apply in order (in one process)."""

from __future__ import annotations

import asyncio

import pytest

import core.turns
from core import InterviewService, TurnRef
from core.brain.offline import OfflineBrain
from core.errors import TurnConflictError, TurnOutOfOrderError
from core.session import Speaker
from core.store import InMemoryStore
from tests.support.brains import ScriptedBrain
from tests.support.interviews import options

ANSWER = ("Last quarter I rebuilt our renewal playbook myself; I called the twenty largest "
          "accounts, found two pricing objections, and churn fell from 9% to 5%.")


def candidate_texts(session) -> list[str]:
    return [e.text for e in session.transcript if e.speaker is Speaker.candidate]


async def test_a_repeated_idempotency_key_gets_the_same_reply_and_records_once(
        service, who, where):
    await service.start(who, where, options(questions=5))
    first = await service.answer(who, where, ANSWER, TurnRef(key="k-1"))
    again = await service.answer(who, where, ANSWER, TurnRef(key="k-1"))
    assert again.text == first.text and again.kind == first.kind
    assert again.question_index == first.question_index and again.persona == first.persona
    session = await service.session_for(who, where)
    assert candidate_texts(session) == [ANSWER]


async def test_a_key_reused_for_another_message_is_refused_and_changes_nothing(
        service, who, where):
    await service.start(who, where, options(questions=5))
    await service.answer(who, where, ANSWER, TurnRef(key="k-1"))
    before = (await service.session_for(who, where)).transcript
    with pytest.raises(TurnConflictError):
        await service.answer(who, where, "Something else entirely.", TurnRef(key="k-1"))
    assert (await service.session_for(who, where)).transcript == before


async def test_the_last_answer_repeated_gets_the_report_again(service, who, where):
    await service.start(who, where, options(questions=1))
    number, reply = 0, None
    while reply is None or not reply.interview_over:
        number += 1
        reply = await service.answer(who, where, f"{ANSWER} ({number})", TurnRef(number=number))
    again = await service.answer(who, where, f"{ANSWER} ({number})", TurnRef(number=number))
    assert again.report is not None and again.report == reply.report
    assert again.text == reply.text and again.actions == []


def gated_brain() -> ScriptedBrain:
    """Holds every turn at a gate (open to begin with), so the test decides when turns finish."""
    gate = asyncio.Event()
    gate.set()
    return ScriptedBrain(gate=gate)


async def test_numbered_turns_that_arrive_in_reverse_are_applied_in_number_order(who, where):
    brain = gated_brain()
    service = InterviewService(brain=brain, store=InMemoryStore())
    await service.start(who, where, options(questions=10))
    texts = [f"{ANSWER} [{n}]" for n in range(1, 5)]
    # Turn 4 first, then 3, 2, 1: each later one arrives while the earlier ones wait.
    tasks = [asyncio.create_task(service.answer(who, where, texts[n - 1], TurnRef(number=n)))
             for n in (4, 3, 2, 1)]
    replies = await asyncio.gather(*tasks)
    session = await service.session_for(who, where)
    assert candidate_texts(session) == texts
    assert session.turn_number == 4
    assert len({reply.text for reply in replies}) == 4


async def test_a_turn_whose_predecessor_never_comes_is_refused_with_the_expected_number(
        who, where, monkeypatch):
    monkeypatch.setattr(core.turns, "TURN_GAP_WAIT_SECONDS", 0.2)
    service = InterviewService(brain=OfflineBrain(), store=InMemoryStore())
    await service.start(who, where, options(questions=5))
    await service.answer(who, where, ANSWER, TurnRef(number=1))
    with pytest.raises(TurnOutOfOrderError) as refused:
        await service.answer(who, where, ANSWER + " again", TurnRef(number=3))
    assert refused.value.expected == 2
    assert candidate_texts(await service.session_for(who, where)) == [ANSWER]


async def test_a_turn_number_behind_the_interview_and_not_remembered_is_a_conflict(
        service, who, where):
    await service.start(who, where, options(questions=5))
    await service.answer(who, where, ANSWER, TurnRef(number=1))
    session = await service.session_for(who, where)
    session.applied_turns.clear()  # as if forgotten long ago
    await service.store.put(session)
    with pytest.raises(TurnConflictError) as refused:
        await service.answer(who, where, ANSWER, TurnRef(number=1))
    assert refused.value.expected == 2


async def test_hint_and_skip_repeat_by_key_too(service, who, where):
    await service.start(who, where, options(questions=5))
    hint = await service.hint(who, where, TurnRef(key="h"))
    assert (await service.hint(who, where, TurnRef(key="h"))).text == hint.text
    skip = await service.skip(who, where, TurnRef(key="s"))
    assert (await service.skip(who, where, TurnRef(key="s"))).question_index == \
        skip.question_index == 2
    session = await service.session_for(who, where)
    assert session.current == 1 and session.progress[0].hints == 1


async def until(condition, timeout: float = 10.0) -> None:
    """Wait for a condition; the timeout only bounds a failing test."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


async def test_turns_waiting_together_run_in_platform_timestamp_order(who, where):
    brain = gated_brain()
    store = InMemoryStore()
    service = InterviewService(brain=brain, store=store)
    await service.start(who, where, options(questions=10))
    brain.gate.clear()
    running = asyncio.create_task(service.answer(who, where, f"{ANSWER} first"))
    await brain.wait_at_gate(2)  # the greeting, then this turn, holding the lock
    later = [asyncio.create_task(service.answer(who, where, f"{ANSWER} t={t}",
                                                TurnRef(sent_at=t)))
             for t in (1_700_000_003.0, 1_700_000_001.0, 1_700_000_002.0)]
    state = next(iter(store._locks._states.values()))
    await until(lambda: len(state.waiting) == 3)
    brain.gate.set()
    await asyncio.gather(running, *later)
    texts = candidate_texts(await service.session_for(who, where))
    assert texts == [f"{ANSWER} first"] + [f"{ANSWER} t=1700000{n:03d}.0" for n in (1, 2, 3)]
