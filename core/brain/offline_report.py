"""The offline reviewer: a feedback report built from real answer analysis.

Each question is reviewed in ``core.brain.offline_review``; this module turns the
reviews into the three scores, the evidenced strengths and weaknesses, next steps.

Scores reward substance (a concrete example, personal actions, an outcome,
numbers, the role's key points) and never length: words past the point cost
communication marks instead of earning them.
"""

from __future__ import annotations

from collections import Counter

from core.analysis import is_chatty, is_story
from core.brain import offline_evidence as evidence
from core.brain.offline_evidence import Weakness
from core.brain.offline_review import (  # noqa: F401  (question_score, review_question re-exported)
    Answered,
    clamp,
    question_score,
    review_question,
)
from core.models import Persona, ReplyKind
from core.report import OFFLINE_LIMITS, FeedbackReport, QuestionReview, Score, Scores
from core.roles import Role
from core.session import Session, Speaker
from core.text import excerpt


# --------------------------------------------------------------------------- scores


def _communication(answered: list[Answered], personas: Counter, warnings: int,
                   steered: set[int] = frozenset()) -> Score:
    """Clear, direct and on the point, and respectful: never a word count.

    Direct: answers address the question asked (not another one, not a ramble).
    Clear: signposted, little filler or jargon. Conduct: insults cost the score.
    """
    n = len(answered)
    # Direct: about this question at once, in plain words (not steered back, not jargon).
    on_point = sum(1 for i in answered if i.analysis.on_question and not is_chatty(i.analysis)
                   and not i.analysis.buzzword_salad and i.number - 1 not in steered) / n
    signposted = sum(1 for i in answered if i.analysis.structure_markers) / n
    filler = sum(i.analysis.filler_ratio for i in answered) / n
    jargon = sum(1 for i in answered if i.analysis.buzzword_salad)
    value = 2.0 + 2.0 * on_point + 0.5 * signposted
    value += 0.5 if personas[Persona.efficient] else 0.0
    value -= 1.0 if filler > 0.04 else 0.0
    value -= 0.5 if jargon else 0.0
    value -= 0.5 if personas[Persona.confused] >= 2 else 0.0
    value -= 1.5 * min(warnings, 2)
    direct = round(on_point * n)
    bits = [f"{direct} of {n} answer(s) went straight at the question asked"]
    if steered:
        bits.append(f"{len(steered)} needed bringing back to the question")
    if signposted >= 0.5:
        bits.append("clear signposting (first, then, as a result)")
    if filler > 0.04:
        bits.append("noticeable filler words")
    if jargon:
        bits.append("jargon in place of specifics")
    if personas[Persona.efficient]:
        bits.append(f"{personas[Persona.efficient]} concise, complete answer(s)")
    score = clamp(value)
    if warnings:
        bits.append(f"{warnings} conduct warning(s): disrespect costs more than any answer earns")
        score = min(score, 3 if warnings == 1 else 2)  # interviewers remember conduct
    return Score(score=score, reason="; ".join(bits).capitalize() + ".")


def _technical(answered: list[Answered], role: Role) -> Score:
    """Depth on the role's technical and situational questions: their anchored scores.

    The same grades as the per-question reviews (so the summary never contradicts them),
    with the key points said listed as evidence and flagged claims named.
    """
    pool = [i for i in answered if not is_story(i.question) and i.question.key_points]
    flagged = [i for i in answered if i.analysis.misconceptions]
    flag_note = (f" Q{', Q'.join(str(i.number) for i in flagged)} contained a claim the rubric "
                 "flags." if flagged else "")
    if not pool:
        # Only stories (or custom questions without key points): judge the role's language
        # alone, and say so, instead of marking stories down for missing technical points.
        terms = sorted({term for i in answered for term in i.analysis.vocabulary})
        used = (f"you used terms such as {', '.join(terms[:4])}" if terms
                else "few role-specific terms came up")
        value = 2 + min(len(terms), 6) / 2 - 1.5 * len(flagged)
        return Score(score=clamp(value),
                     reason=f"No role-technical questions in this interview; {used}.{flag_note}")
    value = sum(i.score for i in pool) / len(pool)
    said = [f"Q{i.number}: {excerpt(p, 50)}" for i in pool for p in i.analysis.key_points_covered]
    # Matched by topic, not checked for stance: "touched on", never "got right".
    listed = f" Topics your answers touched on: {'; '.join(said[:3])}." if said else ""
    return Score(score=clamp(value),
                 reason=f"Averaged {value:.1f}/5 on {len(pool)} role-technical or situational "
                        f"question(s).{listed}{flag_note}")


