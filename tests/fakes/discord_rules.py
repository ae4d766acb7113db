"""What Discord refuses in a message, and the permissions the fake Discord checks.

Discord answers a message it will not take with ``400 {"code": 50035, "message":
"Invalid Form Body", "errors": {...}}`` (the field and why), an empty one with
50006, and a missing permission with ``403 {"code": 50013}``. The limits are the
documented ones: 2,000 characters of content; 10 embeds with a title of 256, a
description of 4,096, 25 fields (name 256, value 1,024), a footer of 2,048 and
6,000 characters in all; 5 rows of at most 5 buttons, labels of 80 and custom ids
of 100 characters.
"""

from __future__ import annotations

from typing import Any

import discord

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBEDS_TOTAL = 6000
ROWS = 5
ROW_BUTTONS = 5
LABEL = 80
CUSTOM_ID = 100

P = discord.Permissions  # the flag values are Discord's own bit numbers
# What @everyone may do on a typical server, and the role the bot's invite link grants.
EVERYONE = P(view_channel=True, send_messages=True, send_messages_in_threads=True,
             create_public_threads=True, create_private_threads=True, embed_links=True,
             attach_files=True, read_message_history=True, add_reactions=True,
             use_application_commands=True).value
BOT_ROLE = P(view_channel=True, send_messages=True, send_messages_in_threads=True,
             create_public_threads=True, create_private_threads=True, embed_links=True,
             attach_files=True, read_message_history=True).value
USER_EVERYTHING = P.all().value & ~P(administrator=True).value


def invalid(field: str, message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"code": 50035, "message": "Invalid Form Body",
                 "errors": {field: {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                                  "message": message}]}}}


MISSING_PERMISSIONS = (403, {"code": 50013, "message": "Missing Permissions"})
EMPTY = (400, {"code": 50006, "message": "Cannot send an empty message"})


def check_message(body: dict[str, Any], *, creating: bool) -> tuple[int, dict[str, Any]] | None:
    """Discord's limits on a message body (create or edit); None when it would take it."""
    content = body.get("content") or ""
    if len(content) > CONTENT:
        return invalid("content", f"Must be {CONTENT} or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS:
        return invalid("embeds", f"Must be {EMBEDS} or fewer in length.")
    total = 0
    for n, embed in enumerate(embeds):
        problem, size = _check_embed(embed, f"embeds.{n}")
        if problem:
            return problem
        total += size
    if total > EMBEDS_TOTAL:
        return invalid("embeds", f"Embed size exceeds maximum size of {EMBEDS_TOTAL}")
    rows = body.get("components") or []
    if len(rows) > ROWS:
        return invalid("components", f"Must be {ROWS} or fewer in length.")
    seen: set[str] = set()
    for r, row in enumerate(rows):
        buttons = row.get("components") or []
        if not buttons or len(buttons) > ROW_BUTTONS:
            return invalid(f"components.{r}.components", f"Must be 1 to {ROW_BUTTONS} in length.")
        for b, button in enumerate(buttons):
            where = f"components.{r}.components.{b}"
            if len(button.get("label") or "") > LABEL:
                return invalid(f"{where}.label", f"Must be {LABEL} or fewer in length.")
            custom_id = button.get("custom_id")
            if custom_id is not None and (len(custom_id) > CUSTOM_ID or custom_id in seen):
                return invalid(f"{where}.custom_id", "Invalid or duplicate custom id.")
            seen.add(custom_id)
    has_files = bool(body.get("attachments")) or bool(body.get("sticker_ids"))
    if creating and not (content.strip() or embeds or rows or has_files or body.get("poll")):
        return EMPTY
    return None


def _check_embed(embed: dict[str, Any], at: str) -> tuple[tuple[int, dict] | None, int]:
    title = embed.get("title") or ""
    description = embed.get("description") or ""
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    fields = embed.get("fields") or []
    for name, text, limit in (("title", title, EMBED_TITLE), ("description", description,
                              EMBED_DESCRIPTION), ("footer.text", footer, FOOTER),
                              ("author.name", author, AUTHOR)):
        if len(text) > limit:
            return invalid(f"{at}.{name}", f"Must be {limit} or fewer in length."), 0
    if len(fields) > EMBED_FIELDS:
        return invalid(f"{at}.fields", f"Must be {EMBED_FIELDS} or fewer in length."), 0
    size = len(title) + len(description) + len(footer) + len(author)
    for n, item in enumerate(fields):
        name, value = item.get("name") or "", item.get("value") or ""
        if not name or len(name) > FIELD_NAME:
            return invalid(f"{at}.fields.{n}.name", f"Must be 1 to {FIELD_NAME} in length."), 0
        if not value or len(value) > FIELD_VALUE:
            return invalid(f"{at}.fields.{n}.value", f"Must be 1 to {FIELD_VALUE} in length."), 0
        size += len(name) + len(value)
    return None, size


def apply_overwrites(base: int, overwrites: list[dict[str, Any]], guild_id: int,
                     member_id: int) -> int:
    """Channel permission overwrites, in Discord's order: @everyone, then the member."""
    permissions = base
    for kind_id in (guild_id, member_id):
        for overwrite in overwrites:
            if int(overwrite["id"]) == kind_id:
                permissions &= ~int(overwrite.get("deny") or 0)
                permissions |= int(overwrite.get("allow") or 0)
    return permissions
