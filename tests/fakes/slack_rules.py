"""What Slack refuses in a message, as the fake Slack checks it.

Slack answers HTTP 200 with ``{"ok": false, "error": ...}`` for a message it will not
take. ``invalid_blocks`` names the offending field in ``response_metadata.messages``
(``[ERROR] ... [json-pointer:/blocks/3/text/text]``); a message whose blocks hold
too much text altogether is ``msg_blocks_too_long``. The limits are Block Kit's
documented ones; the total is what Slack enforces in practice (about 12,000
characters of text across a message's blocks).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_BLOCKS = 50
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ID_LENGTH = 255  # action_id and block_id
MARKDOWN_TEXT = 12_000  # a markdown block, and markdown_text of the chat.*Stream methods
MESSAGE_BLOCKS_TEXT = 12_000  # all text in one message's blocks: msg_blocks_too_long past it
MESSAGE_TEXT = 40_000  # the top-level ``text``: Slack refuses (msg_too_long) past it
KNOWN_BLOCKS = {"section", "header", "context", "actions", "divider", "markdown", "image",
                "rich_text", "input", "file", "video"}


@dataclass
class Refusal:
    """Why Slack refused a message: an error code and, for invalid_blocks, the details."""

    error: str
    messages: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["errors"] = self.messages
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


def parse_blocks(raw: Any) -> list[dict] | None:
    """Blocks as an app sends them: a JSON list, or a JSON string of one (form encoding)."""
    if raw is None or raw == "":
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def check_message(args: dict[str, Any], *, max_total: int = MESSAGE_BLOCKS_TEXT,
                  need_content: bool = True) -> Refusal | None:
    """A chat.postMessage / chat.update / response_url message, as Slack judges it."""
    try:
        blocks = parse_blocks(args.get("blocks"))
    except ValueError:
        return Refusal("invalid_blocks_format")
    text = str(args.get("text") or "")
    if need_content and not blocks and not text.strip() and not args.get("markdown_text"):
        return Refusal("no_text")
    if len(text) > MESSAGE_TEXT:
        return Refusal("msg_too_long")
    if blocks is None:
        return None
    return check_blocks(blocks, max_total=max_total)


def check_blocks(blocks: Any, *, max_total: int = MESSAGE_BLOCKS_TEXT) -> Refusal | None:
    if not isinstance(blocks, list):
        return Refusal("invalid_blocks_format")
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        problems += _check_block(block, f"/blocks/{index}", block_ids)
    if problems:
        return Refusal("invalid_blocks", problems)
    if blocks_text_size(blocks) > max_total:
        return Refusal("msg_blocks_too_long")
    return None


def blocks_text_size(blocks: list[dict]) -> int:
    """The characters of text a message's blocks hold (what the total limit counts)."""
    return sum(len(text) for text in _texts(blocks))


def _texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(str(block["text"].get("text", "")))
        elif isinstance(block.get("text"), str):  # a markdown block
            found.append(block["text"])
        for item in block.get("fields") or []:
            found.append(str(item.get("text", "")))
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), dict):
                found.append(str(element["text"].get("text", "")))
            elif isinstance(element.get("text"), str):
                found.append(element["text"])
    return found


