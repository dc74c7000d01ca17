"""The regelwerk benchmark: figures a person can compare from one run to the next.

    python benchmarks/run.py            # full run: 100,000 mixed cases, 1,000,000 for memory
    python benchmarks/run.py --quick    # the same figures on smaller files

It prints, for the installed `regelwerk` (the one next to this Python):

1. decisions per second per decision type, in one process (engine and hand-written);
2. end-to-end `regelwerk decide --cases FILE` over mixed cases of every decision, as a
   user types it (default options), against the hand-written implementation in
   tests/reference/handwritten.py over the same file, their ratio, and whether every
   answer is the same;
3. the cost of the decision log (default) against `--no-log`, when the log exists;
4. the cold-start time of one `regelwerk decide`;
5. the peak memory (all processes together) of a batch of 1,000,000 lines.

Timings are wall-clock on whatever else the machine is doing: run it on a quiet machine and
compare figures from the same machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests")]

import cases  # noqa: E402  (benchmarks/cases.py)

HANDWRITTEN = REPO / "tests" / "reference" / "handwritten.py"


def regelwerk_command() -> list[str]:
    """The `regelwerk` script installed next to this Python, as a user would run it."""
    script = Path(sys.executable).parent / "regelwerk"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from regelwerk.engine.cli import main; "
            "sys.exit(main())"]


# ------------------------------------------------------------------ measuring


class PeakRss:
    """Samples the memory of a process and all its descendants (Linux /proc).

    Each process counts its proportional set size (PSS): pages shared between the parent and
    its forked workers are counted once in all, not once per process."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid = pid
        self.peak = 0
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    for child in handle.read().split():
                        found.extend(self._tree(int(child)))
        except OSError:
            pass
        return found

    @staticmethod
    def _rss(pid: int) -> int:
        for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                with open(f"/proc/{pid}/{name}") as handle:
                    for line in handle:
                        if line.startswith(key):
                            return int(line.split()[1]) * 1024
            except OSError:
                continue
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree(self.pid)))
            self._stop.wait(self.every)


def timed_run(command: list[str], stdout_path: str | None, *, memory: bool = False,
              env: dict | None = None) -> tuple[float, int, int]:
    """(wall seconds, exit status, peak bytes of the process tree or 0)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE,
                                env={**os.environ, **(env or {})})
        if memory and os.path.isdir("/proc"):
            with PeakRss(proc.pid) as peak:
                _, err = proc.communicate()
            peak_bytes = peak.peak
        else:
            _, err = proc.communicate()
            peak_bytes = 0
        wall = time.perf_counter() - start
    finally:
        if stdout_path:
            out.close()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return wall, proc.returncode, peak_bytes


def in_turns(runs: int, first, second) -> tuple[float, float]:
    """The best wall time of each of two timed runs, run in turns `runs` times each."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(first()[0])
        times[1].append(second()[0])
    return min(times[0]), min(times[1])


def fresh_log(folder: Path) -> None:
    """Start every timed run with an empty decision log, so runs compare alike (a log that
    grew by the earlier runs would make each later one slower)."""
    for path in folder.glob("decisions.sqlite*"):
        path.unlink()


# ------------------------------------------------------------------ the parts


def per_decision(path: str, per_type: int) -> list[tuple[str, float, float]]:
    """Decisions per second of the engine and the hand-written code, per decision, in-process."""
    from reference import handwritten
    from regelwerk.engine.base.errors import RegelwerkError
    from regelwerk.engine.deciding.api import Engine

    engine = Engine()
    by_type: dict[str, list[bytes]] = defaultdict(list)
    with open(path, "rb") as lines:
        for raw in lines:
            record = json.loads(raw)
            if len(by_type[record["decision"]]) < per_type:
                by_type[record["decision"]].append(raw)
    rows = []
    for decision, raws in by_type.items():
        for raw in raws[:50]:  # warm up both: holiday years, caches
            record = json.loads(raw)
            try:
                engine.decide_record(record).as_json()
                handwritten.decide(record["decision"], record["case"],
                                   date.fromisoformat(record["on"]))
            except (RegelwerkError, handwritten.NotDecidable):
                pass
        start = time.perf_counter()
        for raw in raws:
            try:
                engine.decide_record(json.loads(raw)).as_json()
            except RegelwerkError:
                pass
        ours = len(raws) / (time.perf_counter() - start)
        start = time.perf_counter()
        for raw in raws:
            record = json.loads(raw)
            try:
                json.dumps(handwritten.decide(record["decision"], record["case"],
                                              date.fromisoformat(record["on"])))
            except handwritten.NotDecidable:
                pass
        theirs = len(raws) / (time.perf_counter() - start)
        rows.append((decision, ours, theirs))
    return rows


def compare(ours_path: str, theirs_path: str) -> tuple[int, int, list[str]]:
    """(lines, lines that differ, a few examples): results equal, errors on the same lines."""
    lines = differ = 0
    examples: list[str] = []
    with open(ours_path, "rb") as ours, open(theirs_path, "rb") as theirs:
        for number, (a, b) in enumerate(zip(ours, theirs), start=1):
            lines += 1
            x, y = json.loads(a), json.loads(b)
            same = (("error" in x) == ("error" in y)) and x.get("result") == y.get("result")
            if not same:
                differ += 1
                if len(examples) < 3:
                    examples.append(f"line {number}: regelwerk {a[:300]!r} / hand-written "
                                    f"{b[:300]!r}")
        extra = sum(1 for _ in ours) + sum(1 for _ in theirs)
    return lines, differ + extra, examples


