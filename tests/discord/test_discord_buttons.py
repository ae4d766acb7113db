"""The buttons act once, and only under the latest question.

Their custom ids are fixed (so they survive a restart), so nothing in a press says
which question it was under. These tests press the way people do: twice in a row,
under a question long gone, while an answer is still being handled.
"""

from __future__ import annotations


from adapters.discord.buttons import INTERVIEW_OVER, MOVED_ON
from adapters.discord.views import END_ID, HINT_ID, SKIP_ID
from core.session import Speaker
from tests.fakes.discord_fake import CALLBACK_MESSAGE, EPHEMERAL, FakeDiscord
from tests.support.brains import ScriptedBrain
from tests.support.discord import Chat, make_service, start_in_channel, stored_session

STRONG_ANSWER = (
    "At Acme I owned a 400k deal with a logistics firm. I mapped the CFO as economic buyer and "
    "a champion in operations, ran discovery, and built a mutual action plan. We closed in 90 "
    "days, 20% above target."
)


def slow_brain() -> ScriptedBrain:
    """Thinks a little before every message, so a second press lands while the first works."""
    return ScriptedBrain(delay=0.4)


def with_buttons(fake: FakeDiscord, channel_id: int) -> list[dict]:
    return [m for m in fake.channel_messages(channel_id) if m["components"]]


def assert_refused(fake: FakeDiscord, interaction: dict, note: str) -> None:
    """Answered at once, privately, with ``note``, and nothing else was sent for it."""
    callback = fake.callback_for(interaction)
    assert callback.body["type"] == CALLBACK_MESSAGE
    assert callback.body["data"]["flags"] == EPHEMERAL
    assert callback.body["data"]["content"] == note
    assert len(fake.interaction_messages(interaction)) == 1


async def press_and_wait(fake: FakeDiscord, chat: Chat, user, message: dict, custom_id: str) -> list[dict]:
    return await chat.finished(await fake.press(user, message, custom_id))


async def test_a_double_click_on_skip_skips_one_question(fake: FakeDiscord, start_bot) -> None:
    service = make_service(slow_brain())
    async with start_bot(service) as bot:
        chat = Chat(fake, bot)
        ann = fake.user("ann")
        dm = fake.dm_channel(ann)
        [greeting] = await chat.say(ann, dm, "start sales")

        first = await fake.press(ann, greeting, SKIP_ID)
        second = await fake.press(ann, greeting, SKIP_ID)  # the same message, at once
        [next_question] = await chat.finished(first)
        await chat.finished(second)

        assert "Question 2 of 5" in next_question["content"]
        assert_refused(fake, second, MOVED_ON)
        assert (await stored_session(fake, service, ann, dm)).current == 1


async def test_a_double_click_on_end_sends_one_report(fake: FakeDiscord, start_bot) -> None:
    service = make_service(slow_brain())
    async with start_bot(service) as bot:
        chat = Chat(fake, bot)
        ben = fake.user("ben")
        dm = fake.dm_channel(ben)
        [greeting] = await chat.say(ben, dm, "start sales")

        first = await fake.press(ben, greeting, END_ID)
        second = await fake.press(ben, greeting, END_ID)
        await chat.finished(first)
        await chat.finished(second)

        reports = [m for m in fake.channel_messages(dm) if "Here is your feedback" in m["content"]]
        assert len(reports) == 1
        assert_refused(fake, second, MOVED_ON)
        assert with_buttons(fake, dm) == []  # an interview that is over offers no buttons

        late = await fake.press(ben, greeting, HINT_ID)  # a press that raced the removal
        await chat.finished(late)
        assert_refused(fake, late, INTERVIEW_OVER)


async def test_skip_under_an_older_question_does_nothing(fake: FakeDiscord, chat, bot) -> None:
    cai = fake.user("cai")
    dm = fake.dm_channel(cai)
    [question_1] = await chat.say(cai, dm, "start sales")
    [question_2] = await press_and_wait(fake, chat, cai, question_1, SKIP_ID)
    [question_3] = await press_and_wait(fake, chat, cai, question_2, SKIP_ID)
    assert "Question 3 of 5" in question_3["content"]

    for old in (question_1, question_2):  # buttons still on screen in a client that lagged
        interaction = await fake.press(cai, old, SKIP_ID)
        await chat.finished(interaction)
        assert_refused(fake, interaction, MOVED_ON)

    session = await stored_session(fake, bot.service, cai, dm)
    assert session.current == 2
    assert with_buttons(fake, dm) == [fake.messages[int(question_3["id"])]]
    [status] = await chat.say(cai, dm, "status")
    assert "question 3 of 5" in status["content"]


