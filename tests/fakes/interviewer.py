"""What the loopback model fakes say by default: a plausible interviewer and reviewer.

Both fakes (Gemini, OpenAI-compatible) answer from the prompts the brains actually send:
a turn follows the engine's chosen move and asks the next question it names; a report
quotes each answered question's own words, so it passes the brain's evidence checks.
"""

from __future__ import annotations

import re
from typing import Any

_MOVE = re.compile(r"^Chosen move: (\w+)", re.MULTILINE)
_NEXT = re.compile(r"^Next question if you move on[^:]*: (.+)$", re.MULTILINE)
_ANSWER = re.compile(r"<candidate_answer>\n(.*?)\n</candidate_answer>", re.DOTALL)
_ANSWERED = re.compile(r'<question number="(\d+)" status="answered">(.*?)</question>', re.DOTALL)

MESSAGES = {
    "greet": "Hi! Welcome to your practice interview. {question}",
    "ask": "Thanks. Next: {question}",
    "skip": "No problem. {question}",
    "follow_up": "What was the measurable result of what you did?",
    "clarify": "Put simply: pick one real example and tell me what you did.",
    "steer": "Let's come back to the question, briefly please.",
    "warning": "Let's keep this respectful. Back to the question.",
    "hint": "Hint: describe the situation, your action and the result.",
    "wrap_up": "Thanks, that was the last question. Your feedback follows.",
    "end": "Let's end the interview here.",
}


def turn_plan(prompt: str) -> dict[str, str]:
    """Follow the engine's move (the ``<engine>`` block of the turn prompt)."""
    move_match = _MOVE.search(prompt)
    move = move_match.group(1) if move_match else "ask"
    next_match = _NEXT.search(prompt)
    question = next_match.group(1) if next_match else "Could you tell me more?"
    message = MESSAGES.get(move, "Thanks.").format(question=question)
    return {"read": "normal", "move": move, "message": message}


def report(transcript: str) -> dict[str, Any]:
    """A report that passes the brain's checks: quotes come from each question's answers."""
    answered = [(int(number), _ANSWER.findall(block))
                for number, block in _ANSWERED.findall(transcript)]
    answered = [(number, answers) for number, answers in answered if answers]
    quote = " ".join(answered[0][1][0].split()[:6]) if answered else ""
    points = [{"point": "Concrete, first-person account", "evidence": quote}] if quote else []
    score = {"score": 3, "reason": "Relevant with some specifics."}
    return {
        "summary": "A solid practice run with room to quantify results.",
        "strengths": points,
        "weaknesses": points,
        "scores": {"communication": score, "technical": score, "structure": score}
        if answered else None,
        "questions": [{"number": number, "story_question": True, "situation": True,
                       "task": False, "action": True, "result": False,
                       "quantified_result": False, "specificity": "medium",
                       "ownership": "clear", "correctness": "not_assessable",
                       "relevance": "on_question", "integrity": "no_concern",
                       "flagged_quote": None, "flag_reason": None, "score": 3,
                       "note": "Add the outcome.",
                       "stronger_answer": "Situation, action, result."}
                      for number, _ in answered],
        "adaptation": "Answers were steady.",
        "next_steps": ["Quantify outcomes.", "Name your own actions."],
    }
