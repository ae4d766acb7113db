"""Loopback harness for the deadline and fault benchmarks: real clients, fake platforms.

The Slack side is the real Bolt app served over HTTP, fed signed slash commands and
message events by the fake's ``SlackSender``; the Discord side is the real discord.py
client logged in to the fake gateway. Both fakes are the test fakes (tests/fakes/),
extended here with a per-conversation index so that hundreds of simulated candidates
can wait for their replies without each one scanning every recorded call.

Replies are traced by reference: each candidate answer starts with a label such as
``(a2)`` and the benchmark's brains end every message with ``[ref a2]`` (``[ref start]``
for the greeting), so the final conversation shows which reply belongs to which
answer, and whether any came twice or out of order.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.discord import build_discord_client
from adapters.discord.bot import InterviewBot
from adapters.discord.views import HINT_ID
from adapters.slack.blocks import ACTION_IDS
from adapters.slack.app import SlackBot, build_slack_bot, serve_http
from adapters.slack.places import SlackPlace
from bench.support import SCRIPTED_ANSWERS, percentile
from bot.logging import configure_logging
from core.brain import gemini
from core.errors import BrainError
from core.models import Action, Where, Who
from core.service import InterviewService
from core.session import Session, Speaker
from tests.fakes.discord_fake import FakeDiscord, FakeUser
from tests.fakes.slack_fake import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM_ID,
    Call,
    FakeSlack,
    SlackSender,
    button_press,
    message_event,
    slash_command,
)

REF = re.compile(r"\[ref (\w+)\]")
LABEL = re.compile(r"^\((a\d+)\)")


def ref(label: str) -> str:
    return f"[ref {label}]"


def label_of(answer: str | None) -> str:
    """The label an answer carries (``a2``), or ``start`` for the greeting."""
    if answer is None:
        return "start"
    match = LABEL.match(answer.strip())
    return match.group(1) if match else "?"


def labelled_answer(label: str, number: int) -> str:
    return f"({label}) {SCRIPTED_ANSWERS[number % len(SCRIPTED_ANSWERS)]}"


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Production logging (JSON) into /dev/null: its cost is measured, the terminal stays clean.

    The previous handlers come back afterwards, so benchmarks run after this one in the
    same process (``python -m bench``) do not write to a closed file.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with open(os.devnull, "w") as sink:
        configure_logging("INFO", "json", stream=sink)
        try:
            yield
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)


class LagProbe:
    """How late the event loop wakes a 10 ms sleep: the floor under every ack in the run.

    Everything here (fakes, app, clients) shares one loop and, on a shared machine, the
    CPU with other processes; a high lag explains high acks without any adapter at fault.
    """

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.lags: list[float] = []  # milliseconds
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LagProbe:
        self._task = asyncio.create_task(self._measure())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def _measure(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.period)
            self.lags.append((time.perf_counter() - started - self.period) * 1000)

    def line(self, surface: str) -> str:
        return (f"{surface} event loop lag (context for the acks): p50 "
                f"{percentile(self.lags, 50):.1f} ms  p99 {percentile(self.lags, 99):.1f} ms  "
                f"max {max(self.lags, default=0):.1f} ms")


# ---------------------------------------------------------------------- waiting


class Signals:
    """One event per conversation: waiters sleep until something in theirs changes."""

    def __init__(self) -> None:
        self._events: dict[Any, asyncio.Event] = defaultdict(asyncio.Event)

    def poke(self, key: Any) -> None:
        self._events[key].set()

    async def until(self, key: Any, condition: Callable[[], Any], timeout: float) -> Any:
        """``condition()`` once truthy; None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        event = self._events[key]
        while True:
            event.clear()  # before checking: a poke in between is not missed
            if result := condition():
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass


# ---------------------------------------------------------------------- what a candidate sees


@dataclass
class Shown:
    """A bot message as the candidate sees it now (after every edit)."""

    text: str
    final: bool  # carries the Hint / Skip / End buttons: a finished interviewer turn

    @property
    def refs(self) -> list[str]:
        return REF.findall(self.text)


@dataclass
class Candidate:
    number: int
    surface: str
    user_id: str = ""
    channel_id: str = ""
    retry_messages: int = 0  # clear "please send it again" messages seen
    slack_hooks: list[str] = field(default_factory=list)  # response_url hooks of its commands
    discord_user: FakeUser | None = None


# ---------------------------------------------------------------------- Slack


