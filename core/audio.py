"""Spoken answers: audio bytes in, a transcript and delivery figures out.

- **Decoding** uses PyAV, which ships FFmpeg's codecs inside its wheel: wav, ogg/opus,
  mp3, m4a (AAC), webm, flac all become 16 kHz mono samples, with no system FFmpeg.
- **Limits**: ``MAX_AUDIO_BYTES`` and ``MAX_AUDIO_SECONDS``; empty, unreadable, silent,
  too long, too big or not-audio input raises ``AudioError`` (an ``InvalidInputError``
  with a ``code`` and a friendly message). Nothing about the interview changes, so the
  candidate simply answers again.
- **Transcription** behind one small interface, ``Transcriber``: Gemini's when the brain
  has a key (``core.brain.gemini``), otherwise ``OfflineRecogniser`` (pocketsphinx, whose
  US English model ships in its wheel; nothing is downloaded). CPU work runs in worker
  threads, never on the event loop.

Audio is held in memory for the call only: it is never written to disk or stored.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import structlog

from core.delivery import is_silent, measure
from core.errors import ErrorCode, InvalidInputError, NoActiveInterviewError
from core.models import Heard
from core.report import AnswerDelivery
from core.session import SessionState
from core.store import SessionStore

log = structlog.get_logger(__name__)

SAMPLE_RATE = 16_000
MAX_AUDIO_SECONDS = 300
MAX_AUDIO_BYTES = 25 * 1024 * 1024
# File types people send: wav, ogg/opus (Discord and WhatsApp voice notes), mp3, m4a (Slack,
# iPhone), webm (browsers' MediaRecorder), flac, aac. FFmpeg's demuxer names for them:
AUDIO_CONTAINERS = {"wav", "ogg", "mp3", "mov", "mp4", "m4a", "matroska", "webm", "flac", "aac",
                    "caf", "aiff"}
FORMATS_HINT = "wav, ogg/opus, mp3, m4a or webm"

MESSAGES = {
    "empty": "That audio file is empty. Record your answer again, or type it.",
    "too_large": f"That recording is over {MAX_AUDIO_BYTES // (1024 * 1024)} MB. Please keep a "
                 f"spoken answer under {MAX_AUDIO_SECONDS // 60} minutes, or type it.",
    "too_long": f"That recording is longer than {MAX_AUDIO_SECONDS // 60} minutes. In an "
                "interview, aim for about two minutes per answer: record a shorter one, or type it.",
    "not_audio": f"That file isn't audio I can play. Send a voice message or an audio file "
                 f"({FORMATS_HINT}), or type your answer.",
    "unreadable": f"I couldn't read that recording (it may be damaged). Try recording again "
                  f"({FORMATS_HINT}), or type your answer.",
    "silent": "That recording seems silent: I couldn't hear any speech. Check your microphone "
              "and try again, or type your answer.",
    "no_words": "I couldn't make out any words in that recording. Try again a little closer to "
                "the microphone, or type your answer.",
    "failed": "I couldn't transcribe that just now. Your interview is saved: send the recording "
              "again in a moment, or type your answer.",
}


class AudioError(InvalidInputError):
    """Audio we cannot use. The interview is untouched; ``code`` names the reason."""

    error_code = ErrorCode.audio

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(MESSAGES[code])


@dataclass(frozen=True)
class DecodedAudio:
    """Mono 16-bit samples at ``SAMPLE_RATE``."""

    pcm: np.ndarray
    source_format: str

    @property
    def seconds(self) -> float:
        return len(self.pcm) / SAMPLE_RATE

    def wav_bytes(self) -> bytes:
        """A compact 16 kHz mono WAV (what a transcription service is sent)."""
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(self.pcm.astype("<i2").tobytes())
        return buffer.getvalue()


class Transcriber(Protocol):
    name: str

    async def transcribe(self, audio: DecodedAudio) -> str:
        """The words spoken (may be empty); raises ``AudioError`` when it cannot."""


def decode(data: bytes, *, max_bytes: int = MAX_AUDIO_BYTES,
           max_seconds: float = MAX_AUDIO_SECONDS) -> DecodedAudio:
    """Any common audio file to 16 kHz mono samples (blocking: call it in a thread)."""
    import av

    if not data:
        raise AudioError("empty")
    if len(data) > max_bytes:
        raise AudioError("too_large")
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            names = set(container.format.name.split(","))
            if not names & AUDIO_CONTAINERS or not container.streams.audio:
                raise AudioError("not_audio")
            if container.duration is not None and container.duration / 1e6 > max_seconds + 0.5:
                raise AudioError("too_long")
            pcm = _samples(container, max_seconds)
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, OSError, RuntimeError, EOFError) as error:
        log.info("audio.unreadable", error=type(error).__name__)
        raise AudioError("unreadable" if looks_like_audio(data) else "not_audio") from error
    if len(pcm) == 0:
        raise AudioError("unreadable")
    return DecodedAudio(pcm=pcm, source_format=sorted(names & AUDIO_CONTAINERS)[0])


def looks_like_audio(data: bytes) -> bool:
    """The file starts like an audio container (so a failure to read it is damage)."""
    head = data[:12]
    return (head.startswith((b"RIFF", b"OggS", b"ID3", b"fLaC", b"FORM", b"caff",
                             b"\x1a\x45\xdf\xa3", b"\xff\xf1", b"\xff\xf9"))
            or head[4:8] == b"ftyp" or (len(head) > 1 and head[0] == 0xFF and head[1] >> 5 == 7))


def _samples(container, max_seconds: float) -> np.ndarray:
    import av

    stream = container.streams.audio[0]
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    limit = int((max_seconds + 0.5) * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    for frame in container.decode(stream):
        frame.pts = None  # the resampler keeps its own clock; odd timestamps must not stop it
        for out in resampler.resample(frame):
            chunk = out.to_ndarray().reshape(-1)
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # a stream that lied about its length
            raise AudioError("too_long")
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, dtype=np.int16)


# --------------------------------------------------------------------------- offline recogniser


class OfflineRecogniser:
    """pocketsphinx with the US English model inside its wheel: works with no network.

    Decoding is CPU-bound (around real time on one core), so it runs on one worker
    thread of its own, which also keeps the decoder (about a second to load) for reuse.
    """

    name = "pocketsphinx"

    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recogniser")
        self._local = threading.local()

    async def transcribe(self, audio: DecodedAudio) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self.transcribe_now, audio.pcm)

    def transcribe_now(self, pcm: np.ndarray) -> str:
        """Blocking transcription of 16 kHz mono samples (the benchmark calls this)."""
        decoder = self._decoder()
        decoder.start_utt()
        decoder.process_raw(pcm.astype("<i2").tobytes(), full_utt=True)
        decoder.end_utt()
        words = [segment.word for segment in decoder.seg()]
        # Drop markers (<s>, <sil>, [NOISE]) and alternate-pronunciation tags: "the(2)".
        return " ".join(word.split("(")[0] for word in words
                        if not word.startswith(("<", "[", "+")))

    def _decoder(self):
        decoder = getattr(self._local, "decoder", None)
        if decoder is None:
            from pocketsphinx import Decoder  # the model path defaults to the one in the wheel

            started = time.perf_counter()
            # Batch cepstral normalisation: each answer is decoded whole, so use all of it.
            decoder = Decoder(samprate=SAMPLE_RATE, cmn="batch", loglevel="FATAL")
            self._local.decoder = decoder
            log.info("audio.recogniser_loaded", ms=round((time.perf_counter() - started) * 1000))
        return decoder


_offline: OfflineRecogniser | None = None


def offline_recogniser() -> OfflineRecogniser:
    """One recogniser per process: its decoder is large and loads once."""
    global _offline
    if _offline is None:
        _offline = OfflineRecogniser()
    return _offline


class BrainTranscriber:
    """Transcription by a brain that can hear (Gemini): ``brain.transcribe_audio(wav)``."""

    def __init__(self, brain) -> None:
        self.brain = brain
        self.name = brain.name

    async def transcribe(self, audio: DecodedAudio) -> str:
        return await self.brain.transcribe_audio(audio.wav_bytes())


def transcriber_for(brain) -> Transcriber:
    """The brain's own hearing when it has one (Gemini), else the offline recogniser."""
    if callable(getattr(brain, "transcribe_audio", None)):
        return BrainTranscriber(brain)
    return offline_recogniser()


