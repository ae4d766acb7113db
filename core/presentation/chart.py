"""The history chart: each score dimension over a user's interviews, as a small PNG.

Drawn once here for every surface (Discord and Slack attach it, the web API serves it).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from core.history import Dimension, HistorySummary
from core.presentation.report import SCORE_LABELS


def trend_chart_png(entries: Sequence[HistorySummary]) -> bytes:
    """A small PNG of the scores over time.

    CPU-bound (about 0.1 s): call it with ``asyncio.to_thread`` from a bot.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    ordered = sorted(entries, key=lambda entry: entry.finished_at)
    figure = Figure(figsize=(6, 3), dpi=100)  # no pyplot: no global state, thread-safe
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(1, len(ordered) + 1))
    for dim, marker in zip(Dimension, "osD", strict=True):
        points = [(x, e.score(dim)) for x, e in zip(positions, ordered) if e.score(dim) is not None]
        if points:
            xs, ys = zip(*points)
            axes.plot(xs, ys, marker=marker, label=SCORE_LABELS[dim])
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_xticks(positions, [entry.day[5:] for entry in ordered], fontsize=7)
    axes.set_title("Interview scores over time", fontsize=10)
    axes.grid(alpha=0.3)
    if ordered:
        axes.legend(loc="lower right", fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
