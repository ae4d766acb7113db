"""The user's records in Slack: history and chart, channel stats, sharing, forget, re-runs.

Real Bolt over signed HTTP requests; the Web API, file uploads and response_url are the fake's.
"""

from __future__ import annotations

import json

from adapters.slack.blocks import RERUN_HINT
from adapters.slack.practice_blocks import (
    CHART_FAILED,
    FORGET_CANCEL,
    FORGET_CONFIRM,
    NO_HISTORY,
    SCORES_ARE_PRIVATE,
)
from core.errors import BrainError
from core.history import Dimension
from core.models import Where, Who
from core.session import SessionState
from tests.fakes.slack_fake import (
    Call,
    button_press,
    message_event,
    response_button_press,
    slash_command,
)
from tests.support.brains import ScriptedBrain

TEAM, CHANNEL, DM = "T0TEAM", "C0GENERAL", "D0DM1"
ALICE, BOB = "U0ALICE", "U0BOB"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GOOD_ANSWER = ("In my last role I owned a territory of 40 accounts and grew revenue by 30% in a "
               "year by running weekly pipeline reviews with my team.")
TREND_LABELS = ("improving", "flat", "slipping", "not enough interviews yet")


def who(user: str) -> Who:
    return Who(platform="slack", user_id=user)


def where(conversation: str) -> Where:
    return Where(platform="slack", conversation_id=conversation)


def is_report(post: Call) -> bool:
    return bool(post.blocks) and post.blocks[0].get("type") == "header"


def blocks_text(message: dict) -> str:
    """Everything a person reads in a response_url message (sections, fields, context)."""
    parts = [message.get("text", "")]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [field["text"] for field in block.get("fields") or []]
        parts += [element.get("text", "") for element in block.get("elements") or []
                  if element.get("type") == "mrkdwn"]
    return "\n".join(parts)


async def command(h, text: str, user: str = ALICE, channel: str = CHANNEL) -> dict:
    """Run ``/interview <text>`` and return the first private answer it sends."""
    before = len(h.fake.response_url_posts)
    delivery = await h.sender.command(slash_command(text, user=user, channel=channel,
                                                    response_url=h.fake.response_url()))
    assert delivery.status == 200, delivery.body
    await h.fake.wait_for(lambda: len(h.fake.response_url_posts) > before,
                          what=f"an answer to /interview {text}")
    return h.fake.response_url_posts[before]


async def say(h, text: str, *, user: str = ALICE, channel: str = DM,
              thread_ts: str | None = None) -> None:
    channel_type = "im" if channel.startswith("D") else "channel"
    delivery = await h.sender.event(message_event(text, user=user, channel=channel,
                                                  channel_type=channel_type, thread_ts=thread_ts))
    assert delivery.status == 200, delivery.body


async def finish_dm_interview(h, role: str) -> None:
    """Alice starts a one-question interview in her DM, answers and gets her report."""
    reports = len([post for post in h.fake.posts(DM) if is_report(post)])
    count = len(h.fake.posts(DM))
    await say(h, f"start role:{role} questions:1")
    await h.fake.wait_for_posts(count + 1, channel=DM)
    await say(h, GOOD_ANSWER)
    await h.fake.wait_for_posts(count + 2, channel=DM)
    await h.fake.settle()
    session = await h.service.session_for(who(ALICE), where(f"{TEAM}:{DM}"))
    if session.state is SessionState.active:  # the interviewer followed up: finish now
        await say(h, "end")
    await h.fake.wait_for(lambda: len([p for p in h.fake.posts(DM) if is_report(p)]) > reports,
                          what="the report")


async def finish_channel_interview(h, user: str, role: str = "sales") -> str:
    """``user`` practises in the channel's thread until the report; returns the thread."""
    before = len(h.fake.posts(CHANNEL))
    await h.sender.command(slash_command(f"start role:{role} questions:1", user=user,
                                         channel=CHANNEL, response_url=h.fake.response_url()))
    opening = await h.fake.wait_for(
        lambda: next((p for p in h.fake.posts(CHANNEL)[before:] if "thread_ts" not in p.args
                      and f"<@{user}>" in p.text), None), what="the opening message")
    thread = opening.ts
    await h.fake.wait_for_posts(1, channel=CHANNEL, thread_ts=thread)
    await say(h, GOOD_ANSWER, user=user, channel=CHANNEL, thread_ts=thread)
    await h.fake.wait_for_posts(2, channel=CHANNEL, thread_ts=thread)
    await h.fake.settle()
    session = await h.service.session_for(who(user), where(f"{TEAM}:{CHANNEL}:{thread}"))
    if session.state is SessionState.active:
        await h.sender.command(slash_command("end", user=user, channel=CHANNEL,
                                             response_url=h.fake.response_url()))
    await h.fake.wait_for(lambda: any(is_report(p) for p in h.fake.posts(CHANNEL, thread)),
                          what="the report in the thread")
    return thread


