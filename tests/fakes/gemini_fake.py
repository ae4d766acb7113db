"""A loopback fake of the Gemini API, for the real ``google-genai`` SDK to talk to.

It speaks the REST shapes the SDK expects (camelCase JSON):

* ``POST /{version}/models/{model}:generateContent`` -> one ``GenerateContentResponse``;
* ``POST /{version}/models/{model}:streamGenerateContent?alt=sse`` -> server-sent events,
  each ``data: {json}`` followed by a blank line;
* errors as ``{"error": {"code", "message", "status"}}`` with the HTTP status.

Tests script it with a queue of ``Step`` objects (a JSON plan, raw text, an error, a hang,
a SAFETY finish, a blocked prompt, a stream cut mid-way). When the queue is empty, the
``responder`` answers (by default: a plausible interviewer, see ``auto_reply``). Every
request is recorded (path, model, method, headers, body) so tests can read what the
brain actually sent. Token counts are estimated as characters / 4, enough for the
benchmark to compare prompt sizes.

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
import json
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web


@dataclass
class Step:
    """One scripted answer. Build them with the helpers below rather than by hand."""

    kind: str  # "json" | "text" | "error" | "hang" | "safety" | "blocked" | "cut"
    text: str = ""
    status: int = 200
    status_name: str = ""
    seconds: float = 0.0
    then: Step | None = None  # for "hang": what to send after the delay


def plan(message: str, move: str, read: str = "normal") -> Step:
    return Step("json", json.dumps({"read": read, "move": move, "message": message}))


def json_step(obj: Any) -> Step:
    return Step("json", json.dumps(obj))


def text(raw: str) -> Step:
    return Step("text", raw)


def error(status: int, message: str = "error", status_name: str = "") -> Step:
    names = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
             400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
    return Step("error", message, status=status, status_name=status_name or names.get(status, ""))


def hang(seconds: float, then: Step | None = None) -> Step:
    return Step("hang", seconds=seconds, then=then)


def safety() -> Step:
    return Step("safety")


def blocked() -> Step:
    return Step("blocked")


def cut(partial: str) -> Step:
    """Stream ``partial`` then drop the connection (no final chunk, no end of body)."""
    return Step("cut", partial)


@dataclass
class Recorded:
    model: str
    method: str  # generateContent | streamGenerateContent
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]

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
        return len(self.system_text) + len(self.contents_text)


def estimate_tokens(chars: int) -> int:
    return max(1, chars // 4)


Responder = Callable[[Recorded], Step]


@dataclass
class FakeGemini:
    responder: Responder | None = None
    steps: list[Step] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    chunk_chars: int = 12  # streamed text is cut into pieces this long
    transcript: str = "I led a team of five engineers and we shipped on time."

    def __post_init__(self) -> None:
        self.responder = self.responder or auto_reply
        self._runner: web.AppRunner | None = None
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

    # ----------------------------------------------------------------- handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["call"].partition(":")
        if request.content_length and request.content_length > MAX_INLINE_REQUEST_BYTES:
            return _invalid("Request payload size exceeds the limit: 20971520 bytes.")
        body = await request.json()
        if (problem := _audio_problem(body)) is not None:
            return _invalid(problem)
        recorded = Recorded(model=model, method=method, path=request.path,
                            query=dict(request.query),
                            headers={k.lower(): v for k, v in request.headers.items()},
                            body=body)
        self.requests.append(recorded)
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
            payload = {"error": {"code": step.status, "message": step.text,
                                 "status": step.status_name}}
            return web.json_response(payload, status=step.status)
        if method == "streamGenerateContent":
            return await self._stream(request, recorded, step)
        return web.json_response(self._whole(recorded, step))

    def _usage(self, recorded: Recorded, output: str) -> dict[str, int]:
        prompt = estimate_tokens(recorded.prompt_chars)
        out = estimate_tokens(len(output)) if output else 0
        return {"promptTokenCount": prompt, "candidatesTokenCount": out,
                "totalTokenCount": prompt + out}

    def _whole(self, recorded: Recorded, step: Step) -> dict[str, Any]:
        if step.kind == "blocked":
            return {"promptFeedback": {"blockReason": "SAFETY"},
                    "usageMetadata": self._usage(recorded, "")}
        if step.kind == "safety":
            return {"candidates": [{"finishReason": "SAFETY", "index": 0,
                                    "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT",
                                                       "probability": "HIGH"}]}],
                    "usageMetadata": self._usage(recorded, "")}
        return {"candidates": [{"content": {"role": "model", "parts": [{"text": step.text}]},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": self._usage(recorded, step.text),
                "modelVersion": recorded.model}

    async def _stream(self, request: web.Request, recorded: Recorded,
                      step: Step) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        if step.kind in ("blocked", "safety"):
            await self._event(response, self._whole(recorded, step))
            await response.write_eof()
            return response
        pieces = [step.text[i : i + self.chunk_chars]
                  for i in range(0, len(step.text), self.chunk_chars)] or [""]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1 and step.kind != "cut"
            candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": piece}]},
                                         "index": 0}
            chunk: dict[str, Any] = {"candidates": [candidate], "modelVersion": recorded.model}
            if last:
                candidate["finishReason"] = "STOP"
                chunk["usageMetadata"] = self._usage(recorded, step.text)
            await self._event(response, chunk)
            await asyncio.sleep(0)
        if step.kind == "cut":
            # Drop the connection mid-body: the client sees an incomplete chunked payload.
            assert request.transport is not None
            request.transport.abort()
            return response
        await response.write_eof()
        return response

    @staticmethod
    async def _event(response: web.StreamResponse, payload: dict[str, Any]) -> None:
        await response.write(f"data: {json.dumps(payload)}\r\n\r\n".encode())


# --------------------------------------------------------------------------- audio

# The audio types Gemini documents; 20 MB is its limit on a request with inline data.
AUDIO_TYPES = {"audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac"}
MAX_INLINE_REQUEST_BYTES = 20 * 1024 * 1024


def _invalid(message: str) -> web.Response:
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

_MOVE = re.compile(r"^Chosen move: (\w+)", re.MULTILINE)
_NEXT = re.compile(r"^Next question if you move on[^:]*: (.+)$", re.MULTILINE)
_ANSWER = re.compile(r"<candidate_answer>\n(.*?)\n</candidate_answer>", re.DOTALL)


def auto_reply(recorded: Recorded) -> Step:
    """A plausible Gemini: follow the engine's move, or write a report quoting the answers."""
    schema = recorded.schema
    if "scores" in schema.get("properties", {}):
        return json_step(auto_report(recorded))
    prompt = recorded.last_user_text
    move_match = _MOVE.search(prompt)
    move = move_match.group(1) if move_match else "ask"
    next_match = _NEXT.search(prompt)
    question = next_match.group(1) if next_match else "Could you tell me more?"
    messages = {
        "greet": f"Hi! Welcome to your practice interview. {question}",
        "ask": f"Thanks. Next: {question}",
        "skip": f"No problem. {question}",
        "follow_up": "What was the measurable result of what you did?",
        "clarify": "Put simply: pick one real example and tell me what you did.",
        "steer": "Let's come back to the question, briefly please.",
        "warning": "Let's keep this respectful. Back to the question.",
        "hint": "Hint: describe the situation, your action and the result.",
        "wrap_up": "Thanks, that was the last question. Your feedback follows.",
        "end": "Let's end the interview here.",
    }
    return plan(messages.get(move, "Thanks."), move)


def auto_report(recorded: Recorded) -> dict[str, Any]:
    answers = _ANSWER.findall(recorded.contents_text)
    numbers = [int(n) for n in re.findall(r'<question number="(\d+)" status="answered"',
                                          recorded.contents_text)]
    quote = " ".join(answers[0].split()[:6]) if answers else ""
    points = [{"point": "Concrete, first-person account", "evidence": quote}] if quote else []
    score = {"score": 3, "reason": "Relevant with some specifics."}
    return {
        "summary": "A solid practice run with room to quantify results.",
        "strengths": points,
        "weaknesses": points,
        "scores": {"communication": score, "technical": score, "structure": score}
        if answers else None,
        "questions": [{"number": n, "story_question": True, "situation": True, "task": False,
                       "action": True, "result": False, "quantified_result": False,
                       "specificity": "medium", "ownership": "clear", "score": 3,
                       "note": "Add the outcome.", "stronger_answer": "Situation, action, result."}
                      for n in numbers],
        "adaptation": "Answers were steady.",
        "next_steps": ["Quantify outcomes.", "Name your own actions."],
    }
