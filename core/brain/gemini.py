"""The Gemini brain: the interviewer's words from Google's Gemini API via ``google-genai``.

Core still runs the interview. Each turn this brain receives core's chosen move and the
moves core would accept, asks Gemini for a structured turn plan (what it read in the
answer, the move, the message), and hands the plan back; core validates the move and
overrides any move outside ``allowed``. The report uses structured output too, and is
checked here (score range, required parts, evidence quoted from the transcript) before
core sees it.

Failure policy: every failure talking to the model (rate limit or server error after
bounded retries, timeout, blocked prompt or SAFETY finish without text, unreadable or
empty JSON, a stream cut mid-way, a bad key) becomes ``core.errors.BrainError`` with a
friendly ``user_message``. Core works on a copy of the session, so nothing is lost and
the same answer can be sent again. The API key is scrubbed from every log line and
error text, including the SDK's own log records.

This is the only module in ``core`` that imports the model SDK.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any, Literal, Protocol

import structlog
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, Field, ValidationError, create_model

from core.brain import gemini_prompts as prompts
from core.brain.base import Brain, Move, ReportRequest, TurnPlan, TurnRequest
from core.errors import BrainError
from core.models import Persona, TextDelta
from core.report import (
    EvidencedPoint,
    FeedbackReport,
    Ownership,
    QuestionReview,
    Score,
    Scores,
    Specificity,
    StarElements,
)
from core.session import Session
from core.text import excerpt

log = structlog.get_logger(__name__)

# A current GA Flash model (see the README's Gemini section for the evidence and how to change it).
DEFAULT_MODEL = "gemini-3.8-flash"
DEFAULT_TIMEOUT_SECONDS = 30.0
RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504]
# Output caps include any thinking tokens, so they leave room beyond the JSON itself.
TURN_MAX_OUTPUT_TOKENS = 4_096
REPORT_MAX_OUTPUT_TOKENS = 16_384
TRANSCRIBE_MAX_OUTPUT_TOKENS = 4_096  # five minutes of speech is under 1,000 words

BUSY = ("The AI interviewer is busy right now (rate limit or service error). Your interview "
        "is saved: please send your answer again in a moment.")
TIMED_OUT = ("The AI interviewer took too long to answer. Your interview is saved: please "
             "send your answer again.")
BLOCKED = ("The AI service's safety filter stopped the interviewer from replying to that. "
           "Your interview is saved: please rephrase your answer and send it again.")
UNREADABLE = ("The AI interviewer sent back a reply I couldn't read. Your interview is saved: "
              "please send your answer again.")
DROPPED = ("The connection to the AI interviewer dropped mid-reply. Your interview is saved: "
           "please send your answer again.")
MISCONFIGURED = ("The AI interviewer isn't set up correctly (the AI service rejected the "
                 "request; the operator should check the API key and model name). Your "
                 "interview is saved.")

_SAFETY_FINISHES = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION",
                    "IMAGE_SAFETY", "LANGUAGE"}


class GeminiSettings(Protocol):
    """What ``from_settings`` reads (``bot.settings.Settings`` fits; core never imports bot)."""

    gemini_api_key: Any  # SecretStr | None
    gemini_model: str
    gemini_base_url: str | None
    gemini_timeout_seconds: float


# --------------------------------------------------------------------------- output schemas


class DraftPoint(BaseModel):
    point: str
    evidence: str = Field(description="A short verbatim quote from the candidate's answers.")


class DraftScore(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


class DraftScores(BaseModel):
    communication: DraftScore
    technical: DraftScore
    structure: DraftScore


class DraftQuestion(BaseModel):
    number: int = Field(description="The question number from the transcript.")
    story_question: bool = Field(description="True when the question asks for a past situation.")
    situation: bool
    task: bool
    action: bool
    result: bool
    quantified_result: bool
    specificity: Specificity
    ownership: Ownership
    score: int | None = Field(None, ge=1, le=5)
    note: str
    stronger_answer: str | None = None


class ReportDraft(BaseModel):
    """What Gemini writes; converted to ``FeedbackReport`` once it has been checked."""

    summary: str
    strengths: list[DraftPoint]
    weaknesses: list[DraftPoint]
    scores: DraftScores | None = None
    questions: list[DraftQuestion]
    adaptation: str
    next_steps: list[str]


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


class _InvalidOutput(Exception):
    """The model answered, but not with something we can use (the reason is safe to log)."""


class GeminiBrain(Brain):
    # Transcript entries sent verbatim each turn; older ones go in as a running summary.
    recent_entries: int = prompts.RECENT_ENTRIES

    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
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
        self.client = client or genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                timeout=int(timeout_seconds * 1000),  # milliseconds
                retry_options=types.HttpRetryOptions(
                    attempts=retry_attempts,
                    initial_delay=retry_initial_delay,
                    max_delay=retry_max_delay,
                    exp_base=2,
                    jitter=retry_initial_delay,  # random extra wait, up to one initial delay
                    http_status_codes=RETRY_STATUS_CODES,
                ),
            ),
        )

    @classmethod
    def from_settings(cls, settings: GeminiSettings) -> GeminiBrain:
        key = settings.gemini_api_key
        secret = key.get_secret_value() if hasattr(key, "get_secret_value") else str(key or "")
        return cls(api_key=secret, model=settings.gemini_model or DEFAULT_MODEL,
                   base_url=settings.gemini_base_url or None,
                   timeout_seconds=settings.gemini_timeout_seconds)

    async def aclose(self) -> None:
        await self.client.aio.aclose()

    # ----------------------------------------------------------------- turns

    def _turn_call(self, request: TurnRequest) -> tuple[str, types.GenerateContentConfig]:
        session = request.session
        summary = prompts.summarise_older(session, self.recent_entries)
        if summary:
            session.brain_notes["summary"] = summary
            session.brain_notes["summary_covers_entries"] = str(
                max(0, len(session.transcript) - self.recent_entries))
        config = types.GenerateContentConfig(
            system_instruction=prompts.system_instruction(request.role, session),
            response_mime_type="application/json",
            response_schema=turn_schema(request.allowed),
            max_output_tokens=TURN_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=True),
        )
        return prompts.turn_prompt(request, summary, self.recent_entries), config

    async def plan_turn(self, request: TurnRequest) -> TurnPlan:
        prompt, config = self._turn_call(request)
        started = time.perf_counter()
        try:
            response = await self.client.aio.models.generate_content(
                model=self.model, contents=prompt, config=config)
            self._count(request.session, response.usage_metadata, "turn", started)
            return parse_plan(_response_text(response))
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, "turn", request.session) from None

    async def stream_turn(self, request: TurnRequest) -> AsyncIterator[TextDelta | TurnPlan]:
        prompt, config = self._turn_call(request)
        started = time.perf_counter()
        extractor = MessageExtractor()
        usage = None
        finish: str | None = None
        try:
            stream = await self.client.aio.models.generate_content_stream(
                model=self.model, contents=prompt, config=config)
            async for chunk in stream:
                _raise_if_blocked(chunk)
                usage = chunk.usage_metadata or usage
                finish = _finish_reason(chunk) or finish
                delta = extractor.feed(_chunk_text(chunk))
                if delta:
                    yield TextDelta(text=delta)
            self._count(request.session, usage, "turn", started)
            if not extractor.buffer.strip():
                raise _blocked_or_empty(finish)
            plan = parse_plan(extractor.buffer)
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, "turn", request.session) from None
        yield plan

    # ----------------------------------------------------------------- report

    async def write_report(self, request: ReportRequest) -> FeedbackReport:
        session = request.session
        prompt = prompts.report_prompt(request)
        config = types.GenerateContentConfig(
            system_instruction=prompts.report_instruction(),
            response_mime_type="application/json",
            response_schema=ReportDraft,
            max_output_tokens=REPORT_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=False),
        )
        contents: list[types.Content] = [_user(prompt)]
        for attempt in (1, 2):
            started = time.perf_counter()
            text = ""
            try:
                response = await self.client.aio.models.generate_content(
                    model=self.model, contents=contents, config=config)
                self._count(session, response.usage_metadata, "report", started)
                text = _response_text(response)
                return build_report(request, parse_report(text), self.name)
            except _InvalidOutput as invalid:
                log.warning("gemini.report_invalid", session=session.id, attempt=attempt,
                            reason=str(invalid))
                if attempt == 2:
                    raise BrainError(UNREADABLE) from None
                # One retry, telling the model exactly what was wrong with its answer.
                retry_note = _user(f"That report was rejected: {invalid}. Reply with the "
                                   "corrected JSON report only.")
                contents = [_user(prompt), _model(text), retry_note] if text else [_user(prompt)]
            except Exception as error:  # noqa: BLE001
                raise self._brain_error(error, "report", session) from None
        raise BrainError(UNREADABLE)  # pragma: no cover - the loop always returns or raises

    # ----------------------------------------------------------------- hearing

    async def transcribe_audio(self, wav: bytes) -> str:
        """A spoken answer's words, verbatim with its fillers (``core.audio`` calls this).

        Failures become ``BrainError`` like any model call: the interview is untouched.
        """
        config = types.GenerateContentConfig(
            system_instruction=prompts.TRANSCRIBE_INSTRUCTION,
            temperature=0.0,
            max_output_tokens=TRANSCRIBE_MAX_OUTPUT_TOKENS,
            thinking_config=thinking_for(self.model, chat=True),
        )
        contents = [types.Content(role="user", parts=[
            types.Part.from_bytes(data=wav, mime_type="audio/wav"),
            types.Part.from_text(text=prompts.TRANSCRIBE_PROMPT),
        ])]
        started = time.perf_counter()
        try:
            response = await self.client.aio.models.generate_content(
                model=self.model, contents=contents, config=config)
            text = _response_text(response)
        except Exception as error:  # noqa: BLE001 - every model failure becomes a BrainError
            raise self._brain_error(error, "transcribe", None) from None
        usage = response.usage_metadata
        log.info("gemini.call", purpose="transcribe", model=self.model,
                 tokens_in=(usage.prompt_token_count or 0) if usage else 0,
                 tokens_out=(usage.candidates_token_count or 0) if usage else 0,
                 ms=round((time.perf_counter() - started) * 1000, 1))
        text = text.strip()
        return "" if text.strip("[]. ").lower() == prompts.NO_SPEECH else text

    # ----------------------------------------------------------------- accounting and errors

    def _count(self, session: Session, usage: Any, purpose: str, started: float) -> None:
        tokens_in = (usage.prompt_token_count or 0) if usage else 0
        tokens_out = ((usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
                      if usage else 0)
        session.usage.add(tokens_in, tokens_out)
        log.info("gemini.call", purpose=purpose, session=session.id, model=self.model,
                 tokens_in=tokens_in, tokens_out=tokens_out,
                 session_tokens_in=session.usage.input_tokens,
                 session_tokens_out=session.usage.output_tokens,
                 ms=round((time.perf_counter() - started) * 1000, 1))

    def _brain_error(self, error: Exception, purpose: str, session: Session | None) -> BrainError:
        """Translate any failure into a friendly BrainError; log a scrubbed, text-free reason."""
        if isinstance(error, BrainError):
            brain_error, reason, status = error, "blocked", None
        elif isinstance(error, _InvalidOutput):
            brain_error, reason, status = BrainError(UNREADABLE), "invalid_output", None
        elif isinstance(error, genai_errors.APIError):
            status = error.code
            retryable = status in RETRY_STATUS_CODES
            brain_error = BrainError(BUSY if retryable else MISCONFIGURED, retryable=retryable)
            reason = "api_error"
        elif isinstance(error, TimeoutError):
            brain_error, reason, status = BrainError(TIMED_OUT), "timeout", None
        else:  # transport: aiohttp.ClientPayloadError, ServerDisconnectedError, OSError...
            brain_error, reason, status = BrainError(DROPPED), "transport", None
        log.warning("gemini.failed", purpose=purpose, session=session.id if session else None,
                    model=self.model,
                    reason=reason, status=status, error=type(error).__name__,
                    detail=_REDACTOR.scrub(excerpt(str(error), 240)))
        return brain_error


# --------------------------------------------------------------------------- helpers


def thinking_for(model: str, *, chat: bool) -> types.ThinkingConfig | None:
    """Low or no thinking for chat turns (latency); the model's default for the report.

    Gemini 3 models take a thinking level (3.8 Flash accepts LOW, MEDIUM, HIGH); Gemini 2.5
    Flash models take a token budget, where 0 turns thinking off. Other models keep their
    defaults, since a wrong setting is an error from the API.
    """
    if not chat:
        return None
    name = model.removeprefix("models/")
    if name.startswith("gemini-2.5-flash"):
        return types.ThinkingConfig(thinking_budget=0)
    if re.match(r"gemini-[3-9]", name):
        return types.ThinkingConfig(thinking_level=types.ThinkingLevel.LOW)
    return None


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
    """The answer text of a response or chunk, without any 'thought' parts."""
    if not response.candidates or not response.candidates[0].content:
        return ""
    parts = response.candidates[0].content.parts or []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _raise_if_blocked(response: types.GenerateContentResponse) -> None:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise BrainError(BLOCKED, retryable=False)


def _blocked_or_empty(finish: str | None) -> Exception:
    if finish in _SAFETY_FINISHES:
        return BrainError(BLOCKED, retryable=False)
    return _InvalidOutput(f"empty reply (finish reason {finish or 'none'})")


def _response_text(response: types.GenerateContentResponse) -> str:
    _raise_if_blocked(response)
    text = _chunk_text(response)
    if not text.strip():
        raise _blocked_or_empty(_finish_reason(response))
    return text


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


def parse_report(text: str) -> ReportDraft:
    data = _json_object(text)
    try:
        return ReportDraft.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5])
        raise _InvalidOutput(f"report does not match the schema ({problems})") from None


# --------------------------------------------------------------------------- report checks

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})
_ELLIPSIS = re.compile(r"\.\.\.|…")


def _normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).casefold().split())


def evidence_found(evidence: str, corpus: str) -> bool:
    """True when the quote (or each '...'-separated fragment of it) is in the candidate's words."""
    fragments = [_normalise(f).strip(" \"'.,;:!?-") for f in _ELLIPSIS.split(evidence)]
    fragments = [f for f in fragments if f]
    if not fragments or sum(len(f) for f in fragments) < 3:
        return False
    return all(fragment in corpus for fragment in fragments)


