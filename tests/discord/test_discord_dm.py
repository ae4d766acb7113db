"""Interviews in a DM: typed commands and answers, slash commands, every button, the report."""

from __future__ import annotations

from adapters.discord.render import EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT
from adapters.discord.views import END_ID, HINT_ID, SKIP_ID
from core.models import Where, Who
from tests.fakes.discord_fake import EPHEMERAL, FakeDiscord

ANSWERS = [
    "At Acme I owned a 400k deal with a logistics firm. I mapped the CFO as economic buyer and "
    "a champion in operations, ran discovery, and built a mutual action plan. We closed in 90 "
    "days, 20% above target.",
    "I qualify with MEDDICC: metrics, economic buyer, decision criteria and process, pain and a "
    "champion. Last quarter that cut my sales cycle from 70 to 50 days and lifted my win rate to 31%.",
    "When a prospect said we were too expensive, I asked what they compared us to, rebuilt the "
    "business case with their numbers, and showed a 6 month payback. They signed a 2 year deal.",
]


def custom_ids(message: dict) -> list[str]:
    return [button["custom_id"] for row in message.get("components", []) for button in row["components"]]


def session_of(bot, user, channel_id):
    who = Who(platform="discord", user_id=str(user.id), display_name=user.global_name)
    return bot.service.session_for(who, Where(platform="discord", conversation_id=str(channel_id)))


def embed_size(embed: dict) -> int:
    fields = sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    footer = len(embed.get("footer", {}).get("text", ""))
    return len(embed.get("title", "")) + len(embed.get("description", "")) + fields + footer


async def test_a_whole_dm_interview_ends_in_a_report_embed(fake: FakeDiscord, chat, bot) -> None:
    carol = fake.user("carol")
    dm = fake.dm_channel(carol)
    [greeting] = await chat.say(carol, dm, "start sales")
    assert "Question 1 of 5" in greeting["content"]
    assert custom_ids(greeting) == [HINT_ID, SKIP_ID, END_ID]
    assert fake.calls("POST", rf"/channels/{dm}/typing")  # the typing indicator while it works

    report_messages: list[dict] = []
    for turn in range(20):
        replies = await chat.say(carol, dm, ANSWERS[turn % len(ANSWERS)])
        report_messages = [m for m in replies if m["embeds"]]
        if report_messages:
            break
    assert report_messages, "the interview never ended"
    embeds = [embed for message in report_messages for embed in message["embeds"]]
    assert "feedback" in embeds[0]["title"].lower() and "Sales" in embeds[0]["title"]
    names = [field["name"] for embed in embeds for field in embed.get("fields", [])]
    assert any(name.startswith("Communication") and "■" in name for name in names)
    assert "Next steps" in names
    assert any(name.startswith("Q5") for name in names)
    for message in report_messages:
        assert sum(embed_size(e) for e in message["embeds"]) <= EMBED_TOTAL_LIMIT
        assert all(len(f["value"]) <= FIELD_VALUE_LIMIT for e in message["embeds"] for f in e["fields"])
    assert custom_ids(report_messages[-1]) == []  # no buttons once it is over
    session = await session_of(bot, carol, dm)
    assert session.report is not None


async def test_typed_commands_in_a_dm(fake: FakeDiscord, chat, bot) -> None:
    dan = fake.user("dan")
    dm = fake.dm_channel(dan)
    [no_role] = await chat.say(dan, dm, "start")
    assert "Which role" in no_role["content"]
    [roles] = await chat.say(dan, dm, "roles")
    assert "`sales`" in roles["content"]
    [nothing] = await chat.say(dan, dm, "hello there")  # an answer, but no interview yet
    assert "start sales" in nothing["content"]

    await chat.say(dan, dm, "start role:sales")
    [hint] = await chat.say(dan, dm, "hint")
    assert (await session_of(bot, dan, dm)).here.hints == 1
    assert custom_ids(hint) == [HINT_ID, SKIP_ID, END_ID]
    [status] = await chat.say(dan, dm, "status")
    assert "question 1 of 5" in status["content"]
    [skipped] = await chat.say(dan, dm, "skip")
    assert "Question 2 of 5" in skipped["content"]
    [reset] = await chat.say(dan, dm, "reset")
    assert "discarded" in reset["content"]
    assert await session_of(bot, dan, dm) is None


