"""What every model brain shares, whatever the provider: a provider is a small module.

``ModelBrain`` runs a turn and a report the same way for every provider: the prompts
(``llm_prompts``), the output schemas, the message decoded while the JSON streams in and
the parsing (``llm_output``), the checks of a report (``llm_report``), one retry that tells the model
why its reply was rejected, rate-limit retries that honour the server's wait, token
accounting and logs, and friendly errors (``llm_failures``). A provider module supplies
the SDK calls: ``_complete`` (one reply), ``_stream`` (the reply's text as it arrives),
and how to read its errors (``_provider_error``, ``_status``, ``_retry_after``).

Logs name the provider (``gemini.call``, ``openai.failed``...) and never hold the
candidate's words or a key: keys are scrubbed from every log line, the SDKs' included.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

import structlog
import tenacity
from pydantic import BaseModel

from core.brain import llm_prompts as prompts
from core.brain.base import Brain, ReportRequest, TurnPlan, TurnRequest
from core.brain.llm_failures import (
    BLOCKED,
    BUSY,
    DROPPED,
    FALLBACK_NOTICE,
    FILTERED,
    RATE_LIMITED,
    TIMED_OUT,
    UNREADABLE,
    say_wait,
)
from core.brain.llm_output import (
    Message,
    MessageExtractor,
    json_object,
    parse_plan,
    retry_conversation,
    turn_schema,
)
from core.brain.llm_report import InvalidOutput, ReportDraft, build_report, parse_report
from core.errors import BrainError
from core.models import TextDelta
from core.report import FeedbackReport
from core.session import Session
from core.text import excerpt

log = structlog.get_logger(__name__)

class Blocked(Exception):
    """The model or its service would not answer at all (a blocked prompt, a refusal)."""


class Filtered(Exception):
    """A content filter stopped the reply, maybe after some text."""


# --------------------------------------------------------------------------- secrets


class Redactor(logging.Filter):
    """Removes secrets from log records (ours are clean; an SDK's may quote error bodies)."""

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


REDACTOR = Redactor()


def protect(secret: str, loggers: Iterable[str]) -> None:
    """Scrub ``secret`` from our errors and from these loggers (filters do not inherit)."""
    if len(secret) >= 4:
        REDACTOR.secrets.add(secret)
    for name in loggers:
        logger = logging.getLogger(name)
        if REDACTOR not in logger.filters:
            logger.addFilter(REDACTOR)


# --------------------------------------------------------------------------- the brain


def _id(session: Session | None) -> str | None:
    return session.id if session is not None else None


@dataclass
class Call:
    """What one model call has told us so far: for accounting and logs, never content."""

    purpose: str  # turn | report
    started: float = field(default_factory=time.perf_counter)
    usage: tuple[int, int] | None = None  # (input, output) tokens; None: nothing billed yet
    cached: int = 0  # of the input tokens, those a prompt cache served (cheaper)
    finish: str | None = None
    response_id: str | None = None

    @property
    def tokens(self) -> tuple[int, int]:
        return self.usage or (0, 0)


class _WaitRetryAfter(tenacity.wait.wait_base):
    """Wait as long as the server asks; without a figure, the fallback backoff."""

    def __init__(self, brain: ModelBrain, fallback: tenacity.wait.wait_base) -> None:
        self.brain, self.fallback = brain, fallback

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        delay = self.brain._retry_after(error) if isinstance(error, Exception) else None
        return self.fallback(retry_state) if delay is None else delay


class ModelBrain(Brain):
    """A brain that asks a language model; subclasses supply the provider's SDK calls."""

    provider = "model"  # names the log events: gemini.call, openai.failed...
    recent_entries: int = prompts.RECENT_ENTRIES  # transcript entries sent verbatim per turn
    earlier_entry_chars: int = prompts.EARLIER_ENTRY_CHARS  # of those, on an earlier question
    # Finish reasons of a complete reply, and those of a filter stop (lower-cased).
    complete_finishes: frozenset[str] = frozenset({"stop"})
    filter_finishes: frozenset[str] = frozenset()
    rate_limited_message = RATE_LIMITED
    # Turn calls before giving up on unreadable replies, and who writes the turn then
    # (None: the candidate is told and re-sends; a brain: it stands in, with a notice).
    turn_attempts = 1
    turn_fallback: Brain | None = None

    def __init__(self, *, model: str, rate_limit_wait_seconds: float, retry_attempts: int,
                 retry_initial_delay: float, retry_max_delay: float) -> None:
        self.model = model
        self.rate_limit_wait_seconds = rate_limit_wait_seconds
        self.retry_attempts = retry_attempts
        self.retry_initial_delay = retry_initial_delay
        self.retry_max_delay = retry_max_delay

    # ----------------------------------------------------------------- provider hooks

    async def _complete(self, call: Call, session: Session, system: str,
                        conversation: list[Message], schema: type[BaseModel]) -> str:
        """One whole reply's text; updates ``call`` (usage, finish, id); raises Blocked."""
        raise NotImplementedError

    def _stream(self, call: Call, session: Session, system: str, conversation: list[Message],
                schema: type[BaseModel]) -> AsyncIterator[str]:
        """The reply's text in pieces as it arrives; updates ``call``; raises Blocked."""
        raise NotImplementedError

    def _status(self, error: BaseException) -> int | None:
        """The HTTP status of an SDK error, if it is one."""
        return None

    def _retry_after(self, error: BaseException) -> float | None:
        """How long the server asked to wait before the next request, if it said."""
        return None

    def _worth_retrying(self, error: BaseException) -> bool:
        """Retried by us with backoff (default: a 429 whose wait is short)."""
        return self._status(error) == 429 and self._short_wait(error)

    def _provider_error(self, error: Exception) -> tuple[BrainError, str, int | None] | None:
        """The provider's reading of its own errors (None: not one of its errors)."""
        return None

    def _rejected(self, invalid: InvalidOutput) -> None:
        """A reply was unusable and will be asked for again (a provider may adapt)."""

    # ----------------------------------------------------------------- turns

    def _turn_inputs(self, request: TurnRequest) -> tuple[str, str]:
        """System instruction and prompt; keeps the running summary with the session."""
        session = request.session
        summary = prompts.summarise_older(session, self.recent_entries)
        if summary:
            session.brain_notes["summary"] = summary
            session.brain_notes["summary_covers_entries"] = str(
                max(0, len(session.transcript) - self.recent_entries))
        return (prompts.system_instruction(request.role, session),
                prompts.turn_prompt(request, summary, self.recent_entries,
                                    self.earlier_entry_chars))

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        system, prompt = self._turn_inputs(request)
        return await self._planned(request, system, prompt)

    async def _planned(self, request: TurnRequest, system: str, prompt: str,
                       rejected: tuple[str, InvalidOutput] | None = None,
                       attempt: int = 1) -> TurnPlan:
        """Whole-reply turn calls until one is readable, then the fallback if there is one."""
        session, schema = request.session, turn_schema(request.allowed)
        while attempt <= self.turn_attempts:
            conversation = (retry_conversation(prompt, *rejected, "reply") if rejected
                            else [("user", prompt)])
            call, text = Call("turn"), ""
            try:
                text = await self._complete(call, session, system, conversation, schema)
                plan = parse_plan(self._finished_text(call, text, session))
            except InvalidOutput as invalid:
                if attempt == self.turn_attempts and self.turn_fallback is None:
                    raise self._brain_error(invalid, call, session) from None
                self._unreadable_turn(session, call, invalid, attempt)
                rejected, attempt = (text, invalid), attempt + 1
                continue
            except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
                raise self._brain_error(error, call, session) from None
            self._count(session, call)
            return plan
        return await self._fallen_back(request)

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        session = request.session
        system, prompt = self._turn_inputs(request)
        call, extractor = Call("turn"), MessageExtractor()
        try:
            async for piece in self._stream(call, session, system, [("user", prompt)],
                                            turn_schema(request.allowed)):
                delta = extractor.feed(piece)
                if delta:
                    yield TextDelta(text=delta)
            plan = parse_plan(self._finished_text(call, extractor.buffer, session))
        except InvalidOutput as invalid:
            if self.turn_attempts == 1 and self.turn_fallback is None:
                raise self._brain_error(invalid, call, session) from None
            self._unreadable_turn(session, call, invalid, 1)
            # Asked again in one piece; surfaces replace the preview with the final reply.
            plan = await self._planned(request, system, prompt, (extractor.buffer, invalid), 2)
            yield TextDelta(text=("\n\n" if extractor.message else "") + plan.message)
            yield plan
            return
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, call, session) from None
        self._count(session, call)
        yield plan

    def _unreadable_turn(self, session: Session, call: Call, invalid: InvalidOutput,
                         attempt: int) -> None:
        self._count(session, call, outcome="invalid_output")  # billed all the same
        log.warning(f"{self.provider}.turn_invalid", session=session.id, model=self.model,
                    attempt=attempt, reason=str(invalid))
        self._rejected(invalid)

    async def _fallen_back(self, request: TurnRequest) -> TurnPlan:
        """The stand-in writes the turn; the candidate is told once per interview."""
        assert self.turn_fallback is not None
        session = request.session
        log.warning(f"{self.provider}.turn_fallback", session=session.id, model=self.model,
                    fallback=self.turn_fallback.name, move=request.move.value)
        plan = await self.turn_fallback.plan_turn(request)
        if session.brain_notes.get("fallback_noticed"):
            return plan
        session.brain_notes["fallback_noticed"] = "1"
        return plan.model_copy(update={"message": f"{FALLBACK_NOTICE}\n\n{plan.message}"})

    # ----------------------------------------------------------------- report

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        session = request.session
        system, prompt = prompts.report_instruction(), prompts.report_prompt(request)
        rejected: tuple[str, InvalidOutput] | None = None
        for attempt in (1, 2):
            conversation = (retry_conversation(prompt, *rejected, "report") if rejected
                            else [("user", prompt)])
            call, text = Call("report"), ""
            try:
                text = await self._complete(call, session, system, conversation, ReportDraft)
                draft = parse_report(json_object(self._finished_text(call, text, session)))
                report = build_report(request, draft, self.name)
            except InvalidOutput as invalid:
                self._count(session, call, outcome="invalid_output")  # billed all the same
                log.warning(f"{self.provider}.report_invalid", session=session.id,
                            attempt=attempt, reason=str(invalid))
                if attempt == 2:
                    raise BrainError(UNREADABLE, usage=call.tokens) from None
                self._rejected(invalid)
                rejected = (text, invalid)  # one retry, saying what was wrong
                continue
            except Exception as error:  # noqa: BLE001
                raise self._brain_error(error, call, session) from None
            self._count(session, call)
            return report
        raise BrainError(UNREADABLE)  # pragma: no cover - the loop always returns or raises

    # ----------------------------------------------------------------- reading replies

    def _finished_text(self, call: Call, text: str, session: Session | None) -> str:
        """The reply's text, once its finish reason says it can be used."""
        finish = (call.finish or "").lower()
        if finish in self.filter_finishes:
            raise Filtered(call.finish)  # even after partial text: rephrasing is the fix
        if finish and finish not in self.complete_finishes:
            # max tokens / length, other...: the JSON is probably cut short.
            log.warning(f"{self.provider}.incomplete_finish", purpose=call.purpose,
                        session=_id(session), model=self.model, finish_reason=call.finish,
                        chars=len(text))
        if not text.strip():
            raise InvalidOutput(f"empty reply (finish reason {call.finish or 'none'})")
        return text

    # ----------------------------------------------------------------- retries

    def _short_wait(self, error: BaseException) -> bool:
        delay = self._retry_after(error)
        return delay is None or delay <= self.rate_limit_wait_seconds

    def _retrying(self, call: Call, session: Session | None) -> tenacity.AsyncRetrying:
        def before_sleep(state: tenacity.RetryCallState) -> None:
            wait = state.next_action.sleep if state.next_action else 0.0
            error = state.outcome.exception() if state.outcome else None
            event = "rate_limited" if error and self._status(error) == 429 else "retrying"
            log.info(f"{self.provider}.{event}", purpose=call.purpose, session=_id(session),
                     model=self.model, attempt=state.attempt_number, wait_s=round(wait, 2),
                     status=self._status(error) if error else None)

        backoff = tenacity.wait_exponential_jitter(
            initial=self.retry_initial_delay, max=self.retry_max_delay,
            jitter=self.retry_initial_delay)
        return tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception(self._worth_retrying),
            wait=_WaitRetryAfter(self, backoff),
            stop=tenacity.stop_after_attempt(self.retry_attempts),
            reraise=True,
            before_sleep=before_sleep,
        )

    # ----------------------------------------------------------------- accounting and errors

    def _count(self, session: Session | None, call: Call, outcome: str = "ok") -> None:
        if call.usage is None:
            return  # no reply reached us, so there is nothing to count
        tokens_in, tokens_out = call.tokens
        if session is not None:  # a transcription comes before any turn: logged, not stored
            session.usage.add(tokens_in, tokens_out)
        log.info(f"{self.provider}.call", purpose=call.purpose, session=_id(session),
                 model=self.model, outcome=outcome, finish_reason=call.finish,
                 response_id=call.response_id, tokens_in=tokens_in, tokens_out=tokens_out,
                 tokens_cached=call.cached, session_tokens_in=session.usage.input_tokens if session else None,
                 session_tokens_out=session.usage.output_tokens if session else None,
                 ms=round((time.perf_counter() - call.started) * 1000, 1))

    def _brain_error(self, error: Exception, call: Call, session: Session | None) -> BrainError:
        """Translate any failure into a friendly BrainError; log a scrubbed, text-free reason."""
        brain_error, reason, status = self._classify(error)
        self._count(session, call, outcome=reason)  # a blocked prompt or a cut reply is billed
        if call.usage is not None:
            brain_error.usage = call.tokens
        log.warning(f"{self.provider}.failed", purpose=call.purpose, session=_id(session),
                    model=self.model, reason=reason, status=status, finish_reason=call.finish,
                    error=type(error).__name__,
                    detail=REDACTOR.scrub(excerpt(str(error), 240)))
        return brain_error

    def _classify(self, error: Exception) -> tuple[BrainError, str, int | None]:
        if isinstance(error, Blocked):
            return BrainError(BLOCKED, retryable=False), "blocked", None
        if isinstance(error, Filtered):
            return BrainError(FILTERED, retryable=False), "filtered", None
        if isinstance(error, BrainError):
            return error, "brain_error", None
        if isinstance(error, InvalidOutput):
            return BrainError(UNREADABLE), "invalid_output", None
        provider = self._provider_error(error)
        if provider is not None:
            return provider
        if isinstance(error, TimeoutError):
            return BrainError(TIMED_OUT), "timeout", None
        # transport: a connection reset, a body cut mid-way, DNS...
        return BrainError(DROPPED), "transport", None

    def _wait_error(self, retry_after: float | None) -> tuple[BrainError, str, int]:
        """A rate limit that waiting a little did not fix: say how long, when we know."""
        if retry_after is not None:
            message = self.rate_limited_message.format(wait=say_wait(retry_after))
            return BrainError(message), "rate_limited", 429
        return BrainError(BUSY), "rate_limited", 429