class ObservedSlack(FakeSlack):
    """The fake Slack, keeping each conversation's messages as they look after edits."""

    def __init__(self) -> None:
        super().__init__()
        self.signals = Signals()
        self.conversations: dict[str, dict[str, Call]] = defaultdict(dict)  # channel -> ts -> call
        self.responses: dict[str, list[str]] = defaultdict(list)  # response_url hook -> texts
        # The bot takes the buttons off a message once a newer one carries them, so "this
        # message carried buttons at some point" is what marks a finished turn.
        self.finished: set[tuple[str, str]] = set()  # (channel, ts)

    def _answer(self, method: str, args: dict) -> dict:
        result = super()._answer(method, args)
        channel = str(args.get("channel", ""))
        messages = self.conversations[channel]
        if method == "chat.postMessage":
            messages[result["ts"]] = Call(method, args, None, result=result)
        elif method == "chat.update" and args.get("ts") in messages:
            messages[args["ts"]] = Call(method, args, None, result=result)
        elif method == "chat.delete":
            messages.pop(str(args.get("ts")), None)
        for ts in (result.get("ts"), args.get("ts")):
            if ts in messages and messages[ts].action_ids:
                self.finished.add((channel, ts))
        self.signals.poke(channel)
        return result

    async def _response_url(self, request: web.Request) -> web.Response:
        response = await super()._response_url(request)
        hook = request.match_info["hook"]
        self.responses[hook].append(_response_text(await request.json()))  # the body is cached
        self.signals.poke(("hook", hook))
        return response

    def shown(self, channel: str) -> list[Shown]:
        return [Shown(call.text, (channel, ts) in self.finished)
                for ts, call in self.conversations[channel].items()]


def _response_text(body: dict) -> str:
    parts = [body.get("text") or ""]
    for block in body.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
    return "\n".join(parts)


class SlackSurface:
    """Candidates in DMs with the real Bolt app over HTTP; acks timed at the sender.

    An ack is the HTTP response to a signed request; anything but a 200 is no ack at
    all and counts as infinitely late.
    """

    name = "slack"

    def __init__(self, fake: ObservedSlack, bot: SlackBot, sender: SlackSender,
                 service: InterviewService, replica: SlackSender | None = None) -> None:
        self.fake = fake
        self.bot = bot
        self.sender = sender
        self.service = service
        self.replica = replica  # a second process of the app, where re-deliveries go
        self.acks: dict[str, list[float]] = defaultdict(list)  # kind -> milliseconds

    def enrol(self, number: int) -> Candidate:
        return Candidate(number, self.name, user_id=f"U{number:07d}", channel_id=f"D{number:07d}")

    def _acked(self, kind: str, status: int, seconds: float) -> None:
        self.acks[kind].append(seconds * 1000 if status == 200 else float("inf"))

    async def start(self, candidate: Candidate, text: str) -> None:
        url = self.fake.response_url()
        candidate.slack_hooks.append(url.rsplit("/", 1)[-1])
        payload = slash_command(text, user=candidate.user_id, channel=candidate.channel_id,
                                response_url=url)
        delivery = await self.sender.command(payload)
        self._acked("slash command", delivery.status, delivery.seconds)

    async def say(self, candidate: Candidate, text: str,
                  redeliver_after: float | None = None) -> None:
        payload = message_event(text, user=candidate.user_id, channel=candidate.channel_id,
                                channel_type="im")
        if redeliver_after is not None:
            asyncio.create_task(self._redeliver(payload, redeliver_after))
        delivery = await self.sender.event(payload)
        self._acked("message event", delivery.status, delivery.seconds)

    async def _redeliver(self, payload: dict, delay: float) -> None:
        """Slack sending the same event again (same event_id, ``X-Slack-Retry-Num``), to the
        second process when there is one (a load balancer picks a replica per request)."""
        await asyncio.sleep(delay)
        delivery = await (self.replica or self.sender).event(payload, retry_num=1)
        self._acked("re-delivered event", delivery.status, delivery.seconds)

    async def press_hint(self, candidate: Candidate) -> None:
        """Press Hint under the latest question (a block_actions payload, acked by Bolt)."""
        post = [call for call in self.fake.conversations[candidate.channel_id].values()
                if call.action_ids][-1]
        payload = button_press(post, ACTION_IDS[Action.hint], user=candidate.user_id,
                               response_url=self.fake.response_url())
        delivery = await self.sender.interactive(payload)
        self._acked("button press", delivery.status, delivery.seconds)

    def shown(self, candidate: Candidate) -> list[Shown]:
        """The DM, then the private (response_url) answers to the candidate's commands."""
        private = [Shown(text, False) for hook in candidate.slack_hooks
                   for text in self.fake.responses[hook]]
        return self.fake.shown(candidate.channel_id) + private

    async def until(self, candidate: Candidate, condition: Callable[[], Any],
                    timeout: float) -> Any:
        # Changes come from the DM or from a response_url: wake on either, re-check both.
        async def watch(key: Any) -> Any:
            return await self.fake.signals.until(key, condition, timeout)

        hook = candidate.slack_hooks[-1] if candidate.slack_hooks else None
        keys = [candidate.channel_id] + ([("hook", hook)] if hook else [])
        tasks = [asyncio.create_task(watch(key)) for key in keys]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return next(iter(done)).result()

    async def session(self, candidate: Candidate) -> Session | None:
        who = Who(platform="slack", user_id=candidate.user_id)
        where = SlackPlace(TEAM_ID, candidate.channel_id).where
        return await self.service.session_for(who, where)

    def in_flight(self) -> int:
        return self.bot.background.in_flight


