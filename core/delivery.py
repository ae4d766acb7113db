"""Delivery figures for spoken answers: pace, filler words and long pauses.

Content and delivery are judged apart: these figures never change a score; the report
shows them in a section of their own.

- **Pace** is words per minute over the time from the first to the last speech in the
  recording (pauses inside the answer count, silence before and after does not).
  Common guidance for clear speech is about **130-160 words per minute**: the US
  National Center for Voice and Speech gives about 150 wpm as the average rate of
  conversational English, and public-speaking coaching (e.g. Toastmasters' material)
  commonly recommends roughly 130-160 wpm for presenting. Under about 20 words the
  pace is not judged: a short answer gives no steady rate.
- **Filler words** are counted in the transcript: "um", "uh", "er", "erm", "ah",
  "hmm", "you know", and "like" only where commas set it apart (", like,"), since
  "I'd like to" is not a filler. Gemini is asked to keep fillers in its transcript;
  the offline recogniser often drops them, so offline counts are a lower bound.
- **Long pauses** are silences of ``LONG_PAUSE_SECONDS`` or more between speech,
  found in the audio itself (frame energy), so they do not depend on the recogniser.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from core.report import AnswerDelivery, DeliveryReport, Pace

PACE_LOW, PACE_HIGH = 130, 160  # words per minute, see the module docstring
MIN_WORDS_FOR_PACE = 20
LONG_PAUSE_SECONDS = 3.0
FRAME_SECONDS = 0.02
# Speech is a frame within SPEECH_RANGE_DB of the loud frames, and above SILENCE_DBFS.
SPEECH_RANGE_DB = 30.0
SILENCE_DBFS = -55.0
GUIDANCE = (f"Common guidance for clear speech is about {PACE_LOW}-{PACE_HIGH} words per minute "
            "(conversational English averages about 150). These figures describe delivery only "
            "and do not change the content scores.")

_FILLER = re.compile(r"\b(?:um+|uh+|erm+|er|ah+|hmm+|you know)\b|(?:^|,)\s*(like)\s*,",
                     re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def speech_frames(pcm: np.ndarray, rate: int) -> np.ndarray:
    """A boolean per 20 ms frame: is someone speaking? (mono int16 samples)"""
    size = max(1, int(rate * FRAME_SECONDS))
    count = len(pcm) // size
    if count == 0:
        return np.zeros(0, dtype=bool)
    frames = pcm[: count * size].astype(np.float32).reshape(count, size) / 32768.0
    rms = np.sqrt(np.mean(frames * frames, axis=1)) + 1e-10
    level = 20 * np.log10(rms)
    loud = float(np.percentile(level, 95))
    return level > max(SILENCE_DBFS, loud - SPEECH_RANGE_DB)


def is_silent(pcm: np.ndarray, rate: int) -> bool:
    """No frame loud enough to be speech (or too little of it to hold a word)."""
    return int(speech_frames(pcm, rate).sum()) * FRAME_SECONDS < 0.2


def pauses(speaking: np.ndarray) -> list[float]:
    """Lengths in seconds of the silences between the first and the last speech."""
    spoken = np.flatnonzero(speaking)
    if len(spoken) < 2:
        return []
    gaps = np.diff(spoken) - 1
    return [float(gap) * FRAME_SECONDS for gap in gaps if gap > 0]


def count_fillers(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for match in _FILLER.finditer(text):
        word = (match.group(1) or match.group(0)).strip(" ,").lower()
        counts[_canonical(word)] += 1
    return counts


def _canonical(word: str) -> str:
    """"umm" counts as "um", "hmmm" as "hmm"."""
    for base in ("um", "uh", "erm", "ah", "hmm"):
        if re.fullmatch(re.escape(base) + base[-1] + "*", word):
            return base
    return word


def pace_of(words: int, wpm: float) -> Pace:
    if words < MIN_WORDS_FOR_PACE:
        return "too_short"
    if wpm < PACE_LOW:
        return "slow"
    return "fast" if wpm > PACE_HIGH else "within"


def measure(pcm: np.ndarray, rate: int, transcript: str, *, question_index: int = 0,
            question: str = "", engine: str = "") -> AnswerDelivery:
    """The delivery figures of one answer from its audio and its transcript."""
    speaking = speech_frames(pcm, rate)
    spoken = np.flatnonzero(speaking)
    span = (float(spoken[-1] - spoken[0] + 1) * FRAME_SECONDS) if len(spoken) else 0.0
    minutes = max(span, 1.0) / 60
    words = len(_WORD.findall(transcript))
    fillers = count_fillers(transcript)
    gaps = pauses(speaking)
    wpm = round(words / minutes, 1)
    return AnswerDelivery(
        question_index=question_index, question=question, seconds=round(len(pcm) / rate, 2),
        speaking_seconds=round(span, 2), words=words, words_per_minute=wpm,
        fillers=sum(fillers.values()),
        fillers_per_minute=round(sum(fillers.values()) / minutes, 1),
        filler_counts=dict(fillers), long_pauses=sum(gap >= LONG_PAUSE_SECONDS for gap in gaps),
        longest_pause_seconds=round(max(gaps, default=0.0), 2),
        pace=pace_of(words, wpm), engine=engine)


def summarise(answers: list[AnswerDelivery]) -> DeliveryReport | None:
    """Delivery across all spoken answers (None when there were none)."""
    if not answers:
        return None
    speaking = sum(answer.speaking_seconds for answer in answers)
    minutes = max(speaking, 1.0) / 60
    words = sum(answer.words for answer in answers)
    fillers = sum(answer.fillers for answer in answers)
    report = DeliveryReport(
        spoken_answers=len(answers), seconds=round(sum(a.seconds for a in answers), 1),
        words_per_minute=round(words / minutes, 1), fillers_per_minute=round(fillers / minutes, 1),
        long_pauses=sum(answer.long_pauses for answer in answers),
        pace=pace_of(words, words / minutes), guidance=GUIDANCE, answers=list(answers))
    report.notes = _notes(report, fillers, answers)
    return report


def _notes(report: DeliveryReport, fillers: int, answers: list[AnswerDelivery]) -> list[str]:
    wpm = round(report.words_per_minute)
    notes = {
        "slow": f"Your pace, about {wpm} words per minute, is slower than the usual "
                f"{PACE_LOW}-{PACE_HIGH}: tighten the sentences rather than speed up the words.",
        "fast": f"Your pace, about {wpm} words per minute, is faster than the usual "
                f"{PACE_LOW}-{PACE_HIGH}: slow down at the key facts and let them land.",
        "within": f"Your pace, about {wpm} words per minute, is within the usual "
                  f"{PACE_LOW}-{PACE_HIGH}.",
        "too_short": "Your spoken answers were too short to judge your pace.",
    }
    lines = [notes[report.pace]]
    if fillers:
        common = Counter()
        for answer in answers:
            common.update(answer.filler_counts)
        word, _ = common.most_common(1)[0]
        lines.append(f"{fillers} filler word(s), {report.fillers_per_minute:g} per minute, most "
                     f"often “{word}”: a short silent pause does the same job and sounds surer.")
    else:
        lines.append("No filler words were heard.")
    if report.long_pauses:
        lines.append(f"{report.long_pauses} pause(s) of {LONG_PAUSE_SECONDS:g} seconds or more "
                     "mid-answer: if you need time, say so (“let me think for a moment”).")
    return lines
