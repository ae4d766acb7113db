"""Rendering core's replies and feedback report as Slack Block Kit, within Slack's limits.

Limits that shape this module: a section's text holds 3,000 characters, a header
150, a field 2,000, a button label 75, and a message at most 50 blocks. Slack also
refuses a message whose blocks hold too much text altogether (``msg_blocks_too_long``,
at about 12,000 characters in practice), so messages are cut by size as well as by
count. Long text is split at paragraph or sentence boundaries
(``core.text.split_message``), never cut; a report too big for one message becomes
several messages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from adapters.slack.places import SlackPlace
from core.models import Action, Reply
from core.presentation import DeliverySection, PointsSection, QuestionFindings, ScoreLine, present
from core.presentation.report import (
    ADAPTATION_TITLE,
    NEXT_STEPS_TITLE,
    QUESTIONS_TITLE,
    STRONGER_LABEL,
)
from core.report import FeedbackReport
from core.text import bar, excerpt, split_message

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
FIELD_LIMIT = 2000
BLOCKS_PER_MESSAGE = 50
# Slack's total for the text in one message's blocks is about 12,000 characters and not
# documented exactly: stay well under it (``Outbox.post`` still splits on a refusal).
MESSAGE_TEXT_LIMIT = 10_000
FALLBACK_TEXT_LIMIT = 3000  # the notification text beside blocks

ACTION_IDS = {Action.hint: "interview_hint", Action.skip: "interview_skip",
              Action.end: "interview_end"}
# A report with a notice came from the fallback reviewer; core re-runs it on the next `end`.
RERUN_HINT = "Run `/interview end` again in a little while for a fresh report."
BUTTON_LABELS = {Action.hint: "Hint", Action.skip: "Skip", Action.end: "End & get feedback"}


@dataclass
class SlackMessage:
    """What one chat.postMessage / chat.update carries."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    metadata: dict | None = None  # Slack message metadata (event_type, event_payload)

    def as_kwargs(self) -> dict:
        # An empty blocks list is refused by Slack; without it, the text is shown.
        kwargs = {"text": self.text, "blocks": self.blocks} if self.blocks else {"text": self.text}
        if self.metadata is not None:
            kwargs["metadata"] = self.metadata
        return kwargs


def escape(text: str) -> str:
    """Slack's three escapes, so that text such as ``<!channel>`` is shown, never acted on."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Core's plain text (with **bold**) as Slack mrkdwn, with Slack's three escapes."""
    return re.sub(r"\*\*(.+?)\*\*", r"*\1*", escape(text))


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def sections(text: str) -> list[dict]:
    """Long mrkdwn as as many sections as it needs."""
    return [section(chunk) for chunk in split_message(text, SECTION_LIMIT)] if text.strip() else []


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def header(text: str) -> dict:
    return {"type": "header",
            "text": {"type": "plain_text", "text": excerpt(text, HEADER_LIMIT), "emoji": True}}


def button_value(candidate_id: str, conversation_id: str) -> str:
    """What a button remembers: whose interview it is and where it lives."""
    return json.dumps({"u": candidate_id, "c": conversation_id}, separators=(",", ":"))


def read_button_value(value: str) -> tuple[str, str] | None:
    try:
        data = json.loads(value)
        return str(data["u"]), str(data["c"])
    except (ValueError, KeyError, TypeError):
        return None


def action_buttons(actions: list[Action], candidate_id: str, conversation_id: str) -> dict:
    value = button_value(candidate_id, conversation_id)
    elements = []
    for action in actions:
        button = {"type": "button", "action_id": ACTION_IDS[action], "value": value,
                  "text": {"type": "plain_text", "text": BUTTON_LABELS[action]}}
        if action is Action.end:
            button["style"] = "primary"
        elements.append(button)
    return {"type": "actions", "block_id": "interview_actions", "elements": elements}


def without_buttons(blocks: list[dict]) -> list[dict]:
    """A message's blocks once its buttons have been used (so they cannot be pressed twice)."""
    return [block for block in blocks if block.get("type") != "actions"]


def reply_messages(reply: Reply, candidate_id: str, place: SlackPlace) -> list[SlackMessage]:
    """The reply's text, a progress line and the Hint / Skip / End buttons under a question."""
    blocks = sections(mrkdwn(reply.text))
    if reply.actions and reply.question_index and reply.question_total:
        progress = f"Question {reply.question_index} of {reply.question_total}"
        if place.is_thread:  # teammates read along in a channel: say whose turn it is
            progress += f" · only <@{candidate_id}>'s replies in this thread count"
        blocks.append(context(progress))
        blocks.append(action_buttons(reply.actions, candidate_id, place.conversation_id))
    # The fallback `text` is read for mentions too: escape the echoed candidate words.
    return paginate(blocks, fallback=mrkdwn(reply.text))


def text_messages(text: str) -> list[SlackMessage]:
    """A plain notice (help, errors, roles) in as many sections as it needs."""
    return paginate(sections(text), fallback=text)


