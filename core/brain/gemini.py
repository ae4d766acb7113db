"""The Gemini brain: the interviewer's words from Google's Gemini API via ``google-genai``.

Core still runs the interview. Each turn this brain receives core's chosen move and the
moves core would accept, asks Gemini for a structured turn plan (what it read in the
answer, the move, the message), and hands the plan back; core validates the move and
overrides any move outside ``allowed``. The report uses structured output too, and is
checked (``gemini_report``) before core sees it.

The client is explicit, so no environment variable of the SDK can silently change where
requests go: Gemini Developer API (``vertexai=False``), a fixed ``api_version`` and base
URL, the key we were given. Every request says ``store: false`` (no request logging on
Google's side, see the README's privacy section). The report, the longest call, has its
own timeout (per-request ``http_options``).

Failure policy: every failure talking to the model becomes ``core.errors.BrainError``
with a friendly ``user_message`` (see ``gemini_failures``): server errors are retried by
the SDK; rate limits (429) by us, honouring Google's ``RetryInfo``; a per-day quota is a
configuration problem said plainly; a content-filter stop asks the candidate to
rephrase. Core works on a copy of the session, so nothing is lost and the same answer can
be sent again. Tokens are counted even when a call fails (Google bills them). The API key
is scrubbed from every log line and error text, including the SDK's own log records.

What every model brain shares (prompts, schemas, streaming JSON, parsing, evidence checks,
retries, accounting, redaction) is in ``llm``; this module is the Gemini side of it. This
and ``gemini_failures`` are the only modules in ``core`` that know ``google-genai``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import structlog
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel

from core.brain.gemini_failures import (
    COMPLETE_FINISHES,
    FILTER_FINISHES,
    QUOTA_EXHAUSTED,
    RATE_LIMITED,
    quota_signal,
)
from core.brain import llm_prompts
from core.brain.llm import Blocked, Call, ModelBrain, protect
from core.brain.llm_failures import (
    BLOCKED,
    BUSY,
    DROPPED,
    FILTERED,
    MISCONFIGURED,
    TIMED_OUT,
    UNREADABLE,
)
from core.brain.llm_output import Message, MessageExtractor, parse_plan, turn_schema
from core.brain.llm_report import ReportDraft, build_report, evidence_found
from core.errors import BrainError
from core.session import Session

__all__ = ["BLOCKED", "BUSY", "DROPPED", "FILTERED", "MISCONFIGURED", "QUOTA_EXHAUSTED",
           "RATE_LIMITED", "TIMED_OUT", "UNREADABLE", "GeminiBrain", "MessageExtractor",
           "ReportDraft", "build_report", "evidence_found", "parse_plan", "thinking_for",
           "turn_schema"]

log = structlog.get_logger(__name__)

# A current GA Flash model (see the README's Gemini section for the evidence and how to change it).
DEFAULT_MODEL = "gemini-3.8-flash"
DEFAULT_API_VERSION = "v1"  # the stable API; v1beta only if a feature needs it
GOOGLE_BASE_URL = "https://generativelanguage.googleapis.com/"
DEFAULT_TIMEOUT_SECONDS = 30.0
# A 12-15 question report reads the whole transcript and thinks at the model's default level.
DEFAULT_REPORT_TIMEOUT_SECONDS = 120.0
# A 429 whose RetryInfo asks for at most this long is waited out; a longer one is told.
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 10.0
# The SDK retries these with backoff; 429 is ours, because the SDK ignores RetryInfo.
SDK_RETRY_STATUS_CODES = [408, 500, 502, 503, 504]
# Output caps include any thinking tokens, so they leave room beyond the JSON itself.
TURN_MAX_OUTPUT_TOKENS = 4_096
REPORT_MAX_OUTPUT_TOKENS = 16_384
TRANSCRIBE_MAX_OUTPUT_TOKENS = 4_096  # five minutes of speech is under 1,000 words


class GeminiSettings(Protocol):
    """What ``from_settings`` reads (``bot.settings.Settings`` fits; core never imports bot)."""

    gemini_api_key: Any  # SecretStr | None
    gemini_model: str
    gemini_base_url: str | None
    gemini_api_version: str
    gemini_timeout_seconds: float
    gemini_report_timeout_seconds: float
    gemini_rate_limit_wait_seconds: float


# --------------------------------------------------------------------------- thinking

# Chat turns ask for little thinking (a chat reply should come quickly); the report keeps
# the model's default. Each family accepts its own settings and rejects others with a 400:
# Gemini 3 takes a level (3.8 / 3.7 Flash accept LOW, MEDIUM, HIGH but not MINIMAL;
# 3.6 / 3.5 Flash and the Flash-Lite models also MINIMAL, their default); 2.5 Flash-Lite
# takes a token budget, where 0 turns thinking off. Unknown families keep their default.
# Longest matching prefix wins. Sources: README, "Gemini" > "Model".
CHAT_THINKING: dict[str, dict[str, Any]] = {
    "gemini-3.8-flash": {"thinking_level": types.ThinkingLevel.LOW},
    "gemini-3.7-flash": {"thinking_level": types.ThinkingLevel.LOW},
    "gemini-3.6-flash": {"thinking_level": types.ThinkingLevel.LOW},
    "gemini-3.5-flash": {"thinking_level": types.ThinkingLevel.LOW},
    "gemini-3.5-flash-lite": {"thinking_level": types.ThinkingLevel.MINIMAL},
    "gemini-3.1-flash-lite": {"thinking_level": types.ThinkingLevel.MINIMAL},
    "gemini-3.1-pro": {"thinking_level": types.ThinkingLevel.LOW},
    "gemini-2.5-flash-lite": {"thinking_budget": 0},
}


def thinking_for(model: str, *, chat: bool) -> types.ThinkingConfig | None:
    if not chat:
        return None
    name = model.removeprefix("models/")
    family = max((prefix for prefix in CHAT_THINKING if name.startswith(prefix)), key=len,
                 default=None)
    return types.ThinkingConfig(**CHAT_THINKING[family]) if family else None


# --------------------------------------------------------------------------- the brain

# The SDK's loggers; a redaction filter does not reach a child logger through its parent.
_SDK_LOGGERS = ("google_genai._api_client", "google_genai.models", "google_genai.types",
                "google_genai._common", "google_genai._transformers")


class GeminiBrain(ModelBrain):
    provider = "gemini"
    complete_finishes = frozenset(reason.lower() for reason in COMPLETE_FINISHES)
    filter_finishes = frozenset(reason.lower() for reason in FILTER_FINISHES)
    rate_limited_message = RATE_LIMITED

    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        report_timeout_seconds: float = DEFAULT_REPORT_TIMEOUT_SECONDS,
        rate_limit_wait_seconds: float = DEFAULT_RATE_LIMIT_WAIT_SECONDS,
        client: genai.Client | None = None,
        retry_attempts: int = 3,
        retry_initial_delay: float = 1.0,
        retry_max_delay: float = 8.0,
    ) -> None:
        if not api_key and client is None:
            raise ValueError("GeminiBrain needs an API key")
        protect(api_key, _SDK_LOGGERS)
        super().__init__(model=model, rate_limit_wait_seconds=rate_limit_wait_seconds,
                         retry_attempts=retry_attempts, retry_initial_delay=retry_initial_delay,
                         retry_max_delay=retry_max_delay)
        self.name = f"gemini:{model}"
        self.report_timeout_ms = int(report_timeout_seconds * 1000)
        self._quotas_reported: set[str] = set()
        # Everything explicit: GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_GENAI_API_VERSION,
        # GOOGLE_GEMINI_BASE_URL and friends in the environment change nothing here.
        self.client = client or genai.Client(
            vertexai=False,
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url or GOOGLE_BASE_URL,
                api_version=api_version,
                timeout=int(timeout_seconds * 1000),  # milliseconds
                retry_options=types.HttpRetryOptions(
                    attempts=retry_attempts,
                    initial_delay=retry_initial_delay,
                    max_delay=retry_max_delay,
                    exp_base=2,
                    jitter=retry_initial_delay,  # random extra wait, up to one initial delay
                    http_status_codes=SDK_RETRY_STATUS_CODES,
                ),
            ),
        )

    @classmethod
    def from_settings(cls, settings: GeminiSettings) -> GeminiBrain:
        key = settings.gemini_api_key
        secret = key.get_secret_value() if hasattr(key, "get_secret_value") else str(key or "")
        return cls(api_key=secret, model=settings.gemini_model or DEFAULT_MODEL,
                   base_url=settings.gemini_base_url or None,
                   api_version=settings.gemini_api_version or DEFAULT_API_VERSION,
                   timeout_seconds=settings.gemini_timeout_seconds,
                   report_timeout_seconds=settings.gemini_report_timeout_seconds,
                   rate_limit_wait_seconds=settings.gemini_rate_limit_wait_seconds)

    async def aclose(self) -> None:
        await self.client.aio.aclose()

    def _config(self, call: Call, system: str,
                schema: type[BaseModel]) -> types.GenerateContentConfig:
        """JSON out, no logging on Google's side, no tools; the report its own limits."""
        turn = call.purpose == "turn"
        return types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=schema,
            max_output_tokens=TURN_MAX_OUTPUT_TOKENS if turn else REPORT_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=turn),
            store=False,  # the request and reply are not kept in the project's API logs
            # No tools are sent; this also keeps the SDK from logging "AFC is enabled".
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            # The longest call gets its own limit instead of the turns' one.
            http_options=None if turn else types.HttpOptions(timeout=self.report_timeout_ms),
        )

    # ----------------------------------------------------------------- calls

    async def _complete(self, call: Call, session: Session, system: str,
                        conversation: list[Message], schema: type[BaseModel]) -> str:
        config = self._config(call, system, schema)
        async for attempt in self._retrying(call, session):
            with attempt:
                response = await self.client.aio.models.generate_content(
                    model=self.model, contents=_contents(conversation), config=config)
        _observe(call, response)
        _raise_if_blocked(response)
        return _chunk_text(response)

    async def _stream(self, call: Call, session: Session, system: str,
                      conversation: list[Message], schema: type[BaseModel]) -> AsyncIterator[str]:
        config = self._config(call, system, schema)
        # The request (and any 429) happens when the first chunk is read.
        async for attempt in self._retrying(call, session):
            with attempt:
                stream = await self.client.aio.models.generate_content_stream(
                    model=self.model, contents=_contents(conversation), config=config)
                chunk = await anext(stream, None)
        while chunk is not None:
            _observe(call, chunk)
            _raise_if_blocked(chunk)
            yield _chunk_text(chunk)
            chunk = await anext(stream, None)

    # ----------------------------------------------------------------- hearing

    async def transcribe_audio(self, wav: bytes) -> str:
        """A spoken answer's words, verbatim with its fillers (``core.audio`` calls this).

        Failures become ``BrainError`` like any model call: the interview is untouched.
        """
        config = types.GenerateContentConfig(
            system_instruction=llm_prompts.TRANSCRIBE_INSTRUCTION,
            temperature=0.0,
            max_output_tokens=TRANSCRIBE_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=True),
            store=False,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        contents = [types.Content(role="user", parts=[
            types.Part.from_bytes(data=wav, mime_type="audio/wav"),
            types.Part.from_text(text=llm_prompts.TRANSCRIBE_PROMPT),
        ])]
        call = Call("transcribe")
        try:
            async for attempt in self._retrying(call, None):
                with attempt:
                    response = await self.client.aio.models.generate_content(
                        model=self.model, contents=contents, config=config)
            _observe(call, response)
            _raise_if_blocked(response)
            text = self._finished_text(call, _chunk_text(response), None).strip()
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, call, None) from None
        self._count(None, call)
        return "" if text.strip("[]. ").lower() == llm_prompts.NO_SPEECH else text

    # ----------------------------------------------------------------- errors and rate limits

    def _status(self, error: BaseException) -> int | None:
        return error.code if isinstance(error, genai_errors.APIError) else None

    def _retry_after(self, error: BaseException) -> float | None:
        if not isinstance(error, genai_errors.APIError):
            return None
        return quota_signal(error.details).retry_after

    def _worth_retrying(self, error: BaseException) -> bool:
        """A 429 whose quota frees up soon: not per day, and RetryInfo asks for little.

        Server errors are the SDK's to retry (``HttpRetryOptions``)."""
        if not isinstance(error, genai_errors.APIError) or error.code != 429:
            return False
        return not quota_signal(error.details).per_day and self._short_wait(error)

    def _provider_error(self, error: Exception) -> tuple[BrainError, str, int | None] | None:
        if not isinstance(error, genai_errors.APIError):
            return None
        if error.code == 429:
            return self._rate_limit_error(error)
        if error.code in SDK_RETRY_STATUS_CODES:
            return BrainError(BUSY), "api_error", error.code
        return BrainError(MISCONFIGURED, retryable=False), "api_error", error.code

    def _rate_limit_error(self, error: genai_errors.APIError) -> tuple[BrainError, str, int]:
        signal = quota_signal(error.details)
        if signal.per_day:
            fresh = set(signal.quota_ids) - self._quotas_reported
            if fresh:  # said once at error level; later ones are the usual warning
                self._quotas_reported |= fresh
                log.error("gemini.quota_exhausted", model=self.model,
                          quota_ids=list(signal.quota_ids),
                          fix="a per-day quota of the API key's project is used up: raise it "
                              "or enable billing; it resets at midnight Pacific time")
            return BrainError(QUOTA_EXHAUSTED, retryable=False), "quota_per_day", 429
        return self._wait_error(signal.retry_after)


