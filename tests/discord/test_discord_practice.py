"""The user's practice data on Discord: /interview history, stats, share and forget."""

from __future__ import annotations

from adapters.discord.practice import (
    FORGET_CANCEL_ID,
    FORGET_CONFIRM_ID,
    FORGET_FAILED,
    FORGET_TIMED_OUT,
    NOT_YOUR_CONFIRMATION,
    STATS_NEED_A_CHANNEL,
)
from adapters.discord.render import CHART_FILENAME
from core.brain.offline import OfflineBrain
from core.history import Dimension
from core.service import InterviewService
from core.store import InMemoryStore
from core.stores.memory import InMemoryHistory
from core.stores.sqlite import sqlite_storage
from tests.fakes.discord_fake import EPHEMERAL, FakeDiscord
from tests.support.discord import Chat, start_in_channel, stored_session, who_for

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANSWER = (
    "At Acme I owned a 400k deal with a logistics firm. I mapped the CFO as economic buyer and a "
    "champion in operations, ran discovery, and built a mutual action plan. We closed in 90 days, "
    "20% above target."
)
SHORT_NAMES = {Dimension.communication: "comm", Dimension.technical: "tech", Dimension.structure: "struct"}


async def practise_in_dm(fake: FakeDiscord, chat: Chat, user, role: str = "sales") -> None:
    """One short interview in a DM, ended with its report."""
    dm = fake.dm_channel(user)
    await chat.say(user, dm, f"start {role}")
    await chat.say(user, dm, ANSWER)
    replies = await chat.say(user, dm, "end")
    assert any(m["embeds"] for m in replies)


async def practise_in_channel(fake: FakeDiscord, chat: Chat, user, role: str = "sales") -> dict:
    """One short interview in its own thread of the practice channel; returns the thread."""
    _, thread = await start_in_channel(fake, chat, user, role=role)
    await chat.say(user, int(thread["id"]), ANSWER)
    replies = await chat.say(user, int(thread["id"]), "end")
    assert any(m["embeds"] for m in replies)
    return thread


async def run(fake: FakeDiscord, chat: Chat, user, channel_id: int, subcommand: str, options=None) -> dict:
    """Run a slash command and return its one (private) answer."""
    interaction = await fake.slash(user, channel_id, subcommand, options)
    [answer] = await chat.finished(interaction)
    assert answer["flags"] & EPHEMERAL
    return answer


def scores_text(entry) -> str:
    return " · ".join(f"{SHORT_NAMES[dim]} {entry.score(dim)}" for dim in Dimension)


# --------------------------------------------------------------------------- history


async def test_history_lists_interviews_and_attaches_a_chart(fake: FakeDiscord, chat, bot) -> None:
    dave = fake.user("dave")
    await practise_in_dm(fake, chat, dave, "sales")
    await practise_in_channel(fake, chat, dave, "marketing")  # history is per user, not per place
    progress = await bot.service.progress(who_for(dave))
    assert len(progress.entries) == 2

    for channel_id in (fake.dm_channel(dave), fake.channel_id):  # works in DMs and in servers
        interaction = await fake.slash(dave, channel_id, "history")
        [answer] = await chat.finished(interaction)
        assert fake.callback_for(interaction).body == {"type": 5, "data": {"flags": EPHEMERAL}}
        assert answer["flags"] & EPHEMERAL

        [embed] = answer["embeds"]
        lines = embed["description"].splitlines()
        assert "Marketing" in lines[1] and "Sales" in lines[2]  # newest first
        for line, entry in zip(lines[1:], progress.entries, strict=True):
            assert entry.day in line and entry.difficulty in line
            assert scores_text(entry) in line
        trends = {field["name"]: field["value"] for field in embed["fields"]}
        assert any(name.endswith("Communication") for name in trends)
        for dim, (name, value) in zip(Dimension, trends.items(), strict=True):
            assert value.endswith(progress.trends[dim].label)
        assert embed["image"]["url"] == f"attachment://{CHART_FILENAME}"

        [upload] = fake.calls("POST", rf"/webhooks/{fake.application_id}/{interaction['token']}")
        [chart] = upload.files
        assert chart.filename == CHART_FILENAME and chart.data.startswith(PNG_SIGNATURE)
        assert [a["filename"] for a in answer["attachments"]] == [CHART_FILENAME]


async def test_history_without_interviews_says_how_to_get_one(fake: FakeDiscord, chat, bot) -> None:
    eve = fake.user("eve")
    interaction = await fake.slash(eve, fake.dm_channel(eve), "history")
    [answer] = await chat.finished(interaction)
    assert "No finished interviews yet" in answer["embeds"][0]["description"]
    assert answer["attachments"] == []
    assert fake.calls("POST", rf"/webhooks/{fake.application_id}/{interaction['token']}")[0].files == []


async def test_history_without_attach_files_permission_skips_the_chart(fake: FakeDiscord, chat, bot) -> None:
    ida = fake.user("ida")
    await practise_in_dm(fake, chat, ida)
    await fake.deny_bot(fake.channel_id, attach_files=True)
    answer = await run(fake, chat, ida, fake.channel_id, "history")
    [embed] = answer["embeds"]
    assert "Sales" in embed["description"] and len(embed["fields"]) == 3  # the sparklines remain
    assert "image" not in embed and answer["attachments"] == []


