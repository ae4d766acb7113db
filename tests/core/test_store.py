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