# --------------------------------------------------------------------------- helpers


def _contents(conversation: list[Message]) -> list[types.Content]:
    return [types.Content(role=speaker, parts=[types.Part(text=text)])
            for speaker, text in conversation]


def _value(enum_or_str: Any) -> str | None:
    return None if enum_or_str is None else str(getattr(enum_or_str, "value", enum_or_str))


def _observe(call: Call, response: types.GenerateContentResponse) -> None:
    """Usage (cumulative in a stream; thinking is billed as output), finish reason, id."""
    usage = response.usage_metadata
    if usage is not None:
        call.usage = (usage.prompt_token_count or 0,
                      (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0))
        # Included in the prompt count; Google bills them at a discount (implicit caching).
        call.cached = usage.cached_content_token_count or 0
    call.response_id = response.response_id or call.response_id
    if response.candidates:
        call.finish = _value(response.candidates[0].finish_reason) or call.finish


def _chunk_text(response: types.GenerateContentResponse) -> str:
    """The answer text of a response or chunk, without 'thought' parts or signatures."""
    if not response.candidates or not response.candidates[0].content:
        return ""
    parts = response.candidates[0].content.parts or []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _raise_if_blocked(response: types.GenerateContentResponse) -> None:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise Blocked(_value(feedback.block_reason))
