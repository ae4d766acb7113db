"""What users hit on a real workspace, reproduced against the strict fake.

Each test plays a user through the real Bolt app; the fake refuses what Slack
refuses (long messages, channels the app is not in, spent response_urls, rate
limits), so each would fail on the code that did not handle it.
"""

from __future__ import annotations

import asyncio
import re

from core.brain.base import ReportRequest
from core.errors import BrainError
from core.report import FeedbackReport
from tests.fakes.slack_fake import message_event, slash_command
from tests.support.brains import GREETING, ScriptedBrain
from tests.support.slack import ALICE, BOB, CHANNEL, DM, GOOD_ANSWER, TEAM, where, who

STRONGER = ("A stronger answer would name the situation in one sentence, say what you owned, "
            "walk through the two or three actions you took and why, and end with a number: "
            "the revenue, the time saved or the customers kept. ") * 4


def thorough(report: FeedbackReport, request: ReportRequest) -> FeedbackReport:
    """Reviews every planned question the way a language model does, at length.

    As if each question had been answered: a score, a note and a long stronger answer.
    """
    template = report.questions[0].model_copy(update={
        "score": 3, "skipped": False, "stronger_answer": STRONGER,
        "answer_excerpt": "I ran weekly pipeline reviews and grew revenue by 30%.",
        "note": "Clear actions; the result needs a number and what you owned."})
    planned = len(request.session.questions)
    report.questions = [template.model_copy(update={"question": f"Planned question {n}?"})
                        for n in range(1, planned + 1)]
    return report


async def command(h, text: str, *, user: str = ALICE, channel: str = CHANNEL) -> str:
    """Run a slash command; returns its response_url (to read what the user was told)."""
    url = h.fake.response_url()
    delivery = await h.sender.command(slash_command(text, user=user, channel=channel,
                                                    response_url=url))
    assert delivery.status == 200, delivery.body
    return url


async def dm(h, text: str, **kwargs) -> None:
    delivery = await h.sender.event(message_event(text, user=ALICE, channel=DM,
                                                  channel_type="im", **kwargs))
    assert delivery.status == 200


def report_posts(fake, channel: str) -> list:
    posts = fake.posts(channel)
    first = next(i for i, p in enumerate(posts) if p.blocks and p.blocks[0]["type"] == "header")
    return posts[first:]


# ---------------------------------------------------------------------- long reports


async def test_a_fifteen_question_report_arrives_whole(make_harness):
    h = await make_harness(brain=ScriptedBrain(edit_report=thorough))
    await dm(h, "start sales questions:15")
    await h.fake.wait_for_posts(1, channel=DM)
    await dm(h, GOOD_ANSWER)
    await h.fake.wait_for_posts(2, channel=DM)
    await dm(h, "end")
    await h.fake.wait_for(lambda: any("report by" in p.text for p in h.fake.posts(DM)),
                          what="the end of the report")
    shown = "\n".join(post.text for post in report_posts(h.fake, DM))
    assert [n for n in range(1, 16) if f"*Q{n}.*" not in shown] == []  # every question
    assert shown.count("A stronger answer:") == 15
    assert h.fake.refusals() == []  # Slack took every part at the first try


async def test_a_report_slack_calls_too_long_is_sent_again_in_smaller_parts(make_harness):
    h = await make_harness(brain=ScriptedBrain(edit_report=thorough))
    h.fake.max_message_text = 5000  # a workspace that counts more strictly than expected
    await dm(h, "start sales questions:6")
    await h.fake.wait_for_posts(1, channel=DM)
    await dm(h, "end")
    await h.fake.wait_for(lambda: any("report by" in p.text for p in h.fake.posts(DM)),
                          what="the end of the report")
    assert {c.result["error"] for c in h.fake.refusals()} == {"msg_blocks_too_long"}
    shown = "\n".join(post.text for post in report_posts(h.fake, DM))
    assert [n for n in range(1, 7) if f"*Q{n}.*" not in shown] == []
    assert shown.count("A stronger answer:") == 6


