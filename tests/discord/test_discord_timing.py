"""Deadlines and flow: the 3-second rule, ordered turns, streaming edits, long text, 429s."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from core.models import Where, Who
from core.session import Speaker
from tests.fakes.discord_fake import FakeDiscord
from tests.support.brains import ANSWERS, ScriptedBrain
from tests.support.discord import Chat, make_service

MESSAGE_LIMIT = 2000
ANSWER = (
    "I ran discovery with the CFO and a champion in operations, built a mutual action plan, "
    "and closed a 400k deal in 90 days, 20% above target."
)
FILLER = (
    "Here is a longer thought about structure, so that this reply runs well past one "
    "Discord message. Keep each story to situation, task, action and result, and say what "
    "you did yourself rather than what the team did. "
)


def padded(length: int):
    """Pads every message to well over 2,000 characters (``length`` of filler)."""
    def pad(message: str) -> str:
        padding = (FILLER * (length // len(FILLER) + 1))[:length]
        return message + "\n\n" + padding[: padding.rfind(". ") + 1]
    return pad


def candidate_texts(session) -> list[str]:
    return [entry.text for entry in session.transcript if entry.speaker is Speaker.candidate]


def last_interviewer_text(session) -> str:
    return [entry.text for entry in session.transcript if entry.speaker is Speaker.interviewer][-1]


def session_of(service, user, channel_id):
    who = Who(platform="discord", user_id=str(user.id), display_name=user.global_name)
    return service.session_for(who, Where(platform="discord", conversation_id=str(channel_id)))


async def test_slow_brain_still_acknowledges_within_three_seconds(fake: FakeDiscord, start_bot) -> None:
    service = make_service(ScriptedBrain(delay=10))
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        ivy = fake.user("ivy")
        dm = fake.dm_channel(ivy)
        interaction = await fake.slash(ivy, dm, "start", {"role": "sales"})
        callback = await fake.until(lambda: fake.callback_for(interaction), timeout=5)
        assert callback.at - interaction["sent_at"] < 3.0
        assert callback.body["type"] == 5  # deferred: Discord shows "thinking..."
        [greeting] = await chat.finished(interaction, timeout=30)
        assert "Question 1 of 5" in greeting["content"]


async def test_second_message_waits_for_the_first(fake: FakeDiscord, start_bot) -> None:
    service = make_service(ScriptedBrain(delay=0.4))
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        jo = fake.user("jo")
        dm = fake.dm_channel(jo)
        await chat.say(jo, dm, "start sales")
        first, second = "First: " + ANSWER, "Second: I also multi-threaded the deal with procurement."
        await fake.say(jo, dm, first)
        await fake.say(jo, dm, second)  # while the first is still being answered
        session = await fake.until(
            lambda: (s := service.store.peek(f"discord:{jo.id}:{dm}"))
            and len(candidate_texts(s)) == 2 and chat.idle() and s,
            timeout=15,
        )
        assert candidate_texts(session) == [first, second]
        replies = fake.channel_messages(dm)[1:]
        assert len(replies) == 2  # one reply per answer, none lost
        interviewer = [e.text for e in session.transcript if e.speaker is Speaker.interviewer]
        assert [m["content"] for m in replies] == interviewer[1:]


async def test_a_reply_over_2000_characters_is_split_at_boundaries(fake: FakeDiscord, start_bot) -> None:
    service = make_service(ScriptedBrain(message=padded(4500)))
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        kim = fake.user("kim")
        dm = fake.dm_channel(kim)
        messages = await chat.say(kim, dm, "start sales")
        text = last_interviewer_text(await session_of(service, kim, dm))
        assert len(text) > 4000 and len(messages) == 3
        assert all(len(m["content"]) <= MESSAGE_LIMIT for m in messages)
        assert " ".join(m["content"] for m in messages).split() == text.split()  # no word cut
        assert all(m["content"].rstrip().endswith((".", ":", "?", "!")) for m in messages)
        assert [bool(m["components"]) for m in messages] == [False, False, True]  # buttons last


async def test_streaming_previews_at_most_once_a_second(fake: FakeDiscord, start_bot) -> None:
    service = make_service(ScriptedBrain(message=padded(2600), pieces=12, pause=0.3))
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        lee = fake.user("lee")
        dm = fake.dm_channel(lee)
        await chat.say(lee, dm, "start sales")
        before = len(fake.requests)
        messages = await chat.say(lee, dm, ANSWER, timeout=20)
        text = last_interviewer_text(await session_of(service, lee, dm))

        writes = [r for r in fake.requests[before:] if r.path.startswith(f"/channels/{dm}/messages")]
        assert any(r.method == "PATCH" for r in writes)  # the reply appeared while being written
        assert all(len(r.body.get("content") or "") <= MESSAGE_LIMIT for r in writes)
        assert len(messages) >= 2  # a new message before 2,000 characters
        times: dict[str, list[float]] = defaultdict(list)
        for record in writes:
            message_id = record.path.rsplit("/", 1)[-1] if record.method == "PATCH" else None
            times[message_id or f"new-{record.at}"].append(record.at)
        # Previews come at most once a second; the final reply (each message's last
        # write) goes out at once: it is never held back (core.preview).
        for stamps in times.values():
            previews = stamps[:-1]
            assert all(b - a >= 0.9 for a, b in zip(previews, previews[1:], strict=False))
        assert sum(len(stamps) for stamps in times.values()) > len(times)  # some were edited
        assert " ".join(m["content"] for m in messages).split() == text.split()


async def test_a_rate_limited_edit_is_retried(fake: FakeDiscord, start_bot) -> None:
    service = make_service(ScriptedBrain(message=padded(1200), pieces=6, pause=0.3))
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        max_ = fake.user("max")
        dm = fake.dm_channel(max_)
        await chat.say(max_, dm, "start sales")
        fake.rate_limit("PATCH", rf"/channels/{dm}/messages/\d+", times=1, retry_after=0.3)
        [message] = await chat.say(max_, dm, ANSWER, timeout=20)

        edits = fake.calls("PATCH", rf"/channels/{dm}/messages/{message['id']}")
        assert edits[0].status == 429
        assert edits[1].status == 200 and edits[1].body == edits[0].body  # the same edit, again
        assert edits[1].at - edits[0].at >= 0.3
        text = last_interviewer_text(await session_of(service, max_, dm))
        assert message["content"] == text


async def test_a_failed_turn_is_reported_and_the_interview_survives(fake: FakeDiscord, start_bot) -> None:
    brain = ScriptedBrain(when=ANSWERS)  # fails a turn on demand, as an overloaded model would
    service = make_service(brain)
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        ned = fake.user("ned")
        dm = fake.dm_channel(ned)
        await chat.say(ned, dm, "start sales")
        brain.fail_next()
        [apology] = await chat.say(ned, dm, ANSWER)
        assert "send your answer again" in apology["content"]
        assert candidate_texts(await session_of(service, ned, dm)) == []  # nothing half-saved
        [reply] = await chat.say(ned, dm, ANSWER)
        assert reply["components"]
        assert candidate_texts(await session_of(service, ned, dm)) == [ANSWER]


async def test_a_preview_is_withdrawn_when_the_model_fails_mid_reply(fake: FakeDiscord, start_bot) -> None:
    # Starts writing an answer's reply, then the model fails (once the test saw the preview).
    seen = asyncio.Event()
    brain = ScriptedBrain(chunks=["Thanks, that helps. Now tell me more about"], break_on=seen)
    service = make_service(brain)
    async with start_bot(service) as client:
        chat = Chat(fake, client)
        uma = fake.user("uma")
        dm = fake.dm_channel(uma)
        await chat.say(uma, dm, "start sales")
        await fake.say(uma, dm, ANSWER)
        preview = await fake.until(
            lambda: [m for m in fake.channel_messages(dm) if "tell me more" in m["content"]]
        )
        seen.set()
        await fake.until(
            lambda: chat.idle() and "send your answer again" in fake.channel_messages(dm)[-1]["content"]
        )
        assert int(preview[0]["id"]) not in fake.messages  # the half-written reply was removed
        assert candidate_texts(await session_of(service, uma, dm)) == []
