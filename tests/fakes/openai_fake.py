"""A loopback fake of an OpenAI-compatible chat completions server, for the real ``openai`` SDK.

It speaks the REST shapes the SDK expects and is as strict as the services it stands for:

* ``POST /v1/chat/completions`` -> one ``chat.completion`` object, or with ``"stream": true``
  server-sent events: ``data: {chat.completion.chunk}`` lines (the first delta carries the
  role, the last one the ``finish_reason``), a usage chunk with empty ``choices`` when
  ``stream_options.include_usage`` asked for one, then ``data: [DONE]``;
* ``GET /v1/models`` -> the model list;
* errors as ``{"error": {"message", "type", "param", "code"}}`` with the HTTP status (a
  429 with ``Retry-After`` / ``retry-after-ms`` headers, or ``insufficient_quota``), and
  the same error object as an event in the middle of a stream;
* requests a server rejects are rejected here too: a missing or wrong key when the server
  has one (a local server has none and ignores the header), an unknown model (404),
  arguments it does not know, ``stream_options`` without ``stream``, an empty
  conversation, a strict JSON schema that is not strict-compatible, ``json_object``
  without the word JSON in the messages, and any response format the server does not
  support (``schema_support``).

``schema_support`` is what the server does with ``response_format``: ``"json_schema"``
(OpenAI, vLLM, recent Ollama and llama.cpp), ``"json_object"`` (JSON mode only, a 400
for a schema), ``"none"`` (a 400 for any response format) or ``"ignored"`` (accepted and
not enforced, as some servers do: the model then wraps its JSON in a sentence and a code
fence). ``think`` makes the model write a ``<think>`` block before its answer, as
reasoning models do on servers that do not split it out.

Tests script it with a queue of ``Step`` objects; when the queue is empty the
``responder`` answers (by default a plausible interviewer, ``tests/fakes/interviewer.py``).
Every request is recorded. Token counts are characters / 4 over the messages and the
response format.

Start with ``async with FakeOpenAI() as fake:``; point the SDK at ``fake.base_url``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes import interviewer

# Arguments of POST /chat/completions (API reference); anything else is a 400.
REQUEST_FIELDS = {
    "model", "messages", "audio", "frequency_penalty", "function_call", "functions",
    "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities",
    "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
    "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop",
    "store", "stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs",
    "top_p", "user", "verbosity", "web_search_options"}
ROLES = {"system", "developer", "user", "assistant", "tool"}
MODELS = {"llama3.2", "qwen3:8b", "gpt-4.1-mini"}
SCHEMA_SUPPORT = {"json_schema", "json_object", "none", "ignored"}
REPORT_MARK = "You review a finished mock interview"  # the report instruction's first words
# Reasoning models often draft their answer while thinking: a draft the brain must not use.
THOUGHT = ('<think>\nThe engine chose the move. A first draft: {"read": "normal", "move": '
           '"ask", "message": "DRAFT, not this"}. Shorter is better.\n</think>\n\n')


@dataclass
class Step:
    """One scripted answer. Build them with the helpers below rather than by hand."""

    # "json" | "text" | "error" | "hang" | "cut" | "refusal" | "finish" | "stream_error"
    kind: str
    text: str = ""
    status: int = 200
    code: str | None = None
    param: str | None = None
    error_type: str = "invalid_request_error"
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    then: Step | None = None
    finish_reason: str = "stop"


def plan(message: str, move: str, read: str = "normal") -> Step:
    return Step("json", json.dumps({"read": read, "move": move, "message": message}))


def json_step(obj: Any) -> Step:
    return Step("json", json.dumps(obj))


def text(raw: str) -> Step:
    """Exactly these characters as the reply, whatever the response format asked."""
    return Step("text", raw)


def error(status: int, message: str = "error", *, code: str | None = None,
          param: str | None = None, error_type: str | None = None,
          headers: dict[str, str] | None = None) -> Step:
    kind = error_type or ("server_error" if status >= 500 else "invalid_request_error")
    return Step("error", message, status=status, code=code, param=param, error_type=kind,
                headers=headers or {})


def rate_limited(retry_after: str | None = "20", *, milliseconds: str | None = None) -> Step:
    """A 429 as OpenAI sends it: ``rate_limit_exceeded``, the wait in ``Retry-After``."""
    headers = {"x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if milliseconds is not None:
        headers["retry-after-ms"] = milliseconds
    return error(429, "Rate limit reached for requests. Please try again later.",
                 code="rate_limit_exceeded", error_type="requests", headers=headers)


def quota_exhausted() -> Step:
    return error(429, "You exceeded your current quota, please check your plan and billing "
                      "details.", code="insufficient_quota", error_type="insufficient_quota")


def hang(seconds: float, then: Step | None = None) -> Step:
    return Step("hang", seconds=seconds, then=then)


def cut(partial: str) -> Step:
    """Stream ``partial`` then drop the connection (no finish reason, no [DONE])."""
    return Step("cut", partial)


def refusal(words: str = "I'm sorry, I can't help with that.") -> Step:
    """The model declines: ``message.refusal`` (``delta.refusal`` in a stream), no content."""
    return Step("refusal", words)


def finish(reason: str, partial: str = "") -> Step:
    """Stop with ``reason`` (``length``, ``content_filter``) after ``partial`` text."""
    return Step("finish", partial, finish_reason=reason)


def stream_error(partial: str, message: str = "The server had an error while processing "
                                               "your request.") -> Step:
    """Stream ``partial`` then an error event, as a server that fails mid-reply does."""
    return Step("stream_error", partial, then=error(500, message))


# --------------------------------------------------------------------------- recorded requests


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    usage: dict[str, int] = field(default_factory=dict)  # what was billed back

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [m for m in self.body.get("messages", []) if isinstance(m, dict)]

    def _texts(self, *roles: str) -> list[str]:
        return [_content_text(m.get("content")) for m in self.messages if m.get("role") in roles]

    @property
    def system_text(self) -> str:
        return "\n".join(self._texts("system", "developer"))

    @property
    def user_text(self) -> str:
        return "\n".join(self._texts("user"))

    @property
    def last_user_text(self) -> str:
        users = self._texts("user")
        return users[-1] if users else ""

    @property
    def stream(self) -> bool:
        return self.body.get("stream") is True

    @property
    def response_format(self) -> dict[str, Any]:
        return self.body.get("response_format") or {}

    @property
    def schema(self) -> dict[str, Any]:
        return (self.response_format.get("json_schema") or {}).get("schema") or {}

    @property
    def prompt_chars(self) -> int:
        schema = json.dumps(self.response_format) if self.response_format else ""
        return sum(len(t) for t in self._texts(*ROLES)) + len(schema)


def _content_text(content: Any) -> str:
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def estimate_tokens(chars: int) -> int:
    return max(1, chars // 4)


Responder = Callable[[Recorded], Step]


def auto_reply(recorded: Recorded) -> Step:
    """A plausible model: follow the engine's move, or write a report quoting the answers."""
    if REPORT_MARK in recorded.system_text:
        return json_step(interviewer.report(recorded.user_text))
    return json_step(interviewer.turn_plan(recorded.last_user_text))


