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

This and the other ``gemini*`` modules are the only ones in ``core`` that know the model SDK.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import structlog
import tenacity
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, ValidationError, create_model

from core.brain import gemini_prompts as prompts
from core.brain.base import Brain, Move, ReportRequest, TurnPlan, TurnRequest
from core.brain.gemini_failures import (
    BLOCKED,
    BUSY,
    COMPLETE_FINISHES,
    DROPPED,
    FILTER_FINISHES,
    FILTERED,
    MISCONFIGURED,
    QUOTA_EXHAUSTED,
    RATE_LIMITED,
    TIMED_OUT,
    UNREADABLE,
    quota_signal,
    say_wait,
)
from core.brain.gemini_report import InvalidOutput as _InvalidOutput
from core.brain.gemini_report import (
    ReportDraft,
    build_report,
    evidence_found,
    parse_report,
)
from core.errors import BrainError
from core.models import Persona, TextDelta
from core.report import FeedbackReport
from core.session import Session
from core.text import excerpt

__all__ = ["BLOCKED", "BUSY", "DROPPED", "FILTERED", "MISCONFIGURED", "QUOTA_EXHAUSTED",
           "RATE_LIMITED", "TIMED_OUT", "UNREADABLE", "GeminiBrain", "MessageExtractor",
           "ReportDraft", "build_report", "evidence_found", "thinking_for"]

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
RETRY_STATUS_CODES = [*SDK_RETRY_STATUS_CODES, 429]  # worth sending again, from the user's side
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


# --------------------------------------------------------------------------- output schema


def turn_schema(allowed: Iterable[Move]) -> type[BaseModel]:
    """The turn-plan schema sent to Gemini, its ``move`` limited to the moves core allows.

    The limit guides the model; the reply is still parsed against every ``Move`` so that
    core, not this brain, is the one that overrides a move outside ``allowed``.
    """
    values = tuple(move.value for move in allowed)
    return create_model(
        "TurnPlanOutput",
        read=(Persona, ...),
        move=(Literal[values], ...),  # type: ignore[valid-type]
        message=(str, ...),
    )


# --------------------------------------------------------------------------- streaming helper


class MessageExtractor:
    """Pulls the ``"message"`` string out of a JSON object while it is still being written.

    Gemini streams the turn plan as JSON text in arbitrary pieces. Rather than pay for a
    second call, we decode the ``message`` value incrementally (escapes included, even when
    split across pieces) and hand out the new characters; the complete JSON is parsed at
    the end and is authoritative.
    """

    _KEY = re.compile(r'"message"\s*:\s*"')
    _ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t"}

    def __init__(self) -> None:
        self.buffer = ""
        self.position: int | None = None  # index in buffer of the next undecoded character
        self.done = False

    def feed(self, piece: str) -> str:
        self.buffer += piece
        if self.done:
            return ""
        if self.position is None:
            match = self._KEY.search(self.buffer)
            if match is None:
                return ""
            self.position = match.end()
        return self._decode()

    def _decode(self) -> str:
        out: list[str] = []
        buffer, i = self.buffer, self.position
        assert i is not None
        while i < len(buffer):
            char = buffer[i]
            if char == '"':
                self.done = True
                i += 1
                break
            if char != "\\":
                out.append(char)
                i += 1
                continue
            decoded, used = self._escape(buffer, i)
            if used == 0:
                break  # the escape is split across pieces: wait for the rest
            out.append(decoded)
            i += used
        self.position = i
        return "".join(out)

    def _escape(self, buffer: str, i: int) -> tuple[str, int]:
        if i + 1 >= len(buffer):
            return "", 0
        kind = buffer[i + 1]
        if kind != "u":
            return self._ESCAPES.get(kind, kind), 2
        if i + 6 > len(buffer):
            return "", 0
        code = int(buffer[i + 2 : i + 6], 16)
        if 0xD800 <= code <= 0xDBFF:  # a surrogate pair: \uD83D\uDE00
            if i + 12 > len(buffer):
                return "", 0
            low = int(buffer[i + 8 : i + 12], 16)
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), 12
        return chr(code), 6


# --------------------------------------------------------------------------- secrets


