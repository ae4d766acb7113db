"""The offline interviewer's judgement may not regress below what it measures today.

Runs ``bench.eval_answers`` on the labelled answers: the shared set beside the
repository (``../shared/eval/answer_cases.jsonl``, present on developer machines and
in CI) and the project's own set (``bench/cases/own_cases.jsonl``). The floors sit a
little under the measured figures (see the README's "What the offline interviewer
can judge"), so run-to-run changes in wording do not trip them but a real loss does.
"""

import asyncio
from pathlib import Path

import pytest

from bench.eval_answers import DEFAULT_CASES, evaluate, summary, tally

FLOORS = {  # figure: (minimum or maximum, bound)
    "move": ("min", 0.83),
    "within_1": ("min", 0.80),
    "spearman": ("min", 0.70),
    "low_mean": ("max", 2.5),
    "star": ("min", 0.80),
    "ownership": ("min", 0.80),
}


@pytest.mark.parametrize("path", DEFAULT_CASES, ids=[p.name for p in DEFAULT_CASES])
def test_judgement_holds_its_floor(path: Path):
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    results = asyncio.run(evaluate([path], "offline"))
    figures = summary(tally(results[path]))
    for name, (kind, bound) in FLOORS.items():
        value = figures[name]
        assert value is not None, name
        assert (value >= bound) if kind == "min" else (value <= bound), (name, value, bound)
