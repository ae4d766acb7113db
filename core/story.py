"""What a story says happened: the candidate's own actions, and the result that followed.

Read per sentence with ``core.signals``' cues, in any tense or grammar ("I rebuilt",
"Rebuilt the...", "we shipped it and churn fell"). Numbers said before the first action
describe the problem, not the result.
"""

from __future__ import annotations

import re

from core import signals


# Talk about the interview itself is not something the candidate did in the story.
_META = re.compile(r"\b(?:(?:just|already) (?:answered|said)|answered (?:it|that|this|the question)|"
                   r"told you|in english|asked you|repeat myself|mis(?:read|understood|heard)|"
                   r"meant to say)\b"
                   r"|^I (?:rarely|started my career)\b", re.IGNORECASE)


def own_actions(parts: list[str]) -> list[str]:
    found: list[str] = []
    for sentence in parts:
        for match in signals.ACTION.finditer(sentence):
            clause = ("I " + next(group for group in match.groups() if group)).strip()
            if not _META.search(clause):
                found.append(clause)
        elided = signals.ELIDED_ACTION.match(sentence)
        if elided and not sentence.lower().startswith(("used ", "based ", "need")):
            found.append(elided.group(1).strip())
    return found


_STATES = ("zero", "0 ", "no more", "no longer", "no further", "no repeats", "no recurrence",
           "no complaints", "fewer", "record")  # outcomes that are states, not verbs


def story_result(parts: list[str], actions: list[str]) -> tuple[list[str], str | None]:
    """Result cues said once the candidate has started acting: the story's outcome.

    Numbers before any action describe the problem ("open rates had dropped to 18%").
    """
    first_action = next((i for i, s in enumerate(parts)
                         if signals.ACTION.search(s) or signals.ELIDED_ACTION.match(s)), None)
    if first_action is None:  # told without "I": the first sentence still sets the problem
        first_action = 1 if len(parts) > 1 else len(parts)
    cues: list[str] = []
    best: str | None = None
    for sentence in parts[first_action:]:
        # "open rates had dropped to 18%": the past perfect is the backstory, not the result
        # ("we had zero downtime" is a result: only a verb after "had" is backstory)
        found = [m.group(0) for m in signals.OUTCOME.finditer(sentence)
                 if m.group(0).lower().startswith(_STATES)
                 or not re.search(r"(?:\bhad|'d|’d) (?:\w+ )?$", sentence[:m.start()])]
        if found:
            cues += found
            if best is None or (signals.DIGIT_NUMBER.search(sentence)
                                and not signals.DIGIT_NUMBER.search(best)):
                best = sentence
    return cues, best
