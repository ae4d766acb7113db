"""Reading an uploaded resume or job description (plain text or PDF) from Slack, and
downloading any shared file (a spoken answer's recording, see ``voice``).

Files are downloaded from ``url_private`` with the bot token, but only from
Slack's own hosts (or the Web API host the client is configured with, which is
how the tests serve files): the token must never be sent anywhere else.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import aiohttp
import structlog

from core.documents import MAX_DOCUMENT_BYTES, DocumentError, DocumentProblem, read_document
from core.errors import InterviewError

log = structlog.get_logger(__name__)

MAX_FILE_BYTES = MAX_DOCUMENT_BYTES
DOWNLOAD_TIMEOUT_SECONDS = 20
SLACK_FILE_HOSTS = {"files.slack.com", "slack.com", "slack-files.com"}
TEXT_FILETYPES = {"text", "markdown", "md", "txt", "csv", "rtf"}


class AttachmentError(InterviewError):
    """A file we cannot use; the message says what to do instead."""


_WORDING = {  # core's document problems, in Slack's words (``name`` is the file's)
    DocumentProblem.too_big: f"“{{name}}” is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB. "
                             "Upload a shorter file or paste the relevant part.",
    DocumentProblem.wrong_kind: "I can read resumes and job descriptions as text or PDF; "
                                "“{name}” is neither. Paste the text instead?",
    DocumentProblem.unreadable: "I couldn't read “{name}” as a PDF (it may be damaged or "
                                "password-protected). Paste the text instead?",
    DocumentProblem.empty: "I couldn't find any text in “{name}” (a scanned PDF?). Paste the "
                           "text into the chat instead.",
}


def is_supported(file: dict) -> bool:
    return _is_pdf(file) or _is_text(file)


def _is_pdf(file: dict) -> bool:
    return file.get("filetype") == "pdf" or file.get("mimetype") == "application/pdf"


def _is_text(file: dict) -> bool:
    return (file.get("filetype") in TEXT_FILETYPES
            or str(file.get("mimetype", "")).startswith("text/"))


class FileReader:
    def __init__(self, token: str, api_base_url: str) -> None:
        self._token = token
        api_host = urlparse(api_base_url).hostname
        self._allowed_hosts = SLACK_FILE_HOSTS | ({api_host} if api_host else set())

    async def read_text(self, file: dict) -> str:
        """The file's text, or an ``AttachmentError`` with a friendly explanation."""
        name = file.get("name") or "that file"
        if not is_supported(file):
            raise AttachmentError(f"I can read resumes and job descriptions as text or PDF; "
                                  f"“{name}” is neither. Paste the text instead?")
        if int(file.get("size") or 0) > MAX_FILE_BYTES:
            raise _too_big(name)
        data = await self.download(file, too_big=_too_big(name))
        # Core's one reader (one size and page policy); Slack says the kind in its own fields.
        kind = "application/pdf" if _is_pdf(file) else "text/plain"
        try:
            return await asyncio.to_thread(read_document, data, name, kind)
        except DocumentError as error:
            raise AttachmentError(_WORDING[error.problem].format(name=name)) from error

    async def download(self, file: dict, *, limit: int = MAX_FILE_BYTES,
                       too_big: InterviewError | None = None) -> bytes:
        """The file's bytes (at most ``limit``; past it, ``too_big`` is raised)."""
        name = file.get("name") or "that file"
        too_big = too_big or _too_big(name)
        url = file.get("url_private_download") or file.get("url_private") or ""
        if urlparse(url).hostname not in self._allowed_hosts:
            log.warning("slack.file_host_refused", host=urlparse(url).hostname)
            raise AttachmentError(f"I couldn't download “{name}”. Paste the text instead?")
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session, \
                    session.get(url, headers=headers) as response:
                if response.status != 200 or "text/html" in response.content_type:
                    # Slack answers a login page when the app lacks files:read.
                    raise AttachmentError(f"I couldn't download “{name}”. Paste the text instead?")
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise too_big
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack.file_download_failed", error=type(error).__name__)
            raise AttachmentError(f"I couldn't download “{name}” just now. Try again, or "
                                  f"paste the text instead.") from error
        return bytes(data)


def _too_big(name: str) -> AttachmentError:
    return AttachmentError(f"“{name}” is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
                           f"Upload a shorter file or paste the relevant part.")
