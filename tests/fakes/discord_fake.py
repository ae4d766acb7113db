"""A small fake of Discord on 127.0.0.1: REST and a gateway websocket, for the real discord.py.

The real ``discord.Client`` logs in to this fake exactly as it would to Discord:
``discord.http.Route.BASE`` points REST (and therefore webhooks and interaction
callbacks) here, and ``DiscordWebSocket.DEFAULT_GATEWAY`` points the gateway here.
The fake speaks plain JSON text frames (discord.py accepts them although it asks
for compression) and answers with ``Content-Type: application/json`` exactly,
because discord.py only parses JSON when the header is exactly that.

Tests drive it like users would (``slash``, ``press``, ``say``, ``rename_thread``,
``pin``) and assert on what the bot sent: every request is recorded, and ``messages``
holds the channel state.

It refuses what Discord refuses (``discord_rules`` has the limits):

* permissions: the bot has the role its invite link grants, and ``deny_bot`` takes
  some away in a channel (threads inherit their parent's). Creating public or
  private threads, sending in a channel or a thread, and embeds in channel messages
  are checked (an embed-only message without Embed Links is a 403; with content,
  the embeds are dropped, as Discord does); interactions carry the same
  ``app_permissions``. Deleting or locking a thread needs Manage Threads.
* message, embed and component limits (400 / 50035), and empty messages (50006);
* threads by parent: an announcement channel (``add_announcement_channel``) takes
  announcement threads (type 10) only, never private ones;
* interactions: one callback each (40060), within 3 seconds (10062), and a token
  good for 15 minutes of the fake's clock (``advance`` moves it; 50027 after);
* without the Message Content intent, guild messages arrive with empty content;
* system messages (a thread renamed, a message pinned) arrive as MESSAGE_CREATE of
  their own types, as Discord sends them.

Sharding is as on Discord: each gateway connection identifies as shard ``[id, count]``;
a guild's events go to shard ``(guild_id >> 22) % count`` and DMs to shard 0. An
invalid shard is closed with 4010, and when ``shards_required`` is set, a connection
with fewer shards than that is closed with 4011 (sharding required).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from aiohttp import web

from tests.fakes import discord_rules as rules

API_PREFIX = "/api/v10"
ALL_PERMISSIONS = str(rules.USER_EVERYTHING)  # what a user (a server owner) may do
MESSAGE_CONTENT_INTENT = 1 << 15
CALLBACK_SECONDS = 3.0
TOKEN_SECONDS = 15 * 60
# Message types (Discord API): the ones people write, and the system messages the fake sends.
DEFAULT, CHANNEL_NAME_CHANGE, CHANNEL_PINNED_MESSAGE, REPLY = 0, 4, 6, 19
ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024
VOICE_MESSAGE_FLAG = 1 << 13
EPHEMERAL = 64

# Interaction callback types that create a message (Discord API); 8 is autocomplete choices.
CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
# Callback types that answer a button press on the message that carries the button.
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": aiohttp's json_response adds a charset that discord.py rejects.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class UploadedFile:
    """A file part of a multipart request (``files[n]``), as the bot sent it."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Recorded:
    """One request the bot made, as the fake received it."""

    method: str
    path: str  # without the /api/v10 prefix
    body: Any  # the JSON body, or a multipart request's ``payload_json``
    at: float
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def matches(self, method: str, pattern: str) -> bool:
        return self.method == method and re.fullmatch(pattern, self.path) is not None


@dataclass
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": self.payload,
            "roles": [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": ALL_PERMISSIONS,
        }


@dataclass
class _Shard:
    id: int
    count: int
    ws: web.WebSocketResponse
    sequence: int = 0
    ready: bool = False


@dataclass
class RateLimitRule:
    method: str
    pattern: str
    remaining: int  # how many more matching requests get a 429
    retry_after: float


