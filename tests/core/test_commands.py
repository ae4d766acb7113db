"""Core's one command grammar: what every surface understands when someone types."""

from __future__ import annotations

import pytest

from core.commands import Command, CommandError, CommandProblem, lone_command, parse
from core.errors import InvalidOptionError
from core.models import Difficulty, Focus


def test_start_with_named_options():
    command = parse("start role:sales difficulty:senior questions:5 focus:technical")
    assert (command.command, command.role, command.difficulty, command.questions,
            command.focus) == (Command.start, "sales", Difficulty.senior, 5, Focus.technical)


def test_start_with_bare_words_and_pasted_context():
    command = parse("start product manager senior 3\nWe need a PM for payments.\nRemote.")
    assert (command.role, command.difficulty, command.questions) == ("product manager",
                                                                     Difficulty.senior, 3)
    assert command.context == "We need a PM for payments.\nRemote."
    options = command.options("Resume: ten years in fintech.")
    assert (options.role, options.difficulty, options.questions, options.focus) == (
        "product manager", Difficulty.senior, 3, Focus.mixed)  # the default where none was given
    assert options.context == "We need a PM for payments.\nRemote.\n\nResume: ten years in fintech."


@pytest.mark.parametrize("text,expected", [
    ("start sales", (Command.start, "sales")),
    ("Start role:sales", (Command.start, "sales")),
    ("/interview start product manager", (Command.start, "product manager")),
    ("start role:customer_success", (Command.start, "customer success")),
    ("end", (Command.end, "")), ("STOP", (Command.end, "")), ("quit", (Command.end, "")),
    ("finish", (Command.end, "")), ("feedback", (Command.end, "")), ("stop!", (Command.end, "")),
    ("hint", (Command.hint, "")), ("  SKIP ", (Command.skip, "")), ("hint.", (Command.hint, "")),
    ("/hint", (Command.hint, "")), ("status", (Command.status, "")),
    ("roles", (Command.roles, "")), ("reset", (Command.reset, "")),
    ("restart", (Command.reset, "")), ("discard", (Command.reset, "")),
    ("help", (Command.help, "")), ("?", (Command.help, "")),
    ("history", (Command.history, "")), ("progress", (Command.history, "")),
    ("stats", (Command.stats, "")), ("forget", (Command.forget, "")),
    ("", None), ("   ", None), ("dance", None), ("tell me a joke", None),
    ("I would start by mapping the buyer", None),
    ("hint: I think the answer is pipeline", None),
    ("the end of the quarter was hard", None),
])
def test_commands_and_aliases(text, expected):
    command = parse(text)
    assert (None if command is None else (command.command, command.role)) == expected


@pytest.mark.parametrize("text,problem,fragment", [
    ("start", CommandProblem.missing_role, "Which role"),
    ("start sales questions:40", CommandProblem.bad_questions, "between 1 and 15"),
    ("start sales 0", CommandProblem.bad_questions, "between 1 and 15"),
    ("start sales difficulty:godlike", CommandProblem.bad_difficulty, "godlike"),
    ("start sales focus:vibes", CommandProblem.bad_focus, "vibes"),
    ("share", CommandProblem.share_needs_choice, "share on"),
    ("share maybe", CommandProblem.share_needs_choice, "share off"),
])
def test_bad_options_are_refused_with_a_friendly_reason(text, problem, fragment):
    with pytest.raises(CommandError) as caught:
        parse(text)
    assert caught.value.problem is problem
    assert fragment in caught.value.user_message
    assert "/interview" not in caught.value.user_message  # no one surface's syntax in core


@pytest.mark.parametrize("text,share", [("share on", True), ("share ON", True),
                                        ("share off", False), ("share no", False)])
def test_share_on_and_off(text, share):
    command = parse(text)
    assert (command.command, command.share) == (Command.share, share)


def test_options_that_do_not_fit_together_are_an_invalid_option():
    command = parse("start sales")
    command.custom_questions = ["?"] * 16  # more than an interview may ask
    with pytest.raises(InvalidOptionError):
        command.options()


@pytest.mark.parametrize("text,expected", [
    (" skip ", Command.skip), ("stop", Command.end), ("Quit.", Command.end),
    ("status", Command.status), ("restart", Command.reset), ("help", Command.help),
    ("Skip the details: I led the team and we won.", None),
    ("start", None), ("start sales", None),  # never a lone command (see core.conversation)
    ("History", None), ("forget", None), ("stats", None),  # one-word answers, not records
    ("hint\nand more", None),
])
def test_inside_an_interview_only_a_lone_command_counts(text, expected):
    assert lone_command(text) is expected
