"""Block Kit for the user's records: history and trends, channel stats, the "forget me" prompt.

Same limits as ``blocks``: long lists become several sections, never cut, and a
message never holds more than 50 blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.slack.blocks import (
    SlackMessage,
    button_value,
    context,
    header,
    mrkdwn,
    paginate,
    section,
    sections,
    text_messages,
)
from core.history import (
    ChannelStats,
    Dimension,
    ForgetResult,
    HistorySummary,
    MemberStats,
    Progress,
    Trend,
    sparkline,
)

RoleName = Callable[[str], str]

FORGET_CONFIRM = "forget_confirm"
FORGET_CANCEL = "forget_cancel"
TREND_EMOJI = {Trend.improving: ":chart_with_upwards_trend:", Trend.flat: ":left_right_arrow:",
               Trend.slipping: ":chart_with_downwards_trend:",
               Trend.too_early: ":hourglass_flowing_sand:"}
DIMENSION_NAMES = {Dimension.communication: "Communication", Dimension.technical: "Technical",
                   Dimension.structure: "Structure"}

NO_HISTORY = ("No finished interviews yet. Your history and trends appear here after your "
              "first feedback report: start with `/interview start sales`.")
CHART_ON_ITS_WAY = ":bar_chart: A chart of your scores is on its way to our direct messages."
CHART_FAILED = ("I couldn't upload the chart of your scores just now; the history above is "
                "complete. Try `/interview history` again later for the chart.")
NO_STATS = ("No finished practice interviews in this channel yet. Start one here with "
            "`/interview start sales`: it runs in a thread.")
STATS_IN_DM = ("`/interview stats` shows a channel's practice activity, so run it in a channel. "
               "For your own scores and trend, use `/interview history`.")
SCORES_ARE_PRIVATE = ("Scores are shown only for members who chose to share them "
                      "(`/interview share on`; `/interview share off` hides them again).")
SHARING_ON = ("Your average scores will now show in `/interview stats` in the channels where "
              "you practise. `/interview share off` hides them again.")
SHARING_OFF = ("Your scores are private again: `/interview stats` shows only how often you "
               "practised and which roles.")
FORGET_WARNING = ("*Delete everything I keep about you?*\nThat is your finished interviews and "
                  "their reports and transcripts, any interview in progress, and your "
                  "score-sharing choice. This cannot be undone.")
FORGOTTEN = ("Done: I deleted {interviews} finished interview(s) and {sessions} stored "
             "interview session(s). I keep nothing about you now (messages already posted "
             "stay in Slack, like any other message).")
KEPT = "Nothing was deleted. Your history is as it was."


# ----------------------------------------------------------------- history


def history_messages(progress: Progress, role_name: RoleName) -> list[SlackMessage]:
    """The last interviews (newest first) and one trend field per score dimension."""
    if not progress.entries:
        return text_messages(NO_HISTORY)
    lines = [_interview_line(entry, role_name) for entry in progress.entries]
    blocks = [header(f"Your last {len(progress.entries)} interview(s)"),
              *sections("\n".join(lines)), _trend_fields(progress), context(CHART_ON_ITS_WAY)]
    return paginate(blocks, fallback="\n".join(progress.lines()))


def _interview_line(entry: HistorySummary, role_name: RoleName) -> str:
    scores = " · ".join(f"{DIMENSION_NAMES[dim]} {_score(entry.score(dim))}" for dim in Dimension)
    return f"• *{entry.day}*  {mrkdwn(role_name(entry.role))} ({entry.difficulty})  ·  {scores}"


def _score(value: int | None) -> str:
    return "–" if value is None else f"{value}/5"


def _trend_fields(progress: Progress) -> dict:
    fields = []
    for dim in Dimension:
        trend = progress.trends[dim]
        spark = sparkline(progress.series(dim))
        fields.append({"type": "mrkdwn", "text": f"*{DIMENSION_NAMES[dim]}*\n`{spark}`  "
                                                 f"{TREND_EMOJI[trend]} {trend.label}"})
    return {"type": "section", "text": {"type": "mrkdwn", "text": "*Trend* (oldest to newest)"},
            "fields": fields}


# ----------------------------------------------------------------- channel stats


def stats_messages(stats: ChannelStats, role_name: RoleName) -> list[SlackMessage]:
    """Sessions per member and roles practised; averages only for members who opted in."""
    if not stats.sessions:
        return text_messages(NO_STATS)
    roles = ", ".join(f"{mrkdwn(role_name(role))} ({count})" for role, count in stats.roles.items())
    members = "\n".join(_member_line(member, role_name) for member in stats.members)
    blocks = [header("Practice in this channel"),
              section(f"*{stats.sessions}* practice interview(s) by *{len(stats.members)}* "
                      f"member(s). Roles: {roles}."),
              *sections(members), context(SCORES_ARE_PRIVATE)]
    return paginate(blocks, fallback="\n".join(stats.lines()))


def _member_line(member: MemberStats, role_name: RoleName) -> str:
    roles = ", ".join(mrkdwn(role_name(role)) for role in member.roles)
    line = f"• <@{member.user_id}>: {member.sessions} interview(s) ({roles})"
    if member.average_scores:
        averages = ", ".join(f"{DIMENSION_NAMES[dim].lower()} {value:.1f}"
                             for dim, value in member.average_scores.items())
        line += f" · average {averages}"
    return line


# ----------------------------------------------------------------- forget me


def forget_prompt(user_id: str, conversation_id: str) -> SlackMessage:
    """Delete everything / Cancel; Slack asks once more (a confirm dialog) before deleting."""
    value = button_value(user_id, conversation_id)
    delete = {"type": "button", "action_id": FORGET_CONFIRM, "value": value, "style": "danger",
              "text": {"type": "plain_text", "text": "Delete everything"},
              "confirm": {"title": {"type": "plain_text", "text": "Delete all your data?"},
                          "text": {"type": "mrkdwn",
                                   "text": "Your interview history, reports and any interview "
                                           "in progress will be gone for good."},
                          "confirm": {"type": "plain_text", "text": "Delete everything"},
                          "deny": {"type": "plain_text", "text": "Keep my data"},
                          "style": "danger"}}
    cancel = {"type": "button", "action_id": FORGET_CANCEL, "value": value,
              "text": {"type": "plain_text", "text": "Cancel"}}
    blocks = [section(FORGET_WARNING),
              {"type": "actions", "block_id": "forget_actions", "elements": [delete, cancel]}]
    return SlackMessage(text="Delete everything I keep about you?", blocks=blocks)


def forgotten_text(result: ForgetResult) -> str:
    return FORGOTTEN.format(interviews=result.interviews, sessions=result.sessions)