async def hear(data: bytes, transcriber: Transcriber, *, question_index: int = 0,
               question: str = "") -> Heard:
    """Decode, check, transcribe and measure one spoken answer."""
    started = time.perf_counter()
    audio = await asyncio.to_thread(decode, data)
    if await asyncio.to_thread(is_silent, audio.pcm, SAMPLE_RATE):
        raise AudioError("silent")
    text = " ".join((await transcriber.transcribe(audio)).split())
    if not text:
        raise AudioError("no_words")
    delivery = measure(audio.pcm, SAMPLE_RATE, text, question_index=question_index,
                       question=question, engine=transcriber.name)
    # Figures only: a candidate's words never go into the log.
    log.info("audio.transcribed", engine=transcriber.name, format=audio.source_format,
             seconds=round(audio.seconds, 1), words=delivery.words,
             ms=round((time.perf_counter() - started) * 1000))
    return Heard(text=text, delivery=delivery)


@asynccontextmanager
async def keep_delivery(store: SessionStore, key: str, delivery: AnswerDelivery) -> AsyncIterator[None]:
    """Keep an answer's figures on the session for the turn that answers it; take them back
    if that turn fails, so a re-sent recording is not counted twice."""
    async with store.lock(key):
        session = await store.get(key)
        if session is None or session.state is not SessionState.active:
            raise NoActiveInterviewError()
        delivery = delivery.model_copy(update={"question_index": session.current,
                                               "question": session.question.text})
        session.delivery.append(delivery)
        await store.put(session)
    try:
        yield
    except BaseException:
        async with store.lock(key):
            session = await store.get(key)
            if session is not None and delivery in session.delivery:
                session.delivery.remove(delivery)
                await store.put(session)
        raise
