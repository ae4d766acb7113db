"""``/interview end`` after the interview finished: the stored report, or a re-run of a failed one."""

from __future__ import annotations

from adapters.discord.render import RERUN_HINT
from core.errors import BrainError
from tests.fakes.discord_fake import FakeDiscord
from tests.support.brains import ScriptedBrain
from tests.support.discord import Chat, make_service, start_in_channel, who_for

ANSWER = (
    "I qualify with MEDDICC: metrics, economic buyer, decision criteria and process, pain and a "
    "champion. Last quarter that cut my sales cycle from 70 to 50 days and lifted my win rate to 31%."
)
FALLBACK_NOTICE = "could not write this report"


def report_fails_once() -> ScriptedBrain:
    """An interviewer whose first report fails (say, the model was down), later ones succeed."""
    return ScriptedBrain(name="recovered-brain", report_errors=[BrainError()])


def report_embeds(messages: list[dict]) -> list[dict]:
    return [embed for message in messages for embed in message["embeds"]]


async def end(fake: FakeDiscord, chat: Chat, user, channel_id: int) -> list[dict]:
    return report_embeds(await chat.finished(await fake.slash(user, channel_id, "end")))


async def test_a_failed_report_is_re_run_by_ending_again(fake: FakeDiscord, start_bot) -> None:
    brain = report_fails_once()
    service = make_service(brain)
    ivy = fake.user("ivy")
    dm = fake.dm_channel(ivy)
    async with start_bot(service) as bot:
        chat = Chat(fake, bot)
        await chat.say(ivy, dm, "start sales")
        await chat.say(ivy, dm, ANSWER)

        first = await end(fake, chat, ivy, dm)
        assert FALLBACK_NOTICE in first[0]["description"]
        assert RERUN_HINT in first[0]["description"]  # the candidate learns how to retry
        assert first[-1]["footer"]["text"].endswith("report by offline")

        rerun = await end(fake, chat, ivy, dm)  # the interview is over; its report is re-written
        assert FALLBACK_NOTICE not in rerun[0]["description"] and RERUN_HINT not in rerun[0]["description"]
        assert rerun[-1]["footer"]["text"].endswith("report by recovered-brain")
        assert brain.calls["write_report"] == 2

        again = await end(fake, chat, ivy, dm)  # a good report is shown as stored, not re-run
        assert again == rerun and brain.calls["write_report"] == 2
    progress = await service.progress(who_for(ivy))
    assert len(progress.entries) == 1  # the re-run replaced the kept interview, no duplicate


async def test_ending_a_finished_thread_interview_shows_its_report(fake: FakeDiscord, chat, bot) -> None:
    jo = fake.user("jo")
    _, thread = await start_in_channel(fake, chat, jo)
    thread_id = int(thread["id"])
    await chat.say(jo, thread_id, ANSWER)
    finished = report_embeds(await chat.say(jo, thread_id, "end"))
    assert finished

    shown = await end(fake, chat, jo, thread_id)
    assert shown == finished