@asynccontextmanager
async def slack_surface(service: InterviewService,
                        replica: Callable[[str], AbstractContextManager[str]] | None = None
                        ) -> AsyncIterator[SlackSurface]:
    """The fake Slack, the real Bolt app in front of it over HTTP, and a signed sender.

    ``replica(fake_api_url)``, when given, starts a second process of the app (sharing the
    service's store) and yields its events URL.
    """
    fake = ObservedSlack()
    await fake.start()
    bot = build_slack_bot(service, token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                          base_url=fake.base_url)
    runner = await serve_http(bot.app, "127.0.0.1", 0)
    port = runner.addresses[0][1]
    second = replica(fake.base_url) if replica else nullcontext(None)
    try:
        with second as replica_url:
            sender = SlackSender(f"http://127.0.0.1:{port}/slack/events")
            yield SlackSurface(fake, bot, sender, service,
                               SlackSender(replica_url) if replica_url else None)
    finally:
        await bot.background.drain(timeout=5)
        await runner.cleanup()
        await fake.stop()


# ---------------------------------------------------------------------- Discord


class ObservedDiscord(FakeDiscord):
    """The fake Discord, with each channel's messages indexed and a signal per channel."""

    def __init__(self) -> None:
        super().__init__()
        self.signals = Signals()
        self.by_channel: dict[int, list[int]] = defaultdict(list)
        # The bot takes the buttons off a question once the next one arrives, so "this
        # message carried buttons at some point" is what marks a finished turn.
        self.finished: set[int] = set()

    def _message(self, channel_id: int, author: FakeUser, body: dict[str, Any]) -> dict[str, Any]:
        message = super()._message(channel_id, author, body)
        self.by_channel[channel_id].append(int(message["id"]))
        if message.get("components"):
            self.finished.add(int(message["id"]))
        self.signals.poke(channel_id)
        return message

    def _edit(self, message_id: int, body: dict[str, Any]) -> dict[str, Any]:
        edited = super()._edit(message_id, body)
        if edited.get("components"):
            self.finished.add(int(message_id))
        self.signals.poke(int(edited["channel_id"]))
        return edited

    def _delete(self, message_id: int) -> tuple[int, Any]:
        channel_id = int(self.messages[message_id]["channel_id"])
        result = super()._delete(message_id)
        self.signals.poke(channel_id)
        return result

    def shown(self, channel_id: int) -> list[Shown]:
        found = (self.messages.get(i) for i in self.by_channel[channel_id])
        return [Shown(_discord_text(m), int(m["id"]) in self.finished) for m in found
                if m is not None and int(m["author"]["id"]) == self.bot_user.id]


def _discord_text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.append(embed.get("description") or "")
    return "\n".join(parts)


