"""Replies that take a while are shown as they are written.

A test brain streams its words in pieces (subclassing the offline brain); the
fake records chat.startStream / appendStream / stopStream in threads and
chat.postMessage + chat.update in DMs, with their timings.
"""

from __future__ import annotations

import asyncio

from tests.fakes.slack_fake import message_event, slash_command
from tests.fakes.slack_rules import render_markdown
from tests.support.brains import ANSWERS, ScriptedBrain

CHANNEL, DM = "C0GENERAL", "D0DM1"
ALICE = "U0ALICE"
ANSWER = "I grew my territory revenue by 30% in a year by running weekly pipeline reviews."


def typing_brain(pieces: int = 6, pause: float = 0.35, **knobs) -> ScriptedBrain:
    """Writes each answer's reply in ``pieces`` parts, ``pause`` seconds apart."""
    return ScriptedBrain(pieces=pieces, pause=pause, **knobs)


async def start_thread(h) -> str:
    await h.sender.command(slash_command("start sales", user=ALICE, channel=CHANNEL,
                                         response_url=h.fake.response_url()))
    opening = (await h.fake.wait_for_posts(1, channel=CHANNEL))[0]
    await h.fake.wait_for_posts(1, channel=CHANNEL, thread_ts=opening.ts)
    return opening.ts


async def test_a_thread_reply_streams_with_chat_stream(make_harness):
    h = await make_harness(brain=typing_brain(), stream_grace=0.5, stream_interval=0.5)
    thread = await start_thread(h)
    await h.sender.event(message_event(ANSWER, user=ALICE, channel=CHANNEL,
                                       channel_type="channel", thread_ts=thread))
    stop = await h.fake.wait_for(lambda: h.fake.calls_to("chat.stopStream"), what="stopStream")
    start = h.fake.calls_to("chat.startStream")[0]
    assert start.args["thread_ts"] == thread
    assert (start.args["recipient_user_id"], start.args["recipient_team_id"]) == (ALICE, "T0TEAM")
    appends = h.fake.calls_to("chat.appendStream")
    assert appends, "the reply should grow while it is written"
    pushes = [start.at] + [a.at for a in appends]
    assert all(b - a >= 0.45 for a, b in zip(pushes, pushes[1:]))  # batched, not per piece
    streamed = "".join(c.streamed_text for c in [start, *appends, stop[0]])
    session = await h.service.session_for(*_who_where(f"T0TEAM:{CHANNEL}:{thread}"))
    assert streamed == session.transcript[-1].text  # exactly core's final words
    assert "interview_hint" in stop[0].action_ids  # buttons under the finished message
    assert len(h.fake.posts(CHANNEL, thread)) == 1  # nothing posted besides the stream


async def test_a_dm_reply_is_edited_no_faster_than_once_a_second(make_harness):
    h = await make_harness(brain=typing_brain(pieces=8, pause=0.3), stream_grace=0.2)
    await h.sender.event(message_event("start sales", user=ALICE, channel=DM, channel_type="im"))
    await h.fake.wait_for_posts(1, channel=DM)
    await h.sender.event(message_event(ANSWER, user=ALICE, channel=DM, channel_type="im"))
    final = await h.fake.wait_for(
        lambda: next((c for c in h.fake.calls_to("chat.update") if c.action_ids), None),
        what="the final edit")
    preview = h.fake.posts(DM)[1]
    edits = [c for c in h.fake.calls_to("chat.update") if c.args["ts"] == preview.ts]
    assert final is edits[-1] and len(edits) >= 2
    times = [preview.at] + [e.at for e in edits[:-1]]  # the final edit is not throttled
    assert all(b - a >= 0.95 for a, b in zip(times, times[1:])), times
    assert h.fake.calls_to("chat.startStream") == []  # no streaming API outside threads
    assert not final.text.endswith("…")


async def test_a_workspace_without_streaming_falls_back_to_edits(make_harness):
    h = await make_harness(brain=typing_brain(), stream_grace=0.5, stream_interval=0.5)
    h.fake.fail("chat.startStream", status=200, error="not_allowed_token_type")
    thread = await start_thread(h)
    await h.sender.event(message_event(ANSWER, user=ALICE, channel=CHANNEL,
                                       channel_type="channel", thread_ts=thread))
    final = await h.fake.wait_for(
        lambda: next((c for c in h.fake.calls_to("chat.update") if c.action_ids), None),
        what="the final edit")
    assert len(h.fake.rejected) == 1
    replies = h.fake.posts(CHANNEL, thread)
    assert len(replies) == 2 and final.args["ts"] == replies[1].ts
    assert not h.bot.interviews.streaming.works("T0TEAM")  # a refusal code: not tried again


