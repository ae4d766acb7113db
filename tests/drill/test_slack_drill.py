"""Every odd input through Slack (a DM, the real Bolt app over signed HTTP): a clear reply,
no crash, the interview carries on, and nothing the app sends can ping anyone.

Slack turns a mention into ``<@U…>``, ``<!channel>``, ``<!here>``, ``<!everyone>`` or
``<!subteam^…>`` in the event text. Echoed back unescaped (``&lt;`` ``&gt;`` ``&amp;``),
any of them would notify people, so every outgoing text is checked: message text,
notification fallbacks, blocks of every kind, and the report, which quotes the candidate.

Also bad resumes: a corrupt PDF and a 20 MB file get a friendly line and change nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from adapters.slack.blocks import mrkdwn
from core.models import ReplyKind, Where, Who
from core.service import EMPTY_ANSWER_PROMPT
from core.session import Speaker
from tests.fakes.slack_fake import FakeSlack, message_event
from tests.support.corpus import CORPUS, Odd
from tests.support.script import ScriptedService
from tests.support.slack import Harness, fake, slack_harness  # noqa: F401 (fake: a fixture)

DM = "D0DRILL"
USER = "U0DRILL"
NORMAL_ANSWER = "At my last job I cut build times 40% by caching the dependency downloads."
NORMAL_KINDS = {ReplyKind.follow_up, ReplyKind.question, ReplyKind.feedback}
SORRY = "Sorry, something went wrong"
# A live mention in Slack's markup: <!channel>, <!here|here>, <@U123>, <!subteam^S1|@team>.
PING = re.compile(r"<(?:!channel|!here|!everyone|!subteam\^[^>]*|@[UW][A-Z0-9]+)(?:\|[^>]*)?>")


@pytest.fixture
async def harness(fake: FakeSlack) -> AsyncIterator[Harness]:
    """The app on a service with a fixed plan of story questions, so the interviewer's
    follow-ups (which may quote the candidate) are the same on every run."""
    fake.add_im(USER, DM)
    async with slack_harness(ScriptedService(), fake) as ready:
        yield ready


async def say(h, text: str, files: list[dict] | None = None) -> list:
    """Send a DM; return the app's posts for it once the turn (and any report) is out."""
    count = len(h.fake.posts(DM))
    delivery = await h.sender.event(message_event(text, user=USER, channel=DM, channel_type="im",
                                                  files=files))
    assert delivery.status == 200, delivery.body
    await h.fake.wait_for_posts(count + 1, channel=DM)
    await h.bot.background.drain()
    return h.fake.posts(DM)[count:]


def session_of(h):
    return h.service.session_for(Who(platform="slack", user_id=USER),
                                 Where(platform="slack", conversation_id=f"T0TEAM:{DM}"))


def pings(fake: FakeSlack) -> list[str]:
    """Every live mention in anything the app sent (texts, fallbacks, blocks, streams)."""
    found = []
    for call in fake.calls:
        found += PING.findall(json.dumps(call.args, ensure_ascii=False))
    return found


def within_slack_limits(post) -> bool:
    """What Slack would accept: 50 blocks, 3,000 characters a section, 40,000 of text."""
    sections = [b["text"]["text"] for b in post.blocks if b["type"] == "section" and "text" in b]
    return (len(post.blocks) <= 50 and all(len(text) <= 3000 for text in sections)
            and len(post.args.get("text", "")) <= 40_000)


def last_interviewer_kind(session) -> ReplyKind:
    return next(e.kind for e in reversed(session.transcript) if e.speaker is Speaker.interviewer)


CASES = [pytest.param(odd, id=odd.name) for odd in CORPUS]


