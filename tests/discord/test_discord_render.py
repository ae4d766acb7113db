"""Rendering within Discord's limits, and the typed-command parser."""

from __future__ import annotations


from adapters.discord.render import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    MESSAGE_LIMIT,
    batch_embeds,
    render_reply,
    report_embeds,
)
from core.models import Action, Reply, ReplyKind
from core.report import EvidencedPoint, FeedbackReport, QuestionReview, Score, Scores, Specificity, Ownership


def sentence(n: int, word: str) -> str:
    return " ".join(f"{word}{i}" for i in range(n)) + "."


def huge_report() -> FeedbackReport:
    reviews = [
        QuestionReview(
            question=f"Question number {i}: " + sentence(40, "q"),
            answer_excerpt=sentence(60, "said"),
            star="not_applicable",
            specificity=Specificity.medium,
            ownership=Ownership.clear,
            score=(i % 5) + 1,
            note=f"note{i}start " + sentence(150, f"n{i}x"),
            stronger_answer=f"better{i}start " + sentence(260, f"b{i}x"),
        )
        for i in range(15)
    ]
    points = [EvidencedPoint(point=f"point {i}", evidence=sentence(50, "ev")) for i in range(8)]
    return FeedbackReport(
        role="Sales" * 80,
        difficulty="senior",
        summary=sentence(1200, "summary"),
        answered=15,
        strengths=points,
        weaknesses=points,
        scores=Scores(
            communication=Score(score=4, reason="Clear and concise."),
            technical=Score(score=2, reason="Little process detail."),
            structure=Score(score=3, reason="STAR mostly present."),
        ),
        questions=reviews,
        adaptation="You were efficient, so I moved on quickly.",
        next_steps=[sentence(30, "step") for _ in range(5)],
    )


def test_a_huge_report_fits_every_embed_limit_and_loses_nothing() -> None:
    report = huge_report()
    embeds = report_embeds(report)
    assert len(embeds) > 1  # it had to continue
    for embed in embeds:
        assert len(embed.title) <= EMBED_TITLE_LIMIT
        assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
        assert len(embed.fields) <= FIELDS_PER_EMBED
        assert all(len(field.value) <= FIELD_VALUE_LIMIT for field in embed.fields)
        assert len(embed) <= EMBED_TOTAL_LIMIT
    batches = batch_embeds(embeds)
    assert [e for batch in batches for e in batch] == embeds
    for batch in batches:
        assert len(batch) <= EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in batch) <= EMBED_TOTAL_LIMIT
    everything = " ".join(
        " ".join([e.description or "", *(f.value for f in e.fields)]) for e in embeds
    ).split()
    for review in report.questions:  # every word of every note and outline is shown
        assert set(review.note.split()) <= set(everything)
        assert set(review.stronger_answer.split()) <= set(everything)
    assert set(report.summary.split()) <= set(everything)


def test_scores_are_text_bars() -> None:
    names = [field.name for embed in report_embeds(huge_report()) for field in embed.fields]
    assert names[:3] == [
        "Communication ■■■■□ 4/5",
        "Technical depth ■■□□□ 2/5",
        "Structure ■■■□□ 3/5",
    ]


def test_reply_text_is_split_and_buttons_go_under_the_last_part() -> None:
    text = "\n\n".join(sentence(120, f"para{i}w") for i in range(6))
    reply = Reply(kind=ReplyKind.question, text=text, actions=[Action.hint, Action.skip, Action.end])
    messages = render_reply(reply)
    assert len(messages) > 1
    assert all(len(m.content) <= MESSAGE_LIMIT for m in messages)
    assert " ".join(m.content for m in messages).split() == text.split()
    assert [m.buttons for m in messages] == [False] * (len(messages) - 1) + [True]
    finished = Reply(kind=ReplyKind.ended, text="Goodbye.")
    assert [m.buttons for m in render_reply(finished)] == [False]


def test_core_errors_are_worded_for_discord_by_code() -> None:
    from adapters.discord.errors import user_message
    from core.errors import InterviewAlreadyActiveError, NoActiveInterviewError

    assert "/interview start role:sales" in user_message(NoActiveInterviewError())
    assert "`start sales`" in user_message(NoActiveInterviewError(), slash=False)
    assert "`/interview reset`" in user_message(InterviewAlreadyActiveError())
    over = NoActiveInterviewError("This interview is over. Start a new one whenever you like.")
    assert user_message(over) == over.user_message  # core's specific words are kept
