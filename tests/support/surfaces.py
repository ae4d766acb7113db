"""One small driver per surface: "send this", "press hint", "end" in each surface's idiom.

Every driver plays a whole ``SCRIPT`` and returns one ``Turn`` per step. Discord and
Slack run their real client libraries against the loopback fakes in ``tests/fakes``;
the terminal is a real ``python -m bot cli --json`` subprocess; HTTP is the FastAPI
app through httpx. A driver also checks that what it reports is what the surface
showed: a turn's words were really rendered, and a report was really drawn.

Drivers run on the offline brain unless given another one (a model brain against its
fake; the terminal takes the environment that configures one).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapters.discord.views import END_ID, HINT_ID, SKIP_ID
from adapters.http import create_app
from adapters.slack.blocks import mrkdwn
from core.brain.base import Brain
from core.brain.offline import OfflineBrain
from core.models import Reply
from core.service import InterviewService
from core.store import InMemoryStore
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import Call, FakeSlack, button_press, message_event
from tests.support.cli import events as json_events
from tests.support.cli import run_cli
from tests.support.discord import Chat, running_bot
from tests.support.script import QUESTIONS, ROLE, ScriptedService, Step, Turn
from tests.support.slack import Harness, slack_harness

SURFACES = ["terminal", "http", "discord", "slack"]


def flat(text: str) -> str:
    """Whitespace-insensitive text: long replies are split into several messages."""
    return " ".join(text.split())


class Driver:
    """Plays a script step by step; subclasses say how each step is done on their surface."""

    async def play(self, script: list[Step]) -> list[Turn]:
        return [await self.step(step) for step in script]

    async def step(self, step: Step) -> Turn:
        if step.action == "start":
            return await self.start()
        if step.action == "send":
            return await self.send(step.text)
        return await self.press(step.action)

    async def start(self) -> Turn:
        raise NotImplementedError

    async def send(self, text: str) -> Turn:
        raise NotImplementedError

    async def press(self, action: str) -> Turn:
        raise NotImplementedError


# --------------------------------------------------------------------------- terminal


TERMINAL_LINES = {"hint": "/hint", "skip": "/skip", "end": "/end"}


class TerminalDriver(Driver):
    """The whole script as one pipe: one line per step, one JSON event back per step."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env or {}

    async def play(self, script: list[Step]) -> list[Turn]:
        assert script[0].action == "start"  # the interview starts from the command line
        lines = [step.text if step.action == "send" else TERMINAL_LINES[step.action]
                 for step in script[1:]]
        args = ["cli", "--role", ROLE, "--questions", str(len(QUESTIONS)), "--json"]
        for question in QUESTIONS:
            args += ["--ask", question]
        result = await asyncio.to_thread(run_cli, args, "\n".join(lines) + "\n",
                                         {"STORE_URL": "memory://", **self.env})
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return [Turn(event["kind"], event.get("report"), event["persona"])
                for event in json_events(result.stdout)]


# --------------------------------------------------------------------------- HTTP


class HttpDriver(Driver):
    HINT_OR_SKIP = {"hint": "/hint", "skip": "/skip"}

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.session_id = ""

    async def _post(self, path: str, body: dict) -> dict:
        response = await self.client.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def start(self) -> Turn:
        body = await self._post("/start_session", {"role": ROLE, "questions": len(QUESTIONS),
                                                   "custom_questions": QUESTIONS})
        self.session_id = body["session_id"]
        return _turn_of(body)

    async def send(self, text: str) -> Turn:
        body = await self._post("/chat", {"session_id": self.session_id, "message": text})
        return _turn_of(body)

    async def press(self, action: str) -> Turn:
        if action == "end":  # POST /feedback answers with the report itself
            return Turn("feedback", await self._post("/feedback", {"session_id": self.session_id}))
        body = await self._post(self.HINT_OR_SKIP[action], {"session_id": self.session_id})
        return _turn_of(body)


def _turn_of(body: dict) -> Turn:
    return Turn(body["kind"], body.get("report"), body["persona"])


