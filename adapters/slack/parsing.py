"""Slack's words around core's one command grammar (``core.commands``).

``/interview <command>`` and text typed in a DM are read by ``core.commands.parse``;
this module holds what only Slack says: the usage text, its wording of a refused
command, and undoing Slack's escapes in what people typed.
"""

from __future__ import annotations

from core.commands import CommandError, CommandProblem

USAGE = (
    "*How to use the interview bot*\n"
    "• `/interview start role:sales [difficulty:junior|mid|senior] [questions:5] "
    "[focus:behavioural|technical|mixed]` (or simply `/interview start sales`)\n"
    "• Paste a job description on the lines after `start sales`, or upload a resume "
    "(text or PDF) in a DM before you start, to tailor the questions.\n"
    "• `/interview hint`, `skip`, `status`, `end` (finish and get feedback; also `stop`, "
    "`quit`, `finish`), `reset` (discard), `roles`, `help`\n"
    "• `/interview history`: your last interviews, scores and trend (with a chart in our DM)\n"
    "• `/interview stats` in a channel: who practised what there; `/interview share on|off` "
    "shows or hides your scores in it\n"
    "• `/interview forget`: delete everything I keep about you (asks first)\n"
    "• In a DM with me, type `start sales` and then just answer. In a channel, the "
    "interview continues in a thread: only your replies there count."
)
SHARE_USAGE = ("Say `/interview share on` to show your average scores in a channel's "
               "`/interview stats`, or `/interview share off` to hide them again.")
# A refused slash command, in the slash command's own syntax.
SLASH_WORDING = {
    CommandProblem.missing_role: ("Which role would you like to practise? For example "
                                  "`/interview start role:sales`. Try `/interview roles` for "
                                  "the list."),
    CommandProblem.share_needs_choice: SHARE_USAGE,
}


def slash_message(error: CommandError) -> str:
    return SLASH_WORDING.get(error.problem, error.user_message)


def plain_text(text: str) -> str:
    """Undo Slack's three escapes in what a user typed ("R&amp;D" -> "R&D").

    Core must read, score and quote the candidate's own characters; renderers escape
    again on the way out. ``&amp;`` goes last so "&amp;lt;" stays a literal "&lt;".
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
