"""Core's one dispatch and read model: what every surface does with a typed command."""

from __future__ import annotations

import pytest

from core.commands import Command, CommandError, ParsedCommand, parse
from core.conversation import (
    ConfirmForget,
    Conversation,
    Replied,
    SharingSet,
    ShowRoles,
    ShowStats,
    ShowUsage,
)
from core.errors import InterviewAlreadyActiveError, NoActiveInterviewError
from core.models import ReplyKind, Where
from core.session import SessionState, Speaker


@pytest.fixture
def talk(service) -> Conversation:
    return Conversation(service)


async def test_typed_text_is_a_command_outside_an_interview_and_an_answer_inside(talk, who, where):
    outside = await talk.understand(who, where, "start sales senior 2\nWe sell to banks.")
    assert not outside.active and outside.command.command is Command.start
    started = await talk.handle(who, where, outside.command)
    assert isinstance(started, Replied) and started.reply.kind is ReplyKind.greeting
    inside = await talk.understand(who, where, "History")
    assert inside.active and inside.command is None  # a one-word answer
    assert (await talk.understand(who, where, "stop")).command.command is Command.end
    assert (await talk.understand(who, where, "Start by listing the stakeholders")).command is None
    again = (await talk.understand(who, where, "start sales")).command  # not an answer:
    with pytest.raises(InterviewAlreadyActiveError):  # refused, and the interview goes on
        await talk.handle(who, where, again)
    with pytest.raises(CommandError):
        await talk.understand(who, Where(platform="test", conversation_id="c2"), "start")


async def test_the_view_shows_progress_and_the_last_prompt_without_the_session(talk, who, where):
    assert await talk.view(who, where) is None and not await talk.is_active(who, where)
    greeting = (await talk.handle(who, where, parse("start sales questions:3"))).reply
    view = await talk.view(who, where)
    assert (view.active, view.role_id, view.role_name) == (True, "sales", "Sales")
    assert (view.question_index, view.question_total) == (1, 3)
    assert view.last_prompt == greeting.text and view.question == greeting.question
    assert [item.speaker for item in view.transcript] == [Speaker.interviewer]
    ended = (await talk.handle(who, where, ParsedCommand(Command.end))).reply
    assert ended.kind is ReplyKind.feedback and ended.report is not None
    view = await talk.view(who, where)
    assert view.state is SessionState.finished and not view.active and view.question is None
    assert await talk.exists(who, where) and not await talk.is_active(who, where)


async def test_find_prefers_the_running_interview_then_one_that_is_over(talk, who):
    over, running, empty = (Where(platform="test", conversation_id=f"ch:{n}") for n in "123")
    await talk.handle(who, over, parse("start sales 1"))
    await talk.handle(who, over, parse("end"))
    assert await talk.find(who, [empty, over]) is None
    assert await talk.find(who, [empty, over], finished_too=True) == over
    await talk.handle(who, running, parse("start sales 1"))
    assert await talk.find(who, [over, running], finished_too=True) == running


async def test_commands_about_records_and_help_need_no_interview(talk, service, who, where):
    assert isinstance(await talk.handle(who, where, parse("help")), ShowUsage)
    roles = await talk.handle(who, where, parse("roles"))
    assert isinstance(roles, ShowRoles) and "sales" in [role.id for role in roles.roles]
    assert await talk.handle(who, where, parse("stats")) == ShowStats(None)  # no channel here
    assert await talk.handle(who, where, parse("share on")) == SharingSet(True)
    assert await service.history.sharing("test") == {who.user_id}
    await talk.handle(who, where, parse("start sales"))
    assert isinstance(await talk.handle(who, where, parse("forget")), ConfirmForget)
    assert await talk.is_active(who, where)  # forgetting waits for the user's confirmation
    with pytest.raises(NoActiveInterviewError):
        await talk.handle(who, Where(platform="test", conversation_id="elsewhere"), parse("hint"))


def test_role_names_are_looked_up_once(talk):
    assert talk.role_name("product_manager") == "Product Manager"
    assert talk.role_name("a_role_removed_since") == "a_role_removed_since"
    assert [role.id for role in talk.roles_matching("UX")] == ["ux_designer"]
    assert len(talk.roles_matching("")) == len(talk.service.roles())