async def test_a_fast_reply_is_a_single_post(harness):
    await harness.sender.event(message_event("start sales", user=ALICE, channel=DM,
                                             channel_type="im"))
    await harness.fake.wait_for_posts(1, channel=DM)
    await harness.sender.event(message_event(ANSWER, user=ALICE, channel=DM, channel_type="im"))
    await harness.fake.wait_for_posts(2, channel=DM)
    await harness.fake.settle()
    assert harness.fake.calls_to("chat.update", "chat.startStream") == []


def _who_where(conversation: str):
    from core.models import Where, Who
    return (Who(platform="slack", user_id=ALICE),
            Where(platform="slack", conversation_id=conversation))


async def test_a_turn_that_fails_midway_removes_its_preview_and_explains(make_harness):
    # Starts writing an answer's reply, then the model fails (once the test saw the preview).
    seen = asyncio.Event()
    brain = ScriptedBrain(chunks=["Interesting, so you"], break_on=seen)
    h = await make_harness(brain=brain, stream_grace=0.2)
    await h.sender.event(message_event("start sales", user=ALICE, channel=DM, channel_type="im"))
    await h.fake.wait_for_posts(1, channel=DM)
    await h.sender.event(message_event(ANSWER, user=ALICE, channel=DM, channel_type="im"))
    preview = (await h.fake.wait_for_posts(2, channel=DM))[1]
    seen.set()
    apology = (await h.fake.wait_for_posts(3, channel=DM))[2]
    # The preview shows the words so far, or "Thinking…" if they came after the grace.
    assert preview.text.startswith(("Interesting, so you", "_Thinking"))
    assert [c.args["ts"] for c in h.fake.calls_to("chat.delete")] == [preview.ts]
    assert h.fake.shown(DM, preview.ts) is None
    assert "couldn't answer just now" in apology.text


# Replies to answers with 30,000 characters (more than one streaming call may carry).
LONG_WINDED = "Tell me more about that. " * 1200


async def test_a_long_streamed_reply_is_sent_in_pieces_slack_accepts(make_harness):
    h = await make_harness(brain=typing_brain(2, 0.3, when=ANSWERS, message=LONG_WINDED), stream_grace=0.5,
                           stream_interval=0.1)
    thread = await start_thread(h)
    await h.sender.event(message_event(ANSWER, user=ALICE, channel=CHANNEL,
                                       channel_type="channel", thread_ts=thread))
    await h.fake.wait_for(lambda: h.fake.calls_to("chat.stopStream"), what="stopStream")
    await h.bot.background.drain()
    calls = h.fake.calls_to("chat.startStream", "chat.appendStream", "chat.stopStream")
    assert all(len(call.streamed_text) <= 12_000 for call in calls)
    assert max(len(call.streamed_text) for call in calls) == 12_000  # a 15,000 piece was split
    streamed = "".join(call.streamed_text for call in calls)
    assert ("Tell me more about that. " * 1200).startswith(streamed)
    # Too long for one message: the stream is replaced by the reply, in as many as it needs.
    stream_ts = calls[0].ts
    shown = [h.fake.shown_text(CHANNEL, stream_ts)] + [
        p.text for p in h.fake.posts(CHANNEL, thread) if p.ts > stream_ts]
    assert "".join(shown).count("Tell me more about that.") == 1200


# Quotes the candidate back, the way a model might: Slack's special characters included.
ECHO = "You wrote <!channel> & <@U0BOB> > everyone else. Tell me more."


async def test_streamed_words_show_the_candidates_characters_and_ping_nobody(make_harness):
    h = await make_harness(brain=typing_brain(3, 0.3, when=ANSWERS, message=ECHO), stream_grace=0.3,
                           stream_interval=0.1)
    thread = await start_thread(h)
    await h.sender.event(message_event("<!channel> & <@U0BOB> > everyone else", user=ALICE,
                                       channel=CHANNEL, channel_type="channel", thread_ts=thread))
    await h.fake.wait_for(lambda: h.fake.calls_to("chat.stopStream"), what="stopStream")
    calls = h.fake.calls_to("chat.startStream", "chat.appendStream", "chat.stopStream")
    shown, mentions = render_markdown("".join(call.streamed_text for call in calls))
    assert shown == ECHO  # as the candidate typed it: no "&amp;" on screen
    assert mentions == []  # and no live mention anywhere


def test_markdown_pieces_never_split_an_escape_or_pass_the_limit():
    from adapters.slack.streaming import markdown_pieces

    text = "a&<b>\\" * 50
    pieces = markdown_pieces(text, 7)
    assert all(0 < len(piece) <= 7 for piece in pieces)
    # Every piece is whole escapes: rendering piece by piece gives the text back.
    assert "".join(render_markdown(piece)[0] for piece in pieces) == text
