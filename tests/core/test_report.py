"""The offline report: evidence from the transcript, no invented scores, substance over length."""

from core import ReplyKind, Where, Who
from core.brain.offline_report import question_score
from core.analysis import analyse
from core.roles import default_catalog
from tests.support.interviews import options

SALES = default_catalog().get("sales")
LOST_DEAL = "Tell me about a time you lost a deal you expected to win."
TIGHT = ("Last year I lost a 40-seat renewal at Northwind that I had forecast at 90%. I had only "
         "worked with our champion and never met the CFO, who chose a cheaper competitor. I changed "
         "my discovery: I now map every decision maker before a proposal, and my forecast "
         "accuracy went from 60% to 85% over the next two quarters.")
RAMBLING = ("So, um, basically deals are lost for lots of reasons, you know, and I think it's "
            "really about, like, relationships and stuff. Honestly I usually try to stay positive "
            "and I would always follow up, because you should always follow up, and it depends "
            "on the customer really. Anyway, by the way, sales is kind of a journey. ") * 8


async def _interview(service, user, answers, question=LOST_DEAL, questions=1):
    who, where = Who(platform="test", user_id=user), Where(platform="test", conversation_id="r")
    await service.start(who, where, options(custom_questions=[question], questions=questions))
    for answer in answers:
        reply = await service.answer(who, where, answer)
        if reply.kind is ReplyKind.feedback:
            return reply.report
    return (await service.feedback(who, where)).report


async def test_no_answers_means_no_scores_and_a_report_that_says_so(service):
    report = await _interview(service, "nobody", [])
    assert report.answered == 0 and report.scores is None
    assert "no questions were answered" in report.summary.lower()
    assert all(q.score is None for q in report.questions)


async def test_evidence_quotes_what_the_candidate_actually_said(service):
    report = await _interview(service, "tight", [TIGHT])
    assert report.strengths
    for point in report.strengths + report.weaknesses:
        quoted = point.evidence.split("“", 1)[-1].rstrip("”").rstrip("…")
        assert quoted[:30] in TIGHT or quoted[:30] in TIGHT.replace("\n", " "), point


async def test_star_elements_and_ownership_are_read_from_the_answer(service):
    report = await _interview(service, "star", [TIGHT])
    review = report.questions[0]
    assert review.star.situation and review.star.action and review.star.result
    assert review.star.quantified_result
    assert review.ownership == "clear" and review.specificity == "high"
    assert review.score >= 4 and review.stronger_answer is None


async def test_a_long_rambling_answer_does_not_beat_a_tight_complete_one(service):
    tight = await _interview(service, "t", [TIGHT])
    ramble = await _interview(service, "r", [RAMBLING, RAMBLING, RAMBLING])
    assert tight.questions[0].score > ramble.questions[0].score
    assert tight.scores.communication.score > ramble.scores.communication.score
    assert ramble.questions[0].stronger_answer  # a low score comes with an outline


def test_length_alone_adds_nothing_to_a_question_score():
    question = next(q for q in SALES.questions if q.star)
    once = analyse(TIGHT, question, SALES)
    padded = analyse(TIGHT + " " + "And that is really all there is to say about it. " * 40,
                     question, SALES)
    assert question_score(padded, question) <= question_score(once, question)


async def test_star_does_not_apply_to_a_motivation_question(service):
    report = await _interview(service, "why", ["I love the product and the team's mission."],
                              question="Why do you want to work here")
    assert report.questions[0].star == "not_applicable"
    assert report.questions[0].ownership == "not_applicable"


async def test_weak_answer_gets_an_outline_built_from_its_own_words(service):
    weak = "At my last job we had a deal slip. I called the buyer again."
    report = await _interview(service, "weak", [weak, "We just moved on.", "Nothing else."])
    review = report.questions[0]
    assert review.score <= 3
    assert "I called the buyer again" in review.stronger_answer
    assert len(report.next_steps) == 3


async def test_scores_are_anchored_and_explained(service):
    report = await _interview(service, "s", [TIGHT])
    for name in ("communication", "technical", "structure"):
        score = getattr(report.scores, name)
        assert 1 <= score.score <= 5 and score.reason
