"""What a model brain tells the candidate when a call fails, whatever the provider.

Every message keeps the promise that the interview is saved: core works on a copy of the
session, so the same answer can simply be sent again. Providers add their own wording
where the cause is theirs (Google's daily quotas, see ``gemini_failures``).

Plain strings and arithmetic: no SDK import, easy to test.
"""

from __future__ import annotations

import math

BUSY = ("The AI interviewer is busy right now (rate limit or service error). Your interview "
        "is saved: please send your answer again in a moment.")
# Said with how long to wait: RATE_LIMITED.format(wait="about 40 seconds").
RATE_LIMITED = ("The AI interviewer has reached its rate limit with the model provider. Your "
                "interview is saved: please send your answer again in {wait}.")
QUOTA_EXHAUSTED = ("The AI interviewer has used up its quota with the model provider. This is "
                   "a limit of the bot's configuration, not something you did: the operator "
                   "needs to check the provider's plan and billing. Your interview is saved.")
TIMED_OUT = ("The AI interviewer took too long to answer. Your interview is saved: please "
             "send your answer again.")
BLOCKED = ("The AI service's safety filter stopped the interviewer from replying to that. "
           "Your interview is saved: please rephrase your answer and send it again.")
FILTERED = ("The AI service's content filter stopped the interviewer's reply part-way. Your "
            "interview is saved: please rephrase your answer and send it again.")
UNREADABLE = ("The AI interviewer sent back a reply I couldn't read. Your interview is saved: "
              "please send your answer again.")
DROPPED = ("The connection to the AI interviewer dropped mid-reply. Your interview is saved: "
           "please send your answer again.")
UNREACHABLE = ("The AI interviewer can't reach its model server right now. Your interview is "
               "saved: please send your answer again in a moment.")
MISCONFIGURED = ("The AI interviewer isn't set up correctly (the AI service rejected the "
                 "request; the operator should check the API key and model name). Your "
                 "interview is saved.")
# Put before the built-in interviewer's words when it stands in for an unreadable model
# reply; said once per interview, the log has every time.
FALLBACK_NOTICE = ("(The AI model's reply couldn't be read, so the built-in interviewer "
                   "wrote this message. It steps in like this whenever that happens.)")


def say_wait(seconds: float) -> str:
    """'about 40 seconds', 'about 3 minutes': rounded up, so the wait is long enough."""
    if seconds < 90:
        return f"about {max(5, math.ceil(seconds / 5) * 5)} seconds"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minutes" if minutes < 90 else f"about {math.ceil(minutes / 60)} hours"
