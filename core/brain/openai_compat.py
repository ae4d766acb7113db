"""The OpenAI-compatible brain: the interviewer's words from any chat completions server.

Ollama, llama.cpp's server, vLLM, LM Studio and hosted OpenAI-compatible providers all
speak ``POST {base_url}/chat/completions``; this brain talks to them through the official
``openai`` SDK (its async client). Turns and reports run exactly as with Gemini (``llm``):
the same prompts, candidate text as delimited data, core in control of the moves, the
same checks and friendly errors. What differs is how far a server honours the schema:

* **Structured output where the server has it.** Requests ask for a strict JSON schema
  (``response_format: json_schema``). A server that rejects that (a 400 naming the
  response format) is asked again with JSON mode (``json_object``), then with plain text,
  and the brain remembers the step down. ``OPENAI_RESPONSE_FORMAT`` can fix the mode.
* **A robust fallback where it has not.** Without an enforced schema the schema goes into
  the instructions, and the reply's JSON object is taken from the text (alone, fenced, or
  in prose; a ``<think>`` block first is skipped), then validated. An unusable reply is
  sent back once with the reason; a second one is written by the offline interviewer,
  with a notice to the candidate (a report falls back to the offline reviewer, as with
  Gemini).

Retries are ours (the SDK's are off): a 429 asking for a short ``Retry-After`` is waited
out, a longer one is told to the user with its length, OpenAI's ``insufficient_quota`` is
a configuration problem; 408, 409, 5xx and a refused connection are retried with backoff.
No key is needed for a local server (then no ``Authorization`` header is sent); a key is
scrubbed from every log line. This is the only module in ``core`` that knows ``openai``.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import urlsplit

import openai
import structlog
from openai.lib import type_to_response_format_param
from pydantic import BaseModel

from core.brain.base import Brain
from core.brain.llm import Blocked, Call, ModelBrain, protect
from core.brain.llm_failures import (
    BUSY,
    MISCONFIGURED,
    QUOTA_EXHAUSTED,
    TIMED_OUT,
    UNREACHABLE,
)
from core.brain.llm_output import InvalidOutput, Message, OffSchema
from core.errors import BrainError
from core.session import Session

log = structlog.get_logger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"  # when no base URL is set
DEFAULT_TIMEOUT_SECONDS = 60.0  # local models on a CPU take their time
DEFAULT_REPORT_TIMEOUT_SECONDS = 300.0
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 10.0
TURN_MAX_OUTPUT_TOKENS = 4_096  # room for a reasoning model's thinking too
REPORT_MAX_OUTPUT_TOKENS = 16_384
# The ladder of response formats in "auto" mode, from the most to the least the server does.
FORMATS = ("json_schema", "json_object", "text")
RESPONSE_FORMAT_MODES = ("auto", *FORMATS)
# A 400 or 422 naming one of these is the server saying it lacks that response format.
_FORMAT_REJECTED = re.compile(r"response[_ ]?format|json[_ ]?schema|json[_ ]?object|"
                              r"structured output|guided|grammar", re.IGNORECASE)
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
_SDK_LOGGERS = ("openai", "openai._base_client", "openai._response", "httpx", "httpx2")


class OpenAISettings(Protocol):
    """What ``from_settings`` reads (``bot.settings.Settings`` fits; core never imports bot)."""

    openai_base_url: str
    openai_api_key: Any  # SecretStr | None
    openai_model: str
    openai_timeout_seconds: float
    openai_report_timeout_seconds: float
    openai_rate_limit_wait_seconds: float
    openai_response_format: str


class OpenAICompatBrain(ModelBrain):
    provider = "openai"
    complete_finishes = frozenset({"stop"})
    filter_finishes = frozenset({"content_filter"})
    turn_attempts = 2  # a server without an enforced schema gets one retry with the reason

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        report_timeout_seconds: float = DEFAULT_REPORT_TIMEOUT_SECONDS,
        rate_limit_wait_seconds: float = DEFAULT_RATE_LIMIT_WAIT_SECONDS,
        response_format: str = "auto",
        fallback: Brain | None = None,
        client: openai.AsyncOpenAI | None = None,
        retry_attempts: int = 3,
        retry_initial_delay: float = 1.0,
        retry_max_delay: float = 8.0,
    ) -> None:
        if not model:
            raise ValueError("the OpenAI-compatible brain needs a model name (OPENAI_MODEL)")
        if response_format not in RESPONSE_FORMAT_MODES:
            raise ValueError(f"OPENAI_RESPONSE_FORMAT must be one of "
                             f"{', '.join(RESPONSE_FORMAT_MODES)}, not {response_format!r}")
        base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        if not api_key and urlsplit(base_url).hostname == "api.openai.com":
            raise ValueError("OpenAI's own API needs a key (OPENAI_API_KEY); a local server "
                             "needs OPENAI_BASE_URL")
        if api_key:
            protect(api_key, _SDK_LOGGERS)
        super().__init__(model=model, rate_limit_wait_seconds=rate_limit_wait_seconds,
                         retry_attempts=retry_attempts, retry_initial_delay=retry_initial_delay,
                         retry_max_delay=retry_max_delay)
        self.name = f"openai:{model}"
        parts = urlsplit(base_url)  # never the path's secrets or a user:password@
        self.endpoint = f"{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        self.report_timeout_seconds = report_timeout_seconds
        self.keyless = not api_key
        self.mode = response_format
        self.format = "json_schema" if response_format == "auto" else response_format
        self.schema_in_prompt = self.format != "json_schema"
        if fallback is None:
            from core.brain.offline import OfflineBrain

            fallback = OfflineBrain()
        self.turn_fallback = fallback
        self.client = client or openai.AsyncOpenAI(
            # The SDK wants a key to start with; without one (a local server) each request
            # omits the Authorization header explicitly (see _request), so none is sent.
            api_key=api_key or "no-key",
            base_url=base_url,
            timeout=timeout_seconds,  # to connect, and between pieces of a reply
            max_retries=0,  # ours: the SDK would sleep through a long Retry-After unseen
        )

    @classmethod
    def from_settings(cls, settings: OpenAISettings) -> OpenAICompatBrain:
        key = settings.openai_api_key
        secret = key.get_secret_value() if hasattr(key, "get_secret_value") else key
        return cls(model=settings.openai_model, base_url=settings.openai_base_url or None,
                   api_key=secret or None, timeout_seconds=settings.openai_timeout_seconds,
                   report_timeout_seconds=settings.openai_report_timeout_seconds,
                   rate_limit_wait_seconds=settings.openai_rate_limit_wait_seconds,
                   response_format=settings.openai_response_format or "auto")

    async def aclose(self) -> None:
        await self.client.close()

    # ----------------------------------------------------------------- requests

    def _request(self, call: Call, system: str, conversation: list[Message],
                 schema: type[BaseModel], stream: bool) -> dict[str, Any]:
        if self.schema_in_prompt:
            # Not enforced by the server, so the model has to read it.
            system += ("\n\nThe JSON object must match this JSON schema:\n"
                       + json.dumps(schema.model_json_schema(), separators=(",", ":")))
        messages = [{"role": "system", "content": system}] + [
            {"role": "assistant" if speaker == "model" else "user", "content": text}
            for speaker, text in conversation]
        request: dict[str, Any] = {
            "model": self.model, "messages": messages,
            "max_completion_tokens": (TURN_MAX_OUTPUT_TOKENS if call.purpose == "turn"
                                      else REPORT_MAX_OUTPUT_TOKENS)}
        if self.format == "json_schema":
            request["response_format"] = type_to_response_format_param(schema)
        elif self.format == "json_object":
            request["response_format"] = {"type": "json_object"}
        if self.keyless:
            request["extra_headers"] = {"Authorization": openai.omit}
        if call.purpose == "report":  # the longest call gets its own limit
            request["timeout"] = self.report_timeout_seconds
        if stream:
            request.update(stream=True, stream_options={"include_usage": True})
        return request

    async def _send(self, call: Call, session: Session, system: str,
                    conversation: list[Message], schema: type[BaseModel],
                    stream: bool) -> tuple[Any, Any]:
        """The response (or the stream and its first chunk: a 429 shows only then)."""
        while True:
            sent_format = self.format
            request = self._request(call, system, conversation, schema, stream)
            try:
                async for attempt in self._retrying(call, session):
                    with attempt:
                        response = await self.client.chat.completions.create(**request)
                        first = await anext(response, None) if stream else None
                return response, first
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                if not self._step_down(error, sent_format, session):
                    raise

    def _step_down(self, error: openai.APIStatusError, sent_format: str,
                   session: Session) -> bool:
        """The server lacks the response format sent: use the next one, from now on."""
        said = f"{error.message} {json.dumps(error.body) if error.body else ''}"
        if self.mode != "auto" or sent_format == "text" or not _FORMAT_REJECTED.search(said):
            return False
        if self.format != sent_format:
            return True  # a call in flight at the same time has stepped down already
        before, self.format = self.format, FORMATS[FORMATS.index(self.format) + 1]
        self.schema_in_prompt = True
        log.warning("openai.response_format_unsupported", session=session.id, model=self.model,
                    endpoint=self.endpoint, rejected=before, now=self.format,
                    status=error.status_code)
        return True

    # ----------------------------------------------------------------- calls

    async def _complete(self, call: Call, session: Session, system: str,
                        conversation: list[Message], schema: type[BaseModel]) -> str:
        response, _ = await self._send(call, session, system, conversation, schema, False)
        call.response_id = response.id
        usage = response.usage
        call.usage = (usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else (0, 0)
        if not response.choices:
            return ""
        choice = response.choices[0]
        call.finish = choice.finish_reason
        if getattr(choice.message, "refusal", None):
            raise Blocked("refusal")
        return _without_thinking(choice.message.content or "")

    async def _stream(self, call: Call, session: Session, system: str,
                      conversation: list[Message], schema: type[BaseModel]) -> AsyncIterator[str]:
        stream, chunk = await self._send(call, session, system, conversation, schema, True)
        try:
            async for piece in self._pieces(call, stream, chunk):
                yield piece
        finally:
            await stream.close()  # also when the reader stops early
        if call.usage is None:
            call.usage = (0, 0)  # a reply came, but the server does not report usage

    async def _pieces(self, call: Call, stream: Any, chunk: Any) -> AsyncIterator[str]:
        raw = shown = ""
        while chunk is not None:
            call.response_id = chunk.id or call.response_id
            if chunk.usage is not None:
                call.usage = (chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
            if chunk.choices:
                choice = chunk.choices[0]
                call.finish = choice.finish_reason or call.finish
                if getattr(choice.delta, "refusal", None):
                    raise Blocked("refusal")
                raw += choice.delta.content or ""
                visible = _without_thinking(raw, partial=True)
                if len(visible) > len(shown):
                    yield visible[len(shown):]
                    shown = visible
            chunk = await anext(stream, None)

    # ----------------------------------------------------------------- reading failures

    def _rejected(self, invalid: InvalidOutput) -> None:
        if isinstance(invalid, OffSchema) and not self.schema_in_prompt:
            # The server accepted the schema but did not hold the model to it.
            self.schema_in_prompt = True
            log.warning("openai.schema_not_enforced", model=self.model, endpoint=self.endpoint,
                        response_format=self.format)

    def _status(self, error: BaseException) -> int | None:
        return error.status_code if isinstance(error, openai.APIStatusError) else None

    def _retry_after(self, error: BaseException) -> float | None:
        if not isinstance(error, openai.APIStatusError):
            return None
        return retry_after_seconds(error.response.headers)

    def _worth_retrying(self, error: BaseException) -> bool:
        status = self._status(error)
        if status == 429:
            return not _quota(error) and self._short_wait(error)
        if status is not None:
            return status in (408, 409) or status >= 500
        return isinstance(error, openai.APIConnectionError) and _refused(error)

    def _provider_error(self, error: Exception) -> tuple[BrainError, str, int | None] | None:
        if isinstance(error, openai.APITimeoutError):
            return BrainError(TIMED_OUT), "timeout", None
        if isinstance(error, openai.APIConnectionError):
            if _refused(error):
                return BrainError(UNREACHABLE), "unreachable", None
            return None  # cut mid-reply: the shared "dropped"
        status = self._status(error)
        if status == 429:
            if _quota(error):
                log.error("openai.quota_exhausted", model=self.model, endpoint=self.endpoint,
                          fix="the provider account's quota or credit is used up: check "
                              "its plan and billing")
                return BrainError(QUOTA_EXHAUSTED, retryable=False), "quota", 429
            return self._wait_error(self._retry_after(error))
        if status is not None:
            if status in (408, 409) or status >= 500:
                return BrainError(BUSY), "api_error", status
            return BrainError(MISCONFIGURED, retryable=False), "api_error", status
        if isinstance(error, openai.APIError):  # an error event in the middle of a stream
            return BrainError(BUSY), "api_error", None
        return None


# --------------------------------------------------------------------------- helpers


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms``, or ``Retry-After`` in seconds or as an HTTP date."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            pass
    value = headers.get("retry-after")
    try:
        moment = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return None if moment is None else max(0.0, moment.timestamp() - time.time())


def _quota(error: BaseException) -> bool:
    """OpenAI's "you exceeded your current quota": credit, not a rate; waiting won't help."""
    return getattr(error, "code", None) == "insufficient_quota"


def _refused(error: BaseException) -> bool:
    """No connection was made at all (server down, wrong port, DNS), unlike a cut reply."""
    cause: BaseException | None = error.__cause__
    while cause is not None:
        if type(cause).__name__ == "ConnectError":  # httpx's, whichever httpx the SDK uses
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _without_thinking(text: str, *, partial: bool = False) -> str:
    """The answer after a leading ``<think>`` block (servers that do not split it out)."""
    stripped = text.lstrip()
    if stripped.startswith(_THINK_OPEN):
        _, closed, after = stripped.partition(_THINK_CLOSE)
        return after.lstrip() if closed else ""
    if partial and _THINK_OPEN.startswith(stripped):
        return ""  # maybe the start of a think block: wait for more
    return text
