"""A loopback fake of Slack for tests: the Web API, file downloads, response_url and Socket Mode.

The real slack-sdk / slack-bolt talk to it over 127.0.0.1, and it refuses what Slack
refuses (``slack_rules`` has the message limits):

* ``FakeSlack`` answers Web API methods at ``{base_url}{method}`` (JSON, form or query
  arguments) and records every call: accepted ones in ``calls``, refused ones (``ok:
  false``, 429s) in ``rejected``. It keeps a small workspace: channels and who is in
  them (``add_channel``, ``add_im``, ``add_people_dm``), so a channel the app was not
  invited to answers ``not_in_channel`` and one it cannot see ``channel_not_found``.
  Messages are kept by ts: ``chat.update`` / ``chat.delete`` of an unknown one is
  ``message_not_found``, and streams follow Slack's states (start, append, stop).
* Block Kit limits (50 blocks, 3,000 per section, 150 per header, 2,000 per button
  value...) give ``invalid_blocks``; too much text in one message's blocks gives
  ``msg_blocks_too_long``. ``limit_tier`` rate-limits a method like a Web API tier
  (429 with Retry-After), ``fail`` answers the next calls with a given error.
* ``response_url()`` hands out URLs that take 5 messages within 30 minutes of Slack's
  clock (``advance`` moves it), like Slack's; refusals are kept in ``response_url_refusals``.
* Uploaded files are served only with the bot token; ``files_upload_v2``'s three steps
  (``files.getUploadURLExternal``, the raw POST, ``files.completeUploadExternal``) are
  kept in ``uploads``. ``conversations.open`` answers (and creates) a user's DM with the
  bot; ``conversations.history`` lists the app's top-level messages with their metadata.
* Socket Mode: ``apps.connections.open`` hands out a websocket that says ``hello``, sends
  envelopes and records the app's acks by envelope id.
* ``SlackSender`` plays Slack's side of HTTP mode: it signs slash commands, events and
  interactive payloads the way Slack does (``v0=HMAC-SHA256(secret, v0:ts:body)``)
  and posts them to the app.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

from tests.fakes import slack_rules as rules

TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"


@dataclass
class Call:
    """One Web API call the app made."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def ts(self) -> str:
        """The message this call created or changed."""
        return str(self.result.get("ts") or self.args.get("ts") or "")

    @property
    def blocks(self) -> list[dict]:
        blocks = self.args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    @property
    def text(self) -> str:
        """Everything a person would read in the message: blocks, or the text field."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block.get("text"), dict):
                parts.append(block["text"]["text"])
            for item in block.get("fields") or []:
                parts.append(item["text"])
            for element in block.get("elements") or []:
                if element.get("type") in ("mrkdwn", "plain_text"):
                    parts.append(element["text"])
        for chunk in self._chunks():
            parts.append(chunk.get("text", ""))
        if self.args.get("markdown_text"):
            parts.append(self.args["markdown_text"])
        return "\n".join(parts) if parts else str(self.args.get("text", ""))

    @property
    def streamed_text(self) -> str:
        """The markdown a chat.*Stream call added to a streaming message."""
        return "".join(chunk.get("text", "") for chunk in self._chunks()) + \
            str(self.args.get("markdown_text") or "")

    def _chunks(self) -> list[dict]:
        chunks = self.args.get("chunks") or []
        return json.loads(chunks) if isinstance(chunks, str) else chunks

    @property
    def action_ids(self) -> list[str]:
        return [element.get("action_id", "") for block in self.blocks
                if block.get("type") == "actions" for element in block.get("elements", [])]


@dataclass
class Upload:
    """One file sent with the three-step external upload."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None  # what was POSTed to the upload URL
    completion: dict[str, Any] | None = None  # the files.completeUploadExternal arguments

    @property
    def channel(self) -> str | None:
        return (self.completion or {}).get("channel_id")

    @property
    def shared(self) -> bool:
        return self.completion is not None


@dataclass
class Failure:
    status: int = 429
    error: str = "ratelimited"
    retry_after: int = 0
    times: int = 1