async def test_slash_start_in_a_dm_and_every_button(fake: FakeDiscord, chat, bot) -> None:
    erin = fake.user("erin")
    dm = fake.dm_channel(erin)
    start = await fake.slash(erin, dm, "start", {"role": "sales", "questions": 2, "difficulty": "senior"})
    [greeting] = await chat.finished(start)
    assert fake.callback_for(start).body == {"type": 5}  # deferred, not ephemeral in a DM
    assert "Question 1 of 2" in greeting["content"]
    assert not greeting["flags"] & EPHEMERAL
    session = await session_of(bot, erin, dm)
    assert session.options.difficulty == "senior" and len(session.questions) == 2

    hint = await fake.press(erin, greeting, HINT_ID)
    [hint_reply] = await chat.finished(hint)
    assert fake.callback_for(hint).body["type"] == 5
    assert (await session_of(bot, erin, dm)).here.hints == 1
    assert hint_reply["content"] and custom_ids(hint_reply) == [HINT_ID, SKIP_ID, END_ID]

    assert custom_ids(fake.messages[int(greeting["id"])]) == []  # the buttons moved down

    skip = await fake.press(erin, hint_reply, SKIP_ID)
    [next_question] = await chat.finished(skip)
    assert "Question 2 of 2" in next_question["content"]

    end = await fake.press(erin, next_question, END_ID)
    replies = await chat.finished(end)
    assert any(m["embeds"] and "feedback" in m["embeds"][0]["title"].lower() for m in replies)
    assert (await session_of(bot, erin, dm)).report is not None
    assert custom_ids(fake.messages[int(next_question["id"])]) == []  # no buttons once it is over

    late = await fake.press(erin, next_question, HINT_ID)  # pressed before the buttons vanished
    [over] = await chat.finished(late)
    assert "interview is over" in over["content"] and over["flags"] & EPHEMERAL


async def test_slash_verbs_status_roles_help_and_errors(fake: FakeDiscord, chat) -> None:
    fay = fake.user("fay")
    dm = fake.dm_channel(fay)

    hint = await fake.slash(fay, dm, "hint")  # nothing running yet: a friendly private line
    [reply] = await chat.finished(hint)
    assert "no interview running" in reply["content"].lower()

    roles = await fake.slash(fay, fake.channel_id, "roles")
    await chat.finished(roles)
    assert fake.callback_for(roles).body["data"]["flags"] == EPHEMERAL
    assert "`sales`" in fake.callback_for(roles).body["data"]["content"]

    help_ = await fake.slash(fay, fake.channel_id, "help")
    await chat.finished(help_)
    assert "/interview start role:sales" in fake.callback_for(help_).body["data"]["content"]

    await chat.finished(await fake.slash(fay, dm, "start", {"role": "sales"}))
    status = await fake.slash(fay, dm, "status")
    [status_reply] = await chat.finished(status)
    assert fake.callback_for(status).body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert "Sales interview" in status_reply["content"]

    end = await fake.slash(fay, dm, "end")
    replies = await chat.finished(end)
    assert any(m["embeds"] for m in replies)


async def test_role_autocomplete(fake: FakeDiscord, chat) -> None:
    gus = fake.user("gus")
    interaction = await fake.slash(gus, fake.channel_id, "start", {"role": "sal"}, focused="role")
    await chat.finished(interaction)
    body = fake.callback_for(interaction).body
    assert body["type"] == 8
    assert {"name": "Sales", "value": "sales"} in body["data"]["choices"]
    assert all("sal" in c["value"] or "sal" in c["name"].lower() for c in body["data"]["choices"])


async def test_echoed_text_never_pings(fake: FakeDiscord, chat) -> None:
    hal = fake.user("hal")
    dm = fake.dm_channel(hal)
    await chat.say(hal, dm, "start sales")
    await chat.say(hal, dm, "@everyone I closed a deal with <@&123> and <@456> at 20% above target.")
    sent = [r for r in fake.requests if r.method in ("POST", "PATCH") and r.path.endswith("/messages")]
    assert sent and all(r.body["allowed_mentions"] == {"parse": []} for r in sent)
    assert fake.identify["intents"] & (1 << 15)  # message content, for answers in threads
    assert not fake.identify["intents"] & ((1 << 1) | (1 << 8))  # no members, no presences
