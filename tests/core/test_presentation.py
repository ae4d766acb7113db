"""The one report presenter: sections, labels and evidence every surface draws."""

from __future__ import annotations

from core.history import Dimension, HistorySummary
from core.presentation import SCORE_LABELS, present, trend_chart_png
from core.presentation.report import QUOTE_CHARS, WEAKNESSES_TITLE
from core.report import (
    OFFLINE_LIMITS,
    AnswerDelivery,
    DeliveryReport,
    EvidencedPoint,
    FeedbackReport,
    Ownership,
    QuestionReview,
    Score,
    Scores,
    Specificity,
    StarElements,
)


def review(score: int | None, *, skipped: bool = False, stronger: str | None = None) -> QuestionReview:
    return QuestionReview(
        question="Tell me about a deal you lost.", answer_excerpt="I lost the Acme renewal.",
        star=StarElements(situation=True, action=True), specificity=Specificity.medium,
        ownership=Ownership.clear, score=score, note="Say what you changed afterwards.",
        stronger_answer=stronger, skipped=skipped)


def report(**changes) -> FeedbackReport:
    fields = dict(
        role="Sales", difficulty="mid", summary="You were specific.", answered=1,
        strengths=[EvidencedPoint(point="Concrete example", evidence="“the Acme renewal”")],
        weaknesses=[EvidencedPoint(point="No outcome", evidence="x" * 1000)],
        scores=Scores(communication=Score(score=4, reason="clear"),
                      technical=Score(score=2, reason="thin"),
                      structure=Score(score=3, reason="some STAR")),
        questions=[review(2, stronger="Open with the numbers."), review(None, skipped=True)],
        next_steps=["Quantify outcomes."], generated_by="gemini")
    return FeedbackReport(**(fields | changes))


def test_scores_carry_one_label_each_in_a_fixed_order():
    view = present(report())
    assert [(s.label, s.score, s.reason) for s in view.scores] == [
        ("Communication", 4, "clear"), ("Technical depth", 2, "thin"), ("Structure", 3, "some STAR")]
    assert SCORE_LABELS[Dimension.technical] == "Technical depth"
    assert present(report(scores=None, answered=0)).scores == []  # no invented scores


def test_points_keep_their_evidence_quoted_within_limits():
    view = present(report())
    strengths, weaknesses = view.points
    assert strengths.strengths and strengths.points[0].evidence == "“the Acme renewal”"
    assert weaknesses.title == WEAKNESSES_TITLE and not weaknesses.strengths
    assert len(weaknesses.points[0].evidence) <= QUOTE_CHARS
    assert [p.title for p in present(report(strengths=[])).points] == [WEAKNESSES_TITLE]


def test_per_question_findings_and_unanswered_questions():
    answered, skipped = present(report()).questions
    assert answered.heading == "Q1 · 2/5" and answered.answered
    assert answered.findings == "STAR found: situation, action · specificity medium · ownership clear"
    assert answered.stronger_answer == "Open with the numbers."
    assert skipped.heading == "Q2 · not answered"
    assert not skipped.answered and skipped.findings is None and skipped.answer_excerpt == ""


def test_the_offline_limits_line_is_shown_apart_from_the_summary():
    view = present(report(summary=f"You answered 1 of 1. {OFFLINE_LIMITS}"))
    assert view.summary == "You answered 1 of 1." and view.limits == OFFLINE_LIMITS
    assert present(report()).limits is None


def test_title_footer_notice_and_delivery():
    answer = AnswerDelivery(question_index=0, question="Why sales?", seconds=30, speaking_seconds=28,
                            words=70, words_per_minute=150, pace="within")
    delivery = DeliveryReport(spoken_answers=1, seconds=30, words_per_minute=150,
                              fillers_per_minute=0, long_pauses=0, guidance="Aim for 130-160.",
                              answers=[answer])
    view = present(report(notice="A fallback reviewer wrote this.", delivery=delivery))
    assert view.title == "Interview feedback · Sales (mid)"
    assert view.footer == "1 question(s) answered · report by gemini"
    assert view.notice == "A fallback reviewer wrote this."
    assert view.delivery is not None
    assert view.delivery.answers == [("Q1. Why sales?", answer.line())]
    assert view.delivery.footnote.startswith("Not part of the scores.")
    assert present(report()).delivery is None


def test_the_chart_is_a_png_that_follows_the_scores():
    def entry(day: int, technical: int) -> HistorySummary:
        return HistorySummary(id=str(day), platform="cli", user_id="u", conversation_id="c",
                              role="sales", difficulty="mid", finished_at=day * 86400.0,
                              communication=3, technical=technical, structure=None)

    rising = trend_chart_png([entry(1, 2), entry(2, 4)])
    assert rising.startswith(b"\x89PNG")
    assert trend_chart_png([entry(1, 4), entry(2, 2)]) != rising
    assert trend_chart_png([]).startswith(b"\x89PNG")
