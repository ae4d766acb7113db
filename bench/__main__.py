"""Run every benchmark in bench/ in one go: ``python -m bench`` (``make bench``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith(("bench_", "eval_")))
    failures = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module.main()
        except Exception as error:  # one broken benchmark must not hide the others
            failures += 1
            print(f"FAILED: {type(error).__name__}: {error}", flush=True)
        print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