class _Redactor(logging.Filter):
    """Removes secrets from log records (ours are clean; the SDK's may quote error bodies)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            clean = self.scrub(message)
            if clean != message:
                record.msg, record.args = clean, ()
        return True


_REDACTOR = _Redactor()
_SDK_LOGGERS = ("google_genai._api_client", "google_genai.models", "google_genai.types",
                "google_genai._common", "google_genai._transformers")


def _protect(secret: str) -> None:
    if len(secret) >= 4:
        _REDACTOR.secrets.add(secret)
    for name in _SDK_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


# --------------------------------------------------------------------------- the brain


class _Blocked(Exception):
    """The prompt itself was blocked (``promptFeedback.blockReason``)."""


class _Filtered(Exception):
    """A content filter stopped the reply (a filter finish reason), maybe after some text."""


@dataclass
class _Call:
    """What one model call has told us so far: for accounting and logs, never content."""

    purpose: str  # turn | report
    started: float
    usage: Any = None  # the latest usage_metadata (cumulative in a stream)
    finish: str | None = None
    response_id: str | None = None

    def observe(self, response: types.GenerateContentResponse) -> None:
        self.usage = response.usage_metadata or self.usage
        self.response_id = response.response_id or self.response_id
        self.finish = _finish_reason(response) or self.finish

    @property
    def tokens(self) -> tuple[int, int]:
        """(input, output) tokens; output includes thinking, which is billed as output."""
        usage = self.usage
        if usage is None:
            return 0, 0
        return (usage.prompt_token_count or 0,
                (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0))


class _WaitRetryInfo(tenacity.wait.wait_base):
    """Wait as long as a 429's RetryInfo asks; without one, the fallback backoff."""

    def __init__(self, fallback: tenacity.wait.wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        delay = (quota_signal(error.details).retry_after
                 if isinstance(error, genai_errors.APIError) else None)
        return self.fallback(retry_state) if delay is None else delay


class GeminiBrain(Brain):
    # Transcript entries sent verbatim each turn; older ones go in as a running summary.
    recent_entries: int = prompts.RECENT_ENTRIES

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
        _protect(api_key)
        self.model = model
        self.name = f"gemini:{model}"
        self.retry_attempts = retry_attempts
        self.retry_initial_delay = retry_initial_delay
        self.retry_max_delay = retry_max_delay
        self.rate_limit_wait_seconds = rate_limit_wait_seconds
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

    def _config(self, **fields: Any) -> types.GenerateContentConfig:
        """What every call shares: JSON out, no logging on Google's side, no tools."""
        return types.GenerateContentConfig(
            response_mime_type="application/json",
            store=False,  # the request and reply are not kept in the project's API logs
            # No tools are sent; this also keeps the SDK from logging "AFC is enabled".
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            **fields,
        )

    # ----------------------------------------------------------------- calls and rate limits

    def _worth_waiting(self, error: BaseException) -> bool:
        """A 429 whose quota frees up soon: not per day, and RetryInfo asks for little."""
        if not isinstance(error, genai_errors.APIError) or error.code != 429:
            return False
        signal = quota_signal(error.details)
        return not signal.per_day and (signal.retry_after is None
                                       or signal.retry_after <= self.rate_limit_wait_seconds)

    def _retrying(self, call: _Call, session: Session | None) -> tenacity.AsyncRetrying:
        def before_sleep(state: tenacity.RetryCallState) -> None:
            wait = state.next_action.sleep if state.next_action else 0.0
            log.info("gemini.rate_limited", purpose=call.purpose,
                     session=session.id if session else None,
                     model=self.model, attempt=state.attempt_number, wait_s=round(wait, 2))

        backoff = tenacity.wait_exponential_jitter(
            initial=self.retry_initial_delay, max=self.retry_max_delay,
            jitter=self.retry_initial_delay)
        return tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception(self._worth_waiting),
            wait=_WaitRetryInfo(backoff),
            stop=tenacity.stop_after_attempt(self.retry_attempts),
            reraise=True,
            before_sleep=before_sleep,
        )

    async def _generate(self, call: _Call, session: Session | None,
                        **kwargs: Any) -> types.GenerateContentResponse:
        async for attempt in self._retrying(call, session):
            with attempt:
                response = await self.client.aio.models.generate_content(
                    model=self.model, **kwargs)
        return response

    async def _open_stream(self, call: _Call, session: Session, **kwargs: Any) -> tuple[
            AsyncIterator[types.GenerateContentResponse], types.GenerateContentResponse | None]:
        """Start a stream and read its first chunk: the request (and any 429) happens then."""
        async for attempt in self._retrying(call, session):
            with attempt:
                stream = await self.client.aio.models.generate_content_stream(
                    model=self.model, **kwargs)
                first = await anext(stream, None)
        return stream, first

    # ----------------------------------------------------------------- turns

    def _turn_call(self, request: TurnRequest) -> tuple[str, types.GenerateContentConfig]:
        session = request.session
        summary = prompts.summarise_older(session, self.recent_entries)
        if summary:
            session.brain_notes["summary"] = summary
            session.brain_notes["summary_covers_entries"] = str(
                max(0, len(session.transcript) - self.recent_entries))
        config = self._config(
            system_instruction=prompts.system_instruction(request.role, session),
            response_schema=turn_schema(request.allowed),
            max_output_tokens=TURN_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=True),
        )
        return prompts.turn_prompt(request, summary, self.recent_entries), config

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        session = request.session
        prompt, config = self._turn_call(request)
        call = _Call("turn", time.perf_counter())
        try:
            response = await self._generate(call, session, contents=prompt, config=config)
            call.observe(response)
            plan = parse_plan(self._response_text(call, response, session))
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, call, session) from None
        self._count(session, call)
        return plan

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        session = request.session
        prompt, config = self._turn_call(request)
        call = _Call("turn", time.perf_counter())
        extractor = MessageExtractor()
        try:
            stream, chunk = await self._open_stream(call, session, contents=prompt, config=config)
            while chunk is not None:
                call.observe(chunk)
                _raise_if_blocked(chunk)
                delta = extractor.feed(_chunk_text(chunk))
                if delta:
                    yield TextDelta(text=delta)
                chunk = await anext(stream, None)
            plan = parse_plan(self._finished_text(call, extractor.buffer, session))
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, call, session) from None
        self._count(session, call)
        yield plan

    # ----------------------------------------------------------------- report

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        session = request.session
        prompt = prompts.report_prompt(request)
        config = self._config(
            system_instruction=prompts.report_instruction(),
            response_schema=ReportDraft,
            max_output_tokens=REPORT_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=False),
            # The longest call gets its own limit instead of the turns' one.
            http_options=types.HttpOptions(timeout=self.report_timeout_ms),
        )
        contents: list[types.Content] = [_user(prompt)]
        for attempt in (1, 2):
            call = _Call("report", time.perf_counter())
            text = ""
            try:
                response = await self._generate(call, session, contents=contents, config=config)
                call.observe(response)
                text = self._response_text(call, response, session)
                report = build_report(request, parse_report(_json_object(text)), self.name)
            except _InvalidOutput as invalid:
                self._count(session, call, outcome="invalid_output")  # billed all the same
                log.warning("gemini.report_invalid", session=session.id, attempt=attempt,
                            reason=str(invalid))
                if attempt == 2:
                    raise BrainError(UNREADABLE, usage=call.tokens) from None
                # One retry, telling the model exactly what was wrong with its answer.
                retry_note = _user(f"That report was rejected: {invalid}. Reply with the "
                                   "corrected JSON report only.")
                contents = [_user(prompt), _model(text), retry_note] if text else [_user(prompt)]
                continue
            except Exception as error:  # noqa: BLE001
                raise self._brain_error(error, call, session) from None
            self._count(session, call)
            return report
        raise BrainError(UNREADABLE)  # pragma: no cover - the loop always returns or raises

    # ----------------------------------------------------------------- hearing

    async def transcribe_audio(self, wav: bytes) -> str:
        """A spoken answer's words, verbatim with its fillers (``core.audio`` calls this).

        Failures become ``BrainError`` like any model call: the interview is untouched.
        """
        config = self._config(
            system_instruction=prompts.TRANSCRIBE_INSTRUCTION,
            temperature=0.0,
            max_output_tokens=TRANSCRIBE_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=True),
        )
        contents = [types.Content(role="user", parts=[
            types.Part.from_bytes(data=wav, mime_type="audio/wav"),
            types.Part.from_text(text=prompts.TRANSCRIBE_PROMPT),
        ])]
        call = _Call("transcribe", time.perf_counter())
        try:
            response = await self._generate(call, None, contents=contents, config=config)
            call.observe(response)
            text = self._response_text(call, response, None).strip()
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, call, None) from None
        self._count(None, call)
        return "" if text.strip("[]. ").lower() == prompts.NO_SPEECH else text

    # ----------------------------------------------------------------- reading replies

    def _response_text(self, call: _Call, response: types.GenerateContentResponse,
                       session: Session | None) -> str:
        _raise_if_blocked(response)
        return self._finished_text(call, _chunk_text(response), session)

    def _finished_text(self, call: _Call, text: str, session: Session | None) -> str:
        """The reply's text, once its finish reason says it can be used."""
        if call.finish in FILTER_FINISHES:
            raise _Filtered(call.finish)  # even after partial text: rephrasing is the fix
        if call.finish is not None and call.finish not in COMPLETE_FINISHES:
            # MAX_TOKENS, OTHER, MALFORMED_RESPONSE...: the JSON is probably cut short.
            log.warning("gemini.incomplete_finish", purpose=call.purpose,
                        session=session.id if session else None,
                        model=self.model, finish_reason=call.finish, chars=len(text))
        if not text.strip():
            raise _InvalidOutput(f"empty reply (finish reason {call.finish or 'none'})")
        return text

    # ----------------------------------------------------------------- accounting and errors

    def _count(self, session: Session | None, call: _Call, outcome: str = "ok") -> None:
        if call.usage is None:
            return  # no reply reached us, so there is nothing to count
        tokens_in, tokens_out = call.tokens
        if session is not None:  # a transcription comes before any turn: logged, not stored
            session.usage.add(tokens_in, tokens_out)
        log.info("gemini.call", purpose=call.purpose, session=session.id if session else None,
                 model=self.model,
                 outcome=outcome, finish_reason=call.finish, response_id=call.response_id,
                 tokens_in=tokens_in, tokens_out=tokens_out,
                 session_tokens_in=session.usage.input_tokens if session else None,
                 session_tokens_out=session.usage.output_tokens if session else None,
                 ms=round((time.perf_counter() - call.started) * 1000, 1))

    def _brain_error(self, error: Exception, call: _Call, session: Session | None) -> BrainError:
        """Translate any failure into a friendly BrainError; log a scrubbed, text-free reason."""
        brain_error, reason, status = self._classify(error)
        self._count(session, call, outcome=reason)  # a blocked prompt or a cut reply is billed
        if call.usage is not None:
            brain_error.usage = call.tokens
        log.warning("gemini.failed", purpose=call.purpose, session=session.id if session else None,
                    model=self.model,
                    reason=reason, status=status, finish_reason=call.finish,
                    error=type(error).__name__,
                    detail=_REDACTOR.scrub(excerpt(str(error), 240)))
        return brain_error

    def _classify(self, error: Exception) -> tuple[BrainError, str, int | None]:
        if isinstance(error, _Blocked):
            return BrainError(BLOCKED, retryable=False), "blocked", None
        if isinstance(error, _Filtered):
            return BrainError(FILTERED, retryable=False), "filtered", None
        if isinstance(error, BrainError):
            return error, "brain_error", None
        if isinstance(error, _InvalidOutput):
            return BrainError(UNREADABLE), "invalid_output", None
        if isinstance(error, genai_errors.APIError):
            if error.code == 429:
                return self._rate_limit_error(error)
            if error.code in SDK_RETRY_STATUS_CODES:
                return BrainError(BUSY), "api_error", error.code
            return BrainError(MISCONFIGURED, retryable=False), "api_error", error.code
        if isinstance(error, TimeoutError):
            return BrainError(TIMED_OUT), "timeout", None
        # transport: aiohttp.ClientPayloadError, ServerDisconnectedError, OSError...
        return BrainError(DROPPED), "transport", None

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
        if signal.retry_after is not None:
            message = RATE_LIMITED.format(wait=say_wait(signal.retry_after))
            return BrainError(message), "rate_limited", 429
        return BrainError(BUSY), "rate_limited", 429


