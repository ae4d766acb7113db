"""Is this answer in English? The practice runs in English; other languages are steered.

Uses py3langid (a maintained fork of langid.py, Lui & Baldwin 2012, naive Bayes over
byte n-grams, 97 languages) whose model ships inside the package. It is asked only
when the cheap check is unsure, so most turns never load it (loading takes ~1 s).
Non-native English ("I put email in hash set") stays English: it is mostly English
function words, and langid reads it as English too.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH_COMMON = frozenset(
    """the a an and or but of to in on at for with from by is are was were be been am i we
    you he she they it that this these those my our your their me us them so if then than
    not no do did does have has had will would can could should just also there what when
    how why which who""".split())
MIN_WORDS = 5
CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """The language code (ISO 639-1, e.g. "de") when confidently not English, else None.

    None means English, or too short or too mixed to say.
    """
    letters = [ch for ch in text if ch.isalpha()]
    words = _WORD.findall(text)
    if len(letters) >= 20 and sum(ch.isascii() for ch in letters) / len(letters) < 0.5:
        # Mostly non-Latin script (Cyrillic, CJK, Arabic...): not English whatever the model says.
        return _classify(text) or "und"
    if len(words) < MIN_WORDS:
        return None
    common = sum(1 for word in words if word.lower() in _ENGLISH_COMMON) / len(words)
    if common >= 0.2:
        return None  # clearly English function words: no model needed
    return _classify(text)


def _classify(text: str) -> str | None:
    language, probability = _identifier().classify(text)
    return language if language != "en" and probability >= CONFIDENCE else None
