"""Turn core's neutral replies into Discord messages: text chunks, report embeds, limits.

Also the embeds of ``/interview history`` (your interviews, a trend per score) and
``/interview stats`` (a channel's practice; scores only of members who share them).

Discord's limits shape everything here: 2,000 characters per message; per embed a
title of 256, a description of 4,096, 25 fields of 1,024 characters each; 6,000
characters across all embeds of one message, and 10 embeds per message. Text is
split at paragraph or sentence boundaries (``core.text.split_message``), never cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import discord

from core.history import ChannelStats, Dimension, HistorySummary, MemberStats, Progress, Trend, sparkline
from core.models import Reply, RoleSummary
from core.presentation import SCORE_LABELS, QuestionFindings, present
from core.presentation.report import ADAPTATION_TITLE, NEXT_STEPS_TITLE, STRONGER_LABEL
from core.report import FeedbackReport
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
DELIVERY_COLOUR = discord.Colour.teal()
RERUN_HINT = "Use `/interview end` again later to have it written afresh."
CHART_FILENAME = "progress.png"
STATS_MEMBER_LIMIT = 25  # keeps the stats in one message; the rest are counted, not listed
HISTORY_FOOTER = "Scores are out of 5. The trend compares your latest interviews with the ones before."
STATS_FOOTER = "Scores show only for members who chose to share them: /interview share scores:True"
SHORT_LABELS = {Dimension.communication: "comm", Dimension.technical: "tech", Dimension.structure: "struct"}
TREND_MARKS = {Trend.improving: "📈", Trend.flat: "➡️", Trend.slipping: "📉", Trend.too_early: "⏳"}
NO_HISTORY = (
    "No finished interviews yet. Your history and progress appear here after your first "
    "feedback report (`/interview start`, then **End & get feedback**)."
)


@dataclass
class Outgoing:
    """One Discord message to send: text, embeds, and whether it carries the buttons."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: bool = False


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    return split_message(text, limit) if text.strip() else []


def render_reply(reply: Reply, *, embeds: bool = True) -> list[Outgoing]:
    """The messages for one interviewer reply; the buttons go under the last text of a live turn.

    ``embeds=False`` where the bot lacks Embed Links: Discord would refuse (or silently
    drop) the report's embeds there, so the report comes as plain text instead.
    """
    messages = [Outgoing(content=chunk) for chunk in split_text(reply.text)]
    if reply.actions and messages:
        messages[-1].buttons = True
    if reply.report is not None:
        drawn = report_embeds(reply.report)
        if embeds:
            messages.extend(Outgoing(embeds=batch) for batch in batch_embeds(drawn))
        else:
            messages.extend(Outgoing(content=chunk) for chunk in split_text(embeds_as_text(drawn)))
    return messages


def embeds_as_text(embeds: list[discord.Embed]) -> str:
    """Embeds as markdown text: titles bold, fields as headed paragraphs, footers in italics."""
    parts: list[str] = []
    for embed in embeds:
        if embed.title and not embed.title.endswith("(continued)"):
            parts.append(f"**{embed.title}**")
        if embed.description:
            parts.append(embed.description)
        parts += [f"**{field.name}**\n{field.value}" for field in embed.fields]
        if embed.footer.text:
            parts.append(f"*{embed.footer.text}*")
    return "\n\n".join(parts)


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
    """The report as embeds (core's sections): summary, score bars, evidence, reviews, delivery."""
    view = present(report)
    series = EmbedSeries(view.title)
    summary = view.summary
    if view.notice:
        summary = f"{summary}\n\n*{view.notice}* {RERUN_HINT}"
    series.describe(summary)
    for line in view.scores:
        series.add(f"{line.label} {bar(line.score)} {line.score}/5", line.reason)
    for section in view.points:
        series.add(section.title, "\n".join(f"• **{p.point}**\n  ↳ {p.evidence}" for p in section.points))
    for question in view.questions:
        series.add(_review_title(question), _review_body(question))
    if view.adaptation:
        series.add(ADAPTATION_TITLE, view.adaptation)
    if view.next_steps:
        series.add(NEXT_STEPS_TITLE, "\n".join(f"{i}. {step}" for i, step in enumerate(view.next_steps, 1)))
    series.footer(f"{view.limits}\n{view.footer}" if view.limits else view.footer)
    embeds = series.embeds
    if view.delivery is not None:  # how it sounded: an embed of its own, never read as a score
        delivery = EmbedSeries(view.delivery.title, colour=DELIVERY_COLOUR)
        delivery.describe("\n".join(view.delivery.lines))
        for heading, line in view.delivery.answers:
            delivery.add(heading, line)
        delivery.footer(view.delivery.footnote)
        embeds += delivery.embeds
    return embeds


