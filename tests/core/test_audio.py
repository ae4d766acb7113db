"""Spoken answers in core: decoding real audio, limits, the offline recogniser, delivery figures."""

from __future__ import annotations

import pytest

from core.audio import AudioError, decode, hear, offline_recogniser
from core.brain.offline import OfflineBrain
from core.delivery import count_fillers, measure, pace_of, summarise
from core.errors import BrainError, NoActiveInterviewError
from core.models import Heard, Reply, ReplyKind
from core.service import InterviewService
from core.store import InMemoryStore
from tests.speech import (
    ANSWER,
    CORRUPT,
    NOT_AUDIO,
    SHORT_ANSWER,
    encode,
    heard_key_words,
    needs_espeak,
    samples,
    silence,
    speak,
    too_long,
    with_pause,
)
from tests.support.brains import ANSWERS, ScriptedBrain
from tests.support.interviews import options

pytestmark = needs_espeak
QUESTION = ["Tell me about a project you led and how it went."]


class WordsOf:
    """A transcriber that returns set words (the recogniser itself is tested apart)."""

    name = "fixed"

    def __init__(self, text: str) -> None:
        self.text = text

    async def transcribe(self, audio) -> str:
        return self.text


# --------------------------------------------------------------------------- decoding and limits


@pytest.mark.parametrize("container,codec,rate", [
    ("wav", None, None), ("ogg", "libopus", 48_000), ("mp3", "libmp3lame", 44_100),
    ("webm", "libopus", 48_000), ("mp4", "aac", 44_100),
])
def test_common_formats_decode_to_the_same_length(container, codec, rate):
    wav = speak(SHORT_ANSWER)
    data = wav if codec is None else encode(wav, container, codec, rate)
    audio = decode(data)
    pcm, source_rate = samples(wav)
    assert audio.seconds == pytest.approx(len(pcm) / source_rate, abs=0.15)
    assert audio.pcm.dtype.name == "int16" and abs(int(audio.pcm.max())) > 1000


@pytest.mark.parametrize("data,code", [
    (b"", "empty"), (CORRUPT, "unreadable"), (NOT_AUDIO, "not_audio"),
    (b"just some text typed into a file\n" * 40, "not_audio"),
])
def test_bad_files_get_a_clear_reason(data, code):
    with pytest.raises(AudioError) as caught:
        decode(data)
    assert caught.value.code == code
    assert "type" in caught.value.user_message and "answer" in caught.value.user_message


def test_length_and_size_limits():
    with pytest.raises(AudioError) as caught:
        decode(too_long())
    assert caught.value.code == "too_long" and "5 minutes" in caught.value.user_message
    with pytest.raises(AudioError) as caught:
        decode(speak(SHORT_ANSWER), max_bytes=1000)
    assert caught.value.code == "too_large"


async def test_silence_is_refused_before_transcription():
    transcriber = WordsOf("should not be used")
    with pytest.raises(AudioError) as caught:
        await hear(silence(), transcriber)
    assert caught.value.code == "silent"


async def test_no_words_heard_is_refused():
    with pytest.raises(AudioError) as caught:
        await hear(speak(SHORT_ANSWER), WordsOf("   "))
    assert caught.value.code == "no_words"


# --------------------------------------------------------------------------- the recogniser


async def test_offline_recogniser_hears_the_key_words_in_wav_and_ogg_opus():
    recogniser = offline_recogniser()
    for data in (speak(ANSWER), encode(speak(ANSWER))):
        text = await recogniser.transcribe(decode(data))
        assert len(heard_key_words(text)) >= 5, text


# --------------------------------------------------------------------------- delivery figures


def test_fillers_are_counted_but_like_as_a_verb_is_not():
    counts = count_fillers("Um, so, like, I'd like to say uh we, you know, shipped it. Ummm.")
    assert counts == {"um": 2, "like": 1, "uh": 1, "you know": 1}
    assert count_fillers("I would like to lead a team I like.") == {}


def test_pace_against_the_guidance():
    assert pace_of(100, 120) == "slow"
    assert pace_of(100, 145) == "within"
    assert pace_of(100, 175) == "fast"
    assert pace_of(8, 300) == "too_short"


def test_figures_from_real_audio_with_a_long_pause():
    wav = with_pause(speak("I led the migration of our database."),
                     speak("The result was zero outages for our customers."), 4.0)
    pcm, rate = samples(wav)
    transcript = "um I led the migration of our database uh the result was zero outages for our customers"
    figures = measure(pcm, rate, transcript)
    assert figures.long_pauses == 1 and 3.5 <= figures.longest_pause_seconds <= 4.5
    assert figures.words == 17 and figures.fillers == 2
    assert figures.speaking_seconds < figures.seconds
    assert figures.words_per_minute == pytest.approx(17 / (figures.speaking_seconds / 60), rel=0.02)
    one_sentence = measure(*samples(speak("I led the migration of our database.")), "x")
    assert one_sentence.long_pauses == 0


