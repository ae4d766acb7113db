"""Spoken answers on Discord: a voice message (or an audio file) sent as the answer.

The recording is downloaded from Discord's CDN, transcribed by core, and what was heard
is posted (with its delivery figures) before the interviewer's reply streams in, so the
candidate sees what the interviewer is answering. Unusable audio gets core's friendly
line through the message error handler, and the interview stays as it was. The audio
is held in memory for the call only.
"""

from __future__ import annotations

import discord
import structlog

from adapters.discord.conversation import NO_PINGS, ChannelDelivery, where_of
from adapters.discord.render import MESSAGE_LIMIT, split_text
from adapters.discord.streaming import StreamingReply
from core.audio import MAX_AUDIO_BYTES, MAX_AUDIO_SECONDS, AudioError
from core.models import Heard, Reply, Who

log = structlog.get_logger(__name__)

AUDIO_SUFFIXES = (".ogg", ".oga", ".opus", ".mp3", ".wav", ".m4a", ".mp4", ".webm", ".aac", ".flac")


def audio_attachment(message: discord.Message) -> discord.Attachment | None:
    """The message's voice message or audio file, if it has one."""
    for attachment in message.attachments:
        kind = (attachment.content_type or "").lower()
        if (attachment.is_voice_message() or kind.startswith("audio/")
                or attachment.filename.lower().endswith(AUDIO_SUFFIXES)):
            return attachment
    return None


async def answer_by_voice(actions, channel: discord.abc.Messageable, who: Who,
                          attachment: discord.Attachment) -> Reply:
    """Transcribe, show what was heard, then stream the interviewer's reply (like a typed answer)."""
    # Discord states size and (for voice messages) length: refuse before downloading.
    if attachment.size > MAX_AUDIO_BYTES:
        raise AudioError("too_large")
    if attachment.duration is not None and attachment.duration > MAX_AUDIO_SECONDS + 0.5:
        raise AudioError("too_long")
    delivery = ChannelDelivery(channel, actions.buttons)
    streamer = StreamingReply(delivery)
    where = where_of(channel)  # type: ignore[arg-type]
    async with channel.typing():
        data = await attachment.read()
        events = aiter(actions.service.answer_audio_stream(who, where, data))
        heard = await anext(events)  # bad audio raises here, before anything is posted
        assert isinstance(heard, Heard)
        for chunk in split_text(heard_text(heard), MESSAGE_LIMIT):
            await channel.send(chunk, allowed_mentions=NO_PINGS)
        log.info("discord.voice_answer", voice_message=attachment.is_voice_message(),
                 seconds=heard.delivery.seconds)
        reply = await streamer.run(events)  # type: ignore[arg-type]
    await delivery.settle(reply)
    return reply


def heard_text(heard: Heard) -> str:
    """What was heard, quoted, and the answer's delivery figures."""
    quoted = discord.utils.escape_mentions(discord.utils.escape_markdown(heard.text))
    return f"🎙️ **I heard:** “{quoted}”\n-# Delivery: {heard.delivery.line()}"
