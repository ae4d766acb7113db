"""Read a resume or job description attached to ``/interview start`` (text or PDF).

Bad files get a friendly ``InvalidInputError`` and nothing else changes. PDF text
extraction is CPU work, so it runs in a worker thread to keep the event loop free.
"""

from __future__ import annotations

import asyncio
import io

import discord
import structlog
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.errors import InvalidInputError

log = structlog.get_logger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 20  # a resume or job description; more pages are not read
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".rst")

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


def _is_pdf(attachment: discord.Attachment) -> bool:
    return attachment.filename.lower().endswith(".pdf") or "pdf" in (attachment.content_type or "")


def _is_text(attachment: discord.Attachment) -> bool:
    return attachment.filename.lower().endswith(TEXT_SUFFIXES) or (
        attachment.content_type or ""
    ).startswith("text/")


async def read_context_file(attachment: discord.Attachment) -> str:
    """The text of an attached resume / job description, or a friendly error."""
    if attachment.size > MAX_FILE_BYTES:
        raise InvalidInputError(TOO_BIG.format(size=attachment.size / 1024 / 1024))
    if not (_is_pdf(attachment) or _is_text(attachment)):
        raise InvalidInputError(WRONG_KIND)
    data = await attachment.read()
    if _is_pdf(attachment):
        text = await asyncio.to_thread(pdf_text, data)
    else:
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise InvalidInputError(EMPTY_FILE)
    log.info("discord.context_file", kind="pdf" if _is_pdf(attachment) else "text", chars=len(text))
    return text


def pdf_text(data: bytes) -> str:
    """Extract the text of a PDF's first pages (blocking: call it in a thread)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInputError(UNREADABLE_PDF)
        return "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES])
    except InvalidInputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        log.info("discord.pdf_unreadable", error=type(error).__name__)
        raise InvalidInputError(UNREADABLE_PDF) from error