def build_report(request: ReportRequest, draft: ReportDraft, generated_by: str) -> FeedbackReport:
    """Check the draft against the session and turn it into the shared report model.

    Facts come from core (questions, answers, what was skipped); judgement comes from the
    model, and only when it is backed by the candidate's own words.
    """
    session, role = request.session, request.role
    answered = [i for i in range(len(session.questions)) if session.answers_to(i)]
    corpus = _normalise(" ".join(" ".join(session.answers_to(i)) for i in answered))
    if answered and draft.scores is None:
        raise _InvalidOutput("scores are required when questions were answered")
    if answered and not (draft.strengths or draft.weaknesses):
        raise _InvalidOutput("at least one strength or weakness with evidence is required")
    # Reasons name the point by position, not by its text: they are logged.
    labelled = [(f"strength {i}", p) for i, p in enumerate(draft.strengths, 1)] + [
        (f"weakness {i}", p) for i, p in enumerate(draft.weaknesses, 1)]
    for label, point in labelled:
        if not point.point.strip():
            raise _InvalidOutput(f"{label} has no text")
        if not evidence_found(point.evidence, corpus):
            raise _InvalidOutput(
                f"the evidence for {label} is not a verbatim quote from the candidate's answers")
    reviews = {q.number: q for q in draft.questions}
    missing = [i + 1 for i in answered if i + 1 not in reviews or reviews[i + 1].score is None]
    if missing:
        raise _InvalidOutput(f"answered questions without a scored review: {missing}")
    return FeedbackReport(
        role=role.name,
        difficulty=session.options.difficulty.value,
        summary=draft.summary.strip() or "Thanks for practising.",
        answered=len(answered),
        strengths=[EvidencedPoint(point=p.point, evidence=p.evidence) for p in draft.strengths],
        weaknesses=[EvidencedPoint(point=p.point, evidence=p.evidence) for p in draft.weaknesses],
        scores=_scores(draft.scores) if answered else None,
        questions=[_review(session, i, reviews.get(i + 1)) for i in range(len(session.questions))],
        adaptation=draft.adaptation,
        next_steps=[step for step in draft.next_steps if step.strip()],
        generated_by=generated_by,
    )


