"""The start of one `regelwerk decide` (a JSON case, the cache warm) of two installations,
compared in turns: for a change to start-up, install the code before and after it in two
virtual environments and give their `regelwerk` scripts.

    python benchmarks/startup.py BEFORE/bin/regelwerk AFTER/bin/regelwerk [--pairs 15]
    python benchmarks/startup.py A B --quick        # 5 pairs

Both are pinned to one core; each has a cache folder of its own, warmed by a first start
that is not timed. Every pair gives a ratio A/B of wall time and of CPU time (user and
system); printed are the median ratio with its min–max and the median milliseconds of
each side, as benchmarks/run.py does it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Paired, timed_run  # noqa: E402  (benchmarks/run.py)

CASE = Path(__file__).resolve().parent.parent / "examples" / "duur.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="the first `regelwerk` script (say, before a change)")
    parser.add_argument("b", help="the second `regelwerk` script (say, after it)")
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 pairs")
    args = parser.parse_args()
    pairs = 5 if args.quick else args.pairs
    with tempfile.TemporaryDirectory() as tmp:
        sides = [_start(script, Path(tmp) / f"cache-{i}") for i, script in
                 enumerate((args.a, args.b))]
        for side in sides:
            side()  # warm: the rule cache, the code objects, Python's bytecode
        paired = Paired(pairs, *sides)
    print(f"cold `regelwerk decide` with a warm cache, one core, {pairs} pairs, A/B:")
    for what, name in ((0, "wall"), (1, "CPU")):
        ratios = paired.ratios(what)
        print(f"  {name:4} {statistics.median(ratios):5.3f}x  "
              f"(min–max {min(ratios):.3f}–{max(ratios):.3f})  medians "
              f"{1000 * paired.median(0, what):.1f} ms / {1000 * paired.median(1, what):.1f} ms")


def _start(script: str, cache: Path):
    command = [script, "decide", "go.jobtraining.duur", "--case", str(CASE),
               "--on", "2026-11-22"]
    # Python caches compiled bytecode unless told not to (as some sandboxes do): a user's does.
    env = {"REGELWERK_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": ""}
    return lambda: timed_run(command, None, env=env, pinned=True)


if __name__ == "__main__":
    main()
