"""Interviews in a server channel: one thread per candidate, answers only from the candidate."""

from __future__ import annotations

from adapters.discord.views import END_ID, HINT_ID, SKIP_ID
from core.models import Where
from tests.fakes.discord_fake import EPHEMERAL, FakeDiscord
from tests.support.discord import STRONG_ANSWER, Chat, start_in_channel, stored_session, who_for

BUTTON_IDS = [HINT_ID, SKIP_ID, END_ID]


def custom_ids(message: dict) -> list[str]:
    return [button["custom_id"] for row in message["components"] for button in row["components"]]



async def test_start_opens_a_thread_and_asks_the_first_question(fake: FakeDiscord, chat, bot) -> None:
    alice = fake.user("alice")
    interaction, thread = await start_in_channel(fake, chat, alice)

    callback = fake.callback_for(interaction)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}  # deferred, privately
    assert thread["type"] == 11 and thread["parent_id"] == str(fake.channel_id)
    assert thread["name"] == "Alice · Sales interview"
    assert alice.id in fake.thread_members[int(thread["id"])]

    [question] = fake.channel_messages(int(thread["id"]))
    assert "Question 1 of 5" in question["content"]
    assert custom_ids(question) == BUTTON_IDS
    assert question["allowed_mentions"] == {"parse": []}

    [notice] = fake.interaction_messages(interaction)
    assert notice["flags"] & EPHEMERAL
    assert f"<#{thread['id']}>" in notice["content"]
    assert await stored_session(fake, bot.service, alice, thread["id"]) is not None


async def test_answers_in_the_thread_move_the_interview_on(fake: FakeDiscord, chat, bot) -> None:
    alice = fake.user("alice")
    _, thread = await start_in_channel(fake, chat, alice)
    thread_id = int(thread["id"])

    asked_second = False
    for _ in range(4):  # a follow-up or two may come first
        replies = await chat.say(alice, thread_id, STRONG_ANSWER)
        assert custom_ids(replies[-1]) == BUTTON_IDS
        if "Question 2 of 5" in replies[-1]["content"]:
            asked_second = True
            break
    assert asked_second
    session = await stored_session(fake, bot.service, alice, thread_id)
    assert session.current == 1
    assert STRONG_ANSWER in [entry.text for entry in session.transcript]


async def test_private_thread_when_asked_and_public_when_refused(fake: FakeDiscord, chat) -> None:
    alice, bob = fake.user("alice"), fake.user("bob")
    _, private = await start_in_channel(fake, chat, alice, private=True)
    assert private["type"] == 12 and private["thread_metadata"]["invitable"] is False

    fake.forbid_private_threads = True
    _, fallback = await start_in_channel(fake, chat, bob, private=True)
    assert fallback["type"] == 11
    assert len(fake.calls("POST", r"/channels/\d+/threads")) == 3  # private, refused, public


async def test_unknown_role_gets_a_private_answer_and_no_thread(fake: FakeDiscord, chat) -> None:
    alice = fake.user("alice")
    interaction = await fake.slash(alice, fake.channel_id, "start", {"role": "astronaut"})
    await chat.finished(interaction)

    callback = fake.callback_for(interaction)
    assert callback.body["type"] == 4
    assert callback.body["data"]["flags"] == EPHEMERAL
    assert "astronaut" in callback.body["data"]["content"]
    assert "sales" in callback.body["data"]["content"]  # the known roles are listed
    assert fake.threads() == []


async def test_two_candidates_in_one_channel_and_bystanders_ignored(fake: FakeDiscord, chat, bot) -> None:
    alice, bob = fake.user("alice"), fake.user("bob")
    _, alice_thread = await start_in_channel(fake, chat, alice)
    _, bob_thread = await start_in_channel(fake, chat, bob)
    assert alice_thread["id"] != bob_thread["id"]

    await chat.say(alice, int(alice_thread["id"]), STRONG_ANSWER)
    await chat.say(bob, int(bob_thread["id"]), "I once sold a CRM to a bakery.")
    alice_session = await stored_session(fake, bot.service, alice, alice_thread["id"])
    bob_session = await stored_session(fake, bot.service, bob, bob_thread["id"])
    assert STRONG_ANSWER in [e.text for e in alice_session.transcript]
    assert "I once sold a CRM to a bakery." in [e.text for e in bob_session.transcript]
    assert STRONG_ANSWER not in [e.text for e in bob_session.transcript]

    # Bob writes in Alice's thread: reading along is fine, but it is not an answer. Alice's
    # next message is handled after Bob's (events are handled in order), so once she has her
    # reply, Bob's message has been seen and ignored.
    cheer = "Go Alice! Tell them about the Q3 deal."
    await fake.say(bob, int(alice_thread["id"]), cheer)
    replies = await chat.say(alice, int(alice_thread["id"]), "We also renewed them a year later.")
    assert len(replies) == 1
    alice_session = await stored_session(fake, bot.service, alice, alice_thread["id"])
    alice_texts = [e.text for e in alice_session.transcript]
    assert "We also renewed them a year later." in alice_texts and cheer not in alice_texts
    assert await stored_session(fake, bot.service, bob, alice_thread["id"]) is None
    typing = fake.calls("POST", rf"/channels/{alice_thread['id']}/typing")
    assert len(typing) == 3  # the greeting and Alice's two answers; none for Bob


