"""What the Slack listeners do once Slack has been acknowledged.

This is the one place that turns Slack events into calls on ``InterviewService``
and renders what comes back. Every piece of work runs inside ``guarded``: an
``InterviewError`` shows its friendly ``user_message``, anything unexpected is
logged and answered with a short apology, and the interview itself survives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager

import structlog
from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import (
    mrkdwn,
    read_button_value,
    reply_messages,
    report_messages,
    text_messages,
    without_buttons,
)
from adapters.slack import dedupe
from adapters.slack.files import FileReader
from adapters.slack.ordering import defer, message_turn, queued
from adapters.slack.outbox import Outbox
from adapters.slack.parsing import USAGE, plain_text
from adapters.slack.places import SlackPlace, is_dm, slack_who
from adapters.slack.practice import SlackPractice
from adapters.slack.private import PrivateReply
from adapters.slack.streaming import ReplyStream, StreamingSupport
from adapters.slack.voice import answer_by_voice, audio_file
from adapters.slack.wording import words
from core.commands import RECORD_COMMANDS, Command, ParsedCommand, parse
from core.conversation import Conversation, Replied, ShowRoles, ShowUsage
from core.errors import InterviewError
from core.locks import KeyedLocks
from core.models import Reply, RoleSummary, TextDelta, TurnRef, Who
from core.service import InterviewService
from core.turns import TurnRepeated, unless_repeated

log = structlog.get_logger(__name__)

Notify = Callable[[str], Awaitable[object]]

SORRY = "Sorry, something went wrong on my side. Your interview is safe: please try again."
# <@bot> shows the app as this workspace has it named, whatever the manifest said.
NOT_IN_CHANNEL = ("I can't post in this channel yet. Invite me with `/invite` <@{bot}> and try "
                  "again, or send me a direct message to practise privately.")
NOT_IN_DM = ("I can't post in a direct message between people. Open a direct message with "
             "me (<@{bot}>) and send `start sales` (or another role) there.")
ONLY_CANDIDATE = ("These buttons belong to <@{candidate}>'s interview. Start your own with "
                  "`/interview start sales` (or any role from `/interview roles`).")
NO_CHANNEL_INTERVIEW = ("You have no interview running in this channel. Start one with "
                        "`/interview start sales`, or type the command in your interview's thread.")
ALREADY_IN_CHANNEL = ("You already have an interview running in this channel (see its thread). "
                      "Finish it with `/interview end`, or discard it with `/interview reset`.")
DM_HELP = "Hi! I'm your mock-interview partner. Send `start sales` (or another role) to begin.\n\n"
BUTTON_VERBS = {"interview_hint": Command.hint, "interview_skip": Command.skip,
                "interview_end": Command.end}

# What the adapter remembers of a user, as notes in core's store (``Conversation.put_note``):
# kept across restarts, shared by replicas, deleted by "forget me". Keyed by "team:channel".
# The thread of the user's interview in a channel: slash commands carry no thread.
RUNNING_THREAD = "slack.channel_thread"
# The thread of their last finished one there, so `/interview end` can re-run its report.
FINISHED_THREAD = "slack.finished_thread"
# A resume / job description sent before `start`, waiting for it.
PENDING_CONTEXT = "slack.pending_context"
PENDING_CONTEXT_SECONDS = 3600.0
DISPLAY_NAME = "slack.display_name"  # the user's Slack name (key ""), asked of Slack once


class SlackInterviews:
    def __init__(self, service: InterviewService, outbox: Outbox, files: FileReader, *,
                 stream_grace: float = 1.0, stream_interval: float = 1.0) -> None:
        self.service = service
        self.conversation = Conversation(service)
        self.outbox = outbox
        self.files = files
        self.streaming = StreamingSupport()
        self.stream_grace = stream_grace
        self.stream_interval = stream_interval
        # One person's messages in one conversation run one at a time, in arrival order:
        # an answer sent right after `start sales` must not be read before the interview.
        # The answer's turn itself waits in the session lock (``ordering``).
        self.in_order = KeyedLocks()
        self.starting = KeyedLocks()  # (team, channel, user): one channel start at a time
        self.presses = dedupe.presses(service.store)  # presses handled (double clicks)
        self.starts = dedupe.starts(service.store)  # channel starts under way, on every replica
        self.practice = SlackPractice(self.conversation, outbox, guarded=self.guarded,
                                      presses=self.presses)

    # ------------------------------------------------------------------ errors

    @asynccontextmanager
    async def guarded(self, notify: Notify, *, channel: str = "", **log_fields):
        """The one error handler: friendly words for the user, details for the log."""
        try:
            yield
        except InterviewError as error:
            log.info("slack.user_error", error=type(error).__name__, **log_fields)
            await self._tell(notify, mrkdwn(words(error)))
        except SlackApiError as error:
            code = error.response.get("error")
            log.warning("slack.api_error", error=code, **log_fields)
            unreachable = code in ("not_in_channel", "channel_not_found")
            await self._tell(notify, await self._unreachable(channel) if unreachable else SORRY)
        except Exception:
            log.exception("slack.unexpected_error", **log_fields)
            await self._tell(notify, SORRY)

    async def _unreachable(self, channel: str) -> str:
        try:
            bot = await self.outbox.bot_user_id()
        except SlackApiError:
            bot = ""
        return (NOT_IN_DM if is_dm(channel) else NOT_IN_CHANNEL).format(bot=bot)

    async def _tell(self, notify: Notify, text: str) -> None:
        try:
            await notify(text)
        except Exception as error:  # the user cannot be reached: nothing left but the log
            log.warning("slack.notify_failed", error=type(error).__name__)

    def poster(self, place: SlackPlace) -> Notify:
        async def post(text: str) -> None:
            await self.outbox.post_all(place, text_messages(text))
        return post

    # ------------------------------------------------------------------ slash command

    async def run_command(self, command: ParsedCommand, payload: dict, respond: Notify) -> None:
        """``/interview <verb>`` after the ack; ``respond`` answers privately (``PrivateReply``)."""
        team, channel = payload["team_id"], payload["channel_id"]
        who = slack_who(payload["user_id"], payload.get("user_name", ""))
        respond = PrivateReply(respond, self.outbox, SlackPlace(team, channel), who.user_id)
        async with self.guarded(respond, channel=channel, verb=command.command.value,
                                surface="command"):
            if command.command in RECORD_COMMANDS:  # private answers, wherever they were asked
                await self.practice.run(command, who, team, channel,
                                        send=lambda message: respond(**message.as_kwargs()))
            elif is_dm(channel):  # a DM with the bot: no threads needed
                place = SlackPlace(team, channel)
                if command.command is Command.start:
                    await self.start(who, place, command)
                else:
                    await self.run_verb(who, place, command)
            elif command.command is Command.start:
                await self.start_in_channel(who, team, channel, command, respond)
            else:
                # `end` also reaches a finished interview, to re-run a fallback report.
                thread = await self.channel_thread(who, team, channel,
                                                   finished_too=command.command is Command.end)
                if thread is None:
                    await respond(NO_CHANNEL_INTERVIEW)
                    return
                await self.run_verb(who, SlackPlace(team, channel, thread), command)

    async def start_in_channel(self, who: Who, team: str, channel: str, command: ParsedCommand,
                               respond: Notify) -> None:
        """Post an opening message in the channel; the interview lives in its thread.

        One start at a time per user and channel, so a double-sent command finds the
        first interview instead of opening a second. If the interview cannot open, its
        opening message is deleted (the caller tells the user privately why).
        """
        claim = f"{team}:{channel}:{who.user_id}"
        async with self.starting.hold((team, channel, who.user_id)):
            if not await self.starts.first_time(claim):  # another replica is starting it now
                await respond(ALREADY_IN_CHANNEL)
                return
            try:
                await self._start_in_channel(who, team, channel, command, respond)
            finally:
                await self.starts.forget(claim)

    async def _start_in_channel(self, who: Who, team: str, channel: str,
                                command: ParsedCommand, respond: Notify) -> None:
        if await self.channel_thread(who, team, channel, finished_too=False):
            await respond(ALREADY_IN_CHANNEL)
            return
        pending = await self._pending(who, SlackPlace(team, channel))
        options = command.options(pending)  # checked first
        role = self.service.resolve_role(options.role)
        opening = (f":studio_microphone: <@{who.user_id}> is practising a *{role.name}* "
                   f"interview ({options.difficulty.value}, {options.questions} questions). "
                   f"Only their replies in this thread count as answers; teammates are "
                   f"welcome to read along.")
        ts = await self.outbox.post(SlackPlace(team, channel), text_messages(opening)[0])
        place = SlackPlace(team, channel, ts)
        try:
            await self._start(who, place, command, pending)
        except BaseException:
            await self._remove_opening(place)
            raise
        await self.conversation.put_note(who, RUNNING_THREAD, _channel(place), ts)
        await self.conversation.pop_note(who, PENDING_CONTEXT, _channel(place))

    async def _show_greeting(self, who: Who, place: SlackPlace, reply: Reply) -> None:
        """Show a new interview's first turn; if Slack will not take it, discard the interview."""
        try:
            await self.show(who, place, reply)
        except BaseException:
            await self.service.reset(who, place.where)  # no session left where nobody sees it
            raise

    async def _remove_opening(self, place: SlackPlace) -> None:
        assert place.thread_ts is not None
        try:
            await self.outbox.delete(SlackPlace(place.team_id, place.channel_id), place.thread_ts)
        except SlackApiError as error:
            log.warning("slack.opening_cleanup_failed", error=error.response.get("error"))

    async def channel_thread(self, who: Who, team: str, channel: str, *,
                             finished_too: bool) -> str | None:
        """Where the user's interview in a channel lives: a thread, or None.

        A running interview wins; with ``finished_too``, the latest finished one will do.
        Both are notes in core's store, so a restarted app or another replica knows them.
        """
        channel_key = f"{team}:{channel}"
        running = await self.conversation.get_note(who, RUNNING_THREAD, channel_key)
        if running and await self.conversation.is_active(who, SlackPlace(team, channel,
                                                                         running).where):
            return running
        if not finished_too:
            return None
        finished = await self.conversation.get_note(who, FINISHED_THREAD, channel_key)
        threads = [thread for thread in (running, finished) if thread]
        over = await self.conversation.find(
            who, [SlackPlace(team, channel, thread).where for thread in threads],
            finished_too=True)
        if over is not None:
            return SlackPlace.from_conversation_id(over.conversation_id).thread_ts
        return finished

    async def start(self, who: Who, place: SlackPlace, command: ParsedCommand) -> None:
        await self._start(who, place, command, await self._pending(who, place))
        await self.conversation.pop_note(who, PENDING_CONTEXT, _channel(place))

    async def _pending(self, who: Who, place: SlackPlace) -> str:
        """A file's text sent here before, waiting for a start ("" if none)."""
        return await self.conversation.get_note(who, PENDING_CONTEXT, _channel(place)) or ""

    async def _start(self, who: Who, place: SlackPlace, command: ParsedCommand,
                     pending: str) -> None:
        """Start through core's one dispatch, tailored by any file uploaded before."""
        outcome = await self.conversation.handle(who, place.where, command, extra_context=pending)
        assert isinstance(outcome, Replied)
        await self._show_greeting(who, place, outcome.reply)

    # ------------------------------------------------------------------ verbs

    async def run_verb(self, who: Who, place: SlackPlace, command: ParsedCommand) -> None:
        """A command about this conversation's interview, through core's one dispatch."""
        if command.command is Command.start and not command.role:
            await self.outbox.post_all(place, text_messages(USAGE))  # a bare "start": show how
            return
        outcome = await self.conversation.handle(who, place.where, command)
        if isinstance(outcome, ShowUsage):
            await self.outbox.post_all(place, text_messages(USAGE))
        elif isinstance(outcome, ShowRoles):
            await self.outbox.post_all(place, text_messages(self.roles_text(outcome.roles)))
        elif isinstance(outcome, Replied):
            if command.command is Command.reset:
                await self._forget_thread(who, place)
            await self.show(who, place, outcome.reply)
        else:
            raise ValueError(f"{command.command} is not about one interview")

    @staticmethod
    def roles_text(roles: list[RoleSummary]) -> str:
        lines = ["*Roles you can practise*"]
        for role in roles:
            aliases = f" (also: {', '.join(role.aliases)})" if role.aliases else ""
            lines.append(f"• *{role.name}*: `{role.id}`{aliases}. {role.summary}".rstrip())
        lines.append("\nStart with `/interview start role:ID`, e.g. `/interview start sales`.")
        return "\n".join(lines)

    # ------------------------------------------------------------------ messages

    async def on_message(self, team: str, event: dict) -> None:
        """A human's message in a DM with the bot, or in a channel thread, in ``ts`` order.

        A typed answer is a named turn, applied in ``ts`` order and once (``ordering``).
        """
        key = (team, event["channel"], event.get("thread_ts"), event["user"])
        turn = message_turn(team, event)
        async with queued(self.in_order, key, turn):
            await self._on_message(team, event, turn)

    async def _on_message(self, team: str, event: dict, turn: TurnRef | None = None) -> None:
        who = slack_who(event["user"])
        channel = event["channel"]
        if event.get("channel_type") == "im":
            place = SlackPlace(team, channel)
        elif event.get("thread_ts"):
            place = SlackPlace(team, channel, event["thread_ts"])
            if not await self.conversation.is_active(who, place.where):
                return  # a teammate reading along, or chat after the interview ended
        else:
            return  # channel chatter outside any interview thread
        async with self.guarded(self.poster(place), channel=channel,
                                surface="thread" if place.is_thread else "dm"):
            if (recording := audio_file(event)) is not None:  # a spoken answer (voice.py)
                await answer_by_voice(self, who, place, recording)
            elif event.get("files"):
                await self._take_files(who, place, event, turn)
            else:
                await self._take_text(who, place, plain_text(event.get("text") or ""), turn)

    async def _take_text(self, who: Who, place: SlackPlace, text: str,
                         turn: TurnRef | None = None, *, later: bool = True) -> None:
        # Mid-interview only a command typed alone counts (core.conversation).
        typed = await self.conversation.understand(who, place.where, text)
        command = typed.command
        if command is None and typed.active:
            await self.answer(who, place, text, turn, later=later)
        elif command is None:
            await self.outbox.post_all(place, text_messages(DM_HELP + USAGE))
        elif command.command is Command.start:
            who = slack_who(who.user_id, await self.display_name(who.user_id))
            await self.start(who, place, command)
        elif command.command in RECORD_COMMANDS:  # a DM is private already: answer in it
            await self.practice.run(command, who, place.team_id, place.channel_id,
                                    send=lambda message: self.outbox.post(place, message))
        else:
            await self.run_verb(who, place, command)

    async def _take_files(self, who: Who, place: SlackPlace, event: dict,
                          turn: TurnRef | None = None) -> None:
        """A resume or job description: used by ``start`` in the same message, else kept.

        Mid-interview, words typed with a file are the answer: they are answered first,
        so a file that cannot be read never costs the candidate their answer.
        """
        active = await self.conversation.is_active(who, place.where)
        typed = plain_text(event.get("text") or "")
        if active and typed.strip():  # answered now: the note about the file follows it
            await self._take_text(who, place, typed, turn, later=False)
        texts = [await self.files.read_text(file) for file in event["files"]]
        await self.conversation.put_note(who, PENDING_CONTEXT, _channel(place), "\n\n".join(texts),
                                         ttl_seconds=PENDING_CONTEXT_SECONDS)
        command = None if active else parse(typed)
        if command is not None and command.command is Command.start:
            who = slack_who(who.user_id, await self.display_name(who.user_id))
            await self.start(who, place, command)
            return
        names = ", ".join(f"“{file.get('name') or 'file'}”" for file in event["files"])
        if active and typed.strip():
            await self.outbox.post_all(place, text_messages(f"(I'll use {names} for your next "
                                                            f"interview.)"))
            return
        note = f"Got {names} ({sum(len(text) for text in texts):,} characters). " + (
            "This interview's questions are already set, so I'll use it for your next one."
            if active else
            "Now send `start` and a role (e.g. `start sales`) and I'll tailor the questions to it.")
        await self.outbox.post_all(place, text_messages(note))

    # ------------------------------------------------------------------ buttons

    async def on_button(self, body: dict, action: dict) -> None:
        presser = body["user"]["id"]
        decoded = read_button_value(action.get("value", ""))
        if decoded is None:
            log.warning("slack.button_value_unreadable")
            return
        candidate, conversation_id = decoded
        place = SlackPlace.from_conversation_id(conversation_id)

        async def tell_privately(text: str) -> None:
            await self.outbox.ephemeral(place, presser, text)

        press = f"{conversation_id}:{(body.get('message') or {}).get('ts')}:{action['action_id']}"
        async with self.guarded(tell_privately, surface="button", action=action.get("action_id")):
            if presser != candidate:
                await tell_privately(ONLY_CANDIDATE.format(candidate=candidate))
                return
            if not await self.presses.first_time(press):
                return  # a double click: one skip, not two
            try:
                await self.run_verb(slack_who(presser, body["user"].get("name", "")), place,
                                    ParsedCommand(BUTTON_VERBS[action["action_id"]]))
            except BaseException:
                await self.presses.forget(press)  # it failed: the candidate may press again
                raise
            await self._retire_buttons(place, body)

    async def _retire_buttons(self, place: SlackPlace, body: dict) -> None:
        """Take the buttons off the pressed message, so a question cannot be skipped twice."""
        message = body.get("message") or {}
        if message.get("ts") and message.get("blocks"):
            await self.outbox.client.chat_update(channel=place.channel_id, ts=message["ts"],
                                                 text=message.get("text", ""),
                                                 blocks=without_buttons(message["blocks"]))

    # ------------------------------------------------------------------ rendering turns

    async def answer(self, who: Who, place: SlackPlace, text: str,
                     turn: TurnRef | None = None, *, later: bool = True) -> None:
        if later and turn is not None and defer(lambda: self._answer_later(who, place, text, turn)):
            return  # waits in the session lock, where every process sees it (``ordering``)
        await self.deliver_turn(who, place, self.service.answer_stream(who, place.where, text,
                                                                       turn))

    async def _answer_later(self, who: Who, place: SlackPlace, text: str, turn: TurnRef) -> None:
        async with self.guarded(self.poster(place), channel=place.channel_id,
                                surface="thread" if place.is_thread else "dm"):
            await self.deliver_turn(who, place, self.service.answer_stream(who, place.where,
                                                                           text, turn))

    async def deliver_turn(self, who: Who, place: SlackPlace,
                           events: AsyncIterator[TextDelta | Reply]) -> None:
        """Stream a turn's reply into the conversation (typed answers and ``voice``).

        A repeat of a turn already applied (a redelivered message) was answered when it
        was applied: nothing is posted again.
        """
        stream = ReplyStream(self.outbox, place, who.user_id,
                             render=lambda reply: reply_messages(reply, who.user_id, place),
                             support=self.streaming, grace=self.stream_grace,
                             interval=self.stream_interval)
        try:
            async with aclosing(unless_repeated(events)) as checked:
                reply = await stream.deliver(checked)
        except TurnRepeated:
            log.info("slack.turn_repeated", user=who.user_id)
            return
        await self._after(who, place, reply)

    async def show(self, who: Who, place: SlackPlace, reply: Reply) -> None:
        await self.outbox.post_all(place, reply_messages(reply, who.user_id, place))
        await self._after(who, place, reply)

    async def _after(self, who: Who, place: SlackPlace, reply: Reply) -> None:
        if reply.report is not None:
            role_name = self.conversation.role_name(reply.report.role)
            await self.outbox.post_all(place, report_messages(reply.report, role_name))
        if reply.interview_over:
            await self._forget_thread(who, place)
            if reply.report is not None and place.is_thread:
                assert place.thread_ts is not None
                await self.conversation.put_note(who, FINISHED_THREAD, _channel(place),
                                                 place.thread_ts)

    async def _forget_thread(self, who: Who, place: SlackPlace) -> None:
        if not place.is_thread:
            return
        running = await self.conversation.get_note(who, RUNNING_THREAD, _channel(place))
        if running == place.thread_ts:
            await self.conversation.pop_note(who, RUNNING_THREAD, _channel(place))

    async def display_name(self, user_id: str) -> str:
        """The user's Slack name (users:read), kept; an empty name is fine if Slack says no."""
        who = slack_who(user_id)
        if (known := await self.conversation.get_note(who, DISPLAY_NAME, "")) is not None:
            return known
        try:
            user = (await self.outbox.client.users_info(user=user_id)).get("user") or {}
        except SlackApiError as error:
            log.info("slack.user_name_unavailable", error=error.response.get("error"))
            return ""
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name") or ""
        await self.conversation.put_note(who, DISPLAY_NAME, "", name)
        return name


def _channel(place: SlackPlace) -> str:
    """The key of a user's notes about one channel (or DM): its team and channel."""
    return f"{place.team_id}:{place.channel_id}"
