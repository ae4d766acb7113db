"""Plain-text helpers shared by core and every surface: cleaning input, splitting output."""

from __future__ import annotations

import re
import unicodedata

# Characters that are kept although unicodedata calls them control characters.
_KEPT_CONTROLS = {"\n", "\t"}


def clean_input(text: str | None) -> str:
    """Strip control and zero-width characters, normalise newlines and outer whitespace.

    Letters of every script (RTL included), emoji and punctuation are kept: only
    categories Cc (control) and Cf (format: zero-width spaces, bidi overrides) go,
    because they are invisible and are the usual vehicle for hidden instructions.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = [
        ch
        for ch in text
        if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    ]
    cleaned = "".join(kept)
    cleaned = re.sub(r"[ \t]+\n", "\n", cleaned)
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return cleaned.strip()


_BREAKS = ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " ")


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Prefers paragraph, then line, then sentence, then word boundaries; a word is
    only cut when a single word is longer than ``limit`` (e.g. a pasted URL).
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    text = text.strip()
    chunks: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for sep in _BREAKS:
            pos = window.rfind(sep, 0, limit)
            # Ignore breaks that would leave a tiny first chunk: better a later break.
            if pos >= limit // 4:
                cut = pos + (len(sep) if sep.strip() else 0)
                break
        if cut <= 0:
            cut = limit
        chunk = text[:cut].rstrip()
        if chunk:
            chunks.append(chunk)
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def excerpt(text: str, limit: int = 160) -> str:
    """A single-line excerpt of at most ``limit`` characters, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit - 1)
    if cut < limit // 2:
        cut = limit - 1
    return flat[:cut].rstrip(",;:.") + "…"


def tail(text: str, limit: int = 160) -> str:
    """The end of a text, at most ``limit`` characters, starting at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    start = flat.find(" ", len(flat) - limit)
    start = len(flat) - limit if start < 0 else start + 1
    return "…" + flat[start:]


def bar(score: float | int | None, maximum: int = 5, width: int = 5) -> str:
    """A text bar such as ``■■■□□`` for a score; empty squares when there is no score."""
    if score is None:
        return "□" * width
    filled = max(0, min(width, round(score / maximum * width)))
    return "■" * filled + "□" * (width - filled)