def _structure(answered: list[Answered]) -> Score:
    """STAR for stories (situation, action, result, a number); signposting for the rest."""
    star_items = [i for i in answered if is_story(i.question)]
    if not star_items:
        markers = sum(min(i.analysis.structure_markers, 3) for i in answered) / len(answered)
        return Score(score=clamp(2 + markers),
                     reason="No story questions; judged on signposting (first, then, as a result).")
    n = len(star_items)
    situation = sum(1 for i in star_items if i.analysis.has_example or i.analysis.has_situation)
    action = sum(1 for i in star_items if i.analysis.owned)
    result = sum(1 for i in star_items if i.analysis.has_outcome)
    number = sum(1 for i in star_items if i.analysis.quantified_outcome)
    value = 1 + 4 * (situation + action + result + 0.5 * number) / (3.5 * n)
    return Score(score=clamp(value),
                 reason=f"In {n} story answer(s): a situation in {situation}, your own actions in "
                        f"{action}, a result in {result}, a number for it in {number}.")


_STEP_FOR = {
    Weakness.misconception: "Re-derive the claim flagged above from first principles (or look "
                            "it up) and rehearse the corrected version out loud.",
    Weakness.no_outcome: "For each of three stories you will reuse, write the last line first: "
                         "the result and what it meant for the team or customer.",
    Weakness.no_personal_action: "Rehearse your stories saying “I” for your part: the decision "
                                 "you made, the thing you built, the call you had.",
    Weakness.no_numbers: "Attach one number to every result: a percentage, time saved, revenue, "
                         "users, or a before-and-after.",
    Weakness.long: "Time yourself: answer in under two minutes, opening with a one-sentence "
                   "headline before the detail.",
    Weakness.no_example: "Swap “I usually…” for “Last year, when…”: one real example beats a "
                         "description of your process.",
    Weakness.shallow: "Review the role's core topics and prepare a worked example for each.",
    Weakness.skipped: "Write bullet answers to the questions you skipped and practise them aloud.",
}


def _next_steps(weak: list[Weakness], role: Role, questions: list[QuestionReview],
                average: float = 0.0, difficulty: str = "mid") -> list[str]:
    steps: list[str] = []
    for code in weak:
        step = _STEP_FOR[code]
        if code is Weakness.shallow and role.focus_areas:
            step = (f"Review {role.focus_areas[0].lower()} and "
                    f"{role.focus_areas[-1].lower()}: prepare one worked example for each.")
        if step not in steps:
            steps.append(step)
    low = [q for q in questions if q.score is not None and q.score <= 3]
    if low and len(steps) < 3:
        steps.append(f"Re-answer “{excerpt(low[0].question, 90)}” using the stronger-answer "
                     "outline in this report.")
    stretch = (f"Practise another {role.name} interview at the next difficulty level to stretch "
               "yourself." if average >= 4 and difficulty != "senior" else
               f"Practise another {role.name} interview at this level and compare the reports.")
    fillers = [
        stretch,
        f"Prepare a story for each focus area: {', '.join(a.lower() for a in role.focus_areas[:3])}.",
        "Record yourself answering one question and listen back for filler and pace.",
    ]
    for step in fillers:
        if len(steps) >= 3:
            break
        steps.append(step)
    return steps[:3]