@dataclass
class Channel:
    """A conversation in the fake workspace, and who is in it.

    ``kind`` is ``public``, ``private`` or ``im``; ``users`` are its human members
    (None: everyone, as in a busy public channel); ``bot_in`` says whether the app was
    invited (or, for an ``im``, whether it is the bot's own DM with the user).
    """

    kind: str = "public"
    bot_in: bool = True
    users: set[str] | None = None

    def has_user(self, user: str) -> bool:
        return self.users is None or user in self.users


@dataclass
class TierLimit:
    """A Web API rate-limit tier for one method: ``calls`` per ``window`` seconds."""

    calls: int
    window: float
    history: deque[float] = field(default_factory=deque)


@dataclass
class ResponseUrl:
    created: float
    uses: int = 0


RESPONSE_URL_USES = 5
RESPONSE_URL_SECONDS = 30 * 60
# Methods that act in a channel, and the name of their channel argument.
CHANNEL_METHODS = {"chat.postMessage": "channel", "chat.postEphemeral": "channel",
                   "chat.update": "channel", "chat.delete": "channel",
                   "chat.startStream": "channel", "chat.appendStream": "channel",
                   "chat.stopStream": "channel", "conversations.history": "channel",
                   "files.completeUploadExternal": "channel_id"}


class FakeSlack:
    def __init__(self, bot_token: str = BOT_TOKEN) -> None:
        self.bot_token = bot_token
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # calls Slack answered with ok: false or a 429
        self.response_url_posts: list[dict] = []
        self.response_url_refusals: list[tuple[str, dict]] = []  # (error, what was posted)
        self.files: dict[str, tuple[bytes, str]] = {}
        self.file_requests: list[tuple[str, str | None]] = []  # (name, Authorization header)
        self.failures: dict[str, Failure] = {}
        self.socket_acks: dict[str, dict] = {}
        self.uploads: dict[str, Upload] = {}
        # The workspace: "C0GENERAL" is a public channel the app was invited to; a user's DM
        # with the bot is registered with ``add_im`` (or made by conversations.open).
        self.channels: dict[str, Channel] = {"C0GENERAL": Channel()}
        self.dm_channels: dict[str, str] = {}  # user id -> their DM with the bot (default D+id)
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.max_message_text = rules.MESSAGE_BLOCKS_TEXT  # tests may lower it
        self.tiers: dict[str, TierLimit] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._clock_offset = 0.0
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self) -> str:
        """A fresh response_url, as Slack sends with a command or a button press."""
        hook = uuid.uuid4().hex
        self._response_urls[hook] = ResponseUrl(created=self.now())
        return f"{self.url}/response/{hook}"

    # ------------------------------------------------------------------ time and workspace

    def now(self) -> float:
        return time.monotonic() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Let Slack's clock run ahead (response_url expiry) without waiting for it."""
        self._clock_offset += seconds

    def add_channel(self, channel: str, *, kind: str = "public", bot_in: bool = True,
                    users: set[str] | None = None) -> None:
        self.channels[channel] = Channel(kind, bot_in, users)

    def add_im(self, user: str, channel: str) -> None:
        """``channel`` is ``user``'s direct message with the bot."""
        self.dm_channels[user] = channel
        self.channels[channel] = Channel("im", True, {user})

    def add_people_dm(self, channel: str, *users: str) -> None:
        """A direct message between people: the bot is not in it and cannot see it."""
        self.channels[channel] = Channel("im", False, set(users))

    def limit_tier(self, method: str, *, calls: int, window: float) -> None:
        """Rate-limit ``method`` as a Web API tier: ``calls`` per ``window`` seconds, then 429s."""
        self.tiers[method] = TierLimit(calls, window)

    def _channel(self, channel: str) -> Channel | None:
        if channel in self.channels:
            return self.channels[channel]
        if channel in self.dm_channels.values():
            user = next(u for u, c in self.dm_channels.items() if c == channel)
            return Channel("im", True, {user})
        return None

    def _unreachable(self, method: str, args: dict) -> str | None:
        """Slack's answer for a channel the app cannot act in (None: it can)."""
        name = CHANNEL_METHODS.get(method)
        if name is None:
            return None
        channel = self._channel(str(args.get(name) or ""))
        if channel is None or (not channel.bot_in and channel.kind != "public"):
            return "channel_not_found"  # private and DM conversations are invisible
        if not channel.bot_in:
            return "not_in_channel"
        if method == "chat.postEphemeral" and not channel.has_user(str(args.get("user"))):
            return "user_not_in_channel"
        return None

    # ------------------------------------------------------------------ Web API

    def fail(self, method: str, *, status: int = 429, error: str = "ratelimited",
             retry_after: int = 0, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` with an HTTP ``status`` error.

        ``method="upload"`` fails the raw upload to a URL from files.getUploadURLExternal.
        """
        self.failures[method] = Failure(status, error, retry_after, times)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _read_args(request)
        auth = request.headers.get("Authorization", "")
        call = Call(method, args, auth.removeprefix("Bearer ") or args.get("token"))
        failure = self.failures.get(method)
        if failure and failure.times > 0:
            failure.times -= 1
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            return self._refuse(call, {"ok": False, "error": failure.error}, failure.status,
                                headers)
        if call.token != self.bot_token and method != "apps.connections.open":
            return self._refuse(call, {"ok": False, "error": "invalid_auth"})
        retry_after = self._take_tier(method)
        if retry_after is not None:
            return self._refuse(call, {"ok": False, "error": "ratelimited"}, 429,
                                {"Retry-After": str(retry_after)})
        error = self._unreachable(method, args)
        result = {"ok": False, "error": error} if error else self._answer(method, args)
        if not result.get("ok"):
            return self._refuse(call, result)
        call.result = result
        self.calls.append(call)
        return web.json_response(result)

    def _refuse(self, call: Call, body: dict, status: int = 200,
                headers: dict[str, str] | None = None) -> web.Response:
        call.result = body
        self.rejected.append(call)
        return web.json_response(body, status=status, headers=headers)

    def _take_tier(self, method: str) -> int | None:
        """Seconds to wait (Retry-After) when ``method`` is over its tier, else None."""
        tier = self.tiers.get(method)
        if tier is None:
            return None
        now = self.now()
        while tier.history and now - tier.history[0] >= tier.window:
            tier.history.popleft()
        if len(tier.history) >= tier.calls:
            return max(1, math.ceil(tier.window - (now - tier.history[0])))
        tier.history.append(now)
        return None

    def _answer(self, method: str, args: dict) -> dict:
        channel = str(args.get("channel", ""))
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": TEAM_ID,
                    "user": "interview-coach", "team": "Test Team",
                    "url": "https://test.slack.com/"}
        if method == "chat.postMessage":
            return self._post(channel, args)
        if method.endswith("Stream"):
            return self._stream(method, channel, args)
        if method == "chat.postEphemeral":
            refusal = rules.check_message(args, max_total=self.max_message_text)
            return refusal.body() if refusal else {"ok": True, "message_ts": self.next_ts()}
        if method == "chat.update":
            return self._update(channel, args)
        if method == "chat.delete":
            if self.messages.pop((channel, str(args.get("ts"))), None) is None:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": channel, "ts": args.get("ts", "")}
        if method == "users.info":
            user = args.get("user", "")
            return {"ok": True, "user": {"id": user, "name": user.lower(),
                                         "profile": {"display_name": f"Person {user}"}}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "conversations.open":
            user = str(args.get("users", "")).split(",")[0]
            if user not in self.dm_channels:
                self.add_im(user, f"D{user}")
            return {"ok": True, "channel": {"id": self.dm_channels[user]}}
        if method == "conversations.history":
            return self._history(args)
        if method == "files.getUploadURLExternal":
            return self._upload_url(args)
        if method == "files.completeUploadExternal":
            return self._complete_upload(args)
        return {"ok": True}

    def _post(self, channel: str, args: dict) -> dict:
        refusal = rules.check_message(args, max_total=self.max_message_text)
        if refusal:
            return refusal.body()
        ts = self.next_ts()
        self.messages[(channel, ts)] = {"args": dict(args), "streaming": False}
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {"ts": ts, "text": args.get("text", "")}}

    def _update(self, channel: str, args: dict) -> dict:
        message = self.messages.get((channel, str(args.get("ts"))))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        refusal = rules.check_message(args, max_total=self.max_message_text)
        if refusal:
            return refusal.body()
        # The new text and blocks replace the old content (streamed words included).
        kept = {k: v for k, v in message["args"].items()
                if k not in ("text", "blocks", "chunks", "markdown_text", "attachments")}
        message["args"] = {**kept, **args}
        return {"ok": True, "channel": channel, "ts": args.get("ts", "")}

    def _stream(self, method: str, channel: str, args: dict) -> dict:
        """chat.startStream / appendStream / stopStream with Slack's argument and state checks."""
        refusal = rules.check_stream_text(args)
        if refusal:
            return refusal.body()
        if method == "chat.startStream":
            if not args.get("thread_ts"):
                return {"ok": False, "error": "invalid_arguments"}  # streams answer in threads
            if self._channel(channel).kind != "im":
                if not args.get("recipient_user_id"):
                    return {"ok": False, "error": "missing_recipient_user_id"}
                if not args.get("recipient_team_id"):
                    return {"ok": False, "error": "missing_recipient_team_id"}
            ts = self.next_ts()
            self.messages[(channel, ts)] = {"args": dict(args), "streaming": True}
            return {"ok": True, "channel": channel, "ts": ts}
        message = self.messages.get((channel, str(args.get("ts"))))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if not message["streaming"]:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        if method == "chat.appendStream" and not (args.get("markdown_text") or args.get("chunks")):
            return {"ok": False, "error": "invalid_arguments"}
        if method == "chat.stopStream":
            try:
                blocks = rules.parse_blocks(args.get("blocks"))
            except ValueError:
                return {"ok": False, "error": "invalid_blocks_format"}
            refusal = rules.check_blocks(blocks) if blocks else None
            if refusal:
                return refusal.body()
            message["streaming"] = False
        return {"ok": True, "channel": channel, "ts": args.get("ts", "")}

    def _history(self, args: dict) -> dict:
        """The channel's top-level messages (not thread replies), newest first."""
        channel = args.get("channel", "")
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = []
        for post in reversed(self.posts(channel)):
            if post.args.get("thread_ts") or (channel, post.ts) not in self.messages:
                continue
            message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": post.ts,
                       "text": post.args.get("text", "")}
            if with_metadata and post.args.get("metadata"):
                metadata = post.args["metadata"]
                message["metadata"] = json.loads(metadata) if isinstance(metadata, str) \
                    else metadata
            messages.append(message)
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def _upload_url(self, args: dict) -> dict:
        file_id = f"F{len(self.uploads) + 1:05d}"
        self.uploads[file_id] = Upload(file_id, str(args.get("filename", "")),
                                       int(args.get("length") or 0))
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}

    def _complete_upload(self, args: dict) -> dict:
        files = args.get("files") or "[]"
        wanted = json.loads(files) if isinstance(files, str) else files
        uploads = [self.uploads.get(item.get("id")) for item in wanted]
        if not uploads or any(upload is None or upload.data is None for upload in uploads):
            return {"ok": False, "error": "file_not_found"}  # never uploaded: Slack refuses
        shared = []
        for upload, item in zip(uploads, wanted, strict=True):
            upload.completion = dict(args)
            shared.append({"id": upload.file_id, "name": upload.filename,
                           "title": item.get("title") or upload.filename,
                           "size": len(upload.data or b"")})
        return {"ok": True, "files": shared}

    def next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def calls_to(self, *methods: str) -> list[Call]:
        return [call for call in self.calls if call.method in methods]

    def refusals(self, *methods: str) -> list[Call]:
        """Calls Slack answered with an error (``call.result["error"]`` says which)."""
        return [call for call in self.rejected if not methods or call.method in methods]

    def posts(self, channel: str | None = None, thread_ts: str | None = None) -> list[Call]:
        """chat.postMessage calls, optionally only those in one channel / thread."""
        return [call for call in self.calls_to("chat.postMessage")
                if (channel is None or call.args.get("channel") == channel)
                and (thread_ts is None or call.args.get("thread_ts") == thread_ts)]

    def shown(self, channel: str, ts: str) -> dict[str, Any] | None:
        """A message as it stands now (after edits), or None once deleted."""
        message = self.messages.get((channel, ts))
        return None if message is None else message["args"]

    def shown_text(self, channel: str, ts: str) -> str:
        """What a person reads of a message now (its blocks, else its text)."""
        return Call("shown", self.shown(channel, ts) or {}, None).text

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0,
                       what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; calls: "
                             f"{[c.method for c in self.calls]}; refused: "
                             f"{[(c.method, c.result.get('error')) for c in self.rejected]}")

    async def wait_for_posts(self, count: int, channel: str | None = None,
                             thread_ts: str | None = None, timeout: float = 20.0) -> list[Call]:
        return await self.wait_for(
            lambda: (posts := self.posts(channel, thread_ts)) and len(posts) >= count and posts,
            timeout, what=f"{count} posts in {channel}/{thread_ts}")

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until the app has made no call for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = max((c.at for c in (*self.calls[-1:], *self.rejected[-1:])), default=0.0)
            if time.monotonic() - last >= quiet:
                return
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ files

    def add_file(self, name: str, data: bytes, mimetype: str, filetype: str) -> dict:
        """Serve ``data`` at a private URL; returns the file object an event carries."""
        self.files[name] = (data, mimetype)
        url = f"{self.url}/files/{name}"
        return {"id": f"F{len(self.files):05d}", "name": name, "mimetype": mimetype,
                "filetype": filetype, "size": len(data), "url_private": url,
                "url_private_download": url}

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.file_requests.append((name, request.headers.get("Authorization")))
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            # What Slack does without a valid token: a login page, not the file.
            return web.Response(text="<html>sign in</html>", content_type="text/html")
        if name not in self.files:
            return web.Response(status=404)
        data, mimetype = self.files[name]
        return web.Response(body=data, content_type=mimetype)

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: raw bytes in, ``OK - <size>`` out (as Slack's file host answers)."""
        upload = self.uploads.get(request.match_info["file_id"])
        failure = self.failures.get("upload")
        if failure and failure.times > 0:
            failure.times -= 1
            return web.Response(status=failure.status, text=failure.error)
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        upload.data = await request.read()
        return web.Response(text=f"OK - {len(upload.data)}")

    def shared_files(self) -> list[Upload]:
        return [upload for upload in self.uploads.values() if upload.shared]

    async def _response_url(self, request: web.Request) -> web.Response:
        """A response_url takes 5 messages within 30 minutes; each must be a valid message."""
        body = await request.json()
        hook = self._response_urls.get(request.match_info["hook"])
        error = None
        if hook is None:
            error = "invalid_url"
        elif self.now() - hook.created > RESPONSE_URL_SECONDS:
            error = "expired_url"
        elif hook.uses >= RESPONSE_URL_USES:
            error = "used_url"
        elif refusal := rules.check_message(body, max_total=self.max_message_text):
            error = refusal.error
        if error:
            self.response_url_refusals.append((error, body))
            status = 400 if error in ("invalid_blocks", "msg_blocks_too_long", "no_text") else 404
            return web.json_response({"ok": False, "error": error}, status=status)
        hook.uses += 1
        self.response_url_posts.append(body)
        return web.Response(text="ok")

    # ------------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0APP"}})
        self._socket_connected.set()
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.socket_acks[data["envelope_id"]] = data
        return ws

    async def wait_socket_connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._socket_connected.wait(), timeout)

    async def send_envelope(self, kind: str, payload: dict, *, retry_attempt: int = 0,
                            accepts_response_payload: bool = False) -> str:
        """Send an envelope (``slash_commands``, ``events_api``, ``interactive``) to the app."""
        envelope_id = uuid.uuid4().hex
        await self._sockets[-1].send_json({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else "",
        })
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict:
        return await self.wait_for(lambda: self.socket_acks.get(envelope_id), timeout,
                                   what=f"ack of envelope {envelope_id}")


async def _read_args(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        raw = await request.text()
        if request.content_type == "application/json":
            args.update(json.loads(raw or "{}"))
        else:
            args.update(dict(parse_qsl(raw)))
    return args


# ---------------------------------------------------------------------- payloads


def slash_command(text: str, *, user: str, channel: str, response_url: str,
                  team: str = TEAM_ID, user_name: str | None = None) -> dict[str, str]:
    return {"token": "legacy", "team_id": team, "team_domain": "test", "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user, "user_name": user_name or user.lower(), "command": "/interview",
            "text": text, "api_app_id": "A0APP", "response_url": response_url,
            "trigger_id": uuid.uuid4().hex}


def message_event(text: str, *, user: str, channel: str, channel_type: str,
                  thread_ts: str | None = None, team: str = TEAM_ID, ts: str | None = None,
                  files: list[dict] | None = None, event_id: str | None = None,
                  **extra: Any) -> dict:
    event: dict[str, Any] = {"type": "message", "user": user, "text": text, "channel": channel,
                             "channel_type": channel_type, "team": team,
                             "ts": ts or f"{time.time():.6f}", **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    if files:
        event["subtype"] = "file_share"
        event["files"] = files
    return {"token": "legacy", "team_id": team, "api_app_id": "A0APP", "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": team, "user_id": BOT_USER_ID, "is_bot": True}]}


def button_press(post: Call, action_id: str, *, user: str, team: str = TEAM_ID,
                 response_url: str | None = None) -> dict:
    """The block_actions payload for pressing ``action_id`` on a message the app posted.

    Slack adds a ``response_url`` to every press; pass one to let the app answer through it.
    """
    button = next(element for block in post.blocks if block.get("type") == "actions"
                  for element in block["elements"] if element["action_id"] == action_id)
    channel = post.args["channel"]
    message = {"type": "message", "ts": post.ts, "text": post.args.get("text"),
               "blocks": post.blocks}
    if post.args.get("thread_ts"):
        message["thread_ts"] = post.args["thread_ts"]
    extra = {"response_url": response_url} if response_url else {}
    return {**extra, "type": "block_actions", "team": {"id": team, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A0APP", "token": "legacy", "trigger_id": uuid.uuid4().hex,
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
            "channel": {"id": channel, "name": "general"}, "message": message,
            "actions": [{"type": "button", "action_id": action_id, "block_id": "interview_actions",
                         "value": button["value"], "text": button["text"],
                         "action_ts": f"{time.time():.6f}"}]}


def response_button_press(message: dict, action_id: str, *, user: str, channel: str,
                          response_url: str, team: str = TEAM_ID) -> dict:
    """block_actions for a button on an ephemeral message the app sent via ``response_url``.

    Ephemeral messages have no ``message`` in the payload, only a container marked
    ``is_ephemeral``, and a fresh ``response_url`` to answer (or replace) through.
    """
    block, button = next((block, element) for block in message.get("blocks") or []
                         if block.get("type") == "actions" for element in block["elements"]
                         if element["action_id"] == action_id)
    message_ts = f"{time.time():.6f}"
    return {"type": "block_actions", "team": {"id": team, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A0APP", "token": "legacy", "trigger_id": uuid.uuid4().hex,
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": True},
            "channel": {"id": channel, "name": "general"}, "response_url": response_url,
            "actions": [{"type": "button", "action_id": action_id,
                         "block_id": block.get("block_id", ""), "value": button["value"],
                         "text": button["text"], "action_ts": message_ts}]}


# ---------------------------------------------------------------------- HTTP mode sender


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    status: int
    body: str
    seconds: float


class SlackSender:
    """Slack's side of HTTP mode: signed requests to the app's ``/slack/events``."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.secret = secret

    async def post(self, body: str, content_type: str, *, timestamp: int | None = None,
                   secret: str | None = None, headers: dict[str, str] | None = None) -> Delivery:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": signature(secret or self.secret, ts, body),
                       **(headers or {})}
        started = time.monotonic()
        async with aiohttp.ClientSession() as session, \
                session.post(self.url, data=body.encode(), headers=all_headers) as response:
            text = await response.text()
            return Delivery(response.status, text, time.monotonic() - started)

    async def command(self, payload: dict[str, str], **kwargs: Any) -> Delivery:
        return await self.post(urlencode(payload), "application/x-www-form-urlencoded", **kwargs)

    async def event(self, payload: dict, *, retry_num: int | None = None,
                    **kwargs: Any) -> Delivery:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry_num else None
        return await self.post(json.dumps(payload), "application/json", headers=headers, **kwargs)

    async def interactive(self, payload: dict, **kwargs: Any) -> Delivery:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kwargs)