# --------------------------------------------------------------------------- stats and sharing


async def test_stats_show_activity_and_only_shared_scores(fake: FakeDiscord, chat, bot) -> None:
    alice, bob, carol = fake.user("alice"), fake.user("bob"), fake.user("carol")
    await practise_in_channel(fake, chat, alice, "sales")
    await practise_in_channel(fake, chat, alice, "marketing")
    await practise_in_channel(fake, chat, bob, "sales")
    await practise_in_dm(fake, chat, bob, "ux_designer")  # a DM is not the channel's practice

    stats = await run(fake, chat, carol, fake.channel_id, "stats")
    text = stats["embeds"][0]["description"]
    assert f"3 finished interview(s) by 2 member(s) in <#{fake.channel_id}>" in text
    assert "Sales (2)" in text and "Marketing (1)" in text and "UX Designer" not in text
    alice_line = next(line for line in text.splitlines() if line.startswith("**Alice**"))
    bob_line = next(line for line in text.splitlines() if line.startswith("**Bob**"))
    assert "2 interview(s)" in alice_line and "1 interview(s)" in bob_line
    assert alice_line.endswith("scores private") and bob_line.endswith("scores private")
    assert "average" not in text

    confirmation = await run(fake, chat, alice, fake.channel_id, "share", {"scores": True})
    assert "now show" in confirmation["content"]

    # Asked from inside a thread of the channel, the stats are still the channel's.
    thread_id = int(fake.threads()[0]["id"])
    shared = (await run(fake, chat, carol, thread_id, "stats"))["embeds"][0]["description"]
    alice_line = next(line for line in shared.splitlines() if line.startswith("**Alice**"))
    bob_line = next(line for line in shared.splitlines() if line.startswith("**Bob**"))
    progress = await bot.service.progress(who_for(alice))
    for dim in Dimension:
        scores = [entry.score(dim) for entry in progress.entries]
        assert f"{SHORT_NAMES[dim]} {sum(scores) / len(scores):.1f}" in alice_line
    assert bob_line.endswith("scores private")

    await run(fake, chat, alice, fake.channel_id, "share", {"scores": False})
    hidden = (await run(fake, chat, carol, fake.channel_id, "stats"))["embeds"][0]["description"]
    assert "average" not in hidden


async def test_stats_in_a_dm_point_to_a_channel(fake: FakeDiscord, chat, bot) -> None:
    fay = fake.user("fay")
    answer = await run(fake, chat, fay, fake.dm_channel(fay), "stats")
    assert answer["content"] == STATS_NEED_A_CHANNEL


# --------------------------------------------------------------------------- forget


def button_ids(message: dict) -> list[tuple[str, int]]:
    return [(b["custom_id"], b["style"]) for row in message["components"] for b in row["components"]]


async def edited(fake: FakeDiscord, message: dict, condition) -> dict:
    """The message once an edit made ``condition(message)`` true."""
    message_id = int(message["id"])
    return await fake.until(lambda: condition(fake.messages[message_id]) and fake.messages[message_id])


async def ask_to_forget(fake: FakeDiscord, chat: Chat, user) -> dict:
    question = await run(fake, chat, user, fake.channel_id, "forget")
    assert "Delete everything" in question["content"]
    assert button_ids(question) == [(FORGET_CONFIRM_ID, 4), (FORGET_CANCEL_ID, 2)]  # danger, secondary
    return question


async def test_forget_deletes_everything_after_the_owner_confirms(fake: FakeDiscord, chat, bot) -> None:
    erin, bob = fake.user("erin"), fake.user("bob")
    await practise_in_dm(fake, chat, erin)
    _, live = await start_in_channel(fake, chat, erin)  # an interview still running
    await run(fake, chat, erin, fake.channel_id, "share", {"scores": True})
    question = await ask_to_forget(fake, chat, erin)

    refused = await fake.press(bob, question, FORGET_CONFIRM_ID)
    await chat.finished(refused)
    callback = fake.callback_for(refused).body
    assert callback["type"] == 4 and callback["data"]["content"] == NOT_YOUR_CONFIRMATION
    assert callback["data"]["flags"] == EPHEMERAL
    assert len((await bot.service.progress(who_for(erin))).entries) == 1  # nothing deleted

    confirmed = await fake.press(erin, question, FORGET_CONFIRM_ID)
    done = await edited(fake, question, lambda message: "Done." in message["content"])
    assert fake.callback_for(confirmed).body["type"] == 7  # the press answered by editing the question
    assert "1 finished interview(s) and 2 interview session(s)" in done["content"]
    assert done["components"] == []
    assert (await bot.service.progress(who_for(erin))).entries == []
    assert await stored_session(fake, bot.service, erin, fake.dm_channel(erin)) is None
    assert await stored_session(fake, bot.service, erin, live["id"]) is None
    assert await bot.service.history.sharing("discord") == set()