def _scores(scores: DraftScores | None) -> Scores | None:
    if scores is None:
        return None
    return Scores(**{name: Score(score=getattr(scores, name).score,
                                 reason=getattr(scores, name).reason.strip() or "—")
                     for name in ("communication", "technical", "structure")})


def _review(session: Session, index: int, draft: DraftQuestion | None) -> QuestionReview:
    question = session.questions[index]
    answers = session.answers_to(index)
    # Progress exists only for questions the interview reached.
    skipped = index < len(session.progress) and session.progress[index].skipped
    if draft is None or not answers:
        return QuestionReview(
            question=question.text, answer_excerpt=excerpt(" ".join(answers), 200),
            star="not_applicable" if not question.star else StarElements(),
            specificity=Specificity.low, ownership=Ownership.not_applicable, score=None,
            note="Skipped." if skipped else "Not answered.", skipped=skipped)
    star: StarElements | Literal["not_applicable"] = (
        StarElements(situation=draft.situation, task=draft.task, action=draft.action,
                     result=draft.result, quantified_result=draft.quantified_result)
        if draft.story_question else "not_applicable")
    return QuestionReview(
        question=question.text,
        answer_excerpt=excerpt(" ".join(answers), 200),
        star=star,
        specificity=draft.specificity,
        ownership=draft.ownership,
        score=draft.score,
        note=draft.note.strip() or "—",
        stronger_answer=(draft.stronger_answer or None) if (draft.score or 5) <= 3 else None,
        skipped=skipped,
    )
