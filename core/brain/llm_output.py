"""What a model's reply must look like, and how it is read: schemas, streaming JSON, parsing.

Every model brain reads replies the same way, whatever the provider and whether the
server enforced the schema or not: the JSON object is taken from the text (alone, in a
code fence, or inside prose), validated, and rejected with a reason that is safe to log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, create_model
from pydantic_core import from_json

from core.brain.base import Move, TurnPlan
from core.brain.llm_report import InvalidOutput, OffSchema
from core.models import Persona

__all__ = ["InvalidOutput", "Message", "MessageExtractor", "OffSchema", "json_object",
           "parse_plan", "retry_conversation", "turn_schema"]

Speaker = Literal["user", "model"]
Message = tuple[Speaker, str]  # one turn of the conversation sent to the model


# --------------------------------------------------------------------------- output schema


def turn_schema(allowed: Iterable[Move]) -> type[BaseModel]:
    """The turn-plan schema sent to the model, its ``move`` limited to the moves core allows.

    The limit guides the model; the reply is still parsed against every ``Move`` so that
    core, not the brain, is the one that overrides a move outside ``allowed``.
    """
    values = tuple(move.value for move in allowed)
    return create_model(
        "TurnPlanOutput",
        read=(Persona, ...),
        move=(Literal[values], ...),  # type: ignore[valid-type]
        message=(str, ...),
    )


# --------------------------------------------------------------------------- streaming


class MessageExtractor:
    """Hands out the ``"message"`` string of a JSON object while the object is still written.

    The turn plan streams as JSON text in arbitrary pieces (after any prose or code fence a
    model puts before it). Each piece, the object so far is read with pydantic-core's
    partial JSON parser, which keeps an unfinished string (escapes split anywhere
    included); the new characters of ``message`` are handed out. The complete reply is
    parsed at the end and is authoritative.
    """

    def __init__(self) -> None:
        self.buffer = ""
        self.message = ""  # what has been handed out
        self.done = False  # the message string is closed

    def feed(self, piece: str) -> str:
        self.buffer += piece
        start = self.buffer.find("{")
        if self.done or start < 0:
            return ""
        text = self.buffer[start:]
        try:
            partial = from_json(text, allow_partial="trailing-strings")
            closed = from_json(text, allow_partial=True)  # drops an unfinished string
        except ValueError:
            return ""  # not JSON after all (or text after it): the final parse decides
        message = partial.get("message") if isinstance(partial, dict) else None
        if not isinstance(message, str) or not message.startswith(self.message):
            return ""
        new, self.message = message[len(self.message):], message
        self.done = isinstance(closed, dict) and "message" in closed
        return new


# --------------------------------------------------------------------------- parsing

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)
_MAX_OBJECT_STARTS = 20  # '{' positions tried when the JSON sits inside prose


def json_object(text: str) -> dict[str, Any]:
    """The model's JSON object: alone, in a Markdown code fence, or inside prose around it.

    Servers without structured output (many local ones) often wrap the object in a
    sentence or a fence; the object is taken from the text and validated like any other.
    """
    fenced = _FENCE.match(text)
    try:
        data = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError as error:
        data = _embedded_object(text)
        if data is None:
            raise OffSchema(f"not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(data, dict):
        raise OffSchema("the JSON is not an object")
    return data


def _embedded_object(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(_MAX_OBJECT_STARTS):
        if start < 0:
            return None
        try:
            data, _end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(data, dict):
            return data
        start = text.find("{", start + 1)
    return None


def parse_plan(text: str) -> TurnPlan:
    data = json_object(text)
    if isinstance(data.get("message"), str):
        data["message"] = data["message"].strip()
    try:
        return TurnPlan.model_validate(data)
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
        raise OffSchema(f"turn plan fields missing or invalid: {fields}") from None


def retry_conversation(prompt: str, text: str, invalid: InvalidOutput, what: str) -> list[Message]:
    """Ask again, telling the model exactly what was wrong with its reply."""
    if not text:
        return [("user", prompt)]
    note = f"That {what} was rejected: {invalid}. Reply with the corrected JSON {what} only."
    return [("user", prompt), ("model", text), ("user", note)]