def _review_title(question: QuestionFindings) -> str:
    if not question.answered:
        return question.heading
    return f"Q{question.number} · {bar(question.score)} {question.score}/5"


def _review_body(question: QuestionFindings) -> str:
    parts = [f"*{question.question}*"]
    if question.answer_excerpt:
        parts.append(f"You said: “{question.answer_excerpt}”")
    if question.findings:
        parts.append(question.findings)
    if question.note:
        parts.append(question.note)
    if question.stronger_answer:
        parts.append(f"**{STRONGER_LABEL}:** {question.stronger_answer}")
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


# --------------------------------------------------------------------------- history and stats


def history_embed(progress: Progress, role_names: dict[str, str], *, chart: bool) -> discord.Embed:
    """The user's last interviews and a trend per score dimension (the chart as the image)."""
    embed = discord.Embed(title="Your interview practice", colour=REPORT_COLOUR)
    if not progress.entries:
        embed.description = NO_HISTORY
        return embed
    lines = [_history_line(entry, role_names) for entry in progress.entries]
    embed.description = f"**Your last {len(lines)} interview(s)**, newest first:\n" + "\n".join(lines)
    for dimension in Dimension:
        trend = progress.trends[dimension]
        embed.add_field(
            name=f"{TREND_MARKS[trend]} {SCORE_LABELS[dimension]}",
            value=f"`{sparkline(progress.series(dimension))}` {trend.label}",
            inline=True,
        )
    if chart:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    embed.set_footer(text=HISTORY_FOOTER)
    return embed


def _history_line(entry: HistorySummary, role_names: dict[str, str]) -> str:
    role = role_names.get(entry.role, entry.role)
    return f"`{entry.day}` **{role}** ({entry.difficulty}) · {_scores(entry.score)}"


def _scores(score_of: Callable[[Dimension], float | None]) -> str:
    """``comm 4 · tech 3 · struct 5``; a dash where a dimension has no score."""
    parts = []
    for dimension in Dimension:
        value = score_of(dimension)
        shown = "-" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
        parts.append(f"{SHORT_LABELS[dimension]} {shown}")
    return " · ".join(parts)


def stats_embed(stats: ChannelStats, role_names: dict[str, str], channel_mention: str) -> discord.Embed:
    """A channel's practice activity: interviews per member and roles, scores only if shared."""
    embed = discord.Embed(title="Practice in this channel", colour=REPORT_COLOUR)
    if not stats.sessions:
        embed.description = f"No finished practice interviews in {channel_mention} yet."
        return embed
    roles = ", ".join(f"{role_names.get(role, role)} ({count})" for role, count in stats.roles.items())
    lines = [
        f"{stats.sessions} finished interview(s) by {len(stats.members)} member(s) in {channel_mention}.",
        f"Roles practised: {roles}.",
        "",
    ]
    lines += [_member_line(member, role_names) for member in stats.members[:STATS_MEMBER_LIMIT]]
    hidden = len(stats.members) - STATS_MEMBER_LIMIT
    if hidden > 0:
        lines.append(f"…and {hidden} more member(s).")
    embed.description = split_text("\n".join(lines), EMBED_DESCRIPTION_LIMIT)[0]
    embed.set_footer(text=STATS_FOOTER)
    return embed


def _member_line(member: MemberStats, role_names: dict[str, str]) -> str:
    name = discord.utils.escape_markdown(excerpt(member.display_name or member.user_id, 60))
    roles = ", ".join(f"{role_names.get(role, role)} ×{count}" for role, count in member.roles.items())
    line = f"**{name}**: {member.sessions} interview(s) · {roles}"
    if member.average_scores is None:
        return f"{line} · scores private"
    return f"{line} · average {_scores(member.average_scores.get)}"
