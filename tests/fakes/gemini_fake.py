"""A loopback fake of the Gemini API, for the real ``google-genai`` SDK to talk to.

It speaks the REST shapes the SDK expects (camelCase JSON) and is as strict as the
service where a mistake of ours would only show with a real key:

* ``POST /{version}/models/{model}:generateContent`` -> one ``GenerateContentResponse``;
* ``POST /{version}/models/{model}:streamGenerateContent?alt=sse`` -> server-sent events,
  each ``data: {json}`` followed by a blank line. Every chunk carries ``usageMetadata``
  (cumulative), ``responseId`` and ``modelVersion``; a model that thought also reports
  ``thoughtsTokenCount`` and ends with a ``thoughtSignature`` part;
* errors as ``{"error": {"code", "message", "status", "details"}}`` with the HTTP status,
  ``details`` holding ``google.rpc`` messages (RetryInfo, QuotaFailure, BadRequest...),
  and the same error object as an event in the middle of a stream;
* requests the real API rejects are rejected here too, with its 400 / 404: unknown fields
  in the body, ``generationConfig`` or ``thinkingConfig``; a thinking level the model
  does not accept (or a level on a budget-only model, or both at once); an unknown model
  or API version; a conversation whose last turn is the model's; no API key.

Tests script it with a queue of ``Step`` objects (a JSON plan, raw text, an error, a hang,
a finish reason after partial text, a blocked prompt, a stream cut mid-way or broken by
an error event). When the queue is empty, the ``responder`` answers (by default: a
plausible interviewer, see ``auto_reply``). Every request is recorded (path, model,
method, headers, body) so tests can read what the brain actually sent. Token counts are
estimated as characters / 4 over the system instruction, the contents and the response
schema, enough for the benchmarks to compare prompt sizes.

Audio parts (``inlineData`` with an ``audio/*`` type) are checked like the service does:
a supported MIME type, valid base64, a request under 20 MB, and for WAV a readable file.
The fake cannot hear, so it answers an audio request with ``transcript`` (set by the
test to the sentence it synthesised), or ``[no speech]`` when the WAV is silent.

Start with ``async with FakeGemini() as fake:``; point the SDK at ``fake.base_url``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import itertools
import json
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

from tests.fakes import interviewer

# --------------------------------------------------------------------------- what the service accepts

API_VERSIONS = {"v1", "v1beta"}
# Fields of a generateContent request body and of its generationConfig (REST reference).
REQUEST_FIELDS = {"contents", "systemInstruction", "generationConfig", "safetySettings", "tools",
                  "toolConfig", "cachedContent", "store", "serviceTier"}
GENERATION_FIELDS = {"stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema",
                     "responseModalities", "candidateCount", "maxOutputTokens", "temperature",
                     "topP", "topK", "seed", "presencePenalty", "frequencyPenalty",
                     "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers", "speechConfig",
                     "thinkingConfig", "imageConfig", "mediaResolution"}
THINKING_FIELDS = {"thinkingBudget", "thinkingLevel", "includeThoughts"}


def camel(name: str) -> str:
    """Proto3 JSON accepts a field's lowerCamelCase name and its original snake_case name."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {camel(key): value for key, value in obj.items()}


@dataclass(frozen=True)
class ModelSpec:
    """How one model thinks: a level from ``levels`` (Gemini 3) or a token budget (2.5)."""

    levels: frozenset[str] = frozenset()  # empty: budget-only
    default_level: str = "MEDIUM"
    thinks_by_default: bool = True


_FLASH_3 = ModelSpec(frozenset({"LOW", "MEDIUM", "HIGH"}))
_WITH_MINIMAL = ModelSpec(frozenset({"MINIMAL", "LOW", "MEDIUM", "HIGH"}))
# Model ids the fake serves, with the thinking levels Google documents for each.
MODELS: dict[str, ModelSpec] = {
    "gemini-3.8-flash": _FLASH_3,  # rejects MINIMAL, like 3.7
    "gemini-3.7-flash": _FLASH_3,
    "gemini-3.6-flash": _WITH_MINIMAL,
    "gemini-3.5-flash": _WITH_MINIMAL,
    "gemini-3.5-flash-lite": ModelSpec(_WITH_MINIMAL.levels, default_level="MINIMAL"),
    "gemini-3.1-flash-lite": ModelSpec(_WITH_MINIMAL.levels, default_level="MINIMAL"),
    "gemini-3.1-pro-preview": ModelSpec(frozenset({"LOW", "MEDIUM", "HIGH"}), default_level="HIGH"),
    "gemini-2.5-flash-lite": ModelSpec(thinks_by_default=False),
}
# Thinking tokens a reply costs at each level (a stand-in; the real count varies).
THOUGHT_TOKENS = {"MINIMAL": 0, "LOW": 24, "MEDIUM": 96, "HIGH": 256}