# ---------------------------------------------------------------------- answers with files


async def test_an_answer_typed_with_a_file_attached_is_the_answer(harness):
    await dm(harness, "start sales")
    await harness.fake.wait_for_posts(1, channel=DM)
    file = harness.fake.add_file("deal-notes.txt", b"Q3 pipeline notes", "text/plain", "text")
    await dm(harness, GOOD_ANSWER, files=[file])
    await harness.fake.wait_for_posts(2, channel=DM)
    await harness.bot.background.drain()
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}"))
    assert [e.text for e in session.transcript if e.speaker == "candidate"] == [GOOD_ANSWER]
    assert harness.fake.posts(DM)[1].action_ids  # the interviewer's next turn, with buttons


# ---------------------------------------------------------------------- starting in a channel


async def test_start_twice_in_quick_succession_opens_one_interview(harness):
    first, second = await asyncio.gather(command(harness, "start sales"),
                                         command(harness, "start sales"))
    await harness.fake.wait_for(lambda: harness.fake.response_url_posts, what="the refusal")
    await harness.bot.background.drain()
    openings = [p for p in harness.fake.posts(CHANNEL) if "thread_ts" not in p.args]
    assert len(openings) == 1
    assert "already have an interview" in harness.fake.response_url_posts[0]["text"]


async def test_a_failed_start_leaves_no_opening_message_and_can_be_retried(make_harness):
    # The model is down when the interview opens (once).
    h = await make_harness(brain=ScriptedBrain(when=GREETING, errors=[BrainError()]))
    await command(h, "start sales")
    told = await h.fake.wait_for(lambda: h.fake.response_url_posts, what="the apology")
    assert "couldn't" in told[0]["text"].lower() or "sorry" in told[0]["text"].lower()
    await h.bot.background.drain()
    [opening] = [p for p in h.fake.posts(CHANNEL) if "thread_ts" not in p.args]
    assert h.fake.shown(CHANNEL, opening.ts) is None  # deleted: no orphan in the channel
    assert h.fake.posts(CHANNEL, opening.ts) == []  # and nothing was said in its thread
    assert await h.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{opening.ts}")) is None

    await command(h, "start sales")  # the model is back: a normal start
    await h.fake.wait_for(lambda: [p for p in h.fake.posts(CHANNEL) if p.args.get("thread_ts")],
                          what="the greeting")


async def test_an_error_after_the_response_url_expired_still_reaches_the_user(make_harness):
    brain = ScriptedBrain(when=GREETING, gate=asyncio.Event(), errors=[BrainError()])
    h = await make_harness(brain=brain)
    await command(h, "start sales")
    await brain.wait_at_gate()
    h.fake.advance(31 * 60)  # the model took its time: Slack's response_url has expired
    brain.gate.set()  # and then failed
    notice = await h.fake.wait_for(lambda: h.fake.calls_to("chat.postEphemeral"),
                                   what="a private notice")
    assert notice[0].args["user"] == ALICE and notice[0].args["channel"] == CHANNEL
    assert [error for error, _ in h.fake.response_url_refusals] == ["expired_url"]


async def test_the_invite_hint_names_the_bot_as_the_workspace_shows_it(harness):
    harness.fake.add_channel("C0RANDOM", bot_in=False)
    await command(harness, "start sales", channel="C0RANDOM")
    told = await harness.fake.wait_for(lambda: harness.fake.response_url_posts, what="the hint")
    text = told[0]["text"]
    assert "/invite" in text and "<@U0BOT>" in text  # a mention Slack shows as the app's name
    assert "Interview Bot" not in text