def test_summary_over_answers_and_its_advice():
    fast = measure(*samples(speak(ANSWER, speed=230)), ANSWER + " um uh um")
    report = summarise([fast])
    assert report is not None and report.pace == "fast"
    assert report.words_per_minute > 160 and report.fillers_per_minute > 0
    assert any("faster than the usual 130-160" in note for note in report.notes)
    assert any("“um”" in note for note in report.notes)
    assert "130-160 words per minute" in report.guidance
    assert summarise([]) is None


# --------------------------------------------------------------------------- through the service


@pytest.fixture
def voice_service() -> InterviewService:
    service = InterviewService(brain=OfflineBrain(), store=InMemoryStore())
    service.transcriber = WordsOf(SHORT_ANSWER + " Um, you know, that was it.")
    return service


async def test_spoken_answer_shows_what_was_heard_and_lands_in_the_report(voice_service, who, where):
    await voice_service.start(who, where, options("software_engineer", questions=1,
                                                  custom_questions=QUESTION))
    events = [event async for event in voice_service.answer_audio_stream(
        who, where, encode(speak(SHORT_ANSWER)))]
    assert isinstance(events[0], Heard) and "database" in events[0].text
    reply = events[-1]
    assert isinstance(reply, Reply) and reply.heard == events[0]
    report = (await voice_service.feedback(who, where)).report
    assert report is not None and report.delivery is not None
    assert report.scores is not None  # content scores are still there, apart from delivery
    [answer] = report.delivery.answers
    assert answer.question == QUESTION[0] and answer.fillers == 2 and answer.words > 15
    assert report.delivery.spoken_answers == 1
    history = await voice_service.history.progress(who.platform, who.user_id)
    assert history.entries  # the finished interview is kept with its report


async def test_typed_interviews_have_no_delivery_section(service, who, where):
    await service.start(who, where, options(questions=1))
    await service.answer(who, where, "I rebuilt our onboarding and churn fell from 8% to 5%.")
    report = (await service.feedback(who, where)).report
    assert report is not None and report.delivery is None


@pytest.mark.parametrize("data", [b"", CORRUPT, NOT_AUDIO, silence(), too_long()])
async def test_bad_audio_leaves_the_interview_as_it_was(voice_service, who, where, data):
    await voice_service.start(who, where, options(questions=2))
    before = await voice_service.session_for(who, where)
    with pytest.raises(AudioError):
        await voice_service.answer_audio(who, where, data)
    after = await voice_service.session_for(who, where)
    assert after.transcript == before.transcript and after.current == before.current
    assert after.delivery == []
    reply = await voice_service.answer(who, where, "I rebuilt onboarding and churn fell 3 points.")
    assert reply.kind is not ReplyKind.error


async def test_no_interview_is_said_before_any_transcription(voice_service, who, where):
    with pytest.raises(NoActiveInterviewError):
        await voice_service.answer_audio(who, where, b"not even audio")


async def test_a_failed_turn_takes_its_delivery_back(who, where):
    service = InterviewService(brain=ScriptedBrain(when=ANSWERS, errors=[BrainError()]),
                               store=InMemoryStore())
    service.transcriber = WordsOf(SHORT_ANSWER)
    await service.start(who, where, options(questions=1))
    audio = speak(SHORT_ANSWER)
    with pytest.raises(BrainError):
        await service.answer_audio(who, where, audio)
    assert (await service.session_for(who, where)).delivery == []
    await service.answer_audio(who, where, audio)  # sent again: counted once
    assert len((await service.session_for(who, where)).delivery) == 1


async def test_delivery_survives_the_sqlite_store_and_history_and_forget_removes_it(tmp_path, who, where):
    from core.stores import build_store

    store = build_store("", sqlite_path=tmp_path / "voice.sqlite3", ttl_seconds=3600)
    service = InterviewService(brain=OfflineBrain(), store=store)
    service.transcriber = WordsOf(SHORT_ANSWER + " Um, that was it.")
    await service.start(who, where, options(questions=1))
    await service.answer_audio(who, where, speak(SHORT_ANSWER))
    assert (await service.session_for(who, where)).delivery[0].fillers == 1
    await service.feedback(who, where)
    [entry] = (await service.history.progress(who.platform, who.user_id)).entries
    kept = await service.history.get_entry(who.platform, who.user_id, entry.id)
    assert kept is not None and kept.report.delivery is not None
    assert kept.report.delivery.answers[0].fillers == 1
    await service.forget(who)  # forget covers the figures and the transcript
    assert await service.history.get_entry(who.platform, who.user_id, entry.id) is None
    await store.close()