# --------------------------------------------------------------------------- helpers


def _user(text: str) -> types.Content:
    return types.Content(role="user", parts=[types.Part(text=text)])


def _model(text: str) -> types.Content:
    return types.Content(role="model", parts=[types.Part(text=text)])


def _value(enum_or_str: Any) -> str | None:
    return None if enum_or_str is None else str(getattr(enum_or_str, "value", enum_or_str))


def _finish_reason(response: types.GenerateContentResponse) -> str | None:
    if not response.candidates:
        return None
    return _value(response.candidates[0].finish_reason)


def _chunk_text(response: types.GenerateContentResponse) -> str:
    """The answer text of a response or chunk, without 'thought' parts or signatures."""
    if not response.candidates or not response.candidates[0].content:
        return ""
    parts = response.candidates[0].content.parts or []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _raise_if_blocked(response: types.GenerateContentResponse) -> None:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise _Blocked(_value(feedback.block_reason))


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


def _json_object(text: str) -> dict[str, Any]:
    """Parse the model's JSON, tolerating a Markdown code fence around it (``.parsed`` does not)."""
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _InvalidOutput(f"not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(data, dict):
        raise _InvalidOutput("the JSON is not an object")
    return data


def parse_plan(text: str) -> TurnPlan:
    data = _json_object(text)
    if isinstance(data.get("message"), str):
        data["message"] = data["message"].strip()
    try:
        return TurnPlan.model_validate(data)
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
        raise _InvalidOutput(f"turn plan fields missing or invalid: {fields}") from None