async def test_the_previous_question_loses_its_buttons(fake: FakeDiscord, chat, bot) -> None:
    dee = fake.user("dee")
    dm = fake.dm_channel(dee)
    [greeting] = await chat.say(dee, dm, "start sales")
    assert with_buttons(fake, dm) == [fake.messages[int(greeting["id"])]]

    replies = await chat.say(dee, dm, STRONG_ANSWER)  # streamed: buttons come with the final edit

    [retired] = fake.calls("PATCH", rf"/channels/{dm}/messages/{greeting['id']}")
    assert retired.body["components"] == [] and retired.status == 200
    assert with_buttons(fake, dm) == [fake.messages[int(replies[-1]["id"])]]


async def test_follow_ups_lose_their_buttons_through_the_channel(fake: FakeDiscord, chat, bot) -> None:
    """A button's reply is an interaction follow-up; it is retired through the channel, since
    the interaction's token (and with it the webhook) expires after 15 minutes."""
    eva = fake.user("eva")
    _, thread = await start_in_channel(fake, chat, eva)
    thread_id = int(thread["id"])
    [greeting] = fake.channel_messages(thread_id)

    [hint] = await press_and_wait(fake, chat, eva, greeting, HINT_ID)
    [next_question] = await press_and_wait(fake, chat, eva, hint, SKIP_ID)

    for older in (greeting, hint):
        [retired] = fake.calls("PATCH", rf"/channels/{thread_id}/messages/{older['id']}")
        assert retired.body["components"] == []
    assert with_buttons(fake, thread_id) == [fake.messages[int(next_question["id"])]]
    assert (await stored_session(fake, bot.service, eva, thread_id)).here.hints == 0  # on question 2 now


async def test_a_deleted_previous_message_does_not_stop_the_reply(fake: FakeDiscord, chat, bot) -> None:
    fin = fake.user("fin")
    dm = fake.dm_channel(fin)
    [greeting] = await chat.say(fin, dm, "start sales")
    del fake.messages[int(greeting["id"])]  # someone deleted it (or Discord lost it)

    [hint] = await chat.say(fin, dm, "hint")

    assert fake.calls("PATCH", rf"/channels/{dm}/messages/{greeting['id']}")[0].status == 404
    assert hint["components"] and "went wrong" not in hint["content"]
    assert (await stored_session(fake, bot.service, fin, dm)).here.hints == 1


async def test_a_press_overtaken_by_a_typed_answer_does_nothing(fake: FakeDiscord, start_bot) -> None:
    """Skip pressed while the answer is still being handled would skip the *next* question."""
    service = make_service(slow_brain())
    async with start_bot(service) as bot:
        chat = Chat(fake, bot)
        gus = fake.user("gus")
        dm = fake.dm_channel(gus)
        [greeting] = await chat.say(gus, dm, "start sales")

        await fake.say(gus, dm, STRONG_ANSWER)
        await fake.until(lambda: not chat.idle())  # the answer's turn is running
        late = await fake.press(gus, greeting, SKIP_ID)  # waits behind the answer
        [notice] = await chat.finished(late)

        assert notice["content"] == MOVED_ON and notice["flags"] & EPHEMERAL
        public = [m for m in fake.interaction_messages(late) if not m["flags"] & EPHEMERAL]
        assert public == []  # the "thinking…" message was taken back
        session = await stored_session(fake, service, gus, dm)
        speakers = [entry.speaker for entry in session.transcript]
        assert speakers == [Speaker.interviewer, Speaker.candidate, Speaker.interviewer]


async def test_private_status_carries_no_buttons(fake: FakeDiscord, chat, bot) -> None:
    """An ephemeral reply can't have its buttons taken off later, so it never gets any."""
    hal = fake.user("hal")
    dm = fake.dm_channel(hal)
    [greeting] = await chat.say(hal, dm, "start sales")
    [status] = await chat.finished(await fake.slash(hal, dm, "status"))
    assert status["flags"] & EPHEMERAL and status["components"] == []

    [question_2] = await press_and_wait(fake, chat, hal, greeting, SKIP_ID)  # still the latest
    assert "Question 2 of 5" in question_2["content"]


async def test_after_a_restart_a_press_acts_and_is_tracked_again(
    fake: FakeDiscord, service, start_bot
) -> None:
    ida = fake.user("ida")
    dm = fake.dm_channel(ida)
    async with start_bot(service) as first:
        [greeting] = await Chat(fake, first).say(ida, dm, "start sales")
    async with start_bot(service) as second:  # a new process: the latest message is not known
        chat = Chat(fake, second)
        [question_2] = await press_and_wait(fake, chat, ida, greeting, SKIP_ID)
        assert "Question 2 of 5" in question_2["content"]
        assert fake.calls("PATCH", rf"/channels/{dm}/messages/{greeting['id']}")  # retired now

        again = await fake.press(ida, greeting, SKIP_ID)
        await chat.finished(again)
        assert_refused(fake, again, MOVED_ON)
    assert (await stored_session(fake, service, ida, dm)).current == 1