# ---------------------------------------------------------------------- history


async def test_history_lists_both_interviews_and_uploads_a_png_chart_to_the_dm(harness):
    fake = harness.fake
    fake.dm_channels[ALICE] = DM
    await finish_dm_interview(harness, "sales")
    await finish_dm_interview(harness, "software_engineer")
    progress = await harness.service.progress(who(ALICE))
    assert len(progress.entries) == 2

    answer = await command(harness, "history")  # typed in a channel: answered privately
    text = blocks_text(answer)
    assert answer["blocks"][0]["text"]["text"] == "Your last 2 interview(s)"
    assert "Sales" in text and "Software Engineer" in text
    for entry in progress.entries:
        scores = " · ".join(f"{dim.value.title()} {entry.score(dim)}/5" for dim in Dimension)
        assert f"*{entry.day}*" in text and scores in text
    trend_fields = next(block["fields"] for block in answer["blocks"] if block.get("fields"))
    for field, dim in zip(trend_fields, Dimension, strict=True):
        assert dim.value.title() in field["text"]
        assert progress.trends[dim].label in field["text"]
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert fake.posts(CHANNEL) == []  # nothing public in the channel

    upload = (await fake.wait_for(fake.shared_files, what="the chart upload"))[0]
    assert upload.data.startswith(PNG_SIGNATURE) and len(upload.data) == upload.length
    assert upload.filename.endswith(".png") and upload.channel == DM
    assert fake.calls_to("conversations.open")[0].args["users"] == ALICE


async def test_the_text_history_goes_out_even_when_the_chart_upload_fails(harness):
    fake = harness.fake
    await finish_dm_interview(harness, "sales")
    fake.fail("upload", status=500, error="upload host down")

    answer = await command(harness, "history")
    assert "Sales" in blocks_text(answer)
    await fake.wait_for(lambda: len(fake.response_url_posts) >= 2, what="the chart note")
    assert fake.response_url_posts[1]["text"] == CHART_FAILED
    assert fake.shared_files() == []
    # A workspace without files:write: Slack refuses the first step, the history still arrives.
    fake.fail("files.getUploadURLExternal", status=200, error="missing_scope")
    answer = await command(harness, "history", channel=DM)
    assert "Sales" in blocks_text(answer)
    await fake.wait_for(lambda: len(fake.response_url_posts) >= 4, what="the second chart note")
    assert fake.response_url_posts[3]["text"] == CHART_FAILED


async def test_history_before_any_interview_says_how_to_start(harness):
    answer = await command(harness, "history")
    assert answer["text"] == NO_HISTORY or NO_HISTORY in blocks_text(answer)
    await harness.fake.settle()
    assert harness.fake.calls_to("files.getUploadURLExternal") == []


# ---------------------------------------------------------------------- channel stats


def member_line(text: str, user: str) -> str:
    return next(line for line in text.splitlines() if f"<@{user}>" in line)


async def test_channel_stats_show_activity_and_only_opted_in_scores(harness):
    await finish_channel_interview(harness, ALICE, "sales")
    await finish_channel_interview(harness, BOB, "software_engineer")
    await finish_dm_interview(harness, "marketing")  # Alice's DM practice is not the channel's

    stats = blocks_text(await command(harness, "stats", user=BOB))
    assert "*2* practice interview(s) by *2* member(s)" in stats
    assert "Sales (1)" in stats and "Software Engineer (1)" in stats and "Marketing" not in stats
    assert "1 interview(s) (Sales)" in member_line(stats, ALICE)
    assert "1 interview(s) (Software Engineer)" in member_line(stats, BOB)
    assert "average" not in stats and SCORES_ARE_PRIVATE in stats

    shared = await command(harness, "share on", user=ALICE)
    assert "will now show" in shared["text"]
    stats = blocks_text(await command(harness, "stats", user=BOB))
    alice = (await harness.service.progress(who(ALICE))).entries
    channel_entry = next(entry for entry in alice if entry.role == "sales")
    expected = ", ".join(f"{dim.value} {channel_entry.score(dim):.1f}" for dim in Dimension)
    assert f"average {expected}" in member_line(stats, ALICE)
    assert "average" not in member_line(stats, BOB)

    await command(harness, "share off", user=ALICE)
    assert "average" not in blocks_text(await command(harness, "stats", user=BOB))


