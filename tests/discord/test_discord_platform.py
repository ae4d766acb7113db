"""What users hit on a real server, reproduced against the strict fake Discord.

Each test plays users through the real discord.py client; the fake refuses what
Discord refuses (permissions, thread types, message limits) and sends what Discord
sends (system messages), so each would fail on code that did not handle it.
"""

from __future__ import annotations

from core.brain.offline import OfflineBrain
from core.roles import RoleCatalog, default_catalog
from core.service import InterviewService
from core.store import InMemoryStore
from tests.fakes.discord_fake import EPHEMERAL, FakeDiscord
from tests.support.brains import GREETING, ScriptedBrain
from tests.support.discord import STRONG_ANSWER, Chat, start_in_channel, stored_session


def failing_greeting_brain() -> ScriptedBrain:
    """The model is down when the interview opens."""
    return ScriptedBrain(when=GREETING, fail_turns=True)


def candidate_texts(session) -> list[str]:
    return [entry.text for entry in session.transcript if entry.speaker == "candidate"]


def many_roles(count: int) -> RoleCatalog:
    """A catalog of ``count`` roles (copies of the real ones under new ids)."""
    base = list(default_catalog())
    roles = [base[n % len(base)].model_copy(update={
        "id": f"{base[n % len(base)].id}_{n}", "name": f"{base[n % len(base)].name} {n}",
        "aliases": []}) for n in range(count)]
    return RoleCatalog(roles)


# ---------------------------------------------------------------------- system messages


async def test_renaming_the_thread_or_pinning_the_question_is_not_an_answer(
        fake: FakeDiscord, chat, bot) -> None:
    alice = fake.user("alice")
    _, thread = await start_in_channel(fake, chat, alice)
    thread_id = int(thread["id"])
    [question] = fake.channel_messages(thread_id)

    await fake.rename_thread(alice, thread_id, "My sales practice")
    await fake.pin(alice, question)
    replies = await chat.say(alice, thread_id, "status")  # handled after the two notices
    assert len(replies) == 1 and "question 1 of 5, 0 answered" in replies[0]["content"]
    session = await stored_session(fake, bot.service, alice, thread_id)
    assert candidate_texts(session) == []
    assert len(fake.channel_messages(thread_id)) == 2  # the question and the status, no more


# ---------------------------------------------------------------------- thread types and rights


async def test_an_announcement_channel_gets_an_announcement_thread(fake: FakeDiscord, chat,
                                                                   bot) -> None:
    news = fake.add_announcement_channel()
    await fake.until(lambda: bot.get_channel(news))
    alice = fake.user("alice")
    interaction = await fake.slash(alice, news, "start", {"role": "sales", "private": True})
    [notice] = await chat.finished(interaction)
    [thread] = fake.threads()
    assert thread["type"] == 10 and thread["parent_id"] == str(news)
    first, question = fake.channel_messages(int(thread["id"]))
    assert "public" in first["content"] and "Question 1 of 5" in question["content"]
    assert "wasn't possible" in notice["content"] and notice["flags"] & EPHEMERAL


async def test_a_refused_private_thread_is_said_before_the_first_question(fake: FakeDiscord,
                                                                          chat, bot) -> None:
    await fake.deny_bot(fake.channel_id, create_private_threads=True)
    alice = fake.user("alice")
    interaction, thread = await start_in_channel(fake, chat, alice, private=True)
    assert thread["type"] == 11
    first, question = fake.channel_messages(int(thread["id"]))
    assert "**public**" in first["content"] and "Question 1 of 5" in question["content"]
    [notice] = fake.interaction_messages(interaction)
    assert "others can read along" in notice["content"]


