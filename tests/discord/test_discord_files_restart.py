"""Resume / job description attachments, custom questions, and buttons that survive a restart."""

from __future__ import annotations

from adapters.discord.views import HINT_ID
from tests.fakes.discord_fake import EPHEMERAL, FakeDiscord
from tests.support.discord import Chat, stored_session

RESUME = "Senior account executive, 8 years in SaaS sales, 140% of quota in 2024"


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose text is ``text`` (enough for pypdf to extract)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)



async def test_a_text_resume_tailors_the_interview(fake: FakeDiscord, chat, bot) -> None:
    olga = fake.user("olga")
    interaction = await fake.slash(
        olga, fake.channel_id, "start", {"role": "sales", "question": "Why are you leaving your job?"},
        attachment=("resume.txt", RESUME.encode(), "text/plain"),
    )
    await chat.finished(interaction)
    [thread] = fake.threads()
    session = await stored_session(fake, bot.service, olga, thread["id"])
    assert RESUME in session.options.context
    assert "Why are you leaving your job?" in [q.text for q in session.questions]
    assert "tailored" in fake.channel_messages(int(thread["id"]))[0]["content"]


async def test_a_pdf_resume_is_read(fake: FakeDiscord, chat, bot) -> None:
    pia = fake.user("pia")
    dm = fake.dm_channel(pia)
    interaction = await fake.slash(
        pia, dm, "start", {"role": "sales", "context": "The job: enterprise AE in fintech."},
        attachment=("resume.pdf", tiny_pdf(RESUME), "application/pdf"),
    )
    await chat.finished(interaction)
    context = (await stored_session(fake, bot.service, pia, dm)).options.context
    assert RESUME in context and "enterprise AE in fintech" in context


async def test_bad_files_get_a_friendly_private_answer(fake: FakeDiscord, chat, bot) -> None:
    cases = [
        (("resume.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"), "couldn't read that PDF"),
        (("resume.docx", b"PK\x03\x04 word", "application/vnd.openxmlformats"), "I can read .pdf, .txt"),
        (("huge.txt", b"a" * (6 * 1024 * 1024), "text/plain"), "under 5 MB"),
    ]
    for attachment, expected in cases:
        quinn = fake.user("quinn")
        interaction = await fake.slash(quinn, fake.channel_id, "start", {"role": "sales"}, attachment=attachment)
        [answer] = await chat.finished(interaction)
        assert expected in answer["content"]
        assert answer["flags"] & EPHEMERAL
    assert fake.threads() == []  # nothing was opened for a file we could not read


async def test_buttons_still_work_after_a_restart(fake: FakeDiscord, service, start_bot) -> None:
    rae = fake.user("rae")
    dm = fake.dm_channel(rae)
    async with start_bot(service) as first:
        [question] = await Chat(fake, first).say(rae, dm, "start sales")
    async with start_bot(service) as second:  # a new process, same store
        interaction = await fake.press(rae, question, HINT_ID)
        [hint] = await Chat(fake, second).finished(interaction)
        assert fake.callback_for(interaction).body["type"] == 5
        assert hint["content"] and not hint["flags"] & EPHEMERAL
    assert (await stored_session(fake, service, rae, dm)).here.hints == 1


async def test_start_typed_in_a_dm_can_carry_a_resume(fake: FakeDiscord, chat, bot) -> None:
    sam = fake.user("sam")
    dm = fake.dm_channel(sam)
    before = {m["id"] for m in fake.channel_messages(dm)}
    await fake.say(sam, dm, "start sales", attachment=("cv.md", RESUME.encode(), "text/markdown"))
    await fake.until(lambda: [m for m in fake.channel_messages(dm) if m["id"] not in before] and chat.idle())
    assert RESUME in (await stored_session(fake, bot.service, sam, dm)).options.context


async def test_an_attachment_without_text_is_not_taken_as_an_answer(fake: FakeDiscord, chat, bot) -> None:
    tom = fake.user("tom")
    dm = fake.dm_channel(tom)
    await chat.say(tom, dm, "start sales")
    before = {m["id"] for m in fake.channel_messages(dm)}
    await fake.say(tom, dm, "", attachment=("answer.png", b"\x89PNG", "image/png"))
    [reply] = await fake.until(
        lambda: chat.idle() and [m for m in fake.channel_messages(dm) if m["id"] not in before]
    )
    assert "type your answer" in reply["content"]
    assert (await stored_session(fake, bot.service, tom, dm)).transcript[-1].speaker == "interviewer"