async def test_non_candidate_pressing_a_button_is_told_privately(fake: FakeDiscord, chat, bot) -> None:
    alice, bob = fake.user("alice"), fake.user("bob")
    _, thread = await start_in_channel(fake, chat, alice)
    [question] = fake.channel_messages(int(thread["id"]))

    for custom_id in BUTTON_IDS:
        interaction = await fake.press(bob, question, custom_id)
        await chat.finished(interaction)
        callback = fake.callback_for(interaction)
        assert callback.body["type"] == 4
        assert callback.body["data"]["flags"] == EPHEMERAL
        assert "isn't your interview" in callback.body["data"]["content"]

    session = await stored_session(fake, bot.service, alice, thread["id"])
    assert session.current == 0 and session.here.hints == 0 and session.report is None


async def test_guild_ids_sync_commands_to_those_guilds(fake: FakeDiscord, service, start_bot) -> None:
    async with start_bot(service, guild_ids=[fake.guild_id]):
        synced = fake.calls("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands")
        assert [command["name"] for command in synced[0].body] == ["interview"]
        subcommands = {option["name"] for option in synced[0].body[0]["options"]}
        assert subcommands == {
            "start", "end", "hint", "skip", "status", "roles", "reset", "help",
            "history", "stats", "share", "forget",
        }


async def test_messages_in_the_channel_itself_are_not_answers(fake: FakeDiscord, chat, bot) -> None:
    alice = fake.user("alice")
    _, thread = await start_in_channel(fake, chat, alice)
    await fake.say(alice, fake.channel_id, "start sales")  # in the channel, not the thread
    replies = await chat.say(alice, int(thread["id"]), "status")  # handled after the line above
    assert "question 1 of 5" in replies[0]["content"]
    posted = [m for m in fake.channel_messages(fake.channel_id) if "_token" not in m]
    assert posted == []  # only the private "your thread is ready" note, nothing posted
    assert await stored_session(fake, bot.service, alice, fake.channel_id) is None


async def test_thread_conversations_carry_their_parent_channel(fake: FakeDiscord, chat, bot) -> None:
    alice = fake.user("alice")
    _, thread = await start_in_channel(fake, chat, alice)
    thread_id = int(thread["id"])
    in_thread = Where(platform="discord", conversation_id=f"{fake.channel_id}:{thread_id}")
    session = await bot.service.session_for(who_for(alice), in_thread)
    assert session is not None and session.where == in_thread
    bare = Where(platform="discord", conversation_id=str(thread_id))
    assert await bot.service.session_for(who_for(alice), bare) is None

    # Slash commands and buttons inside the thread find the same interview.
    await chat.finished(await fake.slash(alice, thread_id, "hint"))
    assert (await bot.service.session_for(who_for(alice), in_thread)).here.hints == 1
    question = [m for m in fake.channel_messages(thread_id) if m["components"]][-1]  # the hint's
    await chat.finished(await fake.press(alice, question, SKIP_ID))
    assert (await bot.service.session_for(who_for(alice), in_thread)).current == 1
    [status] = await chat.finished(await fake.slash(alice, thread_id, "status"))
    assert "question 2 of 5" in status["content"]


async def test_a_thread_the_bot_has_not_seen_still_takes_answers(
    fake: FakeDiscord, service, start_bot
) -> None:
    alice = fake.user("alice")
    async with start_bot(service) as first:
        _, thread = await start_in_channel(fake, Chat(fake, first), alice)
    thread_id = int(thread["id"])
    async with start_bot(service) as second:  # a restart: this client has not cached the thread
        assert second.get_channel(thread_id) is None
        replies = await Chat(fake, second).say(alice, thread_id, STRONG_ANSWER)
        assert replies and custom_ids(replies[-1]) == BUTTON_IDS
    assert fake.calls("GET", rf"/channels/{thread_id}")  # its parent channel was looked up
    session = await stored_session(fake, service, alice, thread_id)
    assert STRONG_ANSWER in [entry.text for entry in session.transcript]


async def test_typed_commands_in_the_thread_follow_core_and_keep_records_private(
    fake: FakeDiscord, chat, bot
) -> None:
    alice = fake.user("alice")
    _, thread = await start_in_channel(fake, chat, alice)
    thread_id = int(thread["id"])
    ended = await chat.say(alice, thread_id, "finish")  # an alias of end, as in a Slack thread
    assert any(message["embeds"] for message in ended)  # the report, drawn in the thread
    assert (await stored_session(fake, bot.service, alice, thread_id)).report is not None
    [answer] = await chat.say(alice, thread_id, "history")
    assert "private" in answer["content"] and "/interview history" in answer["content"]
    assert not answer["embeds"]  # no scores shown where the channel can read them
