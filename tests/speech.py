"""Real audio for the voice tests: known sentences spoken by espeak-ng, in several formats.

espeak-ng comes from Debian's packages (``.ci/run`` installs it). Its ``en-us+f2`` voice
is the one pocketsphinx's US English model hears best; the sentences use plain words
the recogniser knows, and the tests look for a few key words, not a perfect transcript.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import wave

import av
import numpy as np
import pytest

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed "
                                  "(bash .ci/run installs it)")
VOICE = "en-us+f2"

ANSWER = ("In my last role I led a team of five engineers. We had to migrate the database "
          "without downtime. I wrote a plan and we tested it every week. The result was zero "
          "outages and the customers were happy.")
SHORT_ANSWER = ("I led a team of five engineers. We tested the database every week and the "
                "customers were happy.")
# Words the offline recogniser reliably hears in ANSWER (checked on this voice).
KEY_WORDS = {"team", "database", "migrate", "week", "customers", "result", "plan", "tested"}


@functools.lru_cache(maxsize=16)
def speak(text: str = ANSWER, speed: int = 150) -> bytes:
    """A WAV file (22.05 kHz mono) of ``text``."""
    assert ESPEAK is not None
    result = subprocess.run([ESPEAK, "-v", VOICE, "-s", str(speed), "--stdout", text],
                            check=True, capture_output=True, timeout=60)
    return result.stdout


def heard_key_words(transcript: str) -> set[str]:
    return KEY_WORDS & set(transcript.lower().split())


def samples(wav: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(wav)) as audio:
        rate = audio.getframerate()
        pcm = np.frombuffer(audio.readframes(audio.getnframes()), "<i2")
    return pcm, rate


def wav_of(pcm: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.astype("<i2").tobytes())
    return buffer.getvalue()


def with_pause(first: bytes, second: bytes, seconds: float) -> bytes:
    """Two recordings joined by ``seconds`` of silence (a long pause mid-answer)."""
    a, rate = samples(first)
    b, _ = samples(second)
    return wav_of(np.concatenate([a, np.zeros(int(rate * seconds), np.int16), b]), rate)


def silence(seconds: float = 3.0, rate: int = 16_000) -> bytes:
    return wav_of(np.zeros(int(rate * seconds), np.int16), rate)


def encode(wav: bytes, container: str = "ogg", codec: str = "libopus", rate: int = 48_000) -> bytes:
    """Re-encode a WAV with PyAV: ogg/opus (a Discord or WhatsApp voice note), mp3, webm..."""
    pcm, source_rate = samples(wav)
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = source_rate
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return out.getvalue()


def too_long(seconds: float = 305.0, rate: int = 8_000) -> bytes:
    """A WAV just over the five-minute limit (quiet noise, small at 8 kHz)."""
    noise = (np.random.default_rng(0).standard_normal(int(rate * seconds)) * 2000).astype(np.int16)
    return wav_of(noise, rate)


CORRUPT = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8
NOT_AUDIO = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20
