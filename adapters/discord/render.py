"""Turn core's neutral ``Reply`` into Discord messages: text chunks, report embeds, limits.

Discord's limits shape everything here: 2,000 characters per message; per embed a
title of 256, a description of 4,096, 25 fields of 1,024 characters each; 6,000
characters across all embeds of one message, and 10 embeds per message. Text is
split at paragraph or sentence boundaries (``core.text.split_message``), never cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from core.models import Reply, RoleSummary
from core.report import EvidencedPoint, FeedbackReport
from core.text import bar, excerpt, split_message

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
FOOTER_ROOM = 200  # kept free in each embed so the footer never crosses the total
REPORT_COLOUR = discord.Colour.blurple()


@dataclass
class Outgoing:
    """One Discord message to send: text, embeds, and whether it carries the buttons."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: bool = False


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    return split_message(text, limit) if text.strip() else []


def render_reply(reply: Reply) -> list[Outgoing]:
    """The messages for one interviewer reply; the buttons go under the last text of a live turn."""
    messages = [Outgoing(content=chunk) for chunk in split_text(reply.text)]
    if reply.actions and messages:
        messages[-1].buttons = True
    if reply.report is not None:
        messages.extend(Outgoing(embeds=batch) for batch in batch_embeds(report_embeds(reply.report)))
    return messages


def render_roles(roles: list[RoleSummary]) -> str:
    lines = ["**Roles you can practise** (use the id or the name):"]
    lines += [f"• **{role.name}** (`{role.id}`): {excerpt(role.summary, 150)}" for role in roles]
    return "\n".join(lines)


# --------------------------------------------------------------------------- report


class EmbedSeries:
    """Builds a run of embeds, opening a new one whenever a limit would be crossed."""

    def __init__(self, title: str, colour: discord.Colour = REPORT_COLOUR) -> None:
        self.title = title[:EMBED_TITLE_LIMIT]
        self.colour = colour
        self.embeds: list[discord.Embed] = []
        self._open(first=True)

    def _open(self, first: bool = False) -> discord.Embed:
        title = self.title if first else f"{self.title} (continued)"[:EMBED_TITLE_LIMIT]
        embed = discord.Embed(title=title, colour=self.colour)
        self.embeds.append(embed)
        return embed

    @property
    def current(self) -> discord.Embed:
        return self.embeds[-1]

    def describe(self, text: str) -> None:
        """Set the description; overflow continues in further embeds' descriptions."""
        chunks = split_text(text, EMBED_DESCRIPTION_LIMIT)
        for index, chunk in enumerate(chunks):
            embed = self.current if index == 0 and not self.current.description else self._open()
            embed.description = chunk

    def add(self, name: str, value: str, *, inline: bool = False) -> None:
        """Add a field; a long value continues in further fields, never cut mid-word."""
        name = name[:FIELD_NAME_LIMIT]
        for index, chunk in enumerate(split_text(value, FIELD_VALUE_LIMIT)):
            label = name if index == 0 else f"{name} (cont.)"[:FIELD_NAME_LIMIT]
            embed = self.current
            size = len(label) + len(chunk)
            if len(embed.fields) >= FIELDS_PER_EMBED or len(embed) + size > EMBED_TOTAL_LIMIT - FOOTER_ROOM:
                embed = self._open()
            embed.add_field(name=label, value=chunk, inline=inline)

    def footer(self, text: str) -> None:
        self.current.set_footer(text=text[:2048])


def report_embeds(report: FeedbackReport) -> list[discord.Embed]:
    """The feedback report as embeds: summary, scores as bars, evidence, reviews, next steps."""
    series = EmbedSeries(f"Interview feedback · {report.role} ({report.difficulty})")
    summary = report.summary
    if report.notice:
        summary = f"{summary}\n\n*{report.notice}*"
    series.describe(summary)
    if report.scores is not None:
        for label, score in (
            ("Communication", report.scores.communication),
            ("Technical depth", report.scores.technical),
            ("Structure", report.scores.structure),
        ):
            series.add(f"{label} {bar(score.score)} {score.score}/5", score.reason)
    if report.strengths:
        series.add("Strengths", _points(report.strengths))
    if report.weaknesses:
        series.add("To work on", _points(report.weaknesses))
    for number, review in enumerate(report.questions, start=1):
        series.add(_review_title(number, review.score, review.skipped), _review_body(review))
    if report.adaptation:
        series.add("How the interview adapted", report.adaptation)
    if report.next_steps:
        series.add("Next steps", "\n".join(f"{i}. {step}" for i, step in enumerate(report.next_steps, 1)))
    series.footer(f"{report.answered} question(s) answered · report by {report.generated_by}")
    return series.embeds


def _points(points: list[EvidencedPoint]) -> str:
    return "\n".join(f"• **{p.point}**\n  ↳ {p.evidence}" for p in points)


def _review_title(number: int, score: int | None, skipped: bool) -> str:
    if skipped or score is None:
        return f"Q{number} · not answered"
    return f"Q{number} · {bar(score)} {score}/5"


def _review_body(review) -> str:
    parts = [f"*{excerpt(review.question, 200)}*"]
    if review.answer_excerpt:
        parts.append(f"You said: “{excerpt(review.answer_excerpt, 200)}”")
    if review.note:
        parts.append(review.note)
    if review.stronger_answer:
        parts.append(f"**A stronger answer:** {review.stronger_answer}")
    return "\n".join(parts)


def batch_embeds(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages: at most 10 per message and 6,000 characters in total."""
    batches: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        if current and (len(current) >= EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL_LIMIT):
            batches.append(current)
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    if current:
        batches.append(current)
    return batches