async def test_without_embed_links_the_report_comes_as_text(fake: FakeDiscord, chat, bot) -> None:
    await fake.deny_bot(fake.channel_id, embed_links=True)
    alice = fake.user("alice")
    _, thread = await start_in_channel(fake, chat, alice, questions=1)
    thread_id = int(thread["id"])
    for _ in range(6):
        replies = await chat.say(alice, thread_id, STRONG_ANSWER)
        if any("Interview feedback" in m["content"] for m in replies):
            break
    shown = "\n".join(m["content"] for m in fake.channel_messages(thread_id))
    assert "**Interview feedback" in shown and "Next steps" in shown
    assert all(not m["embeds"] for m in fake.channel_messages(thread_id))
    assert [r for r in fake.requests if r.status >= 400] == []  # nothing was refused


async def test_without_send_messages_in_threads_the_candidate_is_told_and_no_thread_lingers(
        fake: FakeDiscord, chat, bot) -> None:
    await fake.deny_bot(fake.channel_id, send_messages_in_threads=True)
    alice = fake.user("alice")
    interaction = await fake.slash(alice, fake.channel_id, "start", {"role": "sales"})
    [answer] = await chat.finished(interaction)
    assert "missing a permission" in answer["content"] and answer["flags"] & EPHEMERAL
    [thread] = fake.threads()
    assert thread["thread_metadata"]["archived"]  # closed, not left looking alive
    assert await stored_session(fake, bot.service, alice, thread["id"]) is None


# ---------------------------------------------------------------------- failed starts


async def test_a_failed_start_leaves_no_dead_thread(fake: FakeDiscord, start_bot) -> None:
    service = InterviewService(brain=failing_greeting_brain(), store=InMemoryStore())
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        alice = fake.user("alice")
        interaction = await fake.slash(alice, fake.channel_id, "start", {"role": "sales"})
        [answer] = await chat.finished(interaction)
        assert answer["flags"] & EPHEMERAL and "couldn't" in answer["content"]
        [thread] = fake.threads()
        thread_id = int(thread["id"])
        assert thread["thread_metadata"]["archived"]
        [closing] = fake.channel_messages(thread_id)
        assert "couldn't start" in closing["content"] and "/interview start" in closing["content"]

        replies = await chat.say(alice, thread_id, "Hello? Is anyone there?")
        assert [m["content"] for m in replies] == [closing["content"]]  # told, not ignored
        assert await stored_session(fake, service, alice, thread_id) is None


async def test_a_failed_start_with_manage_threads_removes_the_thread(fake: FakeDiscord,
                                                                      start_bot) -> None:
    fake.channels[fake.channel_id]["permission_overwrites"].append(
        {"id": str(fake.bot_user.id), "type": 1, "allow": str(1 << 34), "deny": "0"})
    service = InterviewService(brain=failing_greeting_brain(), store=InMemoryStore())
    async with start_bot(service) as client:
        interaction = await fake.slash(fake.user("alice"), fake.channel_id, "start",
                                       {"role": "sales"})
        await Chat(fake, client).finished(interaction)
        assert fake.threads() == []


# ---------------------------------------------------------------------- long lists


async def test_roles_are_split_when_there_are_many(fake: FakeDiscord, start_bot) -> None:
    service = InterviewService(brain=OfflineBrain(), store=InMemoryStore(),
                               catalog=many_roles(30))
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        alice = fake.user("alice")
        interaction = await fake.slash(alice, fake.channel_id, "roles")
        ids = [f"`{role.id}`" for role in service.roles()]

        def all_listed() -> list[dict]:
            messages = fake.interaction_messages(interaction)
            listed = "\n".join(m["content"] for m in messages)
            return messages if all(role in listed for role in ids) else []

        messages = await fake.until(all_listed)
        assert len(messages) >= 2 and all(m["flags"] & EPHEMERAL for m in messages)

        dm = fake.dm_channel(alice)
        typed = await chat.say(alice, dm, "roles")
        assert len(typed) >= 2
        assert all(f"`{role.id}`" in "\n".join(m["content"] for m in typed)
                   for role in service.roles())
