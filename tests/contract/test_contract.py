"""One scripted interview through every surface: the same turns, the same report.

The script (``tests/contract/script.py``) is played once on each surface: the terminal
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
from tests.contract.drivers import SURFACES, driver_for
from tests.contract.script import (
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


def test_every_surface_reads_the_candidate_the_same_way(played):
    personas = {surface: [turn.persona for turn in turns] for surface, turns in played.items()}
    assert personas["terminal"][1:4] == ["normal", "confused", "off_topic"]
    for surface, read in personas.items():
        assert read == personas["terminal"], f"{surface} read the candidate differently"


@pytest.mark.parametrize("surface", SURFACES)
def test_only_the_last_turn_carries_the_report(played, surface):
    turns = played[surface]
    assert turns[-1].report is not None
    assert all(turn.report is None for turn in turns[:-1])


def test_every_surface_reports_the_same_structure(played):
    shapes = {surface: report_shape(turns[-1].report) for surface, turns in played.items()}
    reference = shapes["terminal"]
    for surface, shape in shapes.items():
        assert shape == reference, f"{surface}'s report differs from the terminal's"


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


def _shows_the_report(rendered: str, report: dict) -> None:
    """Every surface draws core's report sections: the same labels and findings lines."""
    assert f"{report['answered']} question(s) answered" in rendered
    for label in ("Communication", "Technical depth", "Structure"):
        assert label in rendered
    for number in range(1, len(report["questions"]) + 1):
        assert re.search(rf"\bQ{number}\b", rendered)
    for review in report["questions"]:
        if not review["skipped"]:
            assert QuestionReview.model_validate(review).findings() in rendered


def test_slack_draws_the_whole_report(played):
    last = played["slack"][-1]
    _shows_the_report(last.rendered, last.report)


def test_discord_draws_the_report_scores_and_questions(played):
    last = played["discord"][-1]
    _shows_the_report(last.rendered, last.report)


def test_discord_shows_each_questions_star_elements(played):
    last = played["discord"][-1]
    assert "STAR" in last.rendered
