"""The terminal surface: an interactive interview, or one answer per line through a pipe.

    python -m bot cli --role sales [--difficulty senior] [--questions 5] [--focus mixed]
                      [--jd FILE] [--ask "question"]... [--json]

Commands while answering (core.commands, as on every surface): /hint, /skip, /status,
/end (feedback; also /stop, /quit, /finish), /history, /roles, /voice PATH (answer with
an audio file: wav, ogg/opus, mp3, m4a, webm), /help. End of input
(Ctrl-D, or the end of a pipe) also ends the interview with feedback.
With ``--json`` every interviewer turn is one JSON object per line on stdout
(fields documented in the README); menus and prompts go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from core import (
    Difficulty,
    Focus,
    InterviewError,
    InterviewOptions,
    InvalidInputError,
    InterviewService,
    Reply,
    ReplyKind,
    UnknownRoleError,
    Where,
    Who,
)
from core.audio import MAX_AUDIO_BYTES, AudioError
from core.commands import Command, CommandError, ParsedCommand, parse
from core.conversation import (
    ConfirmForget,
    Conversation,
    Outcome,
    Replied,
    SharingSet,
    ShowHistory,
    ShowRoles,
    ShowStats,
    ShowUsage,
)
from core.documents import DocumentError, check_size, read_document
from core.errors import ErrorCode
from core.models import MAX_QUESTIONS, MIN_QUESTIONS
from core.presentation import present
from core.presentation.report import (
    ADAPTATION_TITLE,
    NEXT_STEPS_TITLE,
    QUESTIONS_TITLE,
    STRONGER_LABEL,
)
from core.report import FeedbackReport
from core.text import bar

HELP = ("Commands: /hint  /skip  /status  /end (finish and get feedback; also /stop, /quit, "
        "/finish)  /history  /roles  /voice PATH (answer with an audio file)  /reset (discard "
        "this interview)  /help")
NO_CHANNEL_HERE = "Practice stats belong to a chat channel (Slack or Discord); see /history."
FORGET_ELSEWHERE = ("To delete everything kept about you, run `python -m bot forget` "
                    "(it asks first).")
VOICE = "/voice"
# One terminal conversation per user: an interview left open (a crash, a closed window)
# is picked up on the next run instead of being lost.
TERMINAL_CONVERSATION = "terminal"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", help="role to practise, e.g. sales, swe, 'product manager'")
    parser.add_argument("--difficulty", choices=[d.value for d in Difficulty], default="mid")
    parser.add_argument("--questions", type=_question_count, default=5,
                        help=f"main questions ({MIN_QUESTIONS}-{MAX_QUESTIONS}, default 5)")
    parser.add_argument("--focus", choices=[f.value for f in Focus], default="mixed")
    parser.add_argument("--jd", type=Path, metavar="FILE",
                        help="job description or resume (text or PDF) to tailor the questions")
    parser.add_argument("--ask", action="append", default=[], metavar="QUESTION",
                        help="a question of your own to be asked (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line per turn")
    parser.add_argument("--name", default=os.environ.get("USER", ""), help=argparse.SUPPRESS)


def _question_count(value: str) -> int:
    number = int(value)
    if not MIN_QUESTIONS <= number <= MAX_QUESTIONS:
        raise argparse.ArgumentTypeError(f"must be between {MIN_QUESTIONS} and {MAX_QUESTIONS}")
    return number


class Terminal:
    """Renders replies as readable text or as JSON lines."""

    def __init__(self, out: TextIO, err: TextIO, as_json: bool) -> None:
        self.out, self.err, self.as_json = out, err, as_json
        self.colour = out.isatty() and not as_json and "NO_COLOR" not in os.environ
        self.width = min(100, shutil.get_terminal_size((100, 20)).columns)

    def emit(self, reply: Reply) -> None:
        if self.as_json:
            event = {"kind": reply.kind.value, "text": reply.text,
                     "persona": reply.persona.value if reply.persona else None,
                     "question_index": reply.question_index,
                     "question_total": reply.question_total}
            if reply.report is not None:
                event["report"] = reply.report.model_dump(mode="json")
            if reply.status is not None:
                event["status"] = reply.status.model_dump(mode="json")
            if reply.heard is not None:
                event["heard"] = reply.heard.model_dump(mode="json")
            self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.out.flush()
            return
        if reply.heard is not None:
            self.out.write("\n" + self._bold("You said (transcribed):") + "\n"
                           + textwrap.fill(reply.heard.text, self.width, initial_indent="  ",
                                           subsequent_indent="  ")
                           + f"\n  Delivery: {reply.heard.delivery.line()}\n")
        self._say(reply.text)
        if reply.report is not None:
            self.out.write(render_report(reply.report, bold=self._bold) + "\n")
        self.out.flush()

    def error(self, message: str) -> None:
        if self.as_json:
            self.out.write(json.dumps({"kind": ReplyKind.error.value, "text": message,
                                       "persona": None, "question_index": None}) + "\n")
            self.out.flush()
        else:
            self._say(message)

    def info(self, message: str) -> None:
        (self.err if self.as_json else self.out).write(message + "\n")

    def _bold(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.colour else text

    def _say(self, text: str) -> None:
        text = re.sub(r"\*\*(.+?)\*\*", lambda m: self._bold(m.group(1)), text)
        text = re.sub(r"(?<!\*)\*(\S[^*]*?)\*(?!\*)", r"\1", text)
        paragraphs = [textwrap.fill(p, self.width, initial_indent="  ", subsequent_indent="  ")
                      for p in text.split("\n\n")]
        self.out.write("\n" + self._bold("Interviewer:") + "\n" + "\n\n".join(paragraphs) + "\n")


def render_report(report: FeedbackReport, bold=lambda s: s) -> str:
    """Core's report sections as text with score bars, for reading in a terminal."""
    view = present(report)
    lines = ["", bold(f"══ {view.title} ══"), view.summary]
    if view.limits:
        lines += [view.limits]
    if view.notice:
        lines += ["", f"Note: {view.notice}"]
    if view.scores:
        lines += ["", bold("Scores")]
        width = max(len(line.label) for line in view.scores) + 1
        lines += [f"  {line.label:<{width}} {bar(line.score)} {line.score}/5  {line.reason}"
                  for line in view.scores]
    for section in view.points:
        lines += ["", bold(section.title)]
        for point in section.points:
            lines += [f"  • {point.point}", f"    {point.evidence}"]
    if view.questions:
        lines += ["", bold(QUESTIONS_TITLE)]
        for question in view.questions:
            lines.append(f"  {question.heading}  {question.question}")
            if question.answered:
                lines += [f"     You said: {question.answer_excerpt}", f"     {question.findings}"]
            lines.append(f"     {question.note}")
            if question.stronger_answer:
                lines.append(f"     {STRONGER_LABEL}: {question.stronger_answer}")
    if view.adaptation:
        lines += ["", bold(ADAPTATION_TITLE), f"  {view.adaptation}"]
    if view.next_steps:
        lines += ["", bold(NEXT_STEPS_TITLE)]
        lines += [f"  {number}. {step}" for number, step in enumerate(view.next_steps, 1)]
    if view.delivery is not None:  # how it sounded: its own section, not part of the scores
        lines += ["", bold(view.delivery.title)]
        lines += [f"  {line}" for line in view.delivery.lines]
        lines += [f"  {heading}: {line}" for heading, line in view.delivery.answers]
        lines.append(f"  {view.delivery.footnote}")
    lines += ["", view.footer]
    return "\n".join(lines)