class DiscordSurface:
    """Candidates in DMs with the real discord.py client; acks read from the fake's records.

    Interactions have Discord's 3-second deadline: the callback (here a defer) must
    arrive in time. Messages have none; their figure is the first typing indicator the
    candidate sees after sending (for a message queued behind another, that may be
    the earlier turn's).
    """

    name = "discord"

    def __init__(self, fake: ObservedDiscord, client: InterviewBot,
                 service: InterviewService) -> None:
        self.fake = fake
        self.client = client
        self.service = service
        self.interactions: list[dict[str, Any]] = []
        self.presses: list[dict[str, Any]] = []
        self.messages_sent: list[tuple[int, float]] = []  # (channel, when dispatched)

    def enrol(self, number: int) -> Candidate:
        user = self.fake.user(f"candidate{number}")
        channel = self.fake.dm_channel(user)
        return Candidate(number, self.name, user_id=str(user.id), channel_id=str(channel),
                         discord_user=user)

    async def start(self, candidate: Candidate, text: str) -> None:
        role, questions = _start_options(text)
        assert candidate.discord_user is not None
        interaction = await self.fake.slash(candidate.discord_user, int(candidate.channel_id),
                                            "start", {"role": role, "questions": questions})
        self.interactions.append(interaction)

    async def say(self, candidate: Candidate, text: str,
                  redeliver_after: float | None = None) -> None:
        """A MESSAGE_CREATE (``redeliver_after`` is Slack's: the gateway is not simulated
        re-sending)."""
        assert candidate.discord_user is not None
        self.messages_sent.append((int(candidate.channel_id), time.monotonic()))
        await self.fake.say(candidate.discord_user, int(candidate.channel_id), text)

    async def press_hint(self, candidate: Candidate) -> None:
        """Press Hint under the latest question (an INTERACTION_CREATE of a button)."""
        assert candidate.discord_user is not None
        channel = int(candidate.channel_id)
        found = (self.fake.messages.get(i) for i in self.fake.by_channel[channel])
        message = [m for m in found if m is not None and m.get("components")][-1]
        self.presses.append(await self.fake.press(candidate.discord_user, message, HINT_ID))

    def shown(self, candidate: Candidate) -> list[Shown]:
        return self.fake.shown(int(candidate.channel_id))

    async def until(self, candidate: Candidate, condition: Callable[[], Any],
                    timeout: float) -> Any:
        return await self.fake.signals.until(int(candidate.channel_id), condition, timeout)

    async def session(self, candidate: Candidate) -> Session | None:
        # A DM is its own conversation: its channel id (threads are "<parent>:<thread>").
        who = Who(platform="discord", user_id=candidate.user_id)
        where = Where(platform="discord", conversation_id=candidate.channel_id)
        return await self.service.session_for(who, where)

    def in_flight(self) -> int:
        return len(self.client.actions.turns)

    @property
    def acks(self) -> dict[str, list[float]]:
        """Interaction callbacks (the 3-second rule) and the first typing after each message."""
        callbacks: dict[str, float] = {}
        typing: dict[int, list[float]] = defaultdict(list)
        for record in self.fake.requests:
            parts = record.path.split("/")
            if record.method == "POST" and record.path.endswith("/callback"):
                callbacks.setdefault(parts[2], record.at)
            elif record.method == "POST" and record.path.endswith("/typing"):
                typing[int(parts[2])].append(record.at)
        acks: dict[str, list[float]] = defaultdict(list)
        for kind, interactions in (("interaction callback", self.interactions),
                                   ("button callback", self.presses)):
            for interaction in interactions:
                at = callbacks.get(interaction["id"])
                acks[kind].append(
                    (at - interaction["sent_at"]) * 1000 if at is not None else float("inf"))
        for channel, sent_at in self.messages_sent:
            first = next((at for at in typing[channel] if at >= sent_at), None)
            acks["message typing"].append((first - sent_at) * 1000 if first else float("inf"))
        return acks


def _start_options(text: str) -> tuple[str, int]:
    """``start role:sales questions:5`` -> ("sales", 5) for the Discord slash command."""
    options = dict(word.split(":", 1) for word in text.split()[1:] if ":" in word)
    return options.get("role", "sales"), int(options.get("questions", "5"))


@asynccontextmanager
async def discord_surface(service: InterviewService) -> AsyncIterator[DiscordSurface]:
    fake = ObservedDiscord()
    await fake.start()
    client = build_discord_client(service, guild_ready_timeout=0)
    runner = asyncio.create_task(client.start("fake-token"))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 15)
        yield DiscordSurface(fake, client, service)
    finally:
        await client.close()
        await asyncio.wait_for(runner, 10)
        await fake.stop()


# ---------------------------------------------------------------------- a candidate's side

Surface = SlackSurface | DiscordSurface


def new_since(before: Counter[str], shown: list[Shown]) -> list[Shown]:
    """Messages that were not there before (texts counted, so a repeated notice counts)."""
    left = Counter(before)
    fresh = []
    for message in shown:
        if left[message.text] > 0:
            left[message.text] -= 1
        else:
            fresh.append(message)
    return fresh


