"""One scripted interview through every surface: the same turns, the same report.

The script (``tests/support/script.py``) is played once on each surface: the terminal
(a real ``python -m bot cli --json`` subprocess), HTTP (the FastAPI app through httpx),
Discord (discord.py in a DM, against the fake Discord) and Slack (Bolt over signed
HTTP, in a DM, against the fake Slack). Every surface must produce the script's turn
kinds in order and a report of the same structure.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from core.report import QuestionReview
from tests.support.surfaces import SURFACES, driver_for
from tests.support.script import (
    EXPECTED_KINDS,
    QUESTIONS,
    SCRIPT,
    SKIPPED_QUESTIONS,
    Turn,
    report_shape,
)

SCORE_DIMENSIONS = ["communication", "structure", "technical"]


async def _play(surface: str) -> list[Turn]:
    async with driver_for(surface) as driver:
        return await driver.play(SCRIPT)


async def _play_everywhere() -> dict[str, list[Turn]]:
    # Sequential: the Discord fake points discord.py's globals at itself while it runs.
    return {surface: await _play(surface) for surface in SURFACES}


@pytest.fixture(scope="module")
def played() -> dict[str, list[Turn]]:
    """Each surface plays the script once; every test below reads the same runs."""
    return asyncio.run(_play_everywhere())


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface_takes_the_scripted_turns(played, surface):
    kinds = [turn.kind for turn in played[surface]]
    assert kinds == EXPECTED_KINDS, f"{surface} diverged from the script"


# The surfaces that return structured turns; Discord and Slack show words and a drawn report.
STRUCTURED = ["terminal", "http"]
# One presenter in core: both draw the same labels.
DRAWN = {surface: ["Communication", "Technical depth", "Structure"] for surface in ("discord", "slack")}
REPORT_MARK = "question(s) answered"  # the closing line of a drawn report


def test_every_surface_that_returns_the_reading_reads_the_candidate_the_same_way(played):
    personas = {surface: [turn.persona for turn in played[surface]] for surface in STRUCTURED}
    assert personas["terminal"][1:4] == ["normal", "confused", "off_topic"]
    assert personas["http"] == personas["terminal"]


@pytest.mark.parametrize("surface", SURFACES)
def test_only_the_last_turn_carries_the_report(played, surface):
    turns = played[surface]
    if surface in STRUCTURED:
        assert turns[-1].report is not None
        assert all(turn.report is None for turn in turns[:-1])
    else:
        assert REPORT_MARK in turns[-1].rendered
        assert all(REPORT_MARK not in turn.rendered for turn in turns[:-1])


def test_http_returns_the_report_the_terminal_prints(played):
    assert report_shape(played["http"][-1].report) == report_shape(played["terminal"][-1].report)


def test_the_report_matches_what_the_script_did(played):
    shape = report_shape(played["terminal"][-1].report)
    assert shape["answered"] == len(QUESTIONS) - len(SKIPPED_QUESTIONS)
    assert shape["score_dimensions"] == SCORE_DIMENSIONS and shape["score_ranges_ok"]
    assert [review["question"] for review in shape["questions"]] == QUESTIONS
    for number, review in enumerate(shape["questions"], start=1):
        assert review["skipped"] == (number in SKIPPED_QUESTIONS)
        assert review["scored"] == (number not in SKIPPED_QUESTIONS)
        assert set(review["star"]) >= {"situation", "task", "action", "result"}
    assert shape["questions"][0]["star"]["result"]  # the strong answer's outcome was seen


@pytest.mark.parametrize("surface", sorted(DRAWN))
def test_chat_surfaces_draw_the_report_the_terminal_prints(played, surface):
    """What a person reads on Discord and Slack: the terminal's counts, scores and questions."""
    rendered, report = played[surface][-1].rendered, played["terminal"][-1].report
    assert f"{report['answered']} {REPORT_MARK}" in rendered
    for label, dimension in zip(DRAWN[surface], ["communication", "technical", "structure"]):
        score = report["scores"][dimension]["score"]
        assert re.search(rf"{label}\W+[■□]+ {score}/5", rendered), (label, score)
    for number, review in enumerate(report["questions"], start=1):
        assert re.search(rf"\bQ{number}\b", rendered) and review["question"] in rendered
        if review["score"] is not None:
            assert re.search(rf"Q{number}\W[^\n]*\n?[^\n]*{review['score']}/5", rendered)


@pytest.mark.parametrize("surface", sorted(DRAWN))
def test_chat_surfaces_draw_each_answers_findings_line(played, surface):
    """The per-question findings (STAR elements, ownership...) as core's presenter words them."""
    report = played["terminal"][-1].report
    rendered = played[surface][-1].rendered
    for review in (r for r in report["questions"] if not r["skipped"]):
        assert QuestionReview.model_validate(review).findings() in rendered