class _Rejected(Exception):
    def __init__(self, step: Step) -> None:
        super().__init__(step.text)
        self.step = step


def _invalid(message: str, param: str | None = None) -> _Rejected:
    return _Rejected(error(400, message, code="invalid_value" if param else None, param=param))


def strict_problem(schema: Any, context: tuple[str, ...] = ()) -> str | None:
    """What OpenAI's strict mode rejects: an object without additionalProperties false, or
    whose required list is not every property. ``None`` when the schema is fine."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            properties = schema.get("properties") or {}
            if schema.get("additionalProperties") is not False:
                return (f"In context={context}, 'additionalProperties' is required to be "
                        "supplied and to be false.")
            missing = [name for name in properties if name not in (schema.get("required") or [])]
            if missing:
                return (f"In context={context}, 'required' is required to be supplied and to "
                        f"be an array including every key in properties. Missing '{missing[0]}'.")
        for key, value in schema.items():
            problem = strict_problem(value, (*context, key))
            if problem:
                return problem
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            problem = strict_problem(value, (*context, str(index)))
            if problem:
                return problem
    return None


@dataclass
class FakeOpenAI:
    api_key: str | None = None  # None: a local server that takes no key
    schema_support: str = "json_schema"
    think: bool = False
    responder: Responder | None = None
    steps: list[Step] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    chunk_chars: int = 12  # streamed text is cut into pieces this long
    models: set[str] = field(default_factory=lambda: set(MODELS))

    def __post_init__(self) -> None:
        assert self.schema_support in SCHEMA_SUPPORT, self.schema_support
        self.responder = self.responder or auto_reply
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self.base_url = ""

    # ----------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def script(self, *steps: Step) -> None:
        self.steps.extend(steps)

    # ----------------------------------------------------------------- validation

    def _check_key(self, headers: dict[str, str]) -> None:
        if self.api_key is None:
            return  # a local server: whatever the client sends is ignored
        sent = headers.get("authorization", "")
        if sent != f"Bearer {self.api_key}":
            shown = sent.removeprefix("Bearer ")
            message = ("You didn't provide an API key." if not shown else
                       f"Incorrect API key provided: {shown[:3]}***{shown[-4:]}.")
            raise _Rejected(error(401, message, code="invalid_api_key"))

    def _check(self, recorded: Recorded) -> None:
        """Reject what the real services reject, with the same status and error shape."""
        self._check_key(recorded.headers)
        body = recorded.body
        for name in sorted(set(body) - REQUEST_FIELDS):
            raise _invalid(f"Unrecognized request argument supplied: {name}")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _invalid("you must provide a model parameter", "model")
        if model not in self.models:
            raise _Rejected(error(404, f"The model `{model}` does not exist or you do not have "
                                       "access to it.", code="model_not_found"))
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _invalid("[] is too short - 'messages'", "messages")
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise _invalid(f"Invalid value for 'messages[{index}].role'.",
                               f"messages[{index}].role")
            if message.get("content") is None and message.get("role") != "assistant":
                raise _invalid(f"Missing 'messages[{index}].content'.",
                               f"messages[{index}].content")
        if "stream_options" in body and body.get("stream") is not True:
            raise _invalid("The 'stream_options' parameter is only allowed when 'stream' is "
                           "enabled.", "stream_options")
        self._check_format(recorded)

    def _check_format(self, recorded: Recorded) -> None:
        kind = recorded.response_format.get("type") if recorded.response_format else None
        if kind is None or kind == "text":
            return
        if kind not in ("json_schema", "json_object"):
            raise _invalid(f"Invalid value: '{kind}'. Supported values are: 'text', "
                           "'json_object' and 'json_schema'.", "response_format.type")
        if self.schema_support == "none" or (kind == "json_schema"
                                             and self.schema_support == "json_object"):
            raise _invalid(f"Invalid parameter: 'response_format' of type '{kind}' is not "
                           "supported with this model.", "response_format")
        if kind == "json_object" and "json" not in (recorded.system_text
                                                    + recorded.user_text).lower():
            raise _invalid("'messages' must contain the word 'json' in some form, to use "
                           "'response_format' of type 'json_object'.", "messages")
        if kind == "json_schema":
            spec = recorded.response_format.get("json_schema") or {}
            if not spec.get("name") or not isinstance(spec.get("schema"), dict):
                raise _invalid("Missing required parameter: 'response_format.json_schema.name'.",
                               "response_format.json_schema")
            problem = strict_problem(spec["schema"]) if spec.get("strict") else None
            if problem:
                raise _invalid(f"Invalid schema for response_format '{spec['name']}': {problem}",
                               "response_format")

    # ----------------------------------------------------------------- handling

    async def _models(self, request: web.Request) -> web.Response:
        try:
            self._check_key({k.lower(): v for k, v in request.headers.items()})
        except _Rejected as rejected:
            return self._error_response(rejected.step)
        return web.json_response({"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "fake"}
            for name in sorted(self.models)]})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = None
        recorded = Recorded(path=request.path, body=body if isinstance(body, dict) else {},
                            headers={k.lower(): v for k, v in request.headers.items()})
        self.requests.append(recorded)
        try:
            if not isinstance(body, dict):
                raise _invalid("We could not parse the JSON body of your request.")
            self._check(recorded)
        except _Rejected as rejected:
            return self._error_response(rejected.step)
        step = self.steps.pop(0) if self.steps else self.responder(recorded)  # type: ignore[misc]
        while step.kind == "hang":
            await asyncio.sleep(step.seconds)
            step = step.then or self.responder(recorded)  # type: ignore[misc]
        if step.kind == "error":
            return self._error_response(step)
        content = self._content(recorded, step)
        if recorded.stream:
            return await self._stream(request, recorded, step, content)
        return web.json_response(self._whole(recorded, step, content))

    def _content(self, recorded: Recorded, step: Step) -> str:
        """What the model writes: a JSON plan is wrapped in prose where schemas are ignored."""
        content = step.text
        if step.kind == "json" and self.schema_support == "ignored":
            content = f"Sure! Here is my reply:\n```json\n{content}\n```"
        if self.think and step.kind in ("json", "text", "finish", "cut", "stream_error"):
            content = THOUGHT + content
        return content

    @staticmethod
    def _error_body(step: Step) -> dict[str, Any]:
        return {"error": {"message": step.text, "type": step.error_type, "param": step.param,
                          "code": step.code}}

    def _error_response(self, step: Step) -> web.Response:
        return web.json_response(self._error_body(step), status=step.status,
                                 headers=step.headers)

    def _usage(self, recorded: Recorded, output: str) -> dict[str, int]:
        prompt = estimate_tokens(recorded.prompt_chars)
        completion = estimate_tokens(len(output)) if output else 0
        recorded.usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                          "total_tokens": prompt + completion}
        return recorded.usage

    def _envelope(self, recorded: Recorded, kind: str, response_id: str) -> dict[str, Any]:
        return {"id": response_id, "object": kind, "created": int(time.time()),
                "model": recorded.body["model"], "system_fingerprint": "fp_fake"}

    def _whole(self, recorded: Recorded, step: Step, content: str) -> dict[str, Any]:
        refused = step.kind == "refusal"
        message = {"role": "assistant", "content": None if refused else content,
                   "refusal": step.text if refused else None}
        choice = {"index": 0, "message": message, "logprobs": None,
                  "finish_reason": step.finish_reason}
        return {**self._envelope(recorded, "chat.completion", self._response_id()),
                "choices": [choice], "usage": self._usage(recorded, step.text if refused
                                                           else content)}

    def _response_id(self) -> str:
        return f"chatcmpl-fake{next(self._ids):06d}"

    async def _stream(self, request: web.Request, recorded: Recorded, step: Step,
                      content: str) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        envelope = self._envelope(recorded, "chat.completion.chunk", self._response_id())
        with_usage = bool((recorded.body.get("stream_options") or {}).get("include_usage"))
        extra = {"usage": None} if with_usage else {}

        async def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            await self._event(response, {**envelope, "choices": [choice], **extra})

        await chunk({"role": "assistant", "content": "", "refusal": None})
        field_name = "refusal" if step.kind == "refusal" else "content"
        pieces = [content[i : i + self.chunk_chars] for i in range(0, len(content),
                                                                   self.chunk_chars)]
        for piece in pieces:
            await chunk({field_name: piece})
            await asyncio.sleep(0)
        if step.kind == "cut":
            assert request.transport is not None
            request.transport.abort()  # the client sees an incomplete chunked body
            return response
        if step.kind == "stream_error":
            assert step.then is not None
            await self._event(response, self._error_body(step.then))
            await response.write_eof()
            return response
        await chunk({}, step.finish_reason)
        if with_usage:
            await self._event(response, {**envelope, "choices": [],
                                         "usage": self._usage(recorded, content)})
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    @staticmethod
    async def _event(response: web.StreamResponse, payload: dict[str, Any]) -> None:
        await response.write(f"data: {json.dumps(payload)}\n\n".encode())