# --------------------------------------------------------------------------- scripted steps


@dataclass
class Step:
    """One scripted answer. Build them with the helpers below rather than by hand."""

    # "json" | "text" | "error" | "hang" | "blocked" | "cut" | "finish" | "stream_error"
    kind: str
    text: str = ""
    status: int = 200
    status_name: str = ""
    seconds: float = 0.0
    then: Step | None = None  # "hang": what to send after the delay; "stream_error": the error
    finish_reason: str = "STOP"
    details: list[dict[str, Any]] = field(default_factory=list)


def plan(message: str, move: str, read: str = "normal") -> Step:
    return Step("json", json.dumps({"read": read, "move": move, "message": message}))


def json_step(obj: Any) -> Step:
    return Step("json", json.dumps(obj))


def text(raw: str) -> Step:
    return Step("text", raw)


STATUS_NAMES = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
                504: "DEADLINE_EXCEEDED"}


def error(status: int, message: str = "error", status_name: str = "",
          details: list[dict[str, Any]] | None = None) -> Step:
    return Step("error", message, status=status,
                status_name=status_name or STATUS_NAMES.get(status, ""), details=details or [])


def rate_limited(retry_delay: str | None = "20s", *, per_day: bool = False,
                 model: str = "gemini-3.8-flash") -> Step:
    """A 429 as Google sends it: QuotaFailure (which quota), Help, and RetryInfo (how long)."""
    window = "PerDay" if per_day else "PerMinute"
    quota_id = f"GenerateRequests{window}PerProjectPerModel-FreeTier"
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
         "violations": [{"quotaMetric": "generativelanguage.googleapis.com/"
                                        "generate_content_free_tier_requests",
                         "quotaId": quota_id,
                         "quotaDimensions": {"location": "global", "model": model},
                         "quotaValue": "250" if per_day else "10"}]},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
    ]
    if retry_delay is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": retry_delay})
    message = ("You exceeded your current quota, please check your plan and billing details. "
               f"Quota exceeded for metric: generate_content_free_tier_requests "
               f"({quota_id}). Please retry in {retry_delay or 'a while'}.")
    return error(429, message, details=details)


def hang(seconds: float, then: Step | None = None) -> Step:
    return Step("hang", seconds=seconds, then=then)


def finish(reason: str, partial: str = "") -> Step:
    """Stop with ``reason`` (SAFETY, RECITATION, MAX_TOKENS, OTHER...) after ``partial`` text."""
    return Step("finish", partial, finish_reason=reason)


def safety() -> Step:
    return finish("SAFETY")


def blocked(reason: str = "SAFETY") -> Step:
    """The prompt itself was blocked: ``promptFeedback.blockReason``, no candidates."""
    return Step("blocked", finish_reason=reason)


def cut(partial: str) -> Step:
    """Stream ``partial`` then drop the connection (no final chunk, no end of body)."""
    return Step("cut", partial)


def stream_error(partial: str, status: int = 503, message: str = "The model is overloaded.",
                 details: list[dict[str, Any]] | None = None) -> Step:
    """Stream ``partial`` then an error event, as the service does when it fails mid-reply."""
    return Step("stream_error", partial, then=error(status, message, details=details))


# --------------------------------------------------------------------------- recorded requests


@dataclass
class Recorded:
    model: str
    method: str  # generateContent | streamGenerateContent
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    usage: dict[str, Any] = field(default_factory=dict)  # the last usageMetadata sent back

    @property
    def version(self) -> str:
        return self.path.strip("/").split("/")[0]

    @property
    def system_text(self) -> str:
        parts = (self.body.get("systemInstruction") or {}).get("parts", [])
        return "".join(p.get("text", "") for p in parts)

    @property
    def contents_text(self) -> str:
        return "\n".join(p.get("text", "") for c in self.body.get("contents", [])
                         for p in c.get("parts", []))

    @property
    def last_user_text(self) -> str:
        users = [c for c in self.body.get("contents", []) if c.get("role", "user") == "user"]
        return "".join(p.get("text", "") for p in users[-1].get("parts", [])) if users else ""

    @property
    def generation_config(self) -> dict[str, Any]:
        return self.body.get("generationConfig", {})

    @property
    def schema(self) -> dict[str, Any]:
        config = self.generation_config
        return config.get("responseSchema") or config.get("responseJsonSchema") or {}

    @property
    def audio(self) -> list[tuple[str, bytes]]:
        """The audio parts sent: (MIME type, bytes)."""
        return [(_mime(p["inlineData"]), _b64(p["inlineData"]["data"]))
                for c in self.body.get("contents", []) for p in c.get("parts", [])
                if "inlineData" in p and _mime(p["inlineData"]).startswith("audio/")]

    @property
    def prompt_chars(self) -> int:
        """What the prompt token count covers: instructions, contents and the response schema."""
        schema = json.dumps(self.schema) if self.schema else ""
        return len(self.system_text) + len(self.contents_text) + len(schema)

    @property
    def thinking(self) -> dict[str, Any]:
        """The thinking config with camelCase keys (the SDK sends this one in snake_case)."""
        return camel_keys(camel_keys(self.generation_config).get("thinkingConfig") or {})