async def exchange(surface: Surface, candidate: Candidate, labels: list[str],
                   send: Callable[[], Awaitable[None]], *, timeout: float,
                   retry_texts: tuple[str, ...] = ()) -> str:
    """Send, then wait for what the candidate sees: ``reply`` (every label answered by a
    finished turn), ``retry`` (a clear "send it again"), or ``lost`` after ``timeout``."""
    before = Counter(message.text for message in surface.shown(candidate))

    def outcome() -> str | None:
        fresh = new_since(before, surface.shown(candidate))
        answered = {label for message in fresh if message.final for label in message.refs}
        if all(label in answered for label in labels):
            return "reply"
        if any(is_retry_message(message.text, retry_texts) for message in fresh):
            return "retry"
        return None

    await send()
    return await surface.until(candidate, outcome, timeout) or "lost"


async def settle(surface: Surface, timeout: float = 20.0) -> None:
    """Wait until no turn is in flight: a reply shown twice would show up late."""
    deadline = time.monotonic() + timeout
    while surface.in_flight() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)


# ---------------------------------------------------------------------- judging a run


def candidate_answers(session: Session | None) -> list[str]:
    if session is None:
        return []
    return [entry.text for entry in session.transcript if entry.speaker is Speaker.candidate]


@dataclass
class Tally:
    """Conversations checked after the run: replies as shown, answers as stored.

    A turn is lost when its reply was never shown as a finished turn or its answer is
    missing from the transcript; duplicated when either shows up more than once.
    """

    turns: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0  # candidates whose replies came in another order than their answers
    replies_missing: int = 0
    replies_shown_twice: int = 0
    answers_unsaved: int = 0
    answers_saved_twice: int = 0

    def add(self, turns: list[tuple[str, str | None]], shown: list[Shown],
            stored: list[str]) -> None:
        """``turns``: (label, answer text) in the order sent, text None for the greeting."""
        seen = [label for message in shown if message.final for label in message.refs]
        for label, answer in turns:
            replies = seen.count(label)
            saved = stored.count(answer) if answer is not None else 1
            self.turns += 1
            self.replies_missing += replies == 0
            self.replies_shown_twice += replies > 1
            self.answers_unsaved += saved == 0
            self.answers_saved_twice += saved > 1
            self.lost += replies == 0 or saved == 0
            self.duplicated += replies > 1 or saved > 1
        unique = list(dict.fromkeys(seen))
        self.out_of_order += unique != [label for label, _ in turns if label in unique]

    def lines(self, surface: str) -> list[str]:
        return [
            f"{surface} turns checked: {self.turns}; replies missing {self.replies_missing}, "
            f"shown twice {self.replies_shown_twice}; answers not saved {self.answers_unsaved}, "
            f"saved twice {self.answers_saved_twice}; candidates with replies out of order "
            f"{self.out_of_order}  (target all 0)",
        ]


def is_retry_message(text: str, messages: tuple[str, ...]) -> bool:
    return any(message in text for message in messages)


def brain_error_messages() -> tuple[str, ...]:
    """Every "please send it again" a brain failure can show (core's and Gemini's words)."""
    rate_limited = gemini.RATE_LIMITED.split("{wait}")[0]  # the wait varies
    return (BrainError.user_message, gemini.BUSY, gemini.TIMED_OUT, gemini.UNREADABLE,
            gemini.DROPPED, rate_limited)


ACK_TARGET = "(target 100%, p99 < 100 ms)"
NO_DEADLINE = "(no deadline on messages: context)"


def ack_line(surface: str, kind: str, values: list[float], target: str = ACK_TARGET) -> str:
    under = sum(1 for value in values if value < 3000)
    share = 100 * under / len(values) if values else 0.0
    return (f"{surface} {kind} acks under 3 s: {under}/{len(values)} ({share:.1f}%)  "
            f"p50 {percentile(values, 50):.1f} ms  p99 {percentile(values, 99):.1f} ms  "
            f"max {max(values, default=0):.1f} ms  {target}")


def ack_lines(surface: Surface, target: str = ACK_TARGET) -> list[str]:
    """One line per kind of acknowledgement; Discord messages have no deadline to meet."""
    return [ack_line(surface.name, kind, values,
                     NO_DEADLINE if kind == "message typing" else target)
            for kind, values in surface.acks.items()]