def supports_log(command: list[str]) -> bool:
    help_text = subprocess.run(command + ["--help"], capture_output=True, text=True).stdout
    return "--no-log" in help_text


def cold_start(command: list[str], folder: Path, runs: int) -> tuple[float, float]:
    """(first start with an empty rule cache, median of later starts), in seconds."""
    case = folder / "duur.json"
    case.write_text(json.dumps({"vormingsattest": {"datum": "2025-06-01"},
                                "aanstellingen": [{"van": "2025-09-01",
                                                   "soort": "proeftijd"}]}))
    args = command + ["decide", "go.jobtraining.duur", "--case", str(case), "--on", "2026-11-22"]
    # Python caches compiled bytecode unless told not to (as some sandboxes do): a user's does.
    env = {"REGELWERK_CACHE_DIR": str(folder / "cache"), "PYTHONDONTWRITEBYTECODE": ""}
    first = timed_run(args, None, env=env)[0]
    later = [timed_run(args, None, env=env)[0] for _ in range(runs)]
    return first, statistics.median(later)


def repeat_file(source: str, target: str, times: int) -> None:
    with open(source, "rb") as src:
        data = src.read()
    with open(target, "wb") as out:
        for _ in range(times):
            out.write(data)


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller files, fewer repeats")
    parser.add_argument("--cases", type=int, help="mixed cases end to end (default 100,000)")
    parser.add_argument("--memory-lines", type=int, help="lines of the memory run (1,000,000)")
    parser.add_argument("--per-type", type=int, help="cases per decision type in-process")
    parser.add_argument("--repeat", type=int, help="end-to-end runs of each; the best counts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    n = args.cases or (10_000 if args.quick else 100_000)
    memory_lines = args.memory_lines or (100_000 if args.quick else 1_000_000)
    per_type = args.per_type or (300 if args.quick else 3_000)
    repeat = args.repeat or (1 if args.quick else 5)
    command = regelwerk_command()

    print(f"regelwerk benchmark · {date.today().isoformat()} · {platform.node()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform(terse=True)}")
    with tempfile.TemporaryDirectory(prefix="regelwerk-bench-") as tmp:
        folder = Path(tmp)
        path = str(folder / "cases.jsonl")
        cases.write(path, n, args.seed)
        print(f"{n:,} mixed cases of {len(cases.GENERATORS)} decisions (seed {args.seed})\n")

        print("1. decisions per second, one process (parse a line, decide, serialise)")
        print(f"   {'decision':34} {'regelwerk':>11} {'hand-written':>13}")
        for decision, ours, theirs in per_decision(path, per_type):
            print(f"   {decision:34} {ours:11,.0f} {theirs:13,.0f}")

        from regelwerk.engine.cli.batch import default_workers

        print(f"\n2. end to end over {n:,} cases (best of {repeat}, in turns with the "
              f"hand-written code; {default_workers()} worker(s) by default here)")
        ours_out, theirs_out = str(folder / "ours.jsonl"), str(folder / "theirs.jsonl")
        batch = command + ["decide", "--cases", path]
        hand = [sys.executable, str(HANDWRITTEN), path]
        # Default options, so the decision log is on; it goes to a log of the benchmark's own.
        os.environ["REGELWERK_LOG"] = str(folder / "decisions.sqlite")
        # Taken in turns, so both meet the same moments of a machine whose speed drifts.
        ours_t, theirs_t = in_turns(
            repeat, lambda: (fresh_log(folder), timed_run(batch, ours_out))[1],
            lambda: timed_run(hand, theirs_out))
        lines, differ, examples = compare(ours_out, theirs_out)
        print(f"   regelwerk decide --cases   {ours_t:7.2f} s  {n / ours_t:9,.0f} decisions/s")
        print(f"   hand-written Python        {theirs_t:7.2f} s  {n / theirs_t:9,.0f} decisions/s")
        print(f"   ratio regelwerk / hand-written: {ours_t / theirs_t:.2f} (target ≤ 1.00)")
        print(f"   answers compared: {lines:,} lines, {differ} different"
              + ("" if not differ else ":\n     " + "\n     ".join(examples)))

        print("\n3. decision log")
        if supports_log(command):
            logged, unlogged = in_turns(
                repeat, lambda: (fresh_log(folder), timed_run(batch, None))[1],
                lambda: timed_run(command + ["--no-log", "decide", "--cases", path], None))
            print(f"   logging on (the default) {logged:.2f} s, --no-log {unlogged:.2f} s: "
                  f"{(logged / unlogged - 1) * 100:+.0f}% (target ≤ +20%)")
        else:
            print("   this regelwerk has no decision log (--no-log): not measured")

        first, later = cold_start(command, folder, 3 if args.quick else 7)
        print("\n4. cold start of one `regelwerk decide`")
        print(f"   {later:.3f} s median (target < 0.3 s); {first:.3f} s the first time, "
              "with an empty rule cache")

        big = str(folder / "big.jsonl")
        repeat_file(path, big, max(1, memory_lines // n))
        total = max(1, memory_lines // n) * n
        fresh_log(folder)
        wall, _, peak = timed_run(command + ["decide", "--cases", big], os.devnull,
                                  memory=True)
        print(f"\n5. peak memory of `decide --cases` over {total:,} lines")
        print(f"   {peak / 2**20:.0f} MB, all processes together (PSS; target < 150 MB); "
              f"{wall:.1f} s, {total / wall:,.0f} decisions/s")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
