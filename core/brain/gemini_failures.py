"""How the Gemini brain reads failures: what the user is told, and when waiting helps.

Three things the SDK leaves to us:

* **Rate limits.** A 429 carries ``google.rpc`` details in its JSON body: ``RetryInfo``
  (``retryDelay``, how long until the quota lets a request through) and ``QuotaFailure``
  (which quota: per minute, per day...). The SDK's own retry ignores them and backs off
  blindly, so 429 is left out of its retry list and handled here: a short delay is
  waited out, a long one is told to the user with its length, and a per-day quota is a
  configuration problem (said once in the logs, plainly to the user) that no retry fixes.
* **Finish reasons.** A reply stopped by a content filter (SAFETY, RECITATION,
  PROHIBITED_CONTENT, BLOCKLIST, SPII...) is a "filter stop", even after partial text: the
  candidate is asked to rephrase, not to send the same words again. MAX_TOKENS, OTHER and
  the rest are logged with their reason and read as an unusable reply.
* **Wording.** Rate limits and daily quotas are said as Google's; the rest of the
  wording is every provider's (``llm_failures``).

No SDK import here beyond the error type: plain parsing, easy to test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Google's own wording where the cause is Google's; the other messages are every provider's.
RATE_LIMITED = ("The AI interviewer has reached its rate limit with Google. Your interview is "
                "saved: please send your answer again in {wait}.")
QUOTA_EXHAUSTED = ("The AI interviewer has used up its daily quota with Google. This is a "
                   "limit of the bot's configuration, not something you did: the operator "
                   "needs to raise the quota or enable billing (daily quotas reset at midnight "
                   "Pacific time). Your interview is saved.")

# Finish reasons that mean a filter stopped the reply (FinishReason in google.genai.types).
FILTER_FINISHES = frozenset({"SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII",
                             "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
                             "LANGUAGE", "MODEL_ARMOR"})
# Finish reasons of a complete reply; anything else is logged with its reason.
COMPLETE_FINISHES = frozenset({"STOP", "FINISH_REASON_UNSPECIFIED"})

_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?)s\s*$")  # google.protobuf.Duration in JSON: "34s"


@dataclass(frozen=True)
class QuotaSignal:
    """What a 429's error body says about waiting."""

    retry_after: float | None  # seconds, from RetryInfo.retryDelay
    per_day: bool  # a QuotaFailure names a per-day quota: waiting minutes will not help
    quota_ids: tuple[str, ...]  # safe to log: names of quotas, never content


def _error_details(body: Any) -> list[dict[str, Any]]:
    """The ``details`` list of an error body, ``{"error": {...}}`` or the inner object."""
    if not isinstance(body, dict):
        return []
    inner = body.get("error", body)
    details = inner.get("details") if isinstance(inner, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def parse_duration(text: Any) -> float | None:
    match = _DURATION.match(text) if isinstance(text, str) else None
    return float(match.group(1)) if match else None


def quota_signal(body: Any) -> QuotaSignal:
    """Read RetryInfo and QuotaFailure from an error body (``APIError.details``)."""
    retry_after: float | None = None
    quota_ids: list[str] = []
    for detail in _error_details(body):
        kind = detail.get("@type")
        if kind == _RETRY_INFO:
            retry_after = parse_duration(detail.get("retryDelay"))
        elif kind == _QUOTA_FAILURE:
            for violation in detail.get("violations") or []:
                if isinstance(violation, dict):
                    quota_ids.append(str(violation.get("quotaId") or violation.get(
                        "quotaMetric") or "unknown"))
    per_day = any("perday" in quota.lower() for quota in quota_ids)
    return QuotaSignal(retry_after, per_day, tuple(quota_ids))