class LineReader:
    """Reads stdin lines in a worker thread so the event loop is never blocked."""

    def __init__(self, stream: TextIO, prompt: str, err: TextIO) -> None:
        self.stream, self.prompt, self.err = stream, prompt, err
        self.interactive = stream.isatty()

    async def read(self) -> str | None:
        if self.interactive and self.prompt:
            self.err.write(self.prompt)
            self.err.flush()
        line = await asyncio.to_thread(self.stream.readline)
        return None if line == "" else line.rstrip("\n")


def read_context_file(path: Path) -> str:
    """Text of a job description or resume (PDF or text), by core's one document reader."""
    check_size(path.stat().st_size)
    # Any other name is read as text: a terminal user's "jd" file has no suffix at all.
    name = path.name if path.suffix.lower() == ".pdf" else f"{path.name}.txt"
    return read_document(path.read_bytes(), name)


async def choose_role(service: InterviewService, reader: LineReader, term: Terminal) -> str | None:
    roles = service.roles()
    term.info("Which role would you like to practise?")
    for number, role in enumerate(roles, 1):
        term.info(f"  {number}. {role.name}: {role.summary}")
    while True:
        choice = await reader.read()
        if choice is None:  # end of input before a role: say why we stop, then exit 1
            term.info("No role chosen, so no interview started. Run again and pick one, or "
                      "pass --role (for example --role sales).")
            return None
        choice = choice.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(roles):
            return roles[int(choice) - 1].id
        if choice:
            try:
                return service.resolve_role(choice).id
            except UnknownRoleError as error:
                term.info(error.user_message)
        term.info(f"Type a number from 1 to {len(roles)}, or a role name.")