def _adaptation(session: Session, personas: Counter) -> str:
    """What the interviewer actually did, counted from its own turns."""
    moves = Counter(entry.kind for entry in session.transcript
                    if entry.speaker is Speaker.interviewer and entry.kind is not None)
    bits = []
    if moves[ReplyKind.clarify]:
        bits.append(f"got {moves[ReplyKind.clarify]} clarification(s) or answer(s) to your "
                    "questions")
    if moves[ReplyKind.steer]:
        bits.append(f"were brought back to the question {moves[ReplyKind.steer]} time(s)")
    if personas[Persona.efficient]:
        bits.append(f"gave {personas[Persona.efficient]} concise answer(s) that moved straight on")
    if moves[ReplyKind.warning]:
        bits.append(f"received {moves[ReplyKind.warning]} conduct warning(s)")
    if moves[ReplyKind.ended]:
        bits.append("and the interview was ended after a repeat")
    if not bits:
        return "No clarifications or redirections were needed."
    return "During the interview you " + "; ".join(bits) + "."


def _graded_answers(session: Session, index: int) -> list[str]:
    """What one question is graded on: its counted answers, less any that was steered back
    (answered another question, or rambled) once a later answer followed the steer."""
    entries = [e for e in session.transcript if e.question_index == index]
    kept: list[str] = []
    for at, entry in enumerate(entries):
        if entry.speaker is not Speaker.candidate or not entry.counts:
            continue
        reply = next((e for e in entries[at + 1:] if e.speaker is Speaker.interviewer), None)
        later = any(e.speaker is Speaker.candidate and e.counts for e in entries[at + 1:])
        if reply is not None and reply.kind is ReplyKind.steer and later:
            continue
        kept.append(entry.text)
    return kept


def _steered(session: Session) -> set[int]:
    """Questions where the interviewer had to bring the candidate back (counted per question)."""
    return {index for index, progress in enumerate(session.progress) if progress.steers}


def build_report(role: Role, session: Session) -> FeedbackReport:
    # "Next" is a request, not a concise answer: only counted answers read as efficient.
    personas = Counter(entry.persona for entry in session.transcript
                       if entry.persona is not None
                       and (entry.counts or entry.persona is not Persona.efficient))
    redirected = {entry.question_index for entry in session.transcript
                  if entry.persona is Persona.chatty}
    reviews: list[QuestionReview] = []
    answered: list[Answered] = []
    skipped: list[str] = []
    reached = session.current + 1
    for index, question in enumerate(session.questions[:reached]):
        progress = session.progress[index]
        review, item = review_question(index + 1, question, _graded_answers(session, index),
                                       progress.skipped,
                               role, redirected=index in redirected)
        reviews.append(review)
        if item:
            answered.append(item)
        elif progress.skipped:
            skipped.append(question.text)
    base = dict(role=role.name, difficulty=session.options.difficulty.value,
                questions=reviews, generated_by="offline")
    if not answered:
        return FeedbackReport(
            **base,
            summary="No questions were answered, so there is nothing to score yet. Start a new "
                    "interview whenever you're ready: even one answer gets you useful feedback.",
            answered=0,
            adaptation=_adaptation(session, personas),
            next_steps=_next_steps([], role, reviews),
        )
    scores = Scores(communication=_communication(answered, personas, session.warnings,
                                                 _steered(session)),
                    technical=_technical(answered, role),
                    structure=_structure(answered))
    coded = evidence.weaknesses(answered, skipped)
    weaknesses = [point for _, point in coded]
    # A sentence quoted as a weakness is never also quoted as a strength.
    strengths = [point for point in evidence.strengths(answered)
                 if not any(evidence.quoted(point) and evidence.quoted(point) in weak.evidence
                            for weak in weaknesses)]
    average = sum(i.score for i in answered) / len(answered)
    lead = (strengths[0].point.rstrip(".").lower() if strengths
            else "steady answers across the questions" if average >= 3.5
            else "no single strength stood out yet")
    work_on = weaknesses[0].point.rstrip(".").lower() if weaknesses else "keep the same standard"
    summary = (f"You answered {len(answered)} of {len(session.questions)} questions in a "
               f"{session.options.difficulty.value}-level {role.name} interview, averaging "
               f"{average:.1f}/5 per answer. Strongest: {lead}. Work on: {work_on}. "
               + OFFLINE_LIMITS)
    return FeedbackReport(**base, summary=summary, answered=len(answered), strengths=strengths,
                          weaknesses=weaknesses, scores=scores,
                          adaptation=_adaptation(session, personas),
                          next_steps=_next_steps([code for code, _ in coded], role, reviews, average,
                                                 session.options.difficulty.value))