class FakeDiscord:
    """Discord as far as this bot needs it. Start with ``await fake.start()``."""

    def __init__(self) -> None:
        # A snowflake's top bits are its time in ms (discord.py's ``created_at`` reads them):
        # each new id is a millisecond after the last, as two things a person does are.
        self._ids = itertools.count(1_100_000_000_000_000_000, 1 << 22)
        self.bot_user = FakeUser(self.snowflake(), "interview-bot", "Interview Bot", bot=True)
        self.application_id = self.bot_user.id
        self.owner = FakeUser(self.snowflake(), "owner")
        self.guild_id = self.snowflake()
        self.bot_role_id = self.snowflake()  # the role the bot's invite link created
        self.channel_id = self.snowflake()  # the practice text channel
        self.channels: dict[int, dict[str, Any]] = {
            self.channel_id: {
                "id": str(self.channel_id),
                "type": 0,
                "guild_id": str(self.guild_id),
                "name": "interview-practice",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }
        }
        self.messages: dict[int, dict[str, Any]] = {}
        self.requests: list[Recorded] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> commands
        self.thread_members: dict[int, set[int]] = {}
        self.attachments: dict[str, bytes] = {}
        self.identify: dict[str, Any] | None = None
        self.identifies: list[dict[str, Any]] = []
        self.shards_required: int | None = None  # like a bot in too many guilds for one shard
        self.dispatched: list[tuple[int, str]] = []  # (shard id, event) of every dispatch
        self.forbid_private_threads = False  # a server that refuses private threads outright
        self.close_on_identify: int | None = None  # e.g. 4014: a privileged intent is not enabled
        self._clock_offset = 0.0
        self._interaction_times: dict[str, float] = {}  # token -> when the interaction was sent
        self._answered: set[str] = set()  # interaction tokens whose one callback was made
        self._rate_limits: list[RateLimitRule] = []
        # token -> the interaction's "@original" message: its response, or for a button press
        # answered by updating (types 6 and 7), the message that carries the button
        self._interaction_tokens: dict[str, int] = {}
        self._token_channels: dict[str, int] = {}  # token -> channel the interaction came from
        self._shards: dict[int, _Shard] = {}  # shard id -> its live gateway connection
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._saved_base = discord.http.Route.BASE
        self._saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    def snowflake(self) -> int:
        return next(self._ids)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_get("/attachments/{name}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        discord.http.Route.BASE = self.base_url + API_PREFIX
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{self.port}/gateway/")

    async def stop(self) -> None:
        discord.http.Route.BASE = self._saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_gateway
        for shard in list(self._shards.values()):
            if not shard.ws.closed:
                await shard.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ waiting

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``condition()`` is truthy and return it.

        Re-checked after every request and every 50 ms (for conditions on the bot's own
        state, which changes after the fake answered its last request).
        """

        async def wait() -> Any:
            async with self._changed:
                while not (result := condition()):
                    try:
                        await asyncio.wait_for(self._changed.wait(), 0.05)
                    except TimeoutError:
                        pass
                return result

        return await asyncio.wait_for(wait(), timeout)

    # ------------------------------------------------------------------ queries for tests

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.matches(method, pattern)]

    def channel_messages(self, channel_id: int, *, by_bot: bool = True,
                         system: bool = False) -> list[dict[str, Any]]:
        """Messages in a channel, oldest first (ephemeral ones included, system ones if asked)."""
        found = [m for m in self.messages.values() if int(m["channel_id"]) == channel_id
                 and (system or m["type"] in (DEFAULT, REPLY))]
        if by_bot:
            found = [m for m in found if int(m["author"]["id"]) == self.bot_user.id]
        return sorted(found, key=lambda m: int(m["id"]))

    def threads(self) -> list[dict[str, Any]]:
        return [c for c in self.channels.values() if c["type"] in (10, 11, 12)]

    # ------------------------------------------------------------------ time, channels, rights

    def now(self) -> float:
        return time.monotonic() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Let Discord's clock run ahead (interaction token expiry) without waiting."""
        self._clock_offset += seconds

    def add_announcement_channel(self, name: str = "announcements") -> int:
        """An announcement (news) channel; tell a connected bot about it, as Discord would."""
        channel_id = self.snowflake()
        self.channels[channel_id] = {**self.channels[self.channel_id], "id": str(channel_id),
                                     "type": 5, "name": name, "permission_overwrites": []}
        if self._shards:  # a connected bot hears of it, as on Discord
            asyncio.get_running_loop().create_task(
                self.dispatch("CHANNEL_CREATE", self.channels[channel_id]))
        return channel_id

    async def deny_bot(self, channel_id: int, **permissions: bool) -> None:
        """Take permissions from the bot in a channel (a member overwrite, as admins do)."""
        channel = self.channels[channel_id]
        denied = discord.Permissions(**permissions).value
        overwrites = [o for o in channel["permission_overwrites"]
                      if int(o["id"]) != self.bot_user.id]
        old = next((int(o["deny"]) for o in channel["permission_overwrites"]
                    if int(o["id"]) == self.bot_user.id), 0)
        overwrites.append({"id": str(self.bot_user.id), "type": 1, "allow": "0",
                           "deny": str(old | denied)})
        channel["permission_overwrites"] = overwrites
        if self._shards:  # a connected bot hears of it, as on Discord
            await self.dispatch("CHANNEL_UPDATE", channel)

    def bot_permissions(self, channel_id: int) -> int:
        """What the bot may do in a channel (a thread: in its parent), from roles and overwrites."""
        channel = self.channels[channel_id]
        if not channel.get("guild_id"):
            return rules.USER_EVERYTHING  # a DM: no server permissions apply
        if channel["type"] in (10, 11, 12):
            channel = self.channels[int(channel["parent_id"])]
        return rules.apply_overwrites(rules.EVERYONE | rules.BOT_ROLE,
                                      channel.get("permission_overwrites") or [],
                                      self.guild_id, self.bot_user.id)

    def _bot_may(self, channel_id: int, **permissions: bool) -> bool:
        wanted = discord.Permissions(**permissions).value
        return self.bot_permissions(channel_id) & wanted == wanted

    def rate_limit(self, method: str, pattern: str, *, times: int = 1, retry_after: float = 0.3) -> None:
        """Answer the next ``times`` matching requests with a 429 (with ``Via``, so it is retried)."""
        self._rate_limits.append(RateLimitRule(method, pattern, times, retry_after))

    # ------------------------------------------------------------------ users act

    def user(self, username: str, global_name: str | None = None) -> FakeUser:
        return FakeUser(self.snowflake(), username, global_name or username.title())

    def dm_channel(self, user: FakeUser) -> int:
        for channel in self.channels.values():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == str(user.id):
                return int(channel["id"])
        channel_id = self.snowflake()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": 1,
            "recipients": [user.payload],
            "last_message_id": None,
        }
        return channel_id

    async def say(
        self, user: FakeUser, channel_id: int, content: str, *, attachment: tuple[str, bytes, str] | None = None
    ) -> dict[str, Any]:
        """The user writes a message in a channel, DM or thread (MESSAGE_CREATE)."""
        message = self._message(channel_id, user, {"content": content})
        if attachment is not None:
            message["attachments"] = [self._upload(*attachment)]
        await self._deliver(message, user)
        return message

    def draft(self, user: FakeUser, channel_id: int, content: str) -> dict[str, Any]:
        """A message the user sent (its snowflake id, hence its time, is given now) that the
        gateway has not dispatched yet: ``deliver`` it later, in any order, or twice (a
        resumed gateway session replays events)."""
        return self._message(channel_id, user, {"content": content})

    async def deliver(self, message: dict[str, Any], user: FakeUser) -> None:
        await self._deliver(message, user)

    async def voice_message(self, user: FakeUser, channel_id: int, audio: bytes,
                            seconds: float) -> dict[str, Any]:
        """The user records a voice message: no text, one ogg/opus attachment with its length
        and waveform, and the IS_VOICE_MESSAGE flag, as Discord's clients send it."""
        channel = self.channels[channel_id]
        message = self._message(channel_id, user, {"content": "", "flags": VOICE_MESSAGE_FLAG})
        attachment = self._upload("voice-message.ogg", audio, "audio/ogg")
        attachment.update(duration_secs=seconds, waveform="AAAAAAAAAAAA")  # base64 bytes
        message["attachments"] = [attachment]
        if channel.get("guild_id"):
            message["member"] = {k: v for k, v in user.member().items() if k != "user"}
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def rename_thread(self, user: FakeUser, thread_id: int, name: str) -> dict[str, Any]:
        """The user renames a thread: THREAD_UPDATE, then a CHANNEL_NAME_CHANGE system message."""
        thread = self.channels[thread_id]
        thread["name"] = name
        await self.dispatch("THREAD_UPDATE", thread)
        message = self._message(thread_id, user, {"content": name})
        message["type"] = CHANNEL_NAME_CHANGE
        await self._deliver(message, user)
        return message

    async def pin(self, user: FakeUser, message: dict[str, Any]) -> dict[str, Any]:
        """The user pins a message: CHANNEL_PINS_UPDATE, then a CHANNEL_PINNED_MESSAGE notice."""
        channel_id = int(message["channel_id"])
        message["pinned"] = True
        pins = {"channel_id": str(channel_id), "last_pin_timestamp": _now()}
        if self.channels[channel_id].get("guild_id"):
            pins["guild_id"] = str(self.guild_id)
        await self.dispatch("CHANNEL_PINS_UPDATE", pins)
        notice = self._message(channel_id, user, {"content": ""})
        notice["type"] = CHANNEL_PINNED_MESSAGE
        notice["message_reference"] = {"type": 0, "message_id": message["id"],
                                       "channel_id": str(channel_id),
                                       **({"guild_id": str(self.guild_id)}
                                          if "guild_id" in pins else {})}
        await self._deliver(notice, user)
        return notice

    async def _deliver(self, message: dict[str, Any], user: FakeUser) -> None:
        """MESSAGE_CREATE as the bot receives it: without Message Content, guild messages
        arrive with empty content, embeds, attachments and components (unless they
        mention the bot)."""
        event = dict(message)
        if self.channels[int(message["channel_id"])].get("guild_id"):
            event["member"] = {k: v for k, v in user.member().items() if k != "user"}
            intents = int((self.identify or {}).get("intents") or 0)
            mentioned = f"<@{self.bot_user.id}>" in message["content"]
            if not intents & MESSAGE_CONTENT_INTENT and not mentioned:
                event.update(content="", embeds=[], attachments=[], components=[])
        await self.dispatch("MESSAGE_CREATE", event)

    async def slash(
        self,
        user: FakeUser,
        channel_id: int,
        subcommand: str,
        options: dict[str, Any] | None = None,
        *,
        attachment: tuple[str, bytes, str] | None = None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        """The user runs ``/interview <subcommand> ...`` (or types into an autocomplete option)."""
        option_list = [
            {"name": name, "type": _option_type(value), "value": value}
            for name, value in (options or {}).items()
        ]
        resolved: dict[str, Any] = {}
        if attachment is not None:
            uploaded = self._upload(*attachment)
            resolved["attachments"] = {uploaded["id"]: uploaded}
            option_list.append({"name": "file", "type": 11, "value": uploaded["id"]})
        for option in option_list:
            if option["name"] == focused:
                option["focused"] = True
        data: dict[str, Any] = {
            "id": str(self.snowflake()),
            "name": "interview",
            "type": 1,
            "options": [{"name": subcommand, "type": 1, "options": option_list}],
        }
        if resolved:
            data["resolved"] = resolved
        return await self._interact(user, channel_id, 4 if focused else 2, data)

    def _upload(self, filename: str, content: bytes, content_type: str) -> dict[str, Any]:
        """Store a file the way Discord's CDN would and return its attachment object."""
        attachment_id = self.snowflake()
        self.attachments[f"{attachment_id}-{filename}"] = content
        url = f"{self.base_url}/attachments/{attachment_id}-{filename}"
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    async def press(self, user: FakeUser, message: dict[str, Any], custom_id: str) -> dict[str, Any]:
        """The user presses a button on a message the bot sent."""
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(user, int(message["channel_id"]), 3, data, message=message)

    async def _interact(
        self,
        user: FakeUser,
        channel_id: int,
        kind: int,
        data: dict[str, Any],
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        channel = self.channels[channel_id]
        interaction: dict[str, Any] = {
            "id": str(self.snowflake()),
            "application_id": str(self.application_id),
            "type": kind,
            "token": f"token-{self.snowflake()}",
            "version": 1,
            "channel_id": str(channel_id),
            "channel": channel,
            "data": data,
            "locale": "en-US",
            "app_permissions": str(self.bot_permissions(channel_id)),
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "entitlements": [],
            "authorizing_integration_owners": {},
        }
        if channel.get("guild_id"):
            interaction.update(guild_id=str(self.guild_id), guild_locale="en-US", member=user.member())
            interaction["context"] = 0
        else:
            interaction.update(user=user.payload, context=1)
        if message is not None:
            interaction["message"] = message
            self._interaction_tokens[interaction["token"]] = int(message["id"])
        self._token_channels[interaction["token"]] = channel_id
        self._interaction_times[interaction["token"]] = self.now()
        interaction["sent_at"] = time.monotonic()  # not Discord's: lets tests time the callback
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    def callback_for(self, interaction: dict[str, Any]) -> Recorded | None:
        pattern = rf"/interactions/{interaction['id']}/{re.escape(interaction['token'])}/callback"
        found = self.calls("POST", pattern)
        return found[0] if found else None

    def interaction_messages(self, interaction: dict[str, Any]) -> list[dict[str, Any]]:
        """Messages created for one interaction: the callback reply and every follow-up."""
        token = interaction["token"]
        return sorted(
            (m for m in self.messages.values() if m.get("_token") == token),
            key=lambda m: int(m["id"]),
        )

    # ------------------------------------------------------------------ gateway

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event on the connection of the shard it belongs to."""
        assert self._shards, "the bot is not connected to the fake gateway"
        count = next(iter(self._shards.values())).count
        guild_id = data.get("guild_id") or (data.get("id") if event == "GUILD_CREATE" else None)
        shard_id = (int(guild_id) >> 22) % count if guild_id else 0
        shard = self._shards.get(shard_id)
        assert shard is not None, f"shard {shard_id} of {count} is not connected"
        await self._send(shard, event, data)

    async def _send(self, shard: _Shard, event: str, data: dict[str, Any]) -> None:
        shard.sequence += 1
        self.dispatched.append((shard.id, event))
        await shard.ws.send_str(json.dumps({"op": 0, "t": event, "s": shard.sequence, "d": data}))

    def connected_shards(self) -> list[int]:
        return sorted(shard_id for shard_id, shard in self._shards.items() if shard.ready)

    def guild_shard(self, count: int) -> int:
        return (self.guild_id >> 22) % count

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        shard: _Shard | None = None
        await ws.send_str(json.dumps({"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            payload = json.loads(frame.data)
            op = payload.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "s": None, "t": None, "d": None}))
            elif op == 2:
                self.identify = payload["d"]
                self.identifies.append(payload["d"])
                if self.close_on_identify is not None:
                    await ws.close(code=self.close_on_identify, message=b"Disallowed intent(s).")
                    break
                shard_id, count = payload["d"].get("shard") or (0, 1)
                if not 0 <= shard_id < count:
                    await ws.close(code=4010, message=b"Invalid shard.")
                    break
                if self.shards_required and count < self.shards_required:
                    await ws.close(code=4011, message=b"Sharding required.")
                    break
                shard = self._shards[shard_id] = _Shard(shard_id, count, ws)
                await self._ready(shard)
            elif op == 6 and shard is not None:
                await self._send(shard, "RESUMED", {})
        if shard is not None and self._shards.get(shard.id) is shard:
            del self._shards[shard.id]
        return ws

    async def _ready(self, shard: _Shard) -> None:
        mine = self.guild_shard(shard.count) == shard.id
        await self._send(
            shard,
            "READY",
            {
                "v": 10,
                "user": self.bot_user.payload,
                "guilds": [{"id": str(self.guild_id), "unavailable": True}] if mine else [],
                "session_id": f"fake-session-{shard.id}",
                "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway/",
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "shard": [shard.id, shard.count],
            },
        )
        if mine:
            await self._send(shard, "GUILD_CREATE", self._guild_payload())
        shard.ready = True
        await self._notify()

    def _guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.guild_id),
            "name": "Practice Server",
            "icon": None,
            "owner_id": str(self.owner.id),
            "roles": [
                _role(self.guild_id, "@everyone", rules.EVERYONE, position=0),
                _role(self.bot_role_id, "Interview Coach", rules.BOT_ROLE, position=1,
                      managed=True, tags={"bot_id": str(self.bot_user.id)}),
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [c for c in self.channels.values() if c["type"] in (0, 5)],
            "threads": [],
            "members": [{**self.bot_user.member(), "roles": [str(self.bot_role_id)]}],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "premium_tier": 0,
            "mfa_level": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "system_channel_flags": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # ------------------------------------------------------------------ REST

    async def _attachment(self, request: web.Request) -> web.Response:
        content = self.attachments.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, headers={"Content-Type": "application/octet-stream"})

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        record = Recorded(
            request.method, path, body, time.monotonic(), query=dict(request.query), files=files
        )
        self.requests.append(record)
        if files:  # as on Discord, uploaded files become the message's attachments
            uploaded = [self._upload(f.filename, f.data, f.content_type) for f in files]
            body = {**(body or {}), "attachments": uploaded}
        limited = self._take_rate_limit(record)
        if limited is not None:
            record.status = 429
            await self._notify()
            return _json(
                {"message": "You are being rate limited.", "retry_after": limited, "global": False},
                status=429,
                headers={"Via": "1.1 google", "X-RateLimit-Scope": "user"},
            )
        try:
            status, data = self._route(request.method, path, body)
        except KeyError:
            status, data = 404, {"message": "Unknown resource", "code": 10003}
        record.status = status
        await self._notify()
        if status == 204:
            return web.Response(status=204)
        return _json(data, status=status)

    def _take_rate_limit(self, record: Recorded) -> float | None:
        for rule in self._rate_limits:
            if rule.remaining > 0 and record.matches(rule.method, rule.pattern):
                rule.remaining -= 1
                return rule.retry_after
        return None

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:  # noqa: C901 - a router
        app = self.application_id
        routes: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/users/@me", lambda: (200, self.bot_user.payload)),
            ("GET", r"/gateway/bot", lambda: (200, self._gateway_bot())),
            ("GET", r"/oauth2/applications/@me", lambda: (200, self._application())),
            ("PUT", rf"/applications/{app}/commands", lambda: self._sync("global", body)),
            ("PUT", rf"/applications/{app}/guilds/(\d+)/commands", lambda g: self._sync(g, body)),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", lambda i, t: self._callback(i, t, body)),
            ("POST", rf"/webhooks/{app}/([^/]+)", lambda t: self._webhook(t) or self._followup(t, body)),
            ("PATCH", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)",
             lambda t, m: self._webhook(t) or self._edit_webhook(t, m, body)),
            ("GET", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)",
             lambda t, m: self._webhook(t) or (200, self._webhook_message(t, m))),
            ("DELETE", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)",
             lambda t, m: self._webhook(t) or self._delete_webhook(t, m)),
            ("POST", r"/channels/(\d+)/messages", lambda c: self._post_in_channel(int(c), body)),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", lambda c, m: self._edit_in_channel(int(c), int(m), body)),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", lambda c, m: self._delete(int(m))),
            ("POST", r"/channels/(\d+)/typing", lambda c: (204, None)),
            ("POST", r"/channels/(\d+)/threads", lambda c: self._thread(int(c), body)),
            ("PUT", r"/channels/(\d+)/thread-members/(\d+)", lambda c, u: self._join(int(c), int(u))),
            ("POST", r"/users/@me/channels", lambda: (200, self._open_dm(body))),
            ("GET", r"/channels/(\d+)", lambda c: (200, self.channels[int(c)])),
            ("PATCH", r"/channels/(\d+)", lambda c: self._edit_thread(int(c), body)),
            ("DELETE", r"/channels/(\d+)", lambda c: self._delete_thread(int(c))),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return handler(*match.groups())
        return 404, {"message": "404: Not Found", "code": 0}

    def _gateway_bot(self) -> dict[str, Any]:
        return {
            "url": f"ws://127.0.0.1:{self.port}/gateway/",
            "shards": self.shards_required or 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                    "max_concurrency": 1},
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "Interview Bot",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload,
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
        }

    def _sync(self, scope: str, commands: list[dict[str, Any]]) -> tuple[int, Any]:
        synced = []
        for command in commands:
            synced.append(
                {
                    **command,
                    "id": str(self.snowflake()),
                    "application_id": str(self.application_id),
                    "version": "1",
                    "default_member_permissions": command.get("default_member_permissions"),
                    **({"guild_id": scope} if scope != "global" else {}),
                }
            )
        self.commands[scope] = synced
        return 200, synced

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        if token in self._answered:
            return 400, {"code": 40060, "message": "Interaction has already been acknowledged."}
        if self.now() - self._interaction_times[token] > CALLBACK_SECONDS:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        kind = body["type"]
        data = body.get("data") or {}
        if kind in (CALLBACK_MESSAGE, CALLBACK_UPDATE_MESSAGE) and (
                problem := rules.check_message(data, creating=kind == CALLBACK_MESSAGE)):
            return problem
        self._answered.add(token)
        flags = int(data.get("flags") or 0)
        message = None
        if kind in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE):
            channel_id = self._token_channels[token]
            message = self._create(channel_id, data if kind == CALLBACK_MESSAGE else {"flags": flags})
            message["_token"] = token
            message["_deferred"] = kind == CALLBACK_DEFERRED_MESSAGE
            self._interaction_tokens[token] = int(message["id"])
        elif kind == CALLBACK_UPDATE_MESSAGE:  # a button press edits the message it is on
            message = self.messages[self._interaction_tokens[token]]
            self._edit(int(message["id"]), data)
        response: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == CALLBACK_DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": {"type": kind, **({"message": _public(message)} if message else {})},
        }
        return 200, response

    def _webhook(self, token: str) -> tuple[int, Any] | None:
        """An interaction's webhook token works for 15 minutes; None while it does."""
        sent = self._interaction_times.get(token)
        if sent is None or self.now() - sent > TOKEN_SECONDS:
            return 401, {"code": 50027, "message": "Invalid Webhook Token"}
        return None

    def _followup(self, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        if problem := rules.check_message(body, creating=True):
            return problem
        # As on Discord, the first follow-up after a "thinking" defer fills the loading message
        # (which keeps the defer's ephemeral flag); later follow-ups are new messages.
        original = self.messages.get(self._interaction_tokens.get(token, -1))
        if original is not None and original.get("_deferred"):
            flags = original["flags"]
            self._edit(int(original["id"]), body)
            original["flags"] = flags
            original.pop("_edits", None)
            return 200, _public(original)
        message = self._create(self._token_channels[token], body)
        message["_token"] = token
        return 200, _public(message)

    def _resolve_webhook_message(self, token: str, message_id: str) -> int:
        if message_id == "@original":
            return self._interaction_tokens[token]
        return int(message_id)

    def _edit_webhook(self, token: str, message_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        if problem := rules.check_message(body, creating=False):
            return problem
        return 200, self._edit(self._resolve_webhook_message(token, message_id), body)

    def _webhook_message(self, token: str, message_id: str) -> dict[str, Any]:
        return _public(self.messages[self._resolve_webhook_message(token, message_id)])

    def _delete_webhook(self, token: str, message_id: str) -> tuple[int, Any]:
        return self._delete(self._resolve_webhook_message(token, message_id))

    def _message(self, channel_id: int, author: FakeUser, body: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels[channel_id]
        message = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": author.payload,
            "content": body.get("content") or "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
            "allowed_mentions": body.get("allowed_mentions"),
            "attachments": body.get("attachments") or [],
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        self.messages[int(message["id"])] = message
        return message

    def _may_send(self, channel_id: int, body: dict[str, Any]) -> tuple[int, Any] | dict[str, Any]:
        """The bot's right to send ``body`` here: an error, or the body as Discord keeps it."""
        channel = self.channels[channel_id]
        if channel.get("guild_id"):
            in_thread = channel["type"] in (10, 11, 12)
            if in_thread and channel["thread_metadata"].get("locked"):
                return rules.MISSING_PERMISSIONS
            allowed = (self._bot_may(channel_id, send_messages_in_threads=True) if in_thread
                       else self._bot_may(channel_id, send_messages=True))
            if not allowed or not self._bot_may(channel_id, view_channel=True):
                return rules.MISSING_PERMISSIONS
            if body.get("embeds") and not self._bot_may(channel_id, embed_links=True):
                if not (body.get("content") or "").strip():
                    return rules.MISSING_PERMISSIONS  # nothing left to send without its embeds
                body = {**body, "embeds": []}  # Discord drops them silently
        return body

    def _post_in_channel(self, channel_id: int, body: dict[str, Any]) -> tuple[int, Any]:
        if problem := rules.check_message(body, creating=True):
            return problem
        allowed = self._may_send(channel_id, body)
        if isinstance(allowed, tuple):
            return allowed
        return 200, _public(self._create(channel_id, allowed))

    def _edit_in_channel(self, channel_id: int, message_id: int, body: dict[str, Any]) -> tuple[int, Any]:
        message = self.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return 404, {"code": 10008, "message": "Unknown Message"}
        if int(message["author"]["id"]) != self.bot_user.id or message["flags"] & EPHEMERAL:
            return 403, {"code": 50005, "message": "Cannot edit a message authored by another user"}
        if problem := rules.check_message(body, creating=False):
            return problem
        allowed = self._may_send(channel_id, body) if "embeds" in body else body
        if isinstance(allowed, tuple):
            return allowed
        return 200, self._edit(message_id, allowed)

    def _create(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A message by the bot; returns the stored record (use ``_public`` for responses)."""
        return self._message(channel_id, self.bot_user, body)

    def _edit(self, message_id: int, body: dict[str, Any]) -> dict[str, Any]:
        message = self.messages[message_id]
        for key in ("content", "embeds", "components", "allowed_mentions", "flags", "attachments"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        message["edited_timestamp"] = _now()
        message["_deferred"] = False
        message.setdefault("_edits", 0)
        message["_edits"] += 1
        return _public(message)

    def _delete(self, message_id: int) -> tuple[int, Any]:
        if self.messages.pop(message_id, None) is None:
            return 404, {"code": 10008, "message": "Unknown Message"}
        return 204, None

    def _thread(self, parent_id: int, body: dict[str, Any]) -> tuple[int, Any]:
        kind = int(body.get("type") or 12)  # without a type, Discord makes a private thread
        parent = self.channels[parent_id]
        # Announcement channels take announcement threads only; text channels never take them.
        if (parent["type"] == 5) != (kind == 10) or parent["type"] not in (0, 5):
            return 400, {"code": 50024, "message": "Cannot execute action on this channel type"}
        if kind == 12 and self.forbid_private_threads:
            return rules.MISSING_PERMISSIONS
        needed = {"create_private_threads": True} if kind == 12 else {"create_public_threads": True}
        if not self._bot_may(parent_id, view_channel=True, **needed):
            return rules.MISSING_PERMISSIONS
        if len(body.get("name") or "") > 100 or not body.get("name"):
            return rules.invalid("name", "Must be between 1 and 100 in length.")
        thread_id = self.snowflake()
        thread = {
            "id": str(thread_id),
            "type": kind,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(self.bot_user.id),
            "name": body["name"],
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                "archive_timestamp": _now(),
                "locked": False,
                "invitable": body.get("invitable", True),
            },
        }
        self.channels[thread_id] = thread
        self.thread_members[thread_id] = {self.bot_user.id}
        # Discord announces the new thread on the gateway; do the same, after the response.
        asyncio.get_running_loop().create_task(self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}))
        return 201, thread

    def _edit_thread(self, thread_id: int, body: dict[str, Any]) -> tuple[int, Any]:
        """Archive, lock or rename a thread: its creator may archive and rename it, locking
        needs Manage Threads."""
        thread = self.channels[thread_id]
        if thread["type"] not in (10, 11, 12):
            return 403, {"code": 50013, "message": "Missing Permissions"}
        manager = self._bot_may(thread_id, manage_threads=True)
        owner = int(thread["owner_id"]) == self.bot_user.id
        if (body.get("locked") and not manager) or not (manager or owner):
            return rules.MISSING_PERMISSIONS
        for key in ("archived", "locked"):
            if key in body:
                thread["thread_metadata"][key] = bool(body[key])
        if "name" in body:
            thread["name"] = body["name"]
        asyncio.get_running_loop().create_task(self.dispatch("THREAD_UPDATE", thread))
        return 200, thread

    def _delete_thread(self, thread_id: int) -> tuple[int, Any]:
        """Deleting a thread needs Manage Threads, whoever created it."""
        thread = self.channels.get(thread_id)
        if thread is None or thread["type"] not in (10, 11, 12):
            return 403, {"code": 50013, "message": "Missing Permissions"}
        if not self._bot_may(thread_id, manage_threads=True):
            return rules.MISSING_PERMISSIONS
        del self.channels[thread_id]
        for message_id in [m for m, msg in self.messages.items() if int(msg["channel_id"]) == thread_id]:
            del self.messages[message_id]
        event = {k: thread[k] for k in ("id", "guild_id", "parent_id", "type")}
        asyncio.get_running_loop().create_task(self.dispatch("THREAD_DELETE", event))
        return 200, thread

    def _join(self, thread_id: int, user_id: int) -> tuple[int, Any]:
        self.thread_members[thread_id].add(user_id)
        return 204, None

    def _open_dm(self, body: dict[str, Any]) -> dict[str, Any]:
        recipient = int(body["recipient_id"])
        user = FakeUser(recipient, f"user{recipient}")
        return self.channels[self.dm_channel(user)]


def _role(role_id: int, name: str, permissions: int, *, position: int, managed: bool = False,
          tags: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": str(role_id), "name": name, "permissions": str(permissions),
            "position": position, "color": 0, "hoist": False, "managed": managed,
            "mentionable": False, "flags": 0, **({"tags": tags} if tags else {})}


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Discord returns it (without the fake's own bookkeeping keys)."""
    return {k: v for k, v in message.items() if not k.startswith("_") and k != "allowed_mentions"}


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """The JSON body (a multipart request's ``payload_json``) and any uploaded files."""
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        payload: Any = None
        files: list[UploadedFile] = []
        async for part in reader:
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            else:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                data = bytes(await part.read())
                files.append(UploadedFile(part.name or "", part.filename or "", content_type, data))
        return payload, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), []
