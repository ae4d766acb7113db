"""The one grammar of typed commands, for every surface.

The first line holds the command; further lines are a pasted job description or
resume that tailors the questions::

    start role:sales difficulty:senior questions:5 focus:technical
    start sales senior 5
    end | hint | skip | status | roles | reset | help
    history | stats | share on|off | forget

A leading ``/`` and a leading ``interview`` are ignored, so ``/interview hint`` typed
as text means ``hint``. Inside a running interview only a command typed alone counts
(``lone_command``): "Skip the details: I led the team" is an answer. Errors carry a
``problem`` code; their ``user_message`` is neutral, and surfaces may word it in
their own idiom (``/interview start`` on Slack).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import ValidationError

from core.errors import InterviewError, InvalidOptionError
from core.models import MAX_QUESTIONS, MIN_QUESTIONS, Difficulty, Focus, InterviewOptions


class Command(StrEnum):
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


# About the user's records rather than one interview: they need no running interview,
# and inside one they are answers ("History." answers "Which subject did you like?").
RECORD_COMMANDS = frozenset({Command.history, Command.stats, Command.share, Command.forget})
# The verbs that act on the interview in this conversation (buttons, slash subcommands).
TURN_COMMANDS = frozenset({Command.hint, Command.skip, Command.end, Command.status,
                           Command.reset})

ALIASES = {"stop": Command.end, "finish": Command.end, "feedback": Command.end,
           "quit": Command.end, "restart": Command.reset, "discard": Command.reset,
           "?": Command.help, "progress": Command.history}
SHARE_WORDS = {"on": True, "yes": True, "true": True, "off": False, "no": False,
               "false": False}
OPTION_KEYS = {"role", "difficulty", "level", "questions", "q", "focus"}
TRAILING = ".!"  # "hint." and "stop!" are still commands


class CommandProblem(StrEnum):
    """Why a command was refused; surfaces may word each in their own idiom."""

    missing_role = "missing_role"
    bad_difficulty = "bad_difficulty"
    bad_questions = "bad_questions"
    bad_focus = "bad_focus"
    share_needs_choice = "share_needs_choice"


class CommandError(InterviewError):
    """A command we understood the shape of, with an option we cannot accept."""

    def __init__(self, problem: CommandProblem, user_message: str, value: str = "") -> None:
        self.problem = problem
        self.value = value
        super().__init__(user_message)


@dataclass
class ParsedCommand:
    command: Command
    role: str = ""
    difficulty: Difficulty | None = None
    questions: int | None = None
    focus: Focus | None = None
    context: str = ""  # text pasted on the lines after the command
    share: bool | None = None  # `share on` / `share off`
    custom_questions: list[str] = field(default_factory=list)

    def option_fields(self) -> dict[str, object]:
        """Only the options the user gave, so core's defaults apply to the rest."""
        fields: dict[str, object] = {"role": self.role}
        if self.difficulty:
            fields["difficulty"] = self.difficulty
        if self.questions is not None:
            fields["questions"] = self.questions
        if self.focus:
            fields["focus"] = self.focus
        if self.custom_questions:
            fields["custom_questions"] = self.custom_questions
        return fields

    def options(self, extra_context: str = "") -> InterviewOptions:
        """The interview options, tailored by pasted text and ``extra_context`` (a file)."""
        context = "\n\n".join(part for part in (self.context, extra_context) if part)
        try:
            return InterviewOptions(**self.option_fields(), context=context)
        except ValidationError as error:
            raise InvalidOptionError(f"Those interview options don't work: "
                                     f"{error.errors()[0]['msg']}.") from error


def _command_word(word: str) -> Command | None:
    name = word.lower().rstrip(TRAILING) or word  # "?" stays "?"
    return ALIASES.get(name) or (Command(name) if name in Command.__members__ else None)


def _words(text: str) -> tuple[list[str], str]:
    first, _, rest = (text or "").strip().partition("\n")
    words = first.split()
    if words and words[0].startswith("/"):
        words[0] = words[0].lstrip("/")
    if len(words) > 1 and words[0].lower() == "interview":
        words = words[1:]
    return [word for word in words if word], rest


def parse(text: str) -> ParsedCommand | None:
    """The command in ``text``, or None when it is not a command at all."""
    words, rest = _words(text)
    if not words:
        return None
    command = _command_word(words[0])
    if command is None:
        return None
    if command is Command.share:
        return ParsedCommand(command, share=_share_choice(words[1:]))
    if command is not Command.start:
        return ParsedCommand(command)  # words after a verb change nothing: "end now"
    parsed = ParsedCommand(Command.start, context=rest.strip())
    _read_start_options(parsed, words[1:])
    if not parsed.role:
        raise CommandError(CommandProblem.missing_role,
                           "Which role would you like to practise? Start again with a role, "
                           "for example sales; ask for the roles to see the list.")
    return parsed


def lone_command(text: str) -> Command | None:
    """A command typed alone inside a running interview; anything else is an answer.

    ``start`` and the record commands never count there: a one-word answer such as
    "History" is an answer.
    """
    words, rest = _words(text)
    if len(words) != 1 or rest.strip():
        return None
    command = _command_word(words[0])
    if command is None or command is Command.start or command in RECORD_COMMANDS:
        return None
    return command


def _share_choice(words: list[str]) -> bool:
    choice = SHARE_WORDS.get(words[0].lower()) if len(words) == 1 else None
    if choice is None:
        raise CommandError(CommandProblem.share_needs_choice,
                           "Say `share on` to show your average scores in a channel's practice "
                           "stats, or `share off` to hide them again.")
    return choice


def _read_start_options(command: ParsedCommand, words: list[str]) -> None:
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


def _set_option(command: ParsedCommand, key: str, value: str) -> None:
    if key == "role":
        command.role = value.replace("_", " ") if value else command.role
    elif key in ("difficulty", "level"):
        if value.lower() not in Difficulty.__members__:
            raise CommandError(CommandProblem.bad_difficulty, f"Difficulty “{value}” isn't one "
                               f"I know: use {_choices(Difficulty)}.", value)
        command.difficulty = Difficulty(value.lower())
    elif key in ("questions", "q"):
        command.questions = _question_count(value)
    elif key == "focus":
        if value.lower() not in Focus.__members__:
            raise CommandError(CommandProblem.bad_focus,
                               f"Focus “{value}” isn't one I know: use {_choices(Focus)}.", value)
        command.focus = Focus(value.lower())


def _question_count(value: str) -> int:
    if not value.isdigit() or not MIN_QUESTIONS <= int(value) <= MAX_QUESTIONS:
        raise CommandError(CommandProblem.bad_questions,
                           f"The number of questions must be between {MIN_QUESTIONS} and "
                           f"{MAX_QUESTIONS} (you asked for “{value}”).", value)
    return int(value)


def _choices(kind: type[StrEnum]) -> str:
    return ", ".join(f"`{member.value}`" for member in kind)