@pytest.mark.parametrize("odd", CASES)
async def test_slack_survives_odd_input(harness, odd: Odd) -> None:
    await say(harness, "start sales")
    before = await session_of(harness)

    replies = await say(harness, odd.text)
    shown = "\n".join(post.text for post in replies)
    assert replies and all(post.text.strip() and within_slack_limits(post) for post in replies)
    assert SORRY not in shown  # a real answer to the input, not an apology for a crash
    after = await session_of(harness)
    if odd.rejected:
        assert mrkdwn(EMPTY_ANSWER_PROMPT) in shown
        assert after.transcript == before.transcript and after.current == before.current
    else:
        assert len(after.transcript) == len(before.transcript) + 2

    await say(harness, NORMAL_ANSWER)
    later = await session_of(harness)
    assert len(later.transcript) == len(after.transcript) + 2
    assert last_interviewer_kind(later) in NORMAL_KINDS

    ending = await say(harness, "end")  # the report quotes the candidate's words
    assert any(post.blocks and post.blocks[0]["type"] == "header" for post in ending)
    assert pings(harness.fake) == []


ECHOED = "I escalated to <@U0123ABCD> and we restored service for 300 customers."


async def test_an_echoed_user_mention_is_escaped_in_blocks(harness) -> None:
    await say(harness, "start sales")
    [follow_up] = await say(harness, ECHOED)
    blocks = json.dumps(follow_up.blocks, ensure_ascii=False)
    assert "&lt;@U0123ABCD&gt;" in blocks and not PING.search(blocks)
    ending = await say(harness, "end")
    report = json.dumps([post.blocks for post in ending], ensure_ascii=False)
    assert "U0123ABCD" in report and not PING.search(report)  # quoted as evidence, escaped


async def test_slacks_escaping_is_undone_before_the_interviewer_reads_it(harness) -> None:
    await say(harness, "start sales")
    # What Slack sends when the candidate types: I led R&D for <2 years and cut costs 30%.
    await say(harness, "I led R&amp;D for &lt;2 years and cut costs 30%.")
    session = await session_of(harness)
    answer = next(e.text for e in reversed(session.transcript) if e.speaker is Speaker.candidate)
    assert answer == "I led R&D for <2 years and cut costs 30%."


# --------------------------------------------------------------------------- bad resumes


def corrupt_pdf(fake: FakeSlack) -> dict:
    return fake.add_file("cv.pdf", b"%PDF-1.4\n1 0 obj << /Pages 9 0 R >>\n%%EOF garbage",
                         "application/pdf", "pdf")


def huge_pdf(fake: FakeSlack, *, honest_size: bool = True) -> dict:
    file = fake.add_file("big.pdf", b"%PDF-1.4\n" + b"%" * (20 * 1024 * 1024),
                         "application/pdf", "pdf")
    return file if honest_size else file | {"size": 1_000}  # a file object that understates


async def test_bad_resume_files_get_a_friendly_line_and_change_nothing(harness) -> None:
    fake = harness.fake
    await say(harness, "start sales")
    await say(harness, NORMAL_ANSWER)
    before = (await session_of(harness)).model_dump()
    cases = [
        (corrupt_pdf(fake), "couldn't read “cv.pdf”"),
        (huge_pdf(fake), "larger than 5 MB"),
        (huge_pdf(fake, honest_size=False), "larger than 5 MB"),  # caught while downloading
    ]
    for file, expected in cases:
        [reply] = await say(harness, "", files=[file])
        assert expected in reply.text, reply.text
        assert SORRY not in reply.text
        assert (await session_of(harness)).model_dump() == before
    assert await harness.service.store.get_note(  # nothing half-read kept for later
        Who(platform="slack", user_id=USER), "slack.pending_context", f"T0TEAM:{DM}") is None
    assert [name for name, _ in fake.file_requests].count("big.pdf") == 1  # only the liar

    await say(harness, "I then rebuilt the pipeline and cut deploys from 2 hours to 10 minutes.")
    later = await session_of(harness)
    assert len(later.transcript) == len(before["transcript"]) + 2


async def test_a_bad_resume_with_start_opens_no_interview(harness) -> None:
    for file, expected in ((corrupt_pdf(harness.fake), "couldn't read"),
                           (huge_pdf(harness.fake), "larger than 5 MB")):
        [reply] = await say(harness, "start sales", files=[file])
        assert expected in reply.text
        assert await session_of(harness) is None
    [greeting, *_] = await say(harness, "start sales")  # and a plain start still works
    assert "Question 1" in greeting.text
