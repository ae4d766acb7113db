"""The feedback report as neutral sections, for every surface to draw in its own idiom.

One wording for every surface: the titles, the score labels and the per-question
findings line are decided here, so the Discord embeds, the Slack blocks and the terminal
text say the same things. Surfaces add only their markup (bold, bars, emoji), their
limits (splitting long text) and their own syntax (how to re-run ``end``).

Score labels: the ``technical`` score is shown as "Technical depth" everywhere (it
scores how deep the answers go in the role's own subject, see the roles' data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.history import Dimension
from core.report import OFFLINE_LIMITS, EvidencedPoint, FeedbackReport, QuestionReview
from core.text import excerpt

SCORE_LABELS: dict[Dimension, str] = {
    Dimension.communication: "Communication",
    Dimension.technical: "Technical depth",
    Dimension.structure: "Structure",
}
STRENGTHS_TITLE = "Strengths"
WEAKNESSES_TITLE = "To work on"
QUESTIONS_TITLE = "Question by question"
ADAPTATION_TITLE = "How the interview adapted"
NEXT_STEPS_TITLE = "Next steps"
DELIVERY_TITLE = "Delivery: how your spoken answers sounded"
STRONGER_LABEL = "A stronger answer"
NOT_ANSWERED = "not answered"
QUOTE_CHARS = 300  # a question, an answer or evidence quoted in a report, at most


@dataclass(frozen=True)
class ScoreLine:
    dimension: Dimension
    label: str
    score: int
    reason: str


@dataclass(frozen=True)
class PointsSection:
    """Strengths or weaknesses: each point with the candidate's words as evidence."""

    title: str
    points: list[EvidencedPoint]
    strengths: bool


@dataclass(frozen=True)
class QuestionFindings:
    number: int
    question: str
    score: int | None  # None: skipped or not answered
    answer_excerpt: str
    findings: str | None  # STAR, specificity, ownership; None when not answered
    note: str
    stronger_answer: str | None

    @property
    def answered(self) -> bool:
        return self.score is not None

    @property
    def heading(self) -> str:
        """``Q2 · 3/5`` or ``Q2 · not answered`` (surfaces may add a bar before the score)."""
        return f"Q{self.number} · " + (f"{self.score}/5" if self.answered else NOT_ANSWERED)


@dataclass(frozen=True)
class DeliverySection:
    """How the spoken answers sounded: apart from the content, never part of the scores."""

    title: str
    lines: list[str]  # overall figures and advice
    answers: list[tuple[str, str]]  # ("Q1. question", figures line)
    footnote: str


@dataclass(frozen=True)
class ReportView:
    title: str  # "Interview feedback · Sales (mid)"
    summary: str
    notice: str | None  # e.g. a fallback reviewer wrote it; surfaces add how to re-run
    limits: str | None  # what the offline reviewer cannot judge, said once per report
    scores: list[ScoreLine] = field(default_factory=list)
    points: list[PointsSection] = field(default_factory=list)  # only the non-empty ones
    questions: list[QuestionFindings] = field(default_factory=list)
    adaptation: str = ""
    next_steps: list[str] = field(default_factory=list)
    delivery: DeliverySection | None = None
    footer: str = ""


def present(report: FeedbackReport) -> ReportView:
    """The report's sections, in the order every surface shows them."""
    summary, limits = _split_limits(report.summary)
    scores = []
    if report.scores is not None:
        scores = [ScoreLine(dim, SCORE_LABELS[dim], score.score, score.reason)
                  for dim in Dimension for score in [getattr(report.scores, dim.value)]]
    points = [PointsSection(title, [_quoted(p) for p in found], strengths)
              for title, found, strengths in ((STRENGTHS_TITLE, report.strengths, True),
                                              (WEAKNESSES_TITLE, report.weaknesses, False))
              if found]
    return ReportView(
        title=f"Interview feedback · {report.role} ({report.difficulty})",
        summary=summary, notice=report.notice, limits=limits, scores=scores, points=points,
        questions=[_findings(number, review) for number, review in enumerate(report.questions, 1)],
        adaptation=report.adaptation, next_steps=list(report.next_steps),
        delivery=_delivery(report),
        footer=f"{report.answered} question(s) answered · report by {report.generated_by}",
    )


def _split_limits(summary: str) -> tuple[str, str | None]:
    """The offline reviewer ends its summary with its limits: shown apart, as a footnote."""
    if summary.rstrip().endswith(OFFLINE_LIMITS):
        return summary.rstrip()[: -len(OFFLINE_LIMITS)].rstrip(), OFFLINE_LIMITS
    return summary, None


def _quoted(point: EvidencedPoint) -> EvidencedPoint:
    return EvidencedPoint(point=point.point, evidence=excerpt(point.evidence, QUOTE_CHARS))


def _findings(number: int, review: QuestionReview) -> QuestionFindings:
    answered = not review.skipped and review.score is not None
    return QuestionFindings(
        number=number, question=excerpt(review.question, QUOTE_CHARS),
        score=review.score if answered else None,
        answer_excerpt=excerpt(review.answer_excerpt, QUOTE_CHARS) if answered else "",
        findings=review.findings() if answered else None, note=review.note,
        stronger_answer=review.stronger_answer if answered else None,
    )


def _delivery(report: FeedbackReport) -> DeliverySection | None:
    delivery = report.delivery
    if delivery is None:
        return None
    answers = [(f"Q{a.question_index + 1}. {a.question}".strip(), a.line()) for a in delivery.answers]
    return DeliverySection(DELIVERY_TITLE, delivery.lines(), answers,
                           f"Not part of the scores. {delivery.guidance}".strip())
