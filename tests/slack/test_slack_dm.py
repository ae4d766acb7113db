"""A whole interview in a DM with the bot, over signed HTTP requests to the real Bolt app."""

from __future__ import annotations

from adapters.slack.blocks import mrkdwn
from core.models import Where, Who
from tests.fakes.slack_fake import BOT_TOKEN, Call, message_event

DM = "D0DM1"
ALICE = "U0ALICE"
FIRST_ANSWER = ("In my last role I owned a territory of 40 accounts and grew revenue by 30% in a "
                "year by running weekly pipeline reviews with my team.")
LATER_ANSWER = ("I handled the objection by asking questions, then I quantified the value: the "
                "customer signed a 50k deal and renewed the next year.")


async def say(h, text: str) -> None:
    delivery = await h.sender.event(message_event(text, user=ALICE, channel=DM, channel_type="im"))
    assert delivery.status == 200, delivery.body


def is_report(post: Call) -> bool:
    return bool(post.blocks) and post.blocks[0].get("type") == "header"


async def test_dm_interview_runs_to_a_block_kit_report(harness):
    fake = harness.fake
    await say(harness, "start role:sales questions:2")
    greeting = (await fake.wait_for_posts(1, channel=DM))[0]
    assert {"interview_hint", "interview_skip", "interview_end"} <= set(greeting.action_ids)
    assert greeting.token == BOT_TOKEN
    assert "thread_ts" not in greeting.args  # a DM is one flat conversation
    assert "Person U0ALICE" in greeting.text  # greeted by the name users.info gave

    await say(harness, FIRST_ANSWER)
    await fake.wait_for_posts(2, channel=DM)
    # Answer until the interview wraps up (the interviewer may follow up a few times).
    for _ in range(8):
        if any(is_report(post) for post in fake.posts(DM)):
            break
        count = len(fake.posts(DM))
        await say(harness, LATER_ANSWER)
        await fake.wait_for_posts(count + 1, channel=DM)
        await fake.settle()
    report = next(post for post in fake.posts(DM) if is_report(post))
    assert report.blocks[0]["text"]["text"].startswith("Interview feedback")
    assert len(report.blocks) <= 50
    assert "Communication" in report.text and "Next steps" in report.text
    alice = Who(platform="slack", user_id=ALICE)
    session = await harness.service.session_for(
        alice, Where(platform="slack", conversation_id=f"T0TEAM:{DM}"))
    assert session.report is not None and session.report.answered == 2
    # Every strength and weakness is shown with its evidence. (Which ones there are depends
    # on the questions drawn: a territory story earns no strength on "Why sales?".)
    points = [*session.report.strengths, *session.report.weaknesses]
    assert points and all(mrkdwn(point.point) in report.text for point in points)
    assert report.text.count("Evidence:") == len(points)
    assert ("Strengths" in report.text) == bool(session.report.strengths)
    closing = fake.posts(DM)[fake.posts(DM).index(report) - 1]
    assert closing.action_ids == []  # no buttons once the interview is over
