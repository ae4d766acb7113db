"""How well the interviewer judges single answers, against labelled cases.

``python -m bench.eval_answers [CASES ...] [--brain offline|gemini|openai] [--concurrency N]
[--show-misses N]``

Each case (one JSON object per line, see ``../shared/eval/answer_cases.jsonl`` and
``bench/cases/own_cases.jsonl``) is pinned to a bank question. The case runs through
the real ``InterviewService``: an interview starts with that question first, the
answer is sent, the reply's kind is the interviewer's move, and ending the
interview gives the report's review of that answer (score, STAR, ownership).

Prints, per file and overall:
- move accuracy (follow_up / next_question / steer / clarify / warning);
- persona recall per labelled class;
- score within ±1, Spearman's ρ (average ranks for ties), and the mean bot score of
  answers labelled 1-2 (a missing bot score counts as a miss for ±1 and is left
  out of ρ and the mean);
- STAR flag agreement (per flag, over story questions) and ownership agreement;
- for a model brain, the tokens it used in all (input and output, as the provider
  reported them) and how many reports the offline reviewer had to write instead.

``--brain gemini`` and ``--brain openai`` use the same settings as the bot (``.env`` or
the environment: GEMINI_API_KEY..., or OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_API_KEY).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.brain.base import Brain
from core.models import Difficulty, InterviewOptions, ReplyKind, Where, Who
from core.service import InterviewService
from core.store import InMemoryStore

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = [ROOT.parent / "shared" / "eval" / "answer_cases.jsonl",
                 ROOT / "bench" / "cases" / "own_cases.jsonl"]
STAR_FLAGS = ("situation", "task", "action", "result", "quantified_result")

MOVE_OF_KIND = {
    ReplyKind.follow_up: "follow_up",
    ReplyKind.question: "next_question",
    ReplyKind.feedback: "next_question",  # the last question: wrap-up is moving on
    ReplyKind.steer: "steer",
    ReplyKind.clarify: "clarify",
    ReplyKind.warning: "warning",
    ReplyKind.ended: "warning",
}


@dataclass
class Outcome:
    case: dict
    move: str
    persona: str | None
    score: int | None
    star: dict | None
    ownership: str
    message: str
    tokens: tuple[int, int] = (0, 0)  # (input, output) the case's interview used
    fell_back: bool = False  # the report came from the offline fallback


@dataclass
class Figures:
    moves: list[bool] = field(default_factory=list)
    persona_hits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    within: list[bool] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    low_scores: list[int] = field(default_factory=list)
    star: list[bool] = field(default_factory=list)
    star_by_flag: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    ownership: list[bool] = field(default_factory=list)


def load_cases(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


async def run_case(service: InterviewService, case: dict, index: int) -> Outcome:
    who = Who(platform="eval", user_id=f"u{index}", display_name="Candidate")
    where = Where(platform="eval", conversation_id=f"c{index}")
    options = InterviewOptions(role=case["role"], difficulty=Difficulty(case["level"]),
                               questions=2, question_ids=[case["question_id"]])
    await service.start(who, where, options)
    reply = await service.answer(who, where, case["answer"])
    move = MOVE_OF_KIND.get(reply.kind, reply.kind.value)
    report = reply.report
    if report is None:
        report = (await service.feedback(who, where)).report
    review = report.questions[0] if report and report.questions else None
    star = review.star.model_dump() if review and review.star != "not_applicable" else None
    usage = (await service.session_for(who, where)).usage
    return Outcome(case=case, move=move, persona=reply.persona.value if reply.persona else None,
                   score=review.score if review else None, star=star,
                   ownership=review.ownership.value if review else "not_applicable",
                   message=reply.text, tokens=(usage.input_tokens, usage.output_tokens),
                   fell_back=bool(report and report.notice))


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(pairs: list[tuple[int, int]]) -> float:
    """Spearman's ρ as Pearson's r of average ranks (handles ties)."""
    if len(pairs) < 3:
        return float("nan")
    xs, ys = _ranks([p[0] for p in pairs]), _ranks([p[1] for p in pairs])
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    vx = sum((x - mx) ** 2 for x in xs)
    vy = sum((y - my) ** 2 for y in ys)
    return cov / (vx * vy) ** 0.5 if vx and vy else float("nan")


def tally(outcomes: list[Outcome]) -> Figures:
    figures = Figures()
    for out in outcomes:
        case = out.case
        figures.moves.append(out.move == case["expected_move"])
        figures.persona_hits[case["persona"]].append(out.persona == case["persona"])
        label = case.get("score")
        if label is not None:
            figures.within.append(out.score is not None and abs(out.score - label) <= 1)
            if out.score is not None:
                figures.pairs.append((label, out.score))
                if label <= 2:
                    figures.low_scores.append(out.score)
        if isinstance(case.get("star"), dict) and out.star is not None:
            for flag in STAR_FLAGS:
                agree = bool(case["star"][flag]) == bool(out.star[flag])
                figures.star.append(agree)
                figures.star_by_flag[flag].append(agree)
        if case.get("ownership") in ("clear", "unclear"):
            figures.ownership.append(out.ownership == case["ownership"])
    return figures


def _share(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.2f} ({sum(values)}/{len(values)})" if values else "n/a"


def summary(figures: Figures) -> dict[str, float | None]:
    def ratio(values: list[bool]) -> float | None:
        return sum(values) / len(values) if values else None
    return {
        "move": ratio(figures.moves),
        "within_1": ratio(figures.within),
        "spearman": spearman(figures.pairs),
        "low_mean": statistics.fmean(figures.low_scores) if figures.low_scores else None,
        "star": ratio(figures.star),
        "ownership": ratio(figures.ownership),
    }


def print_figures(title: str, figures: Figures) -> None:
    print(f"\n{title}")
    print(f"  move accuracy           {_share(figures.moves)}")
    personas = ", ".join(f"{name} {_share(hits)}" for name, hits in
                         sorted(figures.persona_hits.items()))
    print(f"  persona recall          {personas}")
    print(f"  score within ±1         {_share(figures.within)}")
    print(f"  Spearman ρ              {spearman(figures.pairs):.2f} (n={len(figures.pairs)})")
    low = figures.low_scores
    print(f"  mean score, labelled 1-2 {statistics.fmean(low):.2f} (n={len(low)})" if low
          else "  mean score, labelled 1-2 n/a")
    print(f"  STAR flag agreement     {_share(figures.star)}")
    print("    " + ", ".join(f"{flag} {_share(hits)}" for flag, hits in figures.star_by_flag.items()))
    print(f"  ownership agreement     {_share(figures.ownership)}")


def print_misses(outcomes: list[Outcome], limit: int) -> None:
    shown = 0
    for out in outcomes:
        case = out.case
        label = case.get("score")
        bad_move = out.move != case["expected_move"]
        bad_score = label is not None and (out.score is None or abs(out.score - label) > 1)
        if not (bad_move or bad_score):
            continue
        print(f"- {case['id']}: move {out.move} (want {case['expected_move']}), "
              f"persona {out.persona} (want {case['persona']}), score {out.score} (want {label})")
        print(f"    says: {out.message[:160]!r}")
        shown += 1
        if shown >= limit:
            break


def print_usage(outcomes: list[Outcome]) -> None:
    """What a model brain cost: tokens as the provider reported them, and fallbacks."""
    tokens_in = sum(out.tokens[0] for out in outcomes)
    tokens_out = sum(out.tokens[1] for out in outcomes)
    per_case = (tokens_in + tokens_out) / len(outcomes) if outcomes else 0
    print(f"\ntokens: {tokens_in + tokens_out:,} in all ({tokens_in:,} in, {tokens_out:,} out; "
          f"{per_case:,.0f} per case)")
    print(f"reports written by the offline fallback: "
          f"{_share([out.fell_back for out in outcomes])}")


def build_brain(name: str) -> Brain:
    """The brain the bot would build with BRAIN=name, from the same settings."""
    if name == "offline":
        from core.brain.offline import OfflineBrain
        return OfflineBrain()
    from bot.settings import Settings
    from bot.wiring import build_brain as configured_brain
    try:
        return configured_brain(Settings(brain=name))
    except ValueError as error:  # a missing key or model, said plainly
        raise SystemExit(f"--brain {name}: {error}") from None


async def evaluate(paths: list[Path], brain_name: str, *, concurrency: int = 8) -> dict[Path, list[Outcome]]:
    brain = build_brain(brain_name)
    service = InterviewService(brain=brain, store=InMemoryStore())
    results: dict[Path, list[Outcome]] = {}
    gate = asyncio.Semaphore(concurrency)
    offset = 0
    try:
        for path in paths:
            cases = load_cases(path)

            async def one(case: dict, index: int) -> Outcome:
                async with gate:
                    return await run_case(service, case, index)

            results[path] = list(await asyncio.gather(
                *(one(case, offset + i) for i, case in enumerate(cases))))
            offset += len(cases)
    finally:
        await brain.aclose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_answers",
                                     description="Judge labelled answers through the service.")
    parser.add_argument("cases", nargs="*", type=Path, help="JSONL files of labelled answers")
    parser.add_argument("--brain", choices=["offline", "gemini", "openai"], default="offline")
    parser.add_argument("--concurrency", type=int, default=8, metavar="N",
                        help="cases in flight at once (a local model server may want 1-2)")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N",
                        help="print up to N cases where the move or the score is off")
    args = parser.parse_args(argv)
    from bot.logging import configure_logging
    configure_logging("WARNING")  # one line per turn would bury the figures
    paths = args.cases or [p for p in DEFAULT_CASES if p.exists()]
    if not paths:
        print("No case files found.")
        return 1
    started = time.perf_counter()
    results = asyncio.run(evaluate(paths, args.brain, concurrency=max(1, args.concurrency)))
    everything: list[Outcome] = []
    for path, outcomes in results.items():
        print_figures(f"{path.name}: {len(outcomes)} cases, brain {args.brain}", tally(outcomes))
        if args.show_misses:
            print_misses(outcomes, args.show_misses)
        everything += outcomes
    if len(results) > 1:
        print_figures(f"all: {len(everything)} cases", tally(everything))
    if args.brain != "offline":
        print_usage(everything)
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
