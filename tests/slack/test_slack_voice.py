"""Spoken answers on Slack: audio clips and audio files, real audio, the real Bolt app.

Offline, the real recogniser transcribes; with a key, the real google-genai SDK talks to
the Gemini fake. Bad audio gets a friendly line and the interview stays as it was.
"""

from __future__ import annotations

from core.brain.gemini import GeminiBrain
from core.models import Where, Who
from tests.fakes.gemini_fake import FakeGemini
from tests.fakes.slack_fake import message_event
from tests.speech import CORRUPT, SHORT_ANSWER, encode, heard_key_words, needs_espeak, silence, speak

pytestmark = needs_espeak
DM, CHANNEL = "D0DM1", "C0GENERAL"
ALICE = "U0ALICE"
SLOW = 120.0  # seconds: the offline recogniser on a busy machine


def clip(fake, name: str, data: bytes, *, duration_ms: int | None = None) -> dict:
    """An audio clip as Slack shares one recorded in its composer."""
    file = fake.add_file(name, data, "audio/webm", "webm")
    file.update(subtype="slack_audio", media_display_type="audio",
                duration_ms=duration_ms if duration_ms is not None else 5000)
    return file


async def send(h, text: str, *, files=None, channel: str = DM, channel_type: str = "im",
               thread_ts: str | None = None) -> None:
    response = await h.sender.event(message_event(text, user=ALICE, channel=channel,
                                                  channel_type=channel_type, files=files,
                                                  thread_ts=thread_ts))
    assert response.status == 200


def dm_session(h):
    return h.service.session_for(Who(platform="slack", user_id=ALICE),
                                 Where(platform="slack", conversation_id=f"T0TEAM:{DM}"))


async def test_an_audio_clip_in_a_dm_is_heard_shown_answered_and_reported(harness):
    await send(harness, "start sales")
    await harness.fake.wait_for_posts(1, channel=DM)
    await send(harness, "", files=[clip(harness.fake, "clip.webm",
                                        encode(speak(SHORT_ANSWER), "webm", "libopus"))])
    posts = await harness.fake.wait_for_posts(3, channel=DM, timeout=SLOW)
    heard = posts[1]
    assert heard.args["text"].startswith("I heard:") and "*I heard:*" in heard.text
    assert len(heard_key_words(heard.args["text"])) >= 3, heard.text
    assert "words/min" in str(heard.blocks)
    await harness.fake.settle()
    assert len((await dm_session(harness)).delivery) == 1

    count = len(harness.fake.posts(DM))
    await send(harness, "end")
    await harness.fake.wait_for_posts(count + 2, channel=DM, timeout=30)
    await harness.fake.settle()
    report = "\n".join(str(post.blocks) for post in harness.fake.posts(DM)[count:])
    assert "Delivery: how your spoken answers sounded" in report
    assert report.index("Interview feedback") < report.index("Delivery: how your spoken answers")
    assert "Not part of the scores" in report and "1 spoken answer(s)" in report


async def test_an_audio_file_in_an_interview_thread_is_an_answer(harness):
    from tests.support.slack import start_in_channel

    thread = await start_in_channel(harness, ALICE)
    await harness.fake.settle()
    before = len(harness.fake.posts(CHANNEL, thread))
    file = harness.fake.add_file("answer.m4a", encode(speak(SHORT_ANSWER), "mp4", "aac", 44_100),
                                 "audio/mp4", "m4a")
    await send(harness, "", files=[file], channel=CHANNEL, channel_type="channel", thread_ts=thread)
    posts = await harness.fake.wait_for_posts(before + 2, channel=CHANNEL, thread_ts=thread,
                                              timeout=SLOW)
    assert posts[before].args["text"].startswith("I heard:")


async def test_bad_recordings_get_a_clear_line_and_change_nothing(harness):
    await send(harness, "start sales")
    await harness.fake.wait_for_posts(1, channel=DM)
    await harness.fake.settle()
    before = (await dm_session(harness)).model_dump(exclude={"updated_at"})
    cases = [
        (clip(harness.fake, "broken.webm", CORRUPT), "damaged"),
        (clip(harness.fake, "quiet.webm", silence()), "silent"),
        (clip(harness.fake, "long.webm", b"x" * 100, duration_ms=400_000), "longer than 5 minutes"),
    ]
    for file, expected in cases:
        count = len(harness.fake.posts(DM))
        await send(harness, "", files=[file])
        [reply] = (await harness.fake.wait_for_posts(count + 1, channel=DM, timeout=SLOW))[count:]
        assert expected in reply.text, reply.text
        assert (await dm_session(harness)).model_dump(exclude={"updated_at"}) == before
    assert "long.webm" not in [name for name, _ in harness.fake.file_requests]  # never fetched
    count = len(harness.fake.posts(DM))
    await send(harness, "I rebuilt our pipeline and doubled qualified leads in one quarter.")
    await harness.fake.wait_for_posts(count + 1, channel=DM)


async def test_with_a_key_gemini_hears_the_clip(make_harness):
    async with FakeGemini() as gemini:
        gemini.transcript = "Um, I led a team of five engineers and we tested the database weekly."
        brain = GeminiBrain(api_key="AIza-test-key", base_url=gemini.base_url, timeout_seconds=5)
        h = await make_harness(brain=brain)
        await send(h, "start sales")
        await h.fake.wait_for_posts(1, channel=DM, timeout=30)
        await send(h, "", files=[clip(h.fake, "clip.webm", encode(speak(SHORT_ANSWER), "webm",
                                                                   "libopus"))])
        posts = await h.fake.wait_for_posts(3, channel=DM, timeout=60)
        await h.fake.settle()
        await brain.aclose()
    assert posts[1].args["text"] == f"I heard: {gemini.transcript}"
    assert "1 filler word(s)" in str(posts[1].blocks)
    assert any(request.audio for request in gemini.requests)