async def test_forget_cancelled_keeps_everything(fake: FakeDiscord, chat, bot) -> None:
    gil = fake.user("gil")
    await practise_in_dm(fake, chat, gil)
    question = await ask_to_forget(fake, chat, gil)

    pressed = await fake.press(gil, question, FORGET_CANCEL_ID)
    await fake.until(lambda: fake.callback_for(pressed))
    message = fake.messages[int(question["id"])]
    assert "Nothing was deleted" in message["content"] and message["components"] == []
    assert len((await bot.service.progress(who_for(gil))).entries) == 1
    assert await stored_session(fake, bot.service, gil, fake.dm_channel(gil)) is not None


async def test_forget_unanswered_expires_and_keeps_everything(fake: FakeDiscord, chat, bot) -> None:
    hal = fake.user("hal")
    await practise_in_dm(fake, chat, hal)
    bot.practice.forget_timeout = 0.3  # a minute in production
    question = await ask_to_forget(fake, chat, hal)

    expired = await edited(fake, question, lambda message: message["content"] == FORGET_TIMED_OUT)
    assert expired["components"] == []
    late = await fake.press(hal, question, FORGET_CONFIRM_ID)  # a press after expiry does nothing
    await chat.say(hal, fake.dm_channel(hal), "status")  # a later event: the press was handled by now
    assert fake.callback_for(late) is None
    assert len((await bot.service.progress(who_for(hal))).entries) == 1


class BrokenHistory(InMemoryHistory):
    """A history whose storage fails on delete (a disk or network problem)."""

    async def delete_history(self, platform: str, user_id: str) -> int:
        raise OSError("disk I/O error")


async def test_a_failed_deletion_is_said_plainly(fake: FakeDiscord, start_bot) -> None:
    store = InMemoryStore()
    service = InterviewService(brain=OfflineBrain(), store=store, history=BrokenHistory())
    kit = fake.user("kit")
    async with start_bot(service) as bot:
        chat = Chat(fake, bot)
        await practise_in_dm(fake, chat, kit)
        question = await ask_to_forget(fake, chat, kit)
        await fake.press(kit, question, FORGET_CONFIRM_ID)
        failed = await edited(fake, question, lambda message: message["content"] == FORGET_FAILED)
        assert failed["components"] == []
        assert len((await service.progress(who_for(kit))).entries) == 1


async def test_the_practice_commands_on_the_sqlite_store(fake: FakeDiscord, start_bot, tmp_path) -> None:
    """The production default (``python -m bot``): history, stats and forget read and write SQLite."""
    storage = sqlite_storage(tmp_path / "bot.sqlite3")
    store = storage.sessions
    service = InterviewService(brain=OfflineBrain(), store=store, history=storage.history)
    lea, max_ = fake.user("lea"), fake.user("max")
    try:
        async with start_bot(service) as bot:
            chat = Chat(fake, bot)
            thread = await practise_in_channel(fake, chat, lea, "sales")
            await practise_in_channel(fake, chat, max_, "marketing")
            await run(fake, chat, lea, int(thread["id"]), "share", {"scores": True})

            history = await run(fake, chat, lea, fake.channel_id, "history")
            assert "Sales" in history["embeds"][0]["description"]
            assert history["attachments"][0]["filename"] == CHART_FILENAME
            stats = (await run(fake, chat, max_, fake.channel_id, "stats"))["embeds"][0]["description"]
            assert "2 finished interview(s) by 2 member(s)" in stats
            assert "average" in next(line for line in stats.splitlines() if line.startswith("**Lea**"))

            question = await ask_to_forget(fake, chat, lea)
            await fake.press(lea, question, FORGET_CONFIRM_ID)
            done = await edited(fake, question, lambda message: "Done." in message["content"])
            assert "1 finished interview(s) and 1 interview session(s)" in done["content"]
        assert (await service.progress(who_for(lea))).entries == []
        assert len((await service.progress(who_for(max_))).entries) == 1  # only Lea's data went
    finally:
        await storage.close()


async def test_records_typed_in_a_dm_are_answered_there_as_on_slack(fake: FakeDiscord, chat, bot) -> None:
    ivy = fake.user("ivy")
    dm = fake.dm_channel(ivy)
    await practise_in_dm(fake, chat, ivy)
    [history] = await chat.say(ivy, dm, "progress")  # an alias of history
    assert "Your last 1 interview(s)" in history["embeds"][0]["description"]
    assert history["attachments"][0]["filename"] == CHART_FILENAME
    [stats] = await chat.say(ivy, dm, "stats")
    assert stats["content"] == STATS_NEED_A_CHANNEL
    await chat.say(ivy, dm, "share on")
    assert await bot.service.history.sharing("discord") == {str(ivy.id)}
    [question] = await chat.say(ivy, dm, "forget")
    assert button_ids(question) == [(FORGET_CONFIRM_ID, 4), (FORGET_CANCEL_ID, 2)]
    confirmed = await fake.press(ivy, question, FORGET_CONFIRM_ID)
    await edited(fake, question, lambda message: "Done." in message["content"])
    assert fake.callback_for(confirmed).body["type"] == 7
    assert (await bot.service.progress(who_for(ivy))).entries == []
