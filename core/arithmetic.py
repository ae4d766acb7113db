"""Checking the sums a candidate says out loud: "1.2 million divided by 40,000 is 300".

Interviews for sales, marketing, data and engineering roles ask for back-of-envelope
maths. The offline grader cannot judge an argument, but it can redo a stated sum:
a division, a multiplication or a percentage whose result the candidate gives. A
result more than 15% off is flagged like a rubric misconception ("wrong maths").
Only explicit statements are checked; nothing is inferred from context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOLERANCE = 0.15  # rounding in the head ("about 40 a second") is fine; 10x is not

_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
          "billion": 1e9}
_NUM = r"\$?(\d[\d,]*(?:\.\d+)?)\s?(k|m|mn|b|bn|thousand|million|billion)?\b"
_EQUALS = r"\s*(?:is|=|equals|gives(?: you)?|makes|comes to|that'?s|that is|which is|so|means)\s*(?:about|around|roughly|~|approximately|only)?\s*"
_PATTERNS = [
    ("divide", re.compile(_NUM + r"\s*(?:divided by|over)\s*" + _NUM + _EQUALS + _NUM, re.I)),
    # "a/b" is also a ratio or a schedule ("50/50", "24/7"): only with an explicit "=" or "is"
    ("divide", re.compile(_NUM + r"\s*/\s*" + _NUM + r"\s*(?:=|is|equals)\s*(?:about|around|~)?\s*"
                          + _NUM, re.I)),
    ("multiply", re.compile(_NUM + r"\s*(?:times|x|\*|×|multiplied by)\s*" + _NUM + _EQUALS + _NUM,
                            re.I)),
    ("percent", re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent)\s+of\s+" + _NUM + _EQUALS + _NUM, re.I)),
    # "90 opportunities at a 25% win rate, that's 22 deals": a count at a rate
    ("percent_at", re.compile(_NUM + r"\s+[a-z]+(?:\s[a-z]+)?\s+at\s+(?:an?\s+)?(\d+(?:\.\d+)?)\s?(?:%|percent)"
                              r"(?:\s+[a-z]+){0,3}?\s*,?" + _EQUALS + _NUM, re.I)),
]
_PCT = r"(\d+(?:\.\d+)?)\s?(?:%|percent)?"
# "from 2.0% to 2.2%, a 20% lift": a change stated as a percentage, checked both as a
# relative change and in points, so either reading passes.
_CHANGE = re.compile(
    r"\bfrom\s+\$?" + _PCT + r"\s+to\s+\$?" + _PCT + r"[^.;]{0,40}?\b(?:an?|that'?s|which is|so)?\s*"
    r"(?:about|around|roughly|~)?\s*(\d+(?:\.\d+)?)\s?(?:%|percent)\s*(?:relative\s+)?"
    r"(?:lift|increase|improvement|uplift|rise|growth|jump|gain|drop|decrease|decline|fall|reduction)",
    re.I)


# An operand right after another operator is the middle of a longer calculation.
_CHAINED = re.compile(r"(?:times|x|\*|×|multiplied by|divided by|over|plus|minus|[-+/])\s*$",
                      re.IGNORECASE)


def readable(value: float) -> str:
    """A figure as a person writes it: "2,000", "22.5", "0.1" (never "6e+05")."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class WrongSum:
    said: str  # the words as the candidate said them
    expected: float
    stated: float


def _value(digits: str, scale: str | None) -> float:
    return float(digits.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)


def _off(stated: float, expected: float) -> bool:
    if expected == 0:
        return stated != 0
    return abs(stated - expected) / abs(expected) > TOLERANCE


def check(text: str) -> list[WrongSum]:
    """Every explicit sum in the text whose stated result is off by more than 15%."""
    wrong: list[WrongSum] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if _CHAINED.search(text[:match.start()]):
                continue  # "10,000 times 2 times 0.5 divided by 5": only a whole chain has a result
            groups = match.groups()
            if kind == "percent":
                pct = float(groups[0])
                base = _value(groups[1], groups[2])
                stated = _value(groups[3], groups[4])
                expected = pct / 100 * base
            elif kind == "percent_at":
                count = _value(groups[0], groups[1])
                stated = _value(groups[3], groups[4])
                expected = count * float(groups[2]) / 100
            else:
                left = _value(groups[0], groups[1])
                right = _value(groups[2], groups[3])
                stated = _value(groups[4], groups[5])
                # "1.2 million / 40k = 30 (deals)": a bare result takes no scale from its inputs
                if kind == "divide":
                    if right == 0:
                        continue
                    expected = left / right
                else:
                    expected = left * right
            if _off(stated, expected):
                wrong.append(WrongSum(said=match.group(0).strip(), expected=expected, stated=stated))
    for match in _CHANGE.finditer(text):
        before, after, stated = (float(g) for g in match.groups())
        if before == 0:
            continue
        relative, points = abs(after - before) / before * 100, abs(after - before)
        if _off(stated, relative) and _off(stated, points):
            wrong.append(WrongSum(said=match.group(0).strip(), expected=relative, stated=stated))
    return wrong
