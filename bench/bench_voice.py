"""Offline transcription speed: seconds of work per minute of audio, and how much it got right.

The offline recogniser (pocketsphinx, the model inside its wheel) transcribes about 40
seconds of interview answers spoken by espeak-ng, as ogg/opus (a voice message) and as
wav. Reported per format: decode time, recognition time, both per minute of audio, the
real-time factor (under 1 keeps up with speech) and the word error rate against the
script (synthetic speech: a rough guide to accuracy, not a promise for human voices).
Figures depend on the machine and its load; the machine's load is printed with them.
"""

from __future__ import annotations

import os
import shutil
import time

from core.audio import SAMPLE_RATE, decode, offline_recogniser
from tests.speech import encode, speak

SCRIPT = [
    "In my last role I led a team of five engineers.",
    "We had to migrate the customer database without any downtime.",
    "I wrote the plan, and we tested it every week against a copy of production.",
    "The result was zero outages, and support tickets fell by a third.",
    "When a release went wrong, I owned the rollback and wrote the review the next morning.",
    "I learned to agree on the success measure with the business before we start.",
    "My manager asked me to mentor two new developers, and both shipped features in a month.",
    "If I did it again, I would involve the support team earlier in the planning.",
]


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = reference.lower().replace(",", "").replace(".", "").split(), hypothesis.split()
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, heard in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != heard))
    return row[-1] / max(1, len(ref))


def main() -> None:
    if shutil.which("espeak-ng") is None:
        print("skipped: espeak-ng is not installed (apt-get install espeak-ng)")
        return
    text = " ".join(SCRIPT)
    wav = speak(text)
    recordings = {"ogg/opus": encode(wav), "wav": wav}
    recogniser = offline_recogniser()
    started = time.perf_counter()
    recogniser.transcribe_now(decode(wav).pcm[: SAMPLE_RATE])  # load the model: timed apart
    print(f"model load: {time.perf_counter() - started:.2f} s (once per process)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPU(s)")
    for name, data in recordings.items():
        started = time.perf_counter()
        audio = decode(data)
        decoded = time.perf_counter() - started
        started = time.perf_counter()
        transcript = recogniser.transcribe_now(audio.pcm)
        recognised = time.perf_counter() - started
        minutes = audio.seconds / 60
        print(f"{name:9} {audio.seconds:5.1f} s of audio  decode {decoded / minutes:5.2f} s/min  "
              f"recognise {recognised / minutes:5.1f} s/min  real-time factor "
              f"{recognised / audio.seconds:.2f}  word error rate "
              f"{word_error_rate(text, transcript):.0%}")
