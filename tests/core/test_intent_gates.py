"""The cheap gates in ``core.intent`` must let through everything the full patterns match.

A gate is a short list of trigger words checked before a long pattern; a word missing
from the gate silently switches that part of the pattern off. Rather than hand-pick
examples, this test walks each pattern's syntax tree and builds one matching string for
every alternative (choosing the first option everywhere else), then checks the gate.
"""

import re
try:  # Python 3.11 keeps the regex parser under re._parser
    from re import _parser as sre_parse
    from re import _constants as sre
except ImportError:  # pragma: no cover
    import sre_constants as sre
    import sre_parse

import pytest

from core import intent

CATEGORY_CHAR = {sre.CATEGORY_WORD: "a", sre.CATEGORY_DIGIT: "1", sre.CATEGORY_SPACE: " ",
                 sre.CATEGORY_NOT_WORD: " ", sre.CATEGORY_NOT_SPACE: "a", sre.CATEGORY_NOT_DIGIT: "a"}


def _one(items, choice: dict[int, int], counter: list[int]) -> str:
    """One string for a parsed pattern; ``choice`` picks the option at each branch point."""
    out = []
    for op, arg in items:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.IN:
            out.append(_first_in(arg))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = arg
            out.append(_one(sub, choice, counter) * max(low, 0))
        elif op is sre.SUBPATTERN:
            out.append(_one(arg[-1], choice, counter))
        elif op is sre.BRANCH:
            index = counter[0]
            counter[0] += 1
            options = arg[1]
            out.append(_one(options[choice.get(index, 0) % len(options)], choice, counter))
        elif op in (sre.AT, sre.ASSERT_NOT, sre.ASSERT):
            continue  # anchors and look-arounds add no characters
        elif op is sre.GROUPREF:
            continue
        else:  # pragma: no cover - a construct this walker does not know
            raise NotImplementedError(op)
    return "".join(out)


def _first_in(arg) -> str:
    for op, value in arg:
        if op is sre.LITERAL:
            return chr(value)
        if op is sre.RANGE:
            return chr(value[0])
        if op is sre.CATEGORY:
            return CATEGORY_CHAR.get(value, "a")
    return "a"


def _branch_sizes(items, sizes: list[int]) -> None:
    for op, arg in items:
        if op is sre.BRANCH:
            sizes.append(len(arg[1]))
            for option in arg[1]:
                _branch_sizes(option, sizes)
        elif op is sre.SUBPATTERN:
            _branch_sizes(arg[-1], sizes)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            _branch_sizes(arg[2], sizes)


def examples(pattern: re.Pattern[str]) -> list[str]:
    """A string for each alternative of each branch point (the first option elsewhere)."""
    parsed = list(sre_parse.parse(pattern.pattern, pattern.flags))
    found = {_one(parsed, {}, [0])}
    for branch in range(200):  # more branch points than any pattern here has
        for option in range(1, 40):
            text = _one(parsed, {branch: option}, [0])
            found.add(text)
    return [text for text in found if pattern.search(text)]


GATED = [
    ("injection", intent._INJECTION, intent._MAY_INJECT),
    ("off-topic request", intent._OFF_TOPIC, intent._MAY_OFF_TOPIC),
    ("abuse", intent._ABUSE, intent._MAY_ABUSE),
]


@pytest.mark.parametrize("name, full, gate", GATED, ids=[g[0] for g in GATED])
def test_every_alternative_of_a_gated_pattern_passes_its_gate(name, full, gate):
    texts = examples(full)
    assert len(texts) >= 20, "the walker should produce an example for most alternatives"
    missed = [text for text in texts if not gate.search(text.lower())]
    assert not missed, f"{name} gate lets these through unchecked: {missed[:5]}"