async def test_stats_count_only_this_channel(harness):
    await finish_channel_interview(harness, ALICE)
    # "C0GENERA" is a prefix of "C0GENERAL": its stats must not count the other channel.
    for other in ("C0GENERA", "C0OTHER"):
        answer = await command(harness, "stats", channel=other)
        assert "No finished practice interviews in this channel" in blocks_text(answer)
    in_dm = await command(harness, "stats", channel=DM)
    assert "run it in a channel" in blocks_text(in_dm)


async def test_share_needs_on_or_off(harness):
    delivery = await harness.sender.command(slash_command(
        "share maybe", user=ALICE, channel=CHANNEL, response_url=harness.fake.response_url()))
    body = delivery.body
    assert "share on" in body and "share off" in body
    assert await harness.service.history.sharing("slack") == set()


# ---------------------------------------------------------------------- forget


def forget_buttons(prompt: dict) -> dict[str, dict]:
    return {element["action_id"]: element for block in prompt["blocks"]
            if block["type"] == "actions" for element in block["elements"]}


async def press(h, prompt: dict, action_id: str, user: str) -> dict:
    """Press a button on the private prompt; returns what came back through response_url."""
    before = len(h.fake.response_url_posts)
    payload = response_button_press(prompt, action_id, user=user, channel=CHANNEL,
                                    response_url=h.fake.response_url())
    delivery = await h.sender.interactive(payload)
    assert delivery.status == 200
    await h.fake.wait_for(lambda: len(h.fake.response_url_posts) > before, what="the answer")
    return h.fake.response_url_posts[before]


async def test_forget_deletes_everything_after_confirmation_and_only_for_its_owner(harness):
    await finish_dm_interview(harness, "sales")
    thread = await finish_channel_interview(harness, ALICE)
    await say(harness, "start sales")  # and one interview still running in the DM
    await harness.fake.wait_for(lambda: "Question 1 of 5" in harness.fake.posts(DM)[-1].text,
                                what="the greeting")

    prompt = await command(harness, "forget")
    buttons = forget_buttons(prompt)
    assert set(buttons) == {FORGET_CONFIRM, FORGET_CANCEL}
    assert buttons[FORGET_CONFIRM]["style"] == "danger"
    assert buttons[FORGET_CONFIRM]["confirm"]["confirm"]["text"] == "Delete everything"

    refused = await press(harness, prompt, FORGET_CONFIRM, user=BOB)
    assert f"<@{ALICE}>" in refused["text"] and refused["replace_original"] is False
    assert len((await harness.service.progress(who(ALICE))).entries) == 2  # nothing deleted

    finished_note = ("slack.finished_thread", f"{TEAM}:{CHANNEL}")
    assert await harness.service.store.get_note(who(ALICE), *finished_note) == thread
    done = await press(harness, prompt, FORGET_CONFIRM, user=ALICE)
    assert done["replace_original"] is True
    # Two reports kept; two sessions: the running DM interview and the finished channel one.
    assert "deleted 2 finished interview(s) and 2 stored interview session(s)" in done["text"]
    assert (await harness.service.progress(who(ALICE))).entries == []
    assert await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}")) is None
    assert await harness.service.session_for(
        who(ALICE), where(f"{TEAM}:{CHANNEL}:{thread}")) is None
    # What the adapter remembered of her (the finished thread) went with the rest.
    assert await harness.service.store.get_note(who(ALICE), *finished_note) is None


async def test_forget_cancelled_keeps_everything(harness):
    await finish_dm_interview(harness, "sales")
    prompt = await command(harness, "forget", channel=DM)
    kept = await press(harness, prompt, FORGET_CANCEL, user=ALICE)
    assert "Nothing was deleted" in kept["text"] and kept["replace_original"] is True
    assert len((await harness.service.progress(who(ALICE))).entries) == 1
    assert await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}")) is not None


