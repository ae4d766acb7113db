"""Reading ``/interview ...`` and DM text into a command.

Accepted shapes (the first line holds the command, any further lines are a pasted
job description or resume that tailors the questions)::

    start role:sales difficulty:senior questions:5 focus:technical
    start sales senior 5
    end | hint | skip | status | roles | reset | help
    history | stats | share on|off | forget
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.models import MAX_QUESTIONS, MIN_QUESTIONS, Difficulty, Focus

USAGE = (
    "*How to use the interview bot*\n"
    "• `/interview start role:sales [difficulty:junior|mid|senior] [questions:5] "
    "[focus:behavioural|technical|mixed]` (or simply `/interview start sales`)\n"
    "• Paste a job description on the lines after `start sales`, or upload a resume "
    "(text or PDF) in a DM before you start, to tailor the questions.\n"
    "• `/interview hint`, `skip`, `status`, `end` (finish and get feedback), `reset` "
    "(discard), `roles`, `help`\n"
    "• `/interview history`: your last interviews, scores and trend (with a chart in our DM)\n"
    "• `/interview stats` in a channel: who practised what there; `/interview share on|off` "
    "shows or hides your scores in it\n"
    "• `/interview forget`: delete everything I keep about you (asks first)\n"
    "• In a DM with me, type `start sales` and then just answer. In a channel, the "
    "interview continues in a thread: only your replies there count."
)


class Verb(StrEnum):
    start = "start"
    end = "end"
    hint = "hint"
    skip = "skip"
    status = "status"
    roles = "roles"
    reset = "reset"
    help = "help"
    history = "history"
    stats = "stats"
    share = "share"
    forget = "forget"


# Verbs about the user's records rather than one interview: they need no running interview.
RECORD_VERBS = frozenset({Verb.history, Verb.stats, Verb.share, Verb.forget})

ALIASES = {"stop": Verb.end, "finish": Verb.end, "feedback": Verb.end, "quit": Verb.end,
           "restart": Verb.reset, "discard": Verb.reset, "?": Verb.help,
           "progress": Verb.history}
SHARE_WORDS = {"on": True, "yes": True, "off": False, "no": False}
SHARE_USAGE = ("Say `/interview share on` to show your average scores in a channel's "
               "`/interview stats`, or `/interview share off` to hide them again.")
OPTION_KEYS = {"role", "difficulty", "level", "questions", "q", "focus"}


class CommandError(ValueError):
    """A command we understood the shape of, with an option we cannot accept."""

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


@dataclass
class Command:
    verb: Verb
    role: str = ""
    difficulty: Difficulty | None = None
    questions: int | None = None
    focus: Focus | None = None
    context: str = ""  # text pasted on the lines after the command
    share: bool | None = None  # `share on` / `share off`

    def option_fields(self) -> dict[str, object]:
        """Only the options the user gave, so core's defaults apply to the rest."""
        fields: dict[str, object] = {"role": self.role}
        if self.difficulty:
            fields["difficulty"] = self.difficulty
        if self.questions is not None:
            fields["questions"] = self.questions
        if self.focus:
            fields["focus"] = self.focus
        return fields


def plain_text(text: str) -> str:
    """Undo Slack's three escapes in what a user typed ("R&amp;D" -> "R&D").

    Core must read, score and quote the candidate's own characters; renderers escape
    again on the way out. ``&amp;`` goes last so "&amp;lt;" stays a literal "&lt;".
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_command(text: str) -> Command | None:
    """The command in ``text``, or None when it is not a command at all (show usage)."""
    first, _, rest = (text or "").strip().partition("\n")
    words = first.split()
    if not words:
        return None
    name = words[0].lstrip("/").lower()
    verb = ALIASES.get(name) or (Verb(name) if name in Verb.__members__ else None)
    if verb is None:
        return None
    if verb is Verb.share:
        return Command(verb=verb, share=_share_choice(words[1:]))
    if verb is not Verb.start:
        return Command(verb=verb)
    command = Command(verb=Verb.start, context=rest.strip())
    _read_start_options(command, words[1:])
    if not command.role:
        raise CommandError("Which role would you like to practise? For example "
                           "`/interview start role:sales`. Try `/interview roles` for the list.")
    return command


def _share_choice(words: list[str]) -> bool:
    choice = SHARE_WORDS.get(words[0].lower()) if len(words) == 1 else None
    if choice is None:
        raise CommandError(SHARE_USAGE)
    return choice


def _read_start_options(command: Command, words: list[str]) -> None:
    loose: list[str] = []
    for word in words:
        key, sep, value = re.split(r"([:=])", word, maxsplit=1) if re.search(r"[:=]", word) \
            else (word, "", "")
        key = key.lower()
        if sep and key in OPTION_KEYS:
            _set_option(command, key, value.strip())
        else:
            loose.append(word)
    for word in loose:
        lowered = word.lower()
        if lowered in Difficulty.__members__ and command.difficulty is None:
            command.difficulty = Difficulty(lowered)
        elif lowered in Focus.__members__ and command.focus is None:
            command.focus = Focus(lowered)
        elif word.isdigit() and command.questions is None:
            command.questions = _question_count(word)
        else:
            command.role = f"{command.role} {word}".strip()  # multi-word roles: "product manager"


def _set_option(command: Command, key: str, value: str) -> None:
    if key == "role":
        command.role = value.replace("_", " ") if value else command.role
    elif key in ("difficulty", "level"):
        if value.lower() not in Difficulty.__members__:
            raise CommandError(f"Difficulty “{value}” isn't one I know: use "
                               f"{_choices(Difficulty)}.")
        command.difficulty = Difficulty(value.lower())
    elif key in ("questions", "q"):
        command.questions = _question_count(value)
    elif key == "focus":
        if value.lower() not in Focus.__members__:
            raise CommandError(f"Focus “{value}” isn't one I know: use {_choices(Focus)}.")
        command.focus = Focus(value.lower())


def _question_count(value: str) -> int:
    if not value.isdigit() or not MIN_QUESTIONS <= int(value) <= MAX_QUESTIONS:
        raise CommandError(f"The number of questions must be between {MIN_QUESTIONS} and "
                           f"{MAX_QUESTIONS} (you asked for “{value}”).")
    return int(value)


def _choices(kind: type[StrEnum]) -> str:
    return ", ".join(f"`{member.value}`" for member in kind)