def estimate_tokens(chars: int) -> int:
    return max(1, chars // 4)


Responder = Callable[[Recorded], Step]


class _Rejected(Exception):
    def __init__(self, step: Step) -> None:
        super().__init__(step.text)
        self.step = step


def _invalid(message: str, field_path: str = "") -> _Rejected:
    violation = {"description": message} | ({"field": field_path} if field_path else {})
    return _Rejected(error(400, message, details=[
        {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}]))


@dataclass
class FakeGemini:
    responder: Responder | None = None
    steps: list[Step] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    chunk_chars: int = 12  # streamed text is cut into pieces this long
    models: dict[str, ModelSpec] = field(default_factory=lambda: dict(MODELS))
    transcript: str = "I led a team of five engineers and we shipped on time."

    def __post_init__(self) -> None:
        self.responder = self.responder or auto_reply
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self.base_url = ""

    # ----------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeGemini:
        app = web.Application()
        app.router.add_post("/{version}/models/{call}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def script(self, *steps: Step) -> None:
        self.steps.extend(steps)

    # ----------------------------------------------------------------- validation

    def _check(self, recorded: Recorded, version: str) -> None:
        """Reject what the real service rejects, with the same status and error shape."""
        if not recorded.headers.get("x-goog-api-key"):
            raise _Rejected(error(403, "Method doesn't allow unregistered callers (callers "
                                       "without established identity). Please use API Key or "
                                       "other form of API consumer identity to call this API."))
        spec = self.models.get(recorded.model)
        if version not in API_VERSIONS or spec is None:
            raise _Rejected(error(404, f"models/{recorded.model} is not found for API version "
                                       f"{version}, or is not supported for generateContent."))
        body = recorded.body
        for name in sorted(set(camel_keys(body)) - REQUEST_FIELDS):
            raise _invalid(f'Invalid JSON payload received. Unknown name "{name}": '
                           "Cannot find field.")
        if "store" in body and not isinstance(body["store"], bool):
            raise _invalid('Invalid value at \'store\' (TYPE_BOOL)', "store")
        config = camel_keys(recorded.generation_config)
        for name in sorted(set(config) - GENERATION_FIELDS):
            raise _invalid(f'Invalid JSON payload received. Unknown name "{name}" at '
                           "'generation_config': Cannot find field.", f"generation_config.{name}")
        if "responseSchema" in config and "responseJsonSchema" in config:
            raise _invalid("response_schema and response_json_schema cannot both be set.")
        thinking = recorded.thinking
        for name in sorted(set(thinking) - THINKING_FIELDS):
            raise _invalid(f'Invalid JSON payload received. Unknown name "{name}" at '
                           "'generation_config.thinking_config': Cannot find field.")
        level, budget = thinking.get("thinkingLevel"), thinking.get("thinkingBudget")
        if level is not None and budget is not None:
            raise _invalid("thinking_budget and thinking_level are not supported together.")
        if level is not None and level not in spec.levels:
            what = "Thinking level is not supported for this model." if not spec.levels else (
                f"Thinking level {level} is not supported for this model. Supported levels: "
                f"{', '.join(sorted(spec.levels))}.")
            raise _invalid(what, "generation_config.thinking_config.thinking_level")
        contents = body.get("contents") or []
        if not contents:
            raise _invalid("* GenerateContentRequest.contents: contents is not specified")
        if contents[-1].get("role", "user") == "model":
            raise _invalid("Please ensure that the last turn of the conversation is a user "
                           "turn, not a model turn.")

    def _thought_tokens(self, recorded: Recorded) -> int:
        spec = self.models[recorded.model]
        thinking = recorded.thinking
        if not spec.levels:  # budget models: 0 turns thinking off
            budget = thinking.get("thinkingBudget")
            return 0 if budget == 0 or (budget is None and not spec.thinks_by_default) else 64
        return THOUGHT_TOKENS[thinking.get("thinkingLevel") or spec.default_level]

    # ----------------------------------------------------------------- handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["call"].partition(":")
        if request.content_length and request.content_length > MAX_INLINE_REQUEST_BYTES:
            return _invalid_response("Request payload size exceeds the limit: 20971520 bytes.")
        body = await request.json()
        if (problem := _audio_problem(body)) is not None:
            return _invalid_response(problem)
        recorded = Recorded(model=model, method=method, path=request.path,
                            query=dict(request.query),
                            headers={k.lower(): v for k, v in request.headers.items()},
                            body=body)
        self.requests.append(recorded)
        try:
            self._check(recorded, request.match_info["version"])
        except _Rejected as rejected:
            return self._error_response(rejected.step)
        if self.steps:
            step = self.steps.pop(0)
        elif recorded.audio:
            step = text(self.transcript if _audible(recorded.audio) else "[no speech]")
        else:
            step = self.responder(recorded)  # type: ignore[misc]
        while step.kind == "hang":
            await asyncio.sleep(step.seconds)
            step = step.then or self.responder(recorded)  # type: ignore[misc]
        if step.kind == "error":
            return self._error_response(step)
        if method == "streamGenerateContent":
            return await self._stream(request, recorded, step)
        return web.json_response(self._whole(recorded, step))

    @staticmethod
    def _error_body(step: Step) -> dict[str, Any]:
        return {"error": {"code": step.status, "message": step.text, "status": step.status_name,
                          **({"details": step.details} if step.details else {})}}

    def _error_response(self, step: Step) -> web.Response:
        return web.json_response(self._error_body(step), status=step.status)

    def _usage(self, recorded: Recorded, output: str) -> dict[str, Any]:
        prompt = estimate_tokens(recorded.prompt_chars)
        out = estimate_tokens(len(output)) if output else 0
        thoughts = self._thought_tokens(recorded)
        usage: dict[str, Any] = {"promptTokenCount": prompt, "candidatesTokenCount": out,
                                 "totalTokenCount": prompt + out + thoughts,
                                 "promptTokensDetails": [{"modality": "TEXT",
                                                          "tokenCount": prompt}]}
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        recorded.usage = usage
        return usage

    def _parts(self, recorded: Recorded, piece: str, *, first: bool, last: bool,
               finish_reason: str = "STOP") -> list[dict[str, Any]]:
        """The text part, led by a thought summary if asked and ended by a thought signature.

        A reply that finished normally after thinking carries a ``thoughtSignature`` on its
        last part (in a stream: often a final chunk whose text is empty).
        """
        parts: list[dict[str, Any]] = []
        thought = self._thought_tokens(recorded) > 0
        if recorded.thinking.get("includeThoughts") and thought and first:
            parts.append({"text": "**Planning the reply**\nI should follow the engine.",
                          "thought": True})
        if piece:
            parts.append({"text": piece})
        if last and thought and finish_reason in ("STOP", "MAX_TOKENS"):
            signature = base64.b64encode(f"sig-{recorded.model}".encode()).decode()
            if parts:
                parts[-1]["thoughtSignature"] = signature
            else:
                parts.append({"text": "", "thoughtSignature": signature})
        return parts

    def _whole(self, recorded: Recorded, step: Step) -> dict[str, Any]:
        envelope = {"usageMetadata": self._usage(recorded, step.text),
                    "modelVersion": recorded.model, "responseId": self._response_id()}
        if step.kind == "blocked":  # billed for the prompt; nothing was generated
            usage = self._usage(recorded, "")
            usage.pop("thoughtsTokenCount", None)
            usage["totalTokenCount"] = usage["promptTokenCount"]
            envelope["usageMetadata"] = usage
            return {"promptFeedback": {"blockReason": step.finish_reason,
                                       "safetyRatings": _ratings()}, **envelope}
        candidate: dict[str, Any] = {"finishReason": step.finish_reason, "index": 0}
        parts = self._parts(recorded, step.text, first=True, last=True,
                            finish_reason=step.finish_reason)
        if parts:
            candidate["content"] = {"role": "model", "parts": parts}
        if step.finish_reason == "SAFETY":
            candidate["safetyRatings"] = _ratings()
        return {"candidates": [candidate], **envelope}

    def _response_id(self) -> str:
        return f"fake-{next(self._ids):06d}"

    async def _stream(self, request: web.Request, recorded: Recorded,
                      step: Step) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        if step.kind == "blocked":
            await self._event(response, self._whole(recorded, step))
            await response.write_eof()
            return response
        response_id = self._response_id()
        pieces = [step.text[i : i + self.chunk_chars]
                  for i in range(0, len(step.text), self.chunk_chars)] or [""]
        ends = step.kind in ("json", "text", "finish")
        sent = ""
        for index, piece in enumerate(pieces):
            last = ends and index == len(pieces) - 1
            sent += piece
            candidate: dict[str, Any] = {"index": 0}
            parts = self._parts(recorded, piece, first=index == 0, last=last,
                                finish_reason=step.finish_reason)
            if parts:
                candidate["content"] = {"role": "model", "parts": parts}
            if last:
                candidate["finishReason"] = step.finish_reason
                if step.finish_reason == "SAFETY":
                    candidate["safetyRatings"] = _ratings()
            await self._event(response, {"candidates": [candidate],
                                         "usageMetadata": self._usage(recorded, sent),
                                         "modelVersion": recorded.model,
                                         "responseId": response_id})
            await asyncio.sleep(0)
        if step.kind == "cut":
            # Drop the connection mid-body: the client sees an incomplete chunked payload.
            assert request.transport is not None
            request.transport.abort()
            return response
        if step.kind == "stream_error":
            assert step.then is not None
            await self._event(response, self._error_body(step.then))
        await response.write_eof()
        return response

    @staticmethod
    async def _event(response: web.StreamResponse, payload: dict[str, Any]) -> None:
        await response.write(f"data: {json.dumps(payload)}\r\n\r\n".encode())


def _ratings() -> list[dict[str, str]]:
    return [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}]


# --------------------------------------------------------------------------- audio

# The audio types Gemini documents; 20 MB is its limit on a request with inline data.
AUDIO_TYPES = {"audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac"}
MAX_INLINE_REQUEST_BYTES = 20 * 1024 * 1024


def _invalid_response(message: str) -> web.Response:
    return web.json_response({"error": {"code": 400, "message": message,
                                        "status": "INVALID_ARGUMENT"}}, status=400)


def _b64(data: str) -> bytes:
    """Proto-JSON bytes: standard or URL-safe base64 (the SDK sends URL-safe), nothing else."""
    return base64.b64decode(data.replace("-", "+").replace("_", "/"), validate=True)


def _mime(inline: dict[str, Any]) -> str:
    """The API takes proto-JSON names in either case (the SDK sends ``mime_type``)."""
    return inline.get("mimeType") or inline.get("mime_type") or ""


def _audio_problem(body: dict[str, Any]) -> str | None:
    for content in body.get("contents", []):
        for part in content.get("parts", []):
            inline = part.get("inlineData")
            if inline is None:
                continue
            mime = _mime(inline)
            if mime.startswith("audio/") and mime not in AUDIO_TYPES:
                return f"Unsupported MIME type: {mime}"
            try:
                data = _b64(inline.get("data", ""))
            except (binascii.Error, ValueError):
                return "Invalid value at 'contents.parts.inline_data.data': invalid base64"
            if not data:
                return "The document has no pages."  # what the service says to an empty part
            if mime == "audio/wav":
                try:
                    with wave.open(io.BytesIO(data)) as audio:
                        audio.readframes(1)
                except (wave.Error, EOFError):
                    return "Unable to process input audio."
    return None


def _audible(parts: list[tuple[str, bytes]]) -> bool:
    """True unless every WAV sent is (near) silence; other types are taken as speech."""
    for mime, data in parts:
        if mime != "audio/wav":
            return True
        with wave.open(io.BytesIO(data)) as audio:
            frames = audio.readframes(audio.getnframes())
        if len(frames) > 1 and int(np.abs(np.frombuffer(frames[: len(frames) // 2 * 2],
                                                        "<i2").astype(np.int32)).max()) > 300:
            return True
    return False


# --------------------------------------------------------------------------- default answers


def auto_reply(recorded: Recorded) -> Step:
    """A plausible Gemini: follow the engine's move, or write a report quoting the answers."""
    if "scores" in recorded.schema.get("properties", {}):
        return json_step(auto_report(recorded))
    return json_step(interviewer.turn_plan(recorded.last_user_text))


def auto_report(recorded: Recorded) -> dict[str, Any]:
    return interviewer.report(recorded.contents_text)