async def run_cli(service: InterviewService, args: argparse.Namespace,
                  stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                  stderr: TextIO = sys.stderr) -> int:
    term = Terminal(stdout, stderr, args.json)
    reader = LineReader(stdin, "\nYou: ", stderr)
    who, where = terminal_identity(args)
    conversation = Conversation(service)
    if args.role:  # a wrong role is an error even when an interview is waiting
        try:
            service.resolve_role(args.role)
        except UnknownRoleError as error:
            stderr.write(error.user_message + "\n")
            return 2
    if not await _resume(conversation, who, where, term):
        options = await _new_interview_options(service, args, reader, term, stderr)
        if options is None:
            return 1
        term.emit(await service.start(who, where, options))
    if reader.interactive and not args.json:
        term.info(HELP)
    while True:
        line = await reader.read()
        if line is None:
            reply = await _call(term, service.feedback(who, where))
            return 0 if reply else 1
        try:
            command = _typed_command(line)
        except CommandError as error:
            term.error(error.user_message)
            continue
        if command is None:  # an answer, typed or spoken
            voice = line.strip().lower().split(maxsplit=1)[:1] == [VOICE]
            if line.strip().startswith("/") and not voice:
                # A mistyped command is not an answer: nothing is recorded or scored.
                term.error(f"I don't know the command {line.split()[0]}. {HELP}")
                continue
            path = line.strip()[len(VOICE):].strip()
            reply = await _call(term, _voice_answer(service, who, where, path)
                                if voice else service.answer(who, where, line))
        else:
            outcome = await _call_outcome(term, conversation.handle(who, where, command))
            if not isinstance(outcome, Replied):
                _show_outcome(term, outcome)
                continue
            reply = outcome.reply
            term.emit(reply)
            if command.command is Command.reset:
                return 0
        if reply is not None and reply.interview_over:
            if reply.kind is ReplyKind.ended and reply.report is None:
                await _call(term, service.feedback(who, where))
            return 0


async def _new_interview_options(service: InterviewService, args: argparse.Namespace,
                                 reader: LineReader, term: Terminal,
                                 stderr: TextIO) -> InterviewOptions | None:
    role = service.resolve_role(args.role).id if args.role else await choose_role(
        service, reader, term)
    if role is None:
        return None
    context = ""
    if args.jd:
        try:
            context = await asyncio.to_thread(read_context_file, args.jd)
        except DocumentError as error:  # say why, and carry on untailored
            stderr.write(f"Could not read {args.jd}: {error.user_message} Continuing without "
                         "it.\n")
        except OSError as error:
            stderr.write(f"Could not read {args.jd} ({error.strerror}); continuing without it.\n")
    return InterviewOptions(role=role, difficulty=args.difficulty, questions=args.questions,
                            focus=args.focus, context=context, custom_questions=args.ask)


def terminal_identity(args: argparse.Namespace) -> tuple[Who, Where]:
    user = os.environ.get("USER") or "you"
    return (Who(platform="cli", user_id=user, display_name=getattr(args, "name", "") or ""),
            Where(platform="cli", conversation_id=TERMINAL_CONVERSATION))


