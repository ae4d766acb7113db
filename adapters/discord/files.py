"""Read a resume or job description attached to ``/interview start`` (text or PDF).

Core's one document reader (``core.documents``: one size and page policy) does the
reading; bad files get a friendly ``InvalidInputError`` in Discord's words and nothing
else changes.
"""

from __future__ import annotations

import asyncio

import discord

from core.documents import DocumentError, DocumentProblem, check_size, read_document
from core.errors import InvalidInputError

TOO_BIG = "That file is {size:.1f} MB. Please attach a resume or job description under 5 MB."
WRONG_KIND = (
    "I can read .pdf, .txt and .md files. Attach one of those, or paste the text into the "
    "`context` option."
)
UNREADABLE_PDF = (
    "I couldn't read that PDF (it may be damaged or password-protected). Try another file, "
    "or paste the text into the `context` option."
)
EMPTY_FILE = (
    "I couldn't find any text in that file (a scanned PDF has none). Paste the text into the "
    "`context` option instead."
)


# Core's one reader decides; the words name Discord's own way to share text instead.
WORDING = {DocumentProblem.wrong_kind: WRONG_KIND, DocumentProblem.unreadable: UNREADABLE_PDF,
           DocumentProblem.empty: EMPTY_FILE}


async def read_context_file(attachment: discord.Attachment) -> str:
    """The text of an attached resume / job description, or a friendly error."""
    try:
        check_size(attachment.size)  # before downloading: Discord says the size up front
        data = await attachment.read()
        # PDF parsing is CPU work: in a worker thread, off the event loop.
        return await asyncio.to_thread(read_document, data, attachment.filename,
                                       attachment.content_type)
    except DocumentError as error:
        if error.problem is DocumentProblem.too_big:
            raise InvalidInputError(TOO_BIG.format(size=attachment.size / 1024 / 1024)) from error
        raise InvalidInputError(WORDING[error.problem]) from error
