"""Spoken answers on Slack: an audio clip (recorded in Slack) or an audio file, as the answer.

Slack shares a clip like any file (``file_share``, needing the ``files:read`` scope the
resume upload already uses); the recording is downloaded with the bot token from
Slack's own hosts only, transcribed by core, and what was heard is posted (with its
delivery figures) before the interviewer's reply streams in. Unusable audio gets core's
friendly line from ``guarded`` and changes nothing. The audio is held in memory only.
"""

from __future__ import annotations

import structlog

from adapters.slack.blocks import context, escape, paginate, sections
from adapters.slack.places import SlackPlace
from core.audio import MAX_AUDIO_BYTES, MAX_AUDIO_SECONDS, AudioError
from core.models import Heard, Who

log = structlog.get_logger(__name__)

# Slack's filetype names for audio (a clip recorded in Slack is "webm" or "mp4" / "m4a").
AUDIO_FILETYPES = {"mp3", "m4a", "wav", "ogg", "oga", "opus", "webm", "aac", "flac"}


def audio_file(event: dict) -> dict | None:
    """The message's audio clip or audio file, if it has one."""
    for file in event.get("files") or []:
        mimetype = str(file.get("mimetype") or "").lower()
        if (mimetype.startswith("audio/") or file.get("subtype") == "slack_audio"
                or file.get("media_display_type") == "audio"
                or (file.get("filetype") in AUDIO_FILETYPES and not mimetype.startswith("video/"))):
            return file
    return None


async def answer_by_voice(interviews, who: Who, place: SlackPlace, file: dict) -> None:
    """Transcribe, show what was heard, then stream the reply as for a typed answer."""
    duration_ms = file.get("duration_ms")
    if isinstance(duration_ms, int) and duration_ms > (MAX_AUDIO_SECONDS + 0.5) * 1000:
        raise AudioError("too_long")  # Slack states a clip's length: no need to download it
    if int(file.get("size") or 0) > MAX_AUDIO_BYTES:
        raise AudioError("too_large")
    data = await interviews.files.download(file, limit=MAX_AUDIO_BYTES,
                                           too_big=AudioError("too_large"))
    events = aiter(interviews.service.answer_audio_stream(who, place.where, data))
    heard = await anext(events)  # bad audio raises here, before anything is posted
    assert isinstance(heard, Heard)
    await interviews.outbox.post_all(place, heard_messages(heard))
    log.info("slack.voice_answer", clip=file.get("subtype") == "slack_audio",
             seconds=heard.delivery.seconds)
    await interviews.deliver_turn(who, place, events)


def heard_messages(heard: Heard):
    quoted = escape(heard.text)
    blocks = [*sections(f":studio_microphone: *I heard:* “{quoted}”"),
              context(f"Delivery: {escape(heard.delivery.line())}")]
    return paginate(blocks, fallback=f"I heard: {quoted}")