async def test_history_and_forget_typed_in_the_dm_answer_there(harness):
    fake = harness.fake
    fake.dm_channels[ALICE] = DM
    await finish_dm_interview(harness, "sales")
    count = len(fake.posts(DM))
    await say(harness, "history")
    history = (await fake.wait_for_posts(count + 1, channel=DM))[count]
    assert history.blocks[0]["text"]["text"] == "Your last 1 interview(s)"
    assert "Sales" in history.text
    await fake.wait_for(fake.shared_files, what="the chart upload")

    await say(harness, "forget")
    prompt = (await fake.wait_for_posts(count + 2, channel=DM))[count + 1]
    assert set(prompt.action_ids) == {FORGET_CONFIRM, FORGET_CANCEL}
    await harness.sender.interactive(button_press(prompt, FORGET_CONFIRM, user=ALICE,
                                                  response_url=fake.response_url()))
    done = (await fake.wait_for(lambda: fake.response_url_posts, what="the answer"))[0]
    assert "deleted 1 finished interview(s)" in done["text"] and done["replace_original"]
    assert (await harness.service.progress(who(ALICE))).entries == []


# ---------------------------------------------------------------------- report re-runs


# The fallback report says so; the offline reviewer's own notes may name it too.
FALLBACK_NOTICE = "could not write this report"


async def test_end_after_a_fallback_report_rewrites_it_in_the_channel_thread(make_harness):
    brain = ScriptedBrain(report_errors=[BrainError()])  # the AI cannot write the first report
    h = await make_harness(brain=brain)
    thread = await finish_channel_interview(h, ALICE)
    first = next(p for p in h.fake.posts(CHANNEL, thread) if is_report(p))
    assert FALLBACK_NOTICE in first.text and RERUN_HINT in first.text

    await h.sender.command(slash_command("end", user=ALICE, channel=CHANNEL,
                                         response_url=h.fake.response_url()))
    rerun = await h.fake.wait_for(
        lambda: [p for p in h.fake.posts(CHANNEL, thread) if is_report(p)][1:], what="a re-run")
    assert FALLBACK_NOTICE not in rerun[0].text and RERUN_HINT not in rerun[0].text
    assert brain.calls["write_report"] == 2
    session = await h.service.session_for(who(ALICE), where(f"{TEAM}:{CHANNEL}:{thread}"))
    kept = await h.service.history.get_entry("slack", ALICE, session.id)
    assert kept.report.notice is None  # the history now holds the re-run report
    assert h.fake.response_url_posts == []  # no "no interview running" complaint


async def test_end_after_a_fallback_report_rewrites_it_in_the_dm(make_harness):
    brain = ScriptedBrain(report_errors=[BrainError()])  # the AI cannot write the first report
    h = await make_harness(brain=brain)
    await finish_dm_interview(h, "sales")
    count = len(h.fake.posts(DM))
    await say(h, "end")
    await h.fake.wait_for(lambda: any(is_report(p) for p in h.fake.posts(DM)[count:]),
                          what="the re-run report")
    rerun = next(p for p in h.fake.posts(DM)[count:] if is_report(p))
    assert FALLBACK_NOTICE not in rerun.text and brain.calls["write_report"] == 2


async def test_a_one_word_answer_named_like_a_record_verb_is_an_answer(harness):
    await say(harness, "start sales")
    await harness.fake.wait_for_posts(1, channel=DM)
    await say(harness, "history")
    await harness.fake.wait_for_posts(2, channel=DM)
    session = await harness.service.session_for(who(ALICE), where(f"{TEAM}:{DM}"))
    assert [e.text for e in session.transcript if e.speaker == "candidate"] == ["history"]
    assert harness.fake.response_url_posts == [] and not harness.fake.shared_files()


def test_forget_prompt_is_valid_block_kit_json():
    from adapters.slack.practice_blocks import forget_prompt

    prompt = forget_prompt(ALICE, f"{TEAM}:{CHANNEL}")
    confirm = prompt.blocks[1]["elements"][0]["confirm"]
    assert len(confirm["title"]["text"]) <= 100 and len(confirm["text"]["text"]) <= 300
    assert json.loads(prompt.blocks[1]["elements"][0]["value"]) == {"u": ALICE,
                                                                    "c": f"{TEAM}:{CHANNEL}"}