async def _resume(conversation: Conversation, who: Who, where: Where, term: Terminal) -> bool:
    """Pick up an interview left open by an earlier run; True when there was one."""
    view = await conversation.view(who, where)
    if view is None or not view.active:
        return False
    term.emit(Reply(
        kind=ReplyKind.notice,
        text=(f"Welcome back: picking up your unfinished {view.role_name} interview at question "
              f"{view.question_index} of {view.question_total}. Type /reset to discard it."
              + (f"\n\n{view.last_prompt}" if view.last_prompt else "")),
        question_index=view.question_index, question_total=view.question_total,
        question=view.question))
    return True


def _typed_command(line: str) -> ParsedCommand | None:
    """A line starting with ``/`` in core's one grammar (``/hint``, ``/stop``...); else an answer."""
    return parse(line) if line.strip().startswith("/") else None


def _show_outcome(term: Terminal, outcome: Outcome | None) -> None:
    """What a terminal shows for the commands that are not an interviewer's turn."""
    if isinstance(outcome, ShowUsage):
        term.info(HELP)
    elif isinstance(outcome, ShowRoles):
        term.info("\n".join(f"  {role.name} ({role.id}): {role.summary}" for role in outcome.roles))
    elif isinstance(outcome, ShowHistory):
        term.info("\n".join(outcome.progress.lines()))
    elif isinstance(outcome, ShowStats):
        term.info(NO_CHANNEL_HERE)
    elif isinstance(outcome, SharingSet):
        term.info("Noted: " + ("your scores show" if outcome.share else "your scores stay "
                               "private") + " in the channel stats of the chat surfaces.")
    elif isinstance(outcome, ConfirmForget):
        term.info(FORGET_ELSEWHERE)


async def _call_outcome(term: Terminal, call) -> Outcome | None:
    try:
        return await call
    except InterviewError as error:
        term.error(error.user_message)
        return None


async def show_history(service: InterviewService, args: argparse.Namespace,
                       stdout: TextIO = sys.stdout) -> int:
    """``python -m bot history``: recent interviews and a sparkline trend per score."""
    who, _ = terminal_identity(args)
    stdout.write("\n".join((await service.progress(who)).lines()) + "\n")
    return 0


async def forget_me(service: InterviewService, args: argparse.Namespace,
                    stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """``python -m bot forget``: delete everything stored about you, after a confirmation."""
    who, _ = terminal_identity(args)
    stdout.write("This deletes your practice history, reports and any unfinished interview. "
                 "Type 'forget' to confirm: ")
    stdout.flush()
    answer = await asyncio.to_thread(stdin.readline)
    if answer.strip().lower() != "forget":
        stdout.write("\nNothing was deleted.\n")
        return 1
    result = await service.forget(who)
    stdout.write(f"\nDeleted {result.interviews} finished interview(s) and "
                 f"{result.sessions} unfinished one(s).\n")
    return 0


async def _voice_answer(service: InterviewService, who: Who, where: Where, path: str) -> Reply:
    """``/voice PATH``: the recording is read, transcribed and answered; never kept."""
    if not path:
        raise InvalidInputError("Give the audio file to answer with, e.g. /voice answer.ogg")
    file = Path(path).expanduser()
    try:
        if file.stat().st_size > MAX_AUDIO_BYTES:
            raise AudioError("too_large")
        data = await asyncio.to_thread(file.read_bytes)
    except OSError as error:
        raise InvalidInputError(f"I couldn't open {path} ({error.strerror or type(error).__name__})."
                                " Check the path and try again.") from error
    return await service.answer_audio(who, where, data)


# Core's errors carry a code and a neutral sentence; the terminal names its own commands.
WORDING = {
    ErrorCode.no_interview: "There's no interview running. Start one with "
                            "`python -m bot cli --role <role>` (for example --role sales).",
    ErrorCode.already_active: "You already have an interview running. Answer the current "
                              "question, or type /end for feedback or /reset to discard it.",
}


def words(error: InterviewError) -> str:
    return WORDING.get(error.error_code, error.user_message) if error.generic else error.user_message


async def _call(term: Terminal, call) -> Reply | None:
    try:
        reply = await call
    except InterviewError as error:
        term.error(words(error))
        return None
    term.emit(reply)
    return reply