@asynccontextmanager
async def http_driver(brain: Brain | None = None) -> AsyncIterator[HttpDriver]:
    app = create_app(InterviewService(brain=brain or OfflineBrain(), store=InMemoryStore()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        yield HttpDriver(client)


# --------------------------------------------------------------------------- Discord


DISCORD_BUTTONS = {"hint": HINT_ID, "skip": SKIP_ID, "end": END_ID}


class DiscordDriver(Driver):
    """A DM with the bot: typed ``start sales``, typed answers, and the message buttons."""

    def __init__(self, fake: FakeDiscord, chat: Chat, service: ScriptedService) -> None:
        self.fake, self.chat, self.service = fake, chat, service
        self.user = fake.user("casey")
        self.dm = fake.dm_channel(self.user)

    async def start(self) -> Turn:
        return await self._say(f"start {ROLE}")

    async def send(self, text: str) -> Turn:
        return await self._say(text)

    async def press(self, action: str) -> Turn:
        buttons = [m for m in self.fake.channel_messages(self.dm) if m.get("components")]
        seen = len(self.service.replies)
        interaction = await self.fake.press(self.user, buttons[-1], DISCORD_BUTTONS[action])
        return self._turn(await self.chat.finished(interaction), seen)

    async def _say(self, text: str) -> Turn:
        seen = len(self.service.replies)
        return self._turn(await self.chat.say(self.user, self.dm, text), seen)

    def _turn(self, shown: list[dict], seen: int) -> Turn:
        [reply] = self.service.replies[seen:]  # exactly one interviewer turn per step
        content = flat(" ".join(message["content"] for message in shown))
        assert flat(reply.text) in content, (reply.text, content)
        return _shown_turn(reply, _discord_text(shown))


def _discord_text(messages: list[dict]) -> str:
    parts = []
    for message in messages:
        parts.append(message["content"])
        for embed in message["embeds"]:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for item in embed.get("fields", []):
                parts += [item["name"], item["value"]]
            parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(part for part in parts if part)


@asynccontextmanager
async def discord_driver(brain: Brain | None = None) -> AsyncIterator[DiscordDriver]:
    fake = FakeDiscord()
    await fake.start()
    service = ScriptedService(brain)
    try:
        async with running_bot(fake, service) as bot:
            yield DiscordDriver(fake, Chat(fake, bot), service)
    finally:
        await fake.stop()


# --------------------------------------------------------------------------- Slack


SLACK_DM = "D0CONTRACT"
SLACK_USER = "U0CASEY"
SLACK_BUTTONS = {"hint": "interview_hint", "skip": "interview_skip", "end": "interview_end"}
SHOWN_METHODS = ("chat.postMessage", "chat.update")


class SlackDriver(Driver):
    """A DM with the bot over signed HTTP: ``message.im`` events and Block Kit buttons."""

    def __init__(self, harness: Harness, service: ScriptedService) -> None:
        self.h, self.service = harness, service

    async def start(self) -> Turn:
        return await self._act(self._event(f"start {ROLE}"))

    async def send(self, text: str) -> Turn:
        return await self._act(self._event(text))

    async def press(self, action: str) -> Turn:
        post = [p for p in self.h.fake.posts(SLACK_DM) if SLACK_BUTTONS[action] in p.action_ids][-1]
        payload = button_press(post, SLACK_BUTTONS[action], user=SLACK_USER)
        return await self._act(self.h.sender.interactive(payload))

    def _event(self, text: str):
        return self.h.sender.event(message_event(text, user=SLACK_USER, channel=SLACK_DM,
                                                 channel_type="im"))

    async def _act(self, delivery) -> Turn:
        seen, mark = len(self.service.replies), len(self.h.fake.calls)
        assert (await delivery).status == 200
        await self.h.fake.wait_for(lambda: len(self.service.replies) > seen, what="a reply")
        await self.h.bot.background.drain()  # the turn's posts, and the report's, are out
        [reply] = self.service.replies[seen:]
        shown = [c for c in self.h.fake.calls[mark:] if c.method in SHOWN_METHODS]
        text = "\n".join(call.text for call in shown)
        assert flat(mrkdwn(reply.text)) in flat(text), (reply.text, text)
        return _shown_turn(reply, text)


def is_report_post(call: Call) -> bool:
    return bool(call.blocks) and call.blocks[0].get("type") == "header"


@asynccontextmanager
async def slack_driver(brain: Brain | None = None) -> AsyncIterator[SlackDriver]:
    fake = await FakeSlack().start()
    fake.add_im(SLACK_USER, SLACK_DM)
    service = ScriptedService(brain)
    try:
        async with slack_harness(service, fake) as harness:
            yield SlackDriver(harness, service)
    finally:
        await fake.stop()


# --------------------------------------------------------------------------- all of them


def _shown_turn(reply: Reply, rendered: str) -> Turn:
    """A turn the surface was seen to render, named by the kind of reply the service gave it.

    Only what a person reads is kept: the report and the engine's reading of the candidate
    are core's, so tests check them in ``rendered`` rather than in the service's reply.
    """
    return Turn(reply.kind.value, rendered=rendered)


@asynccontextmanager
async def driver_for(surface: str, brain: Brain | None = None,
                     terminal_env: dict[str, str] | None = None) -> AsyncIterator[Driver]:
    """``brain`` for the in-process surfaces; ``terminal_env`` configures the subprocess's."""
    if surface == "terminal":
        yield TerminalDriver(terminal_env)
    elif surface == "http":
        async with http_driver(brain) as driver:
            yield driver
    elif surface == "discord":
        async with discord_driver(brain) as driver:
            yield driver
    elif surface == "slack":
        async with slack_driver(brain) as driver:
            yield driver
    else:
        raise ValueError(surface)

