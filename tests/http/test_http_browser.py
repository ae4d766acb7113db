"""End to end in a real browser: Debian's Chromium, driven by Playwright, against ``run_api``.

A candidate opens the page, pastes the API token it asks for, picks a role and a
short interview, asks for a hint, answers until the report appears, and reads the
scores chart; then opens their history and deletes their data. Screenshots go to
``tests/output/`` for people to look at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.http.helpers import GOOD_ANSWERS
from tests.support.brains import ScriptedBrain
from tests.support.http import CHROMIUM, CHROMIUM_ARGS, OUTPUT, LiveServer
from tests.support.http import outage_server  # noqa: F401 (a fixture)

# Assertions wait up to 15 s (Playwright's default is 5): Chromium on a busy CI machine is slow.
expect.set_options(timeout=15_000)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (apt-get install -y chromium); .ci/run installs it",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    # A script error or a content-policy violation shows up here. Error statuses are
    # provoked on purpose (401 asks for the token, 503 is an outage), so they do not count.
    assert [p for p in problems if "the server responded with a status of" not in p] == []


def answer_until_the_report(page: Page) -> int:
    for turn in range(8):
        if page.locator("#report").is_visible():
            return turn
        page.fill("#answer", GOOD_ANSWERS[turn % len(GOOD_ANSWERS)])
        page.press("#answer", "Enter")
        expect(page.locator(".msg.candidate")).to_have_count(turn + 1)
        expect(page.locator(".msg.pending")).to_have_count(0)  # the streamed reply is final
    raise AssertionError("no report after 8 answers")


def enter_token_and_start(page: Page, server: LiveServer, questions: int) -> None:
    page.goto(server.url)
    expect(page.locator("#token-panel")).to_be_visible()
    page.fill("#token-input", server.token)
    page.click("#token-panel button[type=submit]")
    expect(page.locator("#role option[value=sales]")).to_have_count(1)
    page.select_option("#role", "sales")
    page.fill("#questions", str(questions))
    page.click("#start-button")
    expect(page.locator(".msg.interviewer")).to_have_count(1)


def practise_over_the_api(api: httpx.Client, user_id: str, role: str) -> None:
    session_id = api.post("/start_session", json={"role": role, "questions": 1,
                                                  "user_id": user_id}).json()["session_id"]
    for turn in range(4):
        reply = api.post("/chat", json={"session_id": session_id,
                                        "message": GOOD_ANSWERS[turn % len(GOOD_ANSWERS)]}).json()
        if reply["kind"] == "feedback":
            return
    raise AssertionError("the interview did not end")


def test_a_short_interview_in_the_page_ends_with_the_report_and_its_chart(
        page: Page, live_server: LiveServer):
    page.goto(live_server.url)

    # The server has API_TOKEN set: the page asks for it, then loads the roles.
    expect(page.locator("#token-panel")).to_be_visible()
    page.fill("#token-input", live_server.token)
    page.click("#token-panel button[type=submit]")
    expect(page.locator("#role option[value=sales]")).to_have_count(1)

    page.select_option("#role", "sales")
    expect(page.locator("#role-summary")).not_to_be_empty()
    page.click("label[for=difficulty-junior]")
    page.fill("#questions", "2")
    page.click("#start-button")

    first = page.locator(".msg.interviewer").first
    expect(first).to_contain_text("Question 1 of 2")
    expect(page.locator("#progress-text")).to_have_text("Question 1 of 2")

    page.click("#hint-button")
    expect(page.locator(".msg.interviewer .tag", has_text="Hint")).to_have_count(1)

    answers = answer_until_the_report(page)
    assert answers >= 2

    report = page.locator("#report")
    expect(report).to_be_visible()
    expect(page.locator("#progress-text")).to_have_text("Interview complete")
    expect(page.locator("#report-summary")).to_contain_text("2 of 2")
    expect(page.locator("#score-chart svg rect.bar")).to_have_count(3)
    expect(page.locator("#question-chart svg rect.bar")).to_have_count(2)
    chart_label = page.locator("#score-chart svg").get_attribute("aria-label")
    assert "Communication:" in chart_label and "out of 5" in chart_label
    expect(page.locator("#score-reasons dt")).to_have_count(3)
    expect(page.locator("#strengths li").first).not_to_be_empty()
    expect(page.locator("#next-steps li")).to_have_count(3)
    expect(page.locator("#answer")).to_be_hidden()  # nothing more to answer

    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.locator(".review summary").first.click()  # open one question's details for the picture
    page.screenshot(path=str(OUTPUT / "report.png"), full_page=True)

    # A reload resumes the same session from GET /sessions/{id}: the report is still there.
    page.reload()
    expect(page.locator("#report")).to_be_visible()
    expect(page.locator("#score-chart svg rect.bar")).to_have_count(3)
    expect(page.locator(".msg.candidate")).to_have_count(answers)

    page.set_viewport_size({"width": 390, "height": 844})
    # On a phone the chart is redrawn at the width it has, so its text stays legible.
    expect(page.locator("#score-chart svg")).to_have_attribute("width", re.compile(r"^(2[89]\d|3[0-5]\d)$"))
    page.screenshot(path=str(OUTPUT / "report-mobile.png"), full_page=True)


def test_during_a_model_outage_the_page_keeps_the_answer_so_it_can_be_sent_again(
        page: Page, outage_server: tuple[str, ScriptedBrain]):
    url, brain = outage_server
    page.goto(url)
    expect(page.locator("#token-panel")).to_be_hidden()  # no API_TOKEN on this server
    page.select_option("#role", "sales")
    page.click("#start-button")
    expect(page.locator(".msg.interviewer")).to_have_count(1)

    brain.down = True
    page.fill("#answer", GOOD_ANSWERS[0])
    page.click("#send-button")

    expect(page.locator("#alert")).to_contain_text("send your answer again")
    expect(page.locator("#answer")).to_have_value(GOOD_ANSWERS[0])
    expect(page.locator(".msg.candidate")).to_have_count(0)
    expect(page.locator(".msg.interviewer")).to_have_count(1)

    brain.down = False
    page.click("#send-button")

    expect(page.locator(".msg.candidate")).to_have_count(1)
    expect(page.locator(".msg.interviewer")).to_have_count(2)
    expect(page.locator(".msg.pending")).to_have_count(0)
    expect(page.locator("#alert")).to_be_hidden()
    expect(page.locator("#answer")).to_have_value("")


def test_the_history_panel_shows_progress_and_deletes_my_data_after_a_confirm(
        page: Page, live_server: LiveServer):
    enter_token_and_start(page, live_server, questions=1)
    answer_until_the_report(page)
    user_id = page.evaluate("localStorage.getItem('interview.userId')")
    assert user_id and len(user_id) == 32  # made once by the page, sent with start_session
    auth = {"Authorization": f"Bearer {live_server.token}"}
    with httpx.Client(base_url=live_server.url, headers=auth) as api:
        practise_over_the_api(api, user_id, role="pm")  # the same identity from another client

    page.click("#progress-button")

    expect(page.locator("#history")).to_be_visible()
    expect(page.locator("#history-table tbody tr")).to_have_count(2)
    expect(page.locator("#history-table tbody tr").nth(0).locator("td").nth(1)).to_have_text(
        "Product Manager")
    expect(page.locator("#history-table tbody tr").nth(1).locator("td").nth(1)).to_have_text("Sales")
    expect(page.locator("#history-trends li")).to_have_count(3)
    expect(page.locator("#history-trends li").first).to_contain_text("Communication:")
    # The chart is fetched with the token and shown from a blob: URL (allowed by the CSP).
    page.wait_for_function("document.getElementById('history-chart').naturalWidth > 0")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.locator("#history").screenshot(path=str(OUTPUT / "history.png"))

    page.once("dialog", lambda dialog: dialog.dismiss())  # "Cancel": nothing is deleted
    page.click("#forget-button")
    expect(page.locator("#history-table tbody tr")).to_have_count(2)
    stored = httpx.get(f"{live_server.url}/history", params={"user_id": user_id}, headers=auth)
    assert len(stored.json()["interviews"]) == 2

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#forget-button")

    expect(page.locator("#history-status")).to_have_text(
        "Deleted 2 finished interviews and 2 sessions.")
    expect(page.locator("#history-empty")).to_be_visible()
    expect(page.locator("#setup")).to_be_visible()  # the deleted interview is gone from view
    gone = httpx.get(f"{live_server.url}/history", params={"user_id": user_id}, headers=auth)
    assert gone.json()["interviews"] == []
    assert page.evaluate("localStorage.getItem('interview.userId')") is None  # a fresh id next time


def test_a_new_tab_rejoins_the_interview_in_progress(browser: Browser, live_server: LiveServer):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        first = context.new_page()
        first.set_default_timeout(15_000)
        enter_token_and_start(first, live_server, questions=3)
        first.fill("#answer", GOOD_ANSWERS[0])
        first.press("#answer", "Enter")
        expect(first.locator(".msg.pending")).to_have_count(0)
        expect(first.locator(".msg.interviewer")).to_have_count(2)

        # A second tab of the same browser: it asks for the token (kept per tab), then
        # shows the interview with everything said so far, and the answer box is live.
        second = context.new_page()
        second.set_default_timeout(15_000)
        second.goto(live_server.url)
        expect(second.locator("#token-panel")).to_be_visible()
        second.fill("#token-input", live_server.token)
        second.click("#token-panel button[type=submit]")
        expect(second.locator("#interview")).to_be_visible()
        expect(second.locator(".msg.candidate")).to_have_count(1)
        expect(second.locator(".msg.candidate").first).to_contain_text(GOOD_ANSWERS[0][:40])
        expect(second.locator(".msg.interviewer")).to_have_count(2)
        expect(second.locator("#setup")).to_be_hidden()

        second.fill("#answer", GOOD_ANSWERS[1])
        second.press("#answer", "Enter")
        expect(second.locator(".msg.pending")).to_have_count(0)
        expect(second.locator(".msg.candidate")).to_have_count(2)
        session_id = second.evaluate("sessionStorage.getItem('interview.sessionId')")
        assert session_id == first.evaluate("sessionStorage.getItem('interview.sessionId')")

        # Once the interview is over, a new tab starts afresh instead.
        first.click("#end-button")
        expect(first.locator("#report")).to_be_visible()
        third = context.new_page()
        third.goto(live_server.url)
        expect(third.locator("#token-panel")).to_be_visible()
        third.fill("#token-input", live_server.token)
        third.click("#token-panel button[type=submit]")
        expect(third.locator("#role option[value=sales]")).to_have_count(1)
        expect(third.locator("#setup")).to_be_visible()
        expect(third.locator("#interview")).to_be_hidden()
    finally:
        context.close()