def _length(pointer: str, text: Any, limit: int) -> list[str]:
    size = len(str(text or ""))
    if size == 0:
        return [f"must be more than 0 characters [json-pointer:{pointer}]"]
    if size > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _check_block(block: dict, at: str, block_ids: set[str]) -> list[str]:
    kind = block.get("type")
    if kind not in KNOWN_BLOCKS:
        return [f"unsupported type: {kind} [json-pointer:{at}/type]"]
    problems: list[str] = []
    block_id = block.get("block_id")
    if block_id is not None:
        if len(str(block_id)) > ID_LENGTH:
            problems.append(f"must be less than {ID_LENGTH + 1} characters "
                            f"[json-pointer:{at}/block_id]")
        if block_id in block_ids:
            problems.append(f"duplicate block_id [json-pointer:{at}/block_id]")
        block_ids.add(block_id)
    if kind == "section":
        if "text" not in block and not block.get("fields"):
            problems.append(f"must provide text or fields [json-pointer:{at}]")
        if "text" in block:
            problems += _length(f"{at}/text/text", block["text"].get("text"), SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            problems.append(f"no more than {SECTION_FIELDS} items allowed "
                            f"[json-pointer:{at}/fields]")
        for n, item in enumerate(fields):
            problems += _length(f"{at}/fields/{n}/text", item.get("text"), FIELD_TEXT)
    elif kind == "header":
        text = block.get("text") or {}
        if text.get("type") != "plain_text":
            problems.append(f"must be plain_text [json-pointer:{at}/text/type]")
        problems += _length(f"{at}/text/text", text.get("text"), HEADER_TEXT)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > CONTEXT_ELEMENTS:
            problems.append(f"must have 1 to {CONTEXT_ELEMENTS} items "
                            f"[json-pointer:{at}/elements]")
        for n, element in enumerate(elements):
            if element.get("type") in ("mrkdwn", "plain_text"):
                problems += _length(f"{at}/elements/{n}/text", element.get("text"), CONTEXT_TEXT)
    elif kind == "actions":
        problems += _check_actions(block, at)
    elif kind == "markdown":
        problems += _length(f"{at}/text", block.get("text"), MARKDOWN_TEXT)
    return problems


def _check_actions(block: dict, at: str) -> list[str]:
    problems: list[str] = []
    elements = block.get("elements") or []
    if not elements or len(elements) > ACTIONS_ELEMENTS:
        problems.append(f"must have 1 to {ACTIONS_ELEMENTS} items [json-pointer:{at}/elements]")
    action_ids: set[str] = set()
    for n, element in enumerate(elements):
        where = f"{at}/elements/{n}"
        action_id = element.get("action_id")
        if action_id is not None:
            if len(str(action_id)) > ID_LENGTH or action_id in action_ids:
                problems.append(f"invalid or duplicate action_id [json-pointer:{where}/action_id]")
            action_ids.add(action_id)
        if element.get("type") == "button":
            problems += _length(f"{where}/text/text", (element.get("text") or {}).get("text"),
                                BUTTON_TEXT)
            if len(str(element.get("value") or "")) > BUTTON_VALUE:
                problems.append(f"must be less than {BUTTON_VALUE + 1} characters "
                                f"[json-pointer:{where}/value]")
    return problems


def check_stream_text(args: dict[str, Any]) -> Refusal | None:
    """markdown_text and markdown_text chunks of chat.*Stream: 12,000 characters each."""
    texts = [str(args.get("markdown_text") or "")]
    try:
        chunks = parse_blocks(args.get("chunks")) or []
    except ValueError:
        return Refusal("invalid_arguments")
    for chunk in chunks:
        if chunk.get("type") != "markdown_text":
            continue
        texts.append(str(chunk.get("text") or ""))
    if any(len(text) > MARKDOWN_TEXT for text in texts):
        return Refusal("msg_too_long")
    return None


ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
MENTION = re.compile(r"<(?:!channel|!here|!everyone|!subteam\^[^>]*|@[UW][A-Z0-9]+|#C[A-Z0-9]+)"
                     r"(?:\|[^>]*)?>")


def render_markdown(text: str) -> tuple[str, list[str]]:
    """What a person reads of streamed ``markdown_text``, and the live mentions in it.

    Slack's markdown is standard markdown: a backslash escapes any ASCII punctuation
    (the documented way to show a special character), ``**`` marks bold, and HTML
    entities are not markdown, so ``&amp;`` is shown as it is written. A ``<@U…>`` or
    ``<!channel>`` written without escapes is taken as a mention.
    """
    shown: list[str] = []
    live: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in ASCII_PUNCTUATION:
            shown.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            i += 2
            continue
        if char == "<" and (match := MENTION.match(text, i)):
            live.append(match.group(0))
        shown.append(char)
        i += 1
    return "".join(shown), live
