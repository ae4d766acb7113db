"""One reader for the resume or job description a user shares: PDF or plain text.

Every surface reads files the same way: one size limit, one page limit, one error type
with a code each surface may word in its own idiom (``/interview start file:`` on
Discord, an upload in a Slack DM, ``--jd`` in the terminal, a form field on the web).
PDF extraction is CPU work: call ``read_document`` in a worker thread
(``asyncio.to_thread``) from async code.
"""

from __future__ import annotations

import io
from enum import StrEnum

import structlog
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.errors import ErrorCode, InterviewError

log = structlog.get_logger(__name__)

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # a resume or job description, with room to spare
MAX_PDF_PAGES = 20  # pages past this are not read
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".rst", ".csv")


class DocumentProblem(StrEnum):
    too_big = "too_big"
    wrong_kind = "wrong_kind"
    unreadable = "unreadable"
    empty = "empty"


_MESSAGES = {
    DocumentProblem.too_big: "That file is {size:.1f} MB. Please share a resume or job "
                             "description under 5 MB.",
    DocumentProblem.wrong_kind: "I can read PDF and plain-text files (.pdf, .txt, .md). Share "
                                "one of those, or paste the text instead.",
    DocumentProblem.unreadable: "I couldn't read that PDF (it may be damaged or password-"
                                "protected). Try another file, or paste the text instead.",
    DocumentProblem.empty: "I couldn't find any text in that file (a scanned PDF has none). "
                           "Paste the text instead.",
}


class DocumentError(InterviewError):
    """A shared file that cannot be used; ``problem`` says which way, for surfaces' wording."""

    error_code = ErrorCode.document

    def __init__(self, problem: DocumentProblem, size_bytes: int = 0) -> None:
        self.problem = problem
        super().__init__(_MESSAGES[problem].format(size=size_bytes / 1024 / 1024))


def is_pdf(filename: str, content_type: str | None = None) -> bool:
    return filename.lower().endswith(".pdf") or "pdf" in (content_type or "")


def is_text(filename: str, content_type: str | None = None) -> bool:
    return filename.lower().endswith(TEXT_SUFFIXES) or (content_type or "").startswith("text/")


def check_size(size_bytes: int) -> None:
    """Refuse before downloading when the platform tells the size up front."""
    if size_bytes > MAX_DOCUMENT_BYTES:
        raise DocumentError(DocumentProblem.too_big, size_bytes)


def read_document(data: bytes, filename: str, content_type: str | None = None) -> str:
    """The text of a PDF (first 20 pages) or a UTF-8 text file; ``DocumentError`` otherwise.

    Blocking (PDF parsing): run it in a thread from async code.
    """
    check_size(len(data))
    if is_pdf(filename, content_type):
        text = _pdf_text(data)
    elif is_text(filename, content_type):
        text = data.decode("utf-8", errors="replace")
    else:
        raise DocumentError(DocumentProblem.wrong_kind)
    if not text.strip():
        raise DocumentError(DocumentProblem.empty)
    log.info("document.read", kind="pdf" if is_pdf(filename, content_type) else "text",
             chars=len(text))
    return text


def _pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(DocumentProblem.unreadable)
        return "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES])
    except DocumentError:
        raise
    # Untrusted bytes: pypdf raises its own errors and, on odd files, plain Python ones.
    except (PyPdfError, Exception) as error:
        log.info("document.pdf_unreadable", error=type(error).__name__)
        raise DocumentError(DocumentProblem.unreadable) from error
