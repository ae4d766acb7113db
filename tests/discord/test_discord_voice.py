"""Spoken answers on Discord: voice messages and audio files, real audio, the real discord.py.

Offline, the real recogniser transcribes; with a key, the real google-genai SDK talks to
the Gemini fake. Bad audio gets a friendly line and the interview stays as it was.
"""

from __future__ import annotations

from core.brain.gemini import GeminiBrain
from core.service import InterviewService
from core.store import InMemoryStore
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.gemini_fake import FakeGemini
from tests.support.discord import Chat, stored_session
from tests.speech import (
    CORRUPT,
    SHORT_ANSWER,
    encode,
    heard_key_words,
    needs_espeak,
    samples,
    silence,
    speak,
)

pytestmark = needs_espeak
SLOW = 120.0  # seconds: the offline recogniser on a busy machine


def seconds_of(wav: bytes) -> float:
    pcm, rate = samples(wav)
    return len(pcm) / rate


async def send_voice(fake: FakeDiscord, chat: Chat, user, channel_id: int, audio: bytes,
                     seconds: float) -> list[dict]:
    before = {m["id"] for m in fake.channel_messages(channel_id)}
    await fake.voice_message(user, channel_id, audio, seconds)

    def new_messages() -> list[dict]:
        found = [m for m in fake.channel_messages(channel_id) if m["id"] not in before]
        return found if found and chat.idle() else []

    return await fake.until(new_messages, SLOW)


async def test_a_voice_message_is_heard_shown_and_answered_then_reported(fake: FakeDiscord,
                                                                          chat, bot) -> None:
    dana = fake.user("dana")
    dm = fake.dm_channel(dana)
    await chat.say(dana, dm, "start sales")
    wav = speak(SHORT_ANSWER)
    replies = await send_voice(fake, chat, dana, dm, encode(wav), seconds_of(wav))
    heard, *answer = replies
    assert heard["content"].startswith("🎙️ **I heard:**")
    assert len(heard_key_words(heard["content"])) >= 3, heard["content"]
    assert "words/min" in heard["content"] and heard["allowed_mentions"]["parse"] == []
    assert answer and answer[0]["content"]  # the interviewer's reply comes after what was heard
    session = await stored_session(fake, bot.service, dana, dm)
    assert session.answered_count() + session.here.follow_ups >= 1
    assert len(session.delivery) == 1 and session.delivery[0].engine == "pocketsphinx"

    report = [m for m in await chat.say(dana, dm, "end", timeout=30) if m["embeds"]]
    embeds = [embed for message in report for embed in message["embeds"]]
    titles = [embed["title"] for embed in embeds]
    assert "feedback" in titles[0].lower()
    delivery = [e for e in embeds if e["title"].startswith("Delivery")]
    assert len(delivery) == 1 and titles.index(delivery[0]["title"]) > 0  # after the scores
    assert "1 spoken answer(s)" in delivery[0]["description"]
    assert "Not part of the scores" in delivery[0]["footer"]["text"]


async def test_an_audio_file_in_an_interview_thread_is_an_answer(fake: FakeDiscord, chat,
                                                                 bot) -> None:
    from tests.support.discord import start_in_channel

    eve = fake.user("eve")
    _, thread = await start_in_channel(fake, chat, eve)
    thread_id = int(thread["id"])
    before = {m["id"] for m in fake.channel_messages(thread_id)}
    await fake.say(eve, thread_id, "", attachment=("answer.wav", speak(SHORT_ANSWER), "audio/wav"))
    replies = await fake.until(lambda: [m for m in fake.channel_messages(thread_id)
                                        if m["id"] not in before] if chat.idle() else [], SLOW)
    assert replies[0]["content"].startswith("🎙️ **I heard:**") and len(replies) >= 2
    session = await stored_session(fake, bot.service, eve, thread_id)
    assert len(session.delivery) == 1


async def test_bad_recordings_get_a_clear_line_and_change_nothing(fake: FakeDiscord, chat,
                                                                  bot) -> None:
    finn = fake.user("finn")
    dm = fake.dm_channel(finn)
    await chat.say(finn, dm, "start sales")
    before = (await stored_session(fake, bot.service, finn, dm)).model_dump(exclude={"updated_at"})
    cases = [
        (CORRUPT, 3.0, "damaged"),
        (silence(), 3.0, "silent"),
        (encode(silence(1.0)), 400.0, "longer than 5 minutes"),  # refused from Discord's own length
    ]
    for audio, seconds, expected in cases:
        [reply] = await send_voice(fake, chat, finn, dm, audio, seconds)
        assert expected in reply["content"], reply["content"]
        after = await stored_session(fake, bot.service, finn, dm)
        assert after.model_dump(exclude={"updated_at"}) == before
    count = len(fake.channel_messages(dm))
    await fake.say(finn, dm, "", attachment=("notes.txt", b"some notes\n" * 20, "text/plain"))
    [reply] = await fake.until(lambda: fake.channel_messages(dm)[count:] if chat.idle() else [])
    assert "voice messages" in reply["content"]
    replies = await chat.say(finn, dm, "I rebuilt our pipeline and doubled qualified leads in a quarter.")
    assert replies and replies[0]["content"]  # still answering as before


async def test_with_a_key_gemini_hears_the_voice_message(fake: FakeDiscord, start_bot) -> None:
    async with FakeGemini() as gemini:
        gemini.transcript = "Um, I led a team of five engineers and we tested the database weekly."
        brain = GeminiBrain(api_key="AIza-test-key", base_url=gemini.base_url, timeout_seconds=5)
        service = InterviewService(brain=brain, store=InMemoryStore())
        async with start_bot(service) as client:
            chat = Chat(fake, client)
            gail = fake.user("gail")
            dm = fake.dm_channel(gail)
            await chat.say(gail, dm, "start sales", timeout=30)
            wav = speak(SHORT_ANSWER)
            heard, *_ = await send_voice(fake, chat, gail, dm, encode(wav), seconds_of(wav))
        await brain.aclose()
    assert gemini.transcript.split(",")[1].strip() in heard["content"]
    assert "1 filler word(s)" in heard["content"]
    assert any(request.audio for request in gemini.requests)
