"""Discord sharding: two processes, each one shard of the same bot, sharing one Redis store.

The fake gateway routes as Discord does (a DM to shard 0, the server to its shard)
and refuses an unsharded connection once sharding is required.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.models import Where, Who, session_key
from core.service import InterviewService
from core.session import Speaker
from core.stores.redis import RedisHistory, RedisStore
from adapters.discord import run_discord
from bot.settings import Settings
from tests.fakes.discord_fake import FakeDiscord
from tests.support.brains import ScriptedBrain
from tests.support.discord import Chat, make_service

ROOT = Path(__file__).resolve().parents[2]
ANSWER = ("At Acme I owned a 400k deal with a logistics firm. I mapped the CFO as economic "
          "buyer, ran discovery, and built a mutual action plan. We closed in 90 days.")


@contextmanager
def shard_processes(fake: FakeDiscord, redis_url: str, count: int,
                    log_dir: Path) -> Iterator[list[subprocess.Popen]]:
    processes = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "fake-token",
           "DISCORD_SHARD_COUNT": str(count), "STORE_URL": redis_url, "LOG_LEVEL": "INFO"}
    try:
        for shard in range(count):
            with (log_dir / f"shard-{shard}.log").open("w") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "tests.discord.shard_worker", str(fake.port)],
                    cwd=ROOT, env={**env, "DISCORD_SHARD_IDS": str(shard)},
                    stdout=log, stderr=subprocess.STDOUT))
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def answered(fake: FakeDiscord, interaction: dict, what: str) -> list[dict]:
    """The interaction's messages once one of them holds ``what`` (generous bound)."""
    def found():
        messages = fake.interaction_messages(interaction)
        text = " ".join([m.get("content") or "" for m in messages]
                        + [e.get("description") or "" for m in messages for e in m["embeds"]]
                        + [e.get("title") or "" for m in messages for e in m["embeds"]])
        return messages if what.lower() in text.lower() else None
    return await fake.until(found, timeout=60)


async def test_two_shard_processes_are_one_bot_on_one_redis(fake: FakeDiscord, redis_url,
                                                            tmp_path):
    fake.shards_required = 2
    assert fake.guild_shard(2) == 1  # the server on shard 1; DMs always go to shard 0
    with shard_processes(fake, redis_url, 2, tmp_path) as processes:
        await fake.until(lambda: fake.connected_shards() == [0, 1], timeout=60)
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]

        dave = fake.user("dave")
        dm = fake.dm_channel(dave)
        start = await fake.slash(dave, dm, "start", {"role": "sales", "questions": 2})
        await answered(fake, start, "question")
        end = await fake.slash(dave, dm, "end")
        await answered(fake, end, "feedback")
        # The report was written by shard 0's process; shard 1's reads it from Redis.
        history = await fake.slash(dave, fake.channel_id, "history")
        [shown] = await answered(fake, history, "sales")

        routes = {event_shard for event_shard, event in fake.dispatched
                  if event == "INTERACTION_CREATE"}
        assert routes == {0, 1}
        assert [s for s, e in fake.dispatched if e == "INTERACTION_CREATE"] == [0, 0, 1]
        assert all(process.poll() is None for process in processes)
        # Commands are synced once, by the process that runs shard 0.
        assert len(fake.calls("PUT", rf"/applications/{fake.application_id}/commands")) == 1

    store = RedisStore.from_url(redis_url)
    try:
        session = await store.get(f"discord:{dave.id}:{dm}")
        assert session is not None and session.report is not None
        assert [e.speaker for e in session.transcript][:1] == [Speaker.interviewer]
        progress = await RedisHistory(store.redis).progress("discord", str(dave.id))
        assert [entry.role for entry in progress.entries] == ["sales"]
    finally:
        await store.close()


async def test_an_unsharded_bot_is_told_to_set_the_shard_settings(fake: FakeDiscord):
    fake.shards_required = 2
    with pytest.raises(RuntimeError, match="DISCORD_SHARD_COUNT"):
        await asyncio.wait_for(run_discord(make_service(), token="fake-token"), 30)


def test_shard_settings_are_checked_at_start_up():
    assert Settings(_env_file=None).discord_shards == {}
    assert Settings(_env_file=None, discord_shard_count=4, discord_shard_ids="1, 3"
                    ).discord_shards == {"shard_count": 4, "shard_ids": [1, 3]}
    assert Settings(_env_file=None, discord_shard_count=2).discord_shards["shard_ids"] == [0, 1]
    with pytest.raises(ValueError, match="DISCORD_SHARD_COUNT"):
        Settings(_env_file=None, discord_shard_ids="1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        Settings(_env_file=None, discord_shard_count=2, discord_shard_ids="2")


def test_the_example_env_files_empty_shard_settings_mean_no_sharding(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_SHARD_COUNT", "DISCORD_SHARD_IDS"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().discord_shards == {}


async def test_answers_dispatched_out_of_order_are_applied_in_message_order_and_once(
        fake: FakeDiscord, start_bot, redis_url, redis_prefix):
    """A user's answers queue by their snowflake time, not by arrival (one conversation's
    events always reach one shard, so its queue sees them all); a replayed MESSAGE_CREATE
    (a resumed gateway session) gets no second turn from the shared store."""
    store = RedisStore.from_url(redis_url, prefix=redis_prefix)
    gate = asyncio.Event()
    gate.set()
    brain = ScriptedBrain(gate=gate)  # the test decides when a turn may finish
    service = InterviewService(brain=brain, store=store)
    try:
        async with start_bot(service) as bot:
            chat = Chat(fake, bot)
            dave = fake.user("dave")
            dm = fake.dm_channel(dave)
            key = session_key(Who(platform="discord", user_id=str(dave.id)),
                              Where(platform="discord", conversation_id=str(dm)))
            await chat.say(dave, dm, "start sales")
            greeted = len(fake.channel_messages(dm))

            async def answers() -> list[str]:
                session = await store.get(key)
                return [e.text for e in session.transcript if e.speaker is Speaker.candidate]

            gate.clear()
            held = brain.at_gate
            await fake.say(dave, dm, f"{ANSWER} (first)")
            await fake.until(lambda: brain.at_gate == held + 1)  # holding the session
            second = fake.draft(dave, dm, f"{ANSWER} (second)")
            third = fake.draft(dave, dm, f"{ANSWER} (third)")
            await fake.deliver(third, dave)  # the later message reaches the bot first
            await fake.until(lambda: len(bot.actions.turns) == 2)
            await fake.deliver(second, dave)
            await fake.until(lambda: len(bot.actions.turns) == 3)
            gate.set()
            await until(lambda: _ready(chat, answers, 3))
            per_reply = (len(fake.channel_messages(dm)) - greeted) / 3
            before = len(fake.channel_messages(dm))

            await fake.deliver(second, dave)  # replayed: already applied
            await fake.say(dave, dm, f"{ANSWER} (fourth)")
            await until(lambda: _ready(chat, answers, 4))
            assert await answers() == [f"{ANSWER} ({n})"
                                       for n in ("first", "second", "third", "fourth")]
            assert len(fake.channel_messages(dm)) - before == per_reply  # the replay: nothing
    finally:
        await store.close()


async def until(condition, timeout: float = 30.0) -> None:
    """Wait for an async condition; the bound only ends a failing test."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.005)


async def _ready(chat: Chat, answers, count: int) -> bool:
    return chat.idle() and len(await answers()) == count
