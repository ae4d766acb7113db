"""Stated sums are redone: wrong ones are flagged, right ones (either reading) are not."""

import pytest

from core.arithmetic import check


@pytest.mark.parametrize("text, expected", [
    ("1.2 million divided by 40,000 is 300 deals", 30),
    ("90 opportunities at a 25% win rate, that is roughly 40 deals", 22.5),
    ("Conversion went from 2.0% to 2.2%, a 20% relative lift.", 10),
    ("We grew from 10 to 30 customers, a 300% increase.", 200),
])
def test_a_wrong_stated_result_is_flagged_with_the_right_one(text, expected):
    [wrong] = check(text)
    assert wrong.expected == pytest.approx(expected)


@pytest.mark.parametrize("text", [
    "1.2 million divided by 40,000 is 30 deals",
    "90 opportunities at a 25% win rate, that is roughly 22 deals",
    "Conversion went from 2.0% to 2.2%, a 10% lift.",
    "Sign-ups went from 2% to 3%, a 1% increase.",  # in points: a fair reading
    "Churn fell from 8% to 6%, a 25% reduction.",
    "We split traffic 50/50 and ran it 24/7 for two weeks.",
    "10,000 times 2 times 0.5 divided by 5 is 2,000",  # a chain: not checked piece by piece
])
def test_right_sums_and_ratios_are_left_alone(text):
    assert check(text) == []


def test_figures_in_a_correction_read_as_people_write_them():
    from core.arithmetic import readable
    assert [readable(v) for v in (600_000.0, 22.5, 0.1, 30.0)] == ["600,000", "22.5", "0.1", "30"]
