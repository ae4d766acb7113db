"""Resumes and job descriptions, uploaded (text or PDF) or pasted, tailor the questions."""

from __future__ import annotations

from core.models import Where, Who
from tests.fakes.slack_fake import message_event, slash_command

DM, CHANNEL = "D0DM1", "C0GENERAL"
ALICE = "U0ALICE"
RESUME_LINES = ["Jane Doe - Account Executive",
                "Closed enterprise deals using CRM pipeline forecasting and MEDDIC qualification"]


def make_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with real text objects (what pypdf extracts)."""
    content = b"BT /F1 11 Tf 72 720 Td 14 TL " + b" ".join(
        b"(" + line.encode("latin-1") + b") '" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1,
                                                                           xref)
    return bytes(out)


def alice_in(conversation: str) -> tuple[Who, Where]:
    return (Who(platform="slack", user_id=ALICE),
            Where(platform="slack", conversation_id=conversation))


async def share(h, text: str, files: list[dict]) -> None:
    delivery = await h.sender.event(message_event(text, user=ALICE, channel=DM, channel_type="im",
                                                  files=files))
    assert delivery.status == 200


async def test_a_pdf_resume_shared_with_start_tailors_the_interview(harness):
    file = harness.fake.add_file("resume.pdf", make_pdf(RESUME_LINES), "application/pdf", "pdf")
    await share(harness, "start sales", [file])
    greeting = (await harness.fake.wait_for_posts(1, channel=DM))[0]
    assert "tailored" in greeting.text
    session = await harness.service.session_for(*alice_in(f"T0TEAM:{DM}"))
    assert "MEDDIC qualification" in session.options.context
    assert harness.fake.file_requests == [("resume.pdf", "Bearer xoxb-test-token")]


async def test_a_text_job_description_is_kept_for_the_next_start(harness):
    jd = "We are hiring an Account Executive to own enterprise pipeline and negotiate renewals."
    file = harness.fake.add_file("jd.txt", jd.encode(), "text/plain", "text")
    await share(harness, "", [file])
    note = (await harness.fake.wait_for_posts(1, channel=DM))[0]
    assert "jd.txt" in note.text and "start sales" in note.text
    assert await harness.service.session_for(*alice_in(f"T0TEAM:{DM}")) is None

    await harness.sender.event(message_event("start sales", user=ALICE, channel=DM,
                                             channel_type="im"))
    greeting = (await harness.fake.wait_for_posts(2, channel=DM))[1]
    assert "tailored" in greeting.text
    session = await harness.service.session_for(*alice_in(f"T0TEAM:{DM}"))
    assert session.options.context == jd


async def test_a_corrupt_pdf_gets_a_friendly_message_and_nothing_is_lost(harness):
    broken = harness.fake.add_file("cv.pdf", b"%PDF-1.4 this is not really a pdf",
                                   "application/pdf", "pdf")
    await share(harness, "start sales", [broken])
    message = (await harness.fake.wait_for_posts(1, channel=DM))[0]
    assert "cv.pdf" in message.text and "Paste the text" in message.text
    assert "Traceback" not in message.text
    await harness.sender.event(message_event("start sales", user=ALICE, channel=DM,
                                             channel_type="im"))
    greeting = (await harness.fake.wait_for_posts(2, channel=DM))[1]
    assert "Question 1" in greeting.text


async def test_oversized_unsupported_and_foreign_files_are_refused_politely(harness):
    big = harness.fake.add_file("big.txt", b"x" * 100, "text/plain", "text") | {"size": 50_000_000}
    image = harness.fake.add_file("photo.png", b"\x89PNG", "image/png", "png")
    foreign = harness.fake.add_file("elsewhere.txt", b"secret", "text/plain", "text")
    foreign["url_private"] = foreign["url_private_download"] = foreign["url_private"].replace(
        "127.0.0.1", "localhost")  # not Slack, not the API host: the token must not go there
    for file, expected in ((big, "larger than"), (image, "text or PDF"),
                           (foreign, "couldn't download")):
        count = len(harness.fake.posts(DM))
        await share(harness, "", [file])
        message = (await harness.fake.wait_for_posts(count + 1, channel=DM))[-1]
        assert expected in message.text, message.text
    assert harness.fake.file_requests == []  # none of these was worth downloading


async def test_a_job_description_pasted_after_the_slash_command_tailors_questions(harness):
    jd = "Senior AE role: enterprise SaaS, MEDDIC, multi-threading deals, forecasting accuracy."
    await harness.sender.command(slash_command(f"start sales\n{jd}", user=ALICE, channel=CHANNEL,
                                               response_url=harness.fake.response_url()))
    opening = (await harness.fake.wait_for_posts(1, channel=CHANNEL))[0]
    greeting = (await harness.fake.wait_for_posts(1, channel=CHANNEL, thread_ts=opening.ts))[0]
    assert "tailored" in greeting.text
    session = await harness.service.session_for(*alice_in(f"T0TEAM:{CHANNEL}:{opening.ts}"))
    assert session.options.context == jd
