"""Report presentation, written once for every surface.

``present(report)`` turns a ``FeedbackReport`` into neutral sections (titles, scores
with their labels, points with evidence, per-question findings, delivery, the offline
reviewer's limits) that each surface draws in its own idiom: Discord embeds, Slack
Block Kit, terminal text. ``trend_chart_png`` draws the history chart (Discord and
Slack attach it, the web API serves it).
"""

from core.presentation.chart import trend_chart_png
from core.presentation.report import (
    SCORE_LABELS,
    DeliverySection,
    PointsSection,
    QuestionFindings,
    ReportView,
    ScoreLine,
    present,
)

__all__ = ["SCORE_LABELS", "DeliverySection", "PointsSection", "QuestionFindings", "ReportView",
           "ScoreLine", "present", "trend_chart_png"]
