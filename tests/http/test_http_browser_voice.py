"""The page's Record button in a real browser: Chromium's fake microphone plays a spoken answer.

Chromium is started with a WAV made by espeak-ng as its microphone, so the page's
MediaRecorder records real speech (webm/opus), uploads it to POST /chat/stream, and the
server's offline recogniser transcribes it. A screenshot goes to ``tests/output/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.speech import SHORT_ANSWER, needs_espeak, samples, speak, wav_of
from tests.support.http import CHROMIUM, CHROMIUM_ARGS, OUTPUT, outage_server  # noqa: F401

pytestmark = [needs_espeak, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]


SLOW = 90_000  # ms: transcription on a busy machine


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The answer with a second of silence after it (Chromium loops the file)."""
    pcm, rate = samples(speak(SHORT_ANSWER))
    path = tmp_path_factory.mktemp("mic") / "answer.wav"
    path.write_bytes(wav_of(np.concatenate([pcm, np.zeros(rate, np.int16)]), rate))
    return path


@pytest.fixture
def page(microphone: Path) -> Iterator[Page]:
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={microphone}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.set_default_timeout(SLOW)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        yield page
        browser.close()
    assert problems == []


def test_record_an_answer_see_what_was_heard_and_the_delivery_in_the_report(
        page: Page, outage_server):  # noqa: F811 - the fixture imported above
    url, _ = outage_server
    page.goto(url)
    page.select_option("#role", "software_engineer")
    page.fill("#questions", "1")
    page.click("#start-button")
    expect(page.locator(".msg.interviewer")).to_have_count(1)

    record = page.locator("#record-button")
    expect(record).to_be_visible()
    record.click()
    expect(record).to_have_attribute("aria-pressed", "true")
    # The clock on the page says when the whole sentence has been "spoken" into the microphone.
    expect(page.locator("#record-status")).to_contain_text(re.compile(r"0:(0[7-9]|[1-5]\d)"),
                                                           timeout=60_000)
    record.click()

    spoken = page.locator(".msg.candidate")
    expect(spoken).to_have_count(1)
    expect(spoken.locator(".tag")).to_have_text("Spoken (transcribed)", timeout=SLOW)
    expect(spoken.locator(".delivery")).to_contain_text("words/min")
    heard = spoken.locator(".body").inner_text().lower()
    assert len({"team", "database", "tested", "week", "customers"} & set(heard.split())) >= 2, heard
    expect(page.locator(".msg.pending")).to_have_count(0, timeout=SLOW)

    if not page.locator("#report").is_visible():
        page.click("#end-button")
    delivery = page.locator("#report-delivery")
    expect(delivery).to_be_visible(timeout=SLOW)
    expect(page.locator("#delivery-overall li").first).to_contain_text("1 spoken answer(s)")
    expect(page.locator("#delivery-guidance")).to_contain_text("130-160")
    expect(page.locator("#score-chart svg rect.bar")).to_have_count(3)  # the scores, apart
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "report-voice.png"), full_page=True)
