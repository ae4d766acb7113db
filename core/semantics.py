"""Meaning, not words: a small static embedding model that ships inside its wheel.

The offline interviewer compares a candidate's sentences with a question, its key
points and its rubric's misconceptions by cosine similarity of sentence embeddings.
The model is WordLlama's ``l2_supercat`` (256 dimensions, token embeddings distilled
from a large language model and average-pooled; https://github.com/dleemiller/WordLlama).
Its weights and tokenizer are inside the ``wordllama`` package, so it loads with
downloads disabled: no network at start-up or at run time.

Loaded once per process on first use (about 1 s, ~60 MB); one embedding of a
sentence costs about 0.2 ms. Bank texts (questions, key points, claims) repeat on
every turn and are cached.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
import structlog

log = structlog.get_logger("core.semantics")

DIMENSIONS = 256


@lru_cache(maxsize=1)
def _model():
    # The package's own folder holds weights/ and tokenizers/; pointing the cache there
    # and disabling downloads means a missing file fails loudly instead of reaching out.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # One short batch per turn: thread start-up in the Rust tokenizer costs more than it saves.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(config="l2_supercat", dim=DIMENSIONS,
                           cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    log.info("semantics.loaded", model="wordllama-l2_supercat", dim=DIMENSIONS)
    return model


def warm_up() -> None:
    """Load the model now (at start-up) rather than on the first answer."""
    embed(["warm up"])


_RECENT: OrderedDict[str, np.ndarray] = OrderedDict()
RECENT_SIZE = 4096  # sentences; about 1 KB each. A turn re-reads the earlier answers to its
# question, and the follow-up is checked against them, so most sentences recur.


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, shape (len(texts), 256), float32 (recent texts are cached)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    missing = list(dict.fromkeys(t for t in texts if t not in _RECENT))
    if missing:
        fresh = np.asarray(_model().embed(missing, norm=True), dtype=np.float32)
        for text, vector in zip(missing, fresh):
            vector.setflags(write=False)
            _RECENT[text] = vector
    for text in texts:
        _RECENT.move_to_end(text)
    vectors = np.stack([_RECENT[text] for text in texts])
    while len(_RECENT) > RECENT_SIZE:
        _RECENT.popitem(last=False)
    return vectors


@lru_cache(maxsize=8192)
def _bank_vector(text: str) -> np.ndarray:
    vector = embed([text])[0]
    vector.setflags(write=False)
    return vector


def bank_matrix(texts: tuple[str, ...]) -> np.ndarray:
    """Embeddings of fixed bank texts (cached per text), shape (len(texts), 256)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([_bank_vector(text) for text in texts])


def similarity(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine similarity of unit vectors: shape (len(left), len(right)), in [-1, 1]."""
    if not len(left) or not len(right):
        return np.zeros((len(left), len(right)), dtype=np.float32)
    return left @ right.T
