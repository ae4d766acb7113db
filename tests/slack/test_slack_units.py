"""Pure pieces of the Slack adapter: its wording of commands, Block Kit limits, event-id memory."""

from __future__ import annotations

import pytest

from adapters.slack.blocks import (
    BLOCKS_PER_MESSAGE,
    HEADER_LIMIT,
    SECTION_LIMIT,
    mrkdwn,
    read_button_value,
    reply_messages,
    report_messages,
)
from adapters.slack.parsing import slash_message
from adapters.slack.places import SlackPlace, channel_prefix
from adapters.slack.practice_blocks import history_messages, stats_messages
from core.commands import CommandError, parse
from core.history import HistorySummary, Progress, channel_stats_of
from core.models import Action, Reply, ReplyKind
from core.report import (
    EvidencedPoint,
    FeedbackReport,
    Ownership,
    QuestionReview,
    Score,
    Scores,
    Specificity,
    StarElements,
)

# ---------------------------------------------------------------------- wording


@pytest.mark.parametrize("text,fragment", [("start", "/interview start role:sales"),
                                           ("share maybe", "/interview share on"),
                                           ("start sales q:40", "between 1 and 15")])
def test_a_refused_slash_command_is_worded_in_slash_syntax(text, fragment):
    with pytest.raises(CommandError) as caught:
        parse(text)
    assert fragment in slash_message(caught.value)


# ---------------------------------------------------------------------- places


def test_places_round_trip_through_conversation_ids():
    thread = SlackPlace("T1", "C1", "1700000000.000100")
    dm = SlackPlace("T1", "D1")
    assert thread.where.conversation_id == "T1:C1:1700000000.000100"
    assert SlackPlace.from_conversation_id(thread.conversation_id) == thread
    assert SlackPlace.from_conversation_id(dm.conversation_id) == dm and not dm.is_thread


def test_a_channel_prefix_covers_its_threads_only():
    prefix = channel_prefix("T1", "C1")
    assert SlackPlace("T1", "C1", "1.0").conversation_id.startswith(prefix)
    assert not SlackPlace("T1", "C12", "1.0").conversation_id.startswith(prefix)
    assert not SlackPlace("T1", "C1").conversation_id.startswith(prefix)  # not a DM's id


# ---------------------------------------------------------------------- Block Kit


def test_mrkdwn_escapes_and_converts_bold():
    assert mrkdwn("Use **start <role>** & go") == "Use *start &lt;role&gt;* &amp; go"


def test_a_long_reply_is_split_into_sections_and_messages_within_limits():
    paragraph = "This is a sentence that goes on for a while. " * 60  # ~2,700 characters
    reply = Reply(kind=ReplyKind.question, text="\n\n".join([paragraph] * 60),
                  question_index=2, question_total=5,
                  actions=[Action.hint, Action.skip, Action.end])
    messages = reply_messages(reply, "U1", SlackPlace("T1", "C1", "1.0"))
    assert len(messages) >= 2
    blocks = [block for message in messages for block in message.blocks]
    assert all(len(message.blocks) <= BLOCKS_PER_MESSAGE for message in messages)
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if b["type"] == "section")
    shown = "".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert shown.replace(" ", "").replace("\n", "") == reply.text.replace(" ", "").replace("\n", "")
    actions = [b for b in blocks if b["type"] == "actions"]
    assert len(actions) == 1 and messages[-1].blocks[-1] is actions[0]  # buttons at the end
    assert read_button_value(actions[0]["elements"][0]["value"]) == ("U1", "T1:C1:1.0")


def test_a_big_report_stays_within_block_kit_limits():
    long_text = "Specific, quantified and owned. " * 150
    review = QuestionReview(question="Tell me about a deal. " * 30, answer_excerpt=long_text,
                            star=StarElements(situation=True, action=True, result=True),
                            specificity=Specificity.high, ownership=Ownership.clear, score=3,
                            note=long_text, stronger_answer=long_text)
    score = Score(score=4, reason=long_text)
    report = FeedbackReport(
        role="sales", difficulty="senior" * 40, summary=long_text, answered=15,
        strengths=[EvidencedPoint(point=long_text, evidence=long_text)] * 8,
        weaknesses=[EvidencedPoint(point="Depth", evidence="I just did it")] * 8,
        scores=Scores(communication=score, technical=score, structure=score),
        questions=[review] * 15, adaptation=long_text, next_steps=[long_text] * 5,
        notice="Fallback report.")
    messages = report_messages(report, "Sales")
    blocks = [block for message in messages for block in message.blocks]
    assert len(messages) >= 2 and all(len(m.blocks) <= BLOCKS_PER_MESSAGE for m in messages)
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= HEADER_LIMIT
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        for field in block.get("fields", []):
            assert len(field["text"]) <= 2000
    assert len([b for b in blocks if "Q15." in b.get("text", {}).get("text", "")]) == 1
    assert all(len(message.text) <= 3000 for message in messages)


def summary(n: int, user: str = "U1", score: int | None = 3) -> HistorySummary:
    return HistorySummary(id=f"s{n}", platform="slack", user_id=user, conversation_id="T1:C1:1.0",
                          role="sales", difficulty="mid", finished_at=1_700_000_000 + n * 86_400,
                          communication=score, technical=score, structure=None)


def test_history_blocks_list_every_interview_within_limits():
    progress = Progress.of([summary(n, score=1 + n % 5) for n in range(200)])
    messages = history_messages(progress, role_name=lambda role: role.title())
    blocks = [block for message in messages for block in message.blocks]
    assert all(len(message.blocks) <= BLOCKS_PER_MESSAGE for message in messages)
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if "text" in b
               and b["type"] == "section")
    shown = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)
    assert shown.count("• *") == 200 and "Structure –" in shown  # unscored shows a dash


def test_stats_blocks_show_averages_only_for_members_who_share():
    entries = [summary(1, "U1", 4), summary(2, "U1", 2), summary(3, "U2", 5)]
    stats = channel_stats_of("slack", "T1:C1:", entries, sharing={"U2"})
    text = "\n".join(b["text"]["text"] for m in stats_messages(stats, str.title)
                     for b in m.blocks if b["type"] == "section")
    lines = {user: next(line for line in text.splitlines() if f"<@{user}>" in line)
             for user in ("U1", "U2")}
    assert "2 interview(s) (Sales)" in lines["U1"] and "average" not in lines["U1"]
    assert "average communication 5.0, technical 5.0" in lines["U2"]



def test_core_errors_are_worded_for_slack_by_code():
    from adapters.slack.wording import words
    from core.errors import BrainError, NoActiveInterviewError

    assert "`/interview start <role>`" in words(NoActiveInterviewError())
    assert words(BrainError()) == BrainError.user_message  # no Slack words: core's neutral ones
    over = NoActiveInterviewError("This interview is over.")
    assert words(over) == "This interview is over."