async def test_a_start_in_a_dm_between_two_people_leaves_nothing_behind(harness):
    harness.fake.add_people_dm("D0PEOPLE", ALICE, BOB)
    await command(harness, "start sales", channel="D0PEOPLE")
    told = await harness.fake.wait_for(lambda: harness.fake.response_url_posts, what="advice")
    assert "direct message" in told[0]["text"] and "<@U0BOT>" in told[0]["text"]
    await harness.bot.background.drain()
    assert await harness.service.session_for(who(ALICE), where(f"{TEAM}:D0PEOPLE")) is None
    await command(harness, "status", channel="D0PEOPLE")  # nothing lingers to be found
    await harness.fake.wait_for(lambda: len(harness.fake.response_url_posts) == 2, what="status")
    assert "no interview running" in harness.fake.response_url_posts[1]["text"]


# ---------------------------------------------------------------------- previews are best effort


async def test_a_rate_limited_preview_does_not_hold_up_or_fail_the_turn(make_harness):
    h = await make_harness(brain=ScriptedBrain(pieces=6, pause=0.3), stream_grace=0.2,
                           stream_interval=0.3)
    h.fake.limit_tier("chat.update", calls=1, window=120)  # one edit, then two minutes of 429s
    await dm(h, "start sales")
    await h.fake.wait_for_posts(1, channel=DM)
    await dm(h, GOOD_ANSWER)

    def final_reply():
        shown = [m["args"] for (channel, _), m in h.fake.messages.items() if channel == DM]
        last = shown[-1] if len(shown) > 1 else {}
        return last if "interview_hint" in str(last.get("blocks")) else None

    final = await h.fake.wait_for(final_reply, timeout=30, what="the final reply, with buttons")
    assert not str(final.get("text")).endswith("…")
    assert not any("Sorry" in p.text for p in h.fake.posts(DM))
    assert h.fake.refusals("chat.update")  # Slack did refuse some edits
    await h.bot.background.drain()
    previews = [m for (channel, _), m in h.fake.messages.items() if channel == DM
                and str(m["args"].get("text", "")).endswith("…")]
    assert previews == []  # no half-written preview left standing


async def test_one_passing_streaming_error_does_not_switch_streaming_off(make_harness):
    h = await make_harness(brain=ScriptedBrain(pieces=6, pause=0.35), stream_grace=0.3, stream_interval=0.3)
    h.fake.fail("chat.startStream", status=200, error="service_unavailable")
    await command(h, "start sales")
    opening = (await h.fake.wait_for_posts(1, channel=CHANNEL))[0]
    await h.fake.wait_for_posts(1, channel=CHANNEL, thread_ts=opening.ts)
    for count in (2, 3):
        await h.sender.event(message_event(GOOD_ANSWER, user=ALICE, channel=CHANNEL,
                                           channel_type="channel", thread_ts=opening.ts))
        await h.fake.wait_for(lambda: len([c for c in h.fake.calls if c.method in (
            "chat.stopStream", "chat.update") and c.action_ids]) >= count - 1,
            timeout=30, what="the turn's final words")
        await h.bot.background.drain()
    assert len(h.fake.calls_to("chat.startStream")) == 1  # the second turn streamed again
    assert h.bot.interviews.streaming.works(TEAM)


def test_only_refusal_codes_switch_streaming_off_and_only_for_that_workspace():
    from adapters.slack.streaming import StreamingSupport

    support = StreamingSupport()
    for passing in ("ratelimited", "service_unavailable", "fatal_error", "message_not_found"):
        support.refused("T1", passing)
    assert support.works("T1")
    support.refused("T1", "not_allowed_token_type")
    assert not support.works("T1") and support.works("T2")


# ---------------------------------------------------------------------- streamed markdown


def test_streamed_text_shows_the_candidates_characters_and_pings_nobody():
    from adapters.slack.streaming import markdown_pieces
    from tests.fakes.slack_rules import render_markdown

    echo = "You wrote <!channel> & <@U0BOB> > R&D **bold** and a \\ backslash."
    shown, mentions = render_markdown("".join(markdown_pieces(echo, 12_000)))
    assert mentions == []
    # Core's **bold** stays markdown; everything else reads as the candidate typed it.
    assert shown == echo.replace("**bold**", "bold")
    assert re.search(r"&(amp|lt|gt);", shown) is None
