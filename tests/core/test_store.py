import asyncio

from core.models import InterviewOptions, Persona, Where, Who
from core.session import QuestionProgress, Session
from core.roles import default_catalog
from core.store import InMemoryStore


def _session(user: str) -> Session:
    question = default_catalog().get("sales").questions[0]
    return Session(key=f"t:{user}:c", who=Who(platform="t", user_id=user),
                   where=Where(platform="t", conversation_id="c"),
                   options=InterviewOptions(role="sales"), role_id="sales",
                   questions=[question], progress=[QuestionProgress()])


async def test_idle_sessions_expire_after_the_ttl():
    now = [1000.0]
    store = InMemoryStore(ttl_seconds=60, clock=lambda: now[0])
    session = _session("a")
    session.updated_at = now[0]
    await store.put(session)
    now[0] += 59
    assert await store.get(session.key) is not None
    now[0] += 2
    assert await store.get(session.key) is None


async def test_purge_removes_only_expired_sessions():
    now = [0.0]
    store = InMemoryStore(ttl_seconds=10, clock=lambda: now[0])
    old, fresh = _session("old"), _session("fresh")
    old.updated_at, fresh.updated_at = 0.0, 8.0
    await store.put(old)
    await store.put(fresh)
    now[0] = 12.0
    assert await store.purge_expired() == 1
    assert len(store) == 1 and await store.get(fresh.key) is not None


async def test_lock_runs_turns_of_one_key_in_arrival_order_and_others_in_parallel():
    store = InMemoryStore()
    events: list[str] = []

    async def turn(key: str, name: str, delay: float) -> None:
        async with store.lock(key):
            events.append(f"start {name}")
            await asyncio.sleep(delay)
            events.append(f"end {name}")

    await asyncio.gather(turn("k", "a1", 0.03), turn("k", "a2", 0), turn("k", "a3", 0),
                         turn("other", "b1", 0))
    mine = [e for e in events if " a" in e]
    assert mine == ["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]
    assert events.index("end b1") < events.index("end a1")  # another user is not held up
    assert len(store._locks) == 0  # locks are dropped when idle: memory stays flat


def test_the_service_keeps_the_store_it_is_given_even_when_empty():
    from core.brain.offline import OfflineBrain
    from core.service import InterviewService

    store = InMemoryStore()  # empty, so falsy by length: must still be the one used
    assert InterviewService(brain=OfflineBrain(), store=store).store is store


async def test_sessions_survive_a_json_round_trip():
    session = _session("round")
    session.hear("I closed the deal.", persona=Persona.normal, counts=True)
    assert Session.model_validate_json(session.model_dump_json()) == session


async def test_sessions_keep_bank_questions_by_reference_and_custom_ones_whole():
    from core.planner import custom_question

    session = _session("ref")
    bank_question = session.questions[0]
    session.questions.append(custom_question(0, "Why do you want to sell our product"))
    data = session.model_dump_json()
    assert f'"questions":["{bank_question.id}",{{' in data  # an id, then a whole question
    assert bank_question.rubric is not None and bank_question.rubric.score_5 not in data
    loaded = Session.model_validate_json(data)
    assert loaded == session
    assert loaded.questions[0] is bank_question  # shared with the catalog, not copied
    assert loaded.questions[1].text == "Why do you want to sell our product?"


async def test_a_session_naming_a_question_gone_from_the_bank_reads_as_none():
    from core.stores import load_session

    data = _session("gone").model_dump_json().replace(
        default_catalog().get("sales").questions[0].id, "no-such-question")
    assert load_session("t:gone:c", data) is None


async def test_a_store_remembers_platform_deliveries_for_a_while():
    store = InMemoryStore()
    assert await store.first_time("slack:Ev1") is True
    assert await store.first_time("slack:Ev1") is False
    assert await store.first_time("slack:Ev2") is True


async def test_a_holder_can_step_aside_until_another_turn_has_finished():
    store = InMemoryStore()
    events: list[str] = []

    async def patient() -> None:
        async with store.lock("k") as held:
            events.append("patient in")
            assert await held.wait_for_another_turn(timeout=10) is True
            events.append("patient back")

    async def other() -> None:
        async with store.lock("k"):
            events.append("other ran")

    first = asyncio.create_task(patient())
    await asyncio.sleep(0)
    await asyncio.gather(first, other())
    assert events == ["patient in", "other ran", "patient back"]
    async with store.lock("k") as held:  # alone: stepping aside times out, lock held again
        assert await held.wait_for_another_turn(timeout=0.05) is False
    assert len(store._locks) == 0
