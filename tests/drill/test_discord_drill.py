"""Every odd input through Discord (a DM with the real discord.py client): a clear reply,
no crash, the interview carries on, and nothing the bot sends can ping anyone.

Also bad resumes: a corrupt PDF and a 20 MB file get a friendly line and change nothing.
"""

from __future__ import annotations

import pytest

from adapters.discord.errors import FALLBACK
from adapters.discord.render import MESSAGE_LIMIT
from core.models import ReplyKind
from core.service import EMPTY_ANSWER_PROMPT
from core.session import Speaker
from tests.fakes.discord_fake import FakeDiscord
from tests.support.corpus import CORPUS, Odd
from tests.support.discord import bot, chat, fake, stored_session  # noqa: F401 (fixtures)

NORMAL_ANSWER = "At my last job I cut build times 40% by caching the dependency downloads."
NORMAL_KINDS = {ReplyKind.follow_up, ReplyKind.question, ReplyKind.feedback}
NO_PINGS = {"parse": []}
MESSAGE_ROUTES = [  # every way the bot can put words in front of people
    ("POST", r"/channels/\d+/messages"),
    ("PATCH", r"/channels/\d+/messages/\d+"),
    ("POST", r"/webhooks/\d+/[^/]+"),
    ("PATCH", r"/webhooks/\d+/[^/]+/messages/[^/]+"),
]
CORRUPT_PDF = ("resume.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF garbage",
               "application/pdf")
HUGE_FILE = ("resume.pdf", b"%PDF-1.4\n" + b"%" * (20 * 1024 * 1024), "application/pdf")


def sent_messages(fake: FakeDiscord) -> list[dict]:
    bodies = [r.body for method, pattern in MESSAGE_ROUTES for r in fake.calls(method, pattern)]
    callbacks = [r.body.get("data")
                 for r in fake.calls("POST", r"/interactions/\d+/[^/]+/callback")]
    return [body for body in [*bodies, *callbacks]
            if isinstance(body, dict) and (body.get("content") or body.get("embeds"))]


def assert_no_pings(fake: FakeDiscord) -> None:
    sent = sent_messages(fake)
    assert sent
    for body in sent:
        assert body.get("allowed_mentions") == NO_PINGS, body


def last_interviewer_kind(session) -> ReplyKind:
    entry = next(e for e in reversed(session.transcript) if e.speaker is Speaker.interviewer)
    return entry.kind


@pytest.mark.parametrize("odd", CORPUS, ids=[odd.name for odd in CORPUS])
async def test_discord_survives_odd_input(fake: FakeDiscord, chat, bot, odd: Odd) -> None:
    user = fake.user("drill")
    dm = fake.dm_channel(user)
    await chat.say(user, dm, "start software_engineer")
    before = await stored_session(fake, bot.service, user, dm)

    replies = await chat.say(user, dm, odd.text)
    shown = "\n".join(message["content"] for message in replies)
    assert replies and all(message["content"].strip() for message in replies)
    assert all(len(message["content"]) <= MESSAGE_LIMIT for message in replies)
    assert FALLBACK not in shown  # a real answer to the input, not an apology for a crash
    after = await stored_session(fake, bot.service, user, dm)
    if odd.rejected:
        assert EMPTY_ANSWER_PROMPT in shown
        assert after.transcript == before.transcript and after.current == before.current
    else:
        assert len(after.transcript) == len(before.transcript) + 2

    await chat.say(user, dm, NORMAL_ANSWER)
    later = await stored_session(fake, bot.service, user, dm)
    assert len(later.transcript) == len(after.transcript) + 2
    assert last_interviewer_kind(later) in NORMAL_KINDS

    ending = await chat.say(user, dm, "end")  # the report quotes the candidate's words
    assert any(message["embeds"] for message in ending)
    assert_no_pings(fake)


async def test_mentions_in_answers_are_shown_but_never_ping(fake: FakeDiscord, chat, bot) -> None:
    user = fake.user("pinger")
    dm = fake.dm_channel(user)
    await chat.say(user, dm, "start sales")
    await chat.say(user, dm, "I escalated to <@123456789012345678> and @everyone and we restored "
                             "service for 300 customers.")
    await chat.say(user, dm, "end")
    report_text = str([m["embeds"] for m in fake.channel_messages(dm)])
    assert "@everyone" in report_text  # quoted as evidence...
    assert_no_pings(fake)  # ...with every message forbidding pings


async def _snapshot(fake, bot, user, dm):
    session = await stored_session(fake, bot.service, user, dm)
    return session.model_dump(exclude={"updated_at"})


async def test_bad_resume_files_get_a_friendly_line_and_change_nothing(fake: FakeDiscord, chat,
                                                                       bot) -> None:
    user = fake.user("filer")
    dm = fake.dm_channel(user)
    await chat.say(user, dm, "start sales")
    await chat.say(user, dm, NORMAL_ANSWER)
    before = await _snapshot(fake, bot, user, dm)
    cases = [
        ("start sales", CORRUPT_PDF, "couldn't read that PDF"),
        ("start sales", HUGE_FILE, "under 5 MB"),
        ("", CORRUPT_PDF, "typed answers and voice messages only"),  # a file, not an answer
        ("", HUGE_FILE, "typed answers and voice messages only"),
    ]
    for text, attachment, expected in cases:
        count = len(fake.channel_messages(dm))
        await fake.say(user, dm, text, attachment=attachment)
        [reply] = await fake.until(lambda: fake.channel_messages(dm)[count:] if chat.idle() else [])
        assert expected in reply["content"], reply["content"]
        assert await _snapshot(fake, bot, user, dm) == before

    slash = await fake.slash(user, dm, "start", {"role": "sales"}, attachment=CORRUPT_PDF)
    [reply] = await chat.finished(slash)
    assert "couldn't read that PDF" in reply["content"]
    assert await _snapshot(fake, bot, user, dm) == before

    await chat.say(user, dm, "I rebuilt the pipeline and cut deploys from 2 hours to 10 minutes.")
    later = await stored_session(fake, bot.service, user, dm)
    assert len(later.transcript) == len(before["transcript"]) + 2
    assert_no_pings(fake)


async def test_a_bad_resume_with_start_opens_no_interview(fake: FakeDiscord, chat, bot) -> None:
    user = fake.user("newcomer")
    dm = fake.dm_channel(user)
    cases = ((CORRUPT_PDF, "couldn't read that PDF"), (HUGE_FILE, "under 5 MB"))
    for attachment, expected in cases:
        count = len(fake.channel_messages(dm))
        await fake.say(user, dm, "start sales", attachment=attachment)
        [reply] = await fake.until(lambda: fake.channel_messages(dm)[count:] if chat.idle() else [])
        assert expected in reply["content"]
        assert await stored_session(fake, bot.service, user, dm) is None
    [greeting] = await chat.say(user, dm, "start sales")  # and a plain start still works
    assert "Question 1" in greeting["content"]