def paginate(blocks: list[dict], fallback: str) -> list[SlackMessage]:
    """Blocks in messages of at most 50 blocks and ``MESSAGE_TEXT_LIMIT`` characters of text."""
    pages: list[list[dict]] = []
    size = 0
    for block in blocks:
        grows = block_text_size(block)
        if not pages or len(pages[-1]) >= BLOCKS_PER_MESSAGE or size + grows > MESSAGE_TEXT_LIMIT:
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += grows
    notification = excerpt(fallback, FALLBACK_TEXT_LIMIT) or "Interview update"
    return [SlackMessage(text=notification, blocks=page) for page in pages or [[]]]


def block_text_size(block: dict) -> int:
    """The characters of text in a block (what Slack's per-message total counts)."""
    texts = [block["text"]] if isinstance(block.get("text"), dict) else []
    texts += block.get("fields") or []
    texts += [element.get("text") if isinstance(element.get("text"), dict) else element
              for element in block.get("elements") or []]
    return sum(len(str(text.get("text", ""))) for text in texts if isinstance(text, dict))


def halves(message: SlackMessage) -> list[SlackMessage]:
    """A message Slack found too long, as two (the metadata stays with the first)."""
    middle = len(message.blocks) // 2
    return [replace(message, blocks=message.blocks[:middle]),
            replace(message, blocks=message.blocks[middle:], metadata=None)]


# ----------------------------------------------------------------- the report


def report_messages(report: FeedbackReport, role_name: str = "") -> list[SlackMessage]:
    blocks = report_blocks(report, role_name)
    fallback = f"Interview feedback: {mrkdwn(report.summary)}"
    return paginate(blocks, fallback=fallback)


def report_blocks(report: FeedbackReport, role_name: str = "") -> list[dict]:
    """Core's report sections as blocks. ``role_name`` is no longer needed (the report
    carries the role's display name) and is kept for existing callers."""
    view = present(report)
    blocks: list[dict] = [header(view.title), *sections(mrkdwn(view.summary))]
    if view.notice:
        blocks.append(context(f"{mrkdwn(view.notice)} {RERUN_HINT}"))
    if view.scores:
        blocks.append(_score_fields(view.scores))
    blocks.append({"type": "divider"})
    for points in view.points:
        blocks += _points(points)
    if view.questions:
        blocks.append(header(QUESTIONS_TITLE))
        for question in view.questions:
            blocks += sections(_question_review(question))
    if view.adaptation:
        blocks += sections(f"*{ADAPTATION_TITLE}*\n{mrkdwn(view.adaptation)}")
    if view.next_steps:
        steps = "\n".join(f"{n}. {mrkdwn(step)}" for n, step in enumerate(view.next_steps, 1))
        blocks += sections(f"*{NEXT_STEPS_TITLE}*\n{steps}")
    if view.delivery is not None:  # spoken answers: a section of its own, after the content
        blocks += _delivery(view.delivery)
    if view.limits:
        blocks.append(context(mrkdwn(view.limits)))
    blocks.append(context(mrkdwn(view.footer)))
    return blocks


def _score_fields(scores: list[ScoreLine]) -> dict:
    fields = []
    for line in scores:
        text = f"*{line.label}*  {bar(line.score)} {line.score}/5\n_{mrkdwn(line.reason)}_"
        fields.append({"type": "mrkdwn", "text": text[:FIELD_LIMIT]})
    return {"type": "section", "fields": fields}


def _points(section: PointsSection) -> list[dict]:
    emoji = ":white_check_mark:" if section.strengths else ":dart:"
    lines = [f"{emoji} *{section.title}*"]
    for point in section.points:
        lines.append(f"• {mrkdwn(point.point)}\n    _Evidence: {mrkdwn(point.evidence)}_")
    return sections("\n".join(lines))


def _question_review(question: QuestionFindings) -> str:
    title = f"*Q{question.number}.* {mrkdwn(question.question)}"
    if not question.answered:
        return f"{title}\n_Skipped or not answered._ {mrkdwn(question.note)}"
    lines = [
        title,
        f"{bar(question.score)} {question.score}/5 · {mrkdwn(question.findings or '')}",
        f"> {mrkdwn(question.answer_excerpt)}",
        mrkdwn(question.note),
    ]
    if question.stronger_answer:
        lines.append(f"*{STRONGER_LABEL}:* {mrkdwn(question.stronger_answer)}")
    return "\n".join(lines)


def _delivery(delivery: DeliverySection) -> list[dict]:
    blocks = [{"type": "divider"}, header(delivery.title),
              *sections("\n".join(f"• {mrkdwn(line)}" for line in delivery.lines))]
    blocks += sections("\n".join(f"*{mrkdwn(heading)}*\n{mrkdwn(line)}"
                                  for heading, line in delivery.answers))
    blocks.append(context(mrkdwn(delivery.footnote)))
    return blocks
