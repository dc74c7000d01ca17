"""The regelwerk benchmark: figures a person can compare from one run to the next.

    python benchmarks/run.py            # full run: 100,000 mixed cases, 1,000,000 for memory
    python benchmarks/run.py --quick    # the same figures on smaller files

It prints, for the installed `regelwerk` (the one next to this Python):

1. decisions per second per decision type, in one process (engine and hand-written);
2. `regelwerk decide --cases FILE` over mixed cases of every decision, as a user types it
   (default options: the decision log on, a worker per core), against the hand-written
   implementation in tests/reference/handwritten.py over the same file, and whether every
   answer is the same;
3. the same with both pinned to one core;
4. the cost of the decision log (default) against `--no-log`;
5. inside one process: the cost of a fact a decision does not read, `go.jobtraining.duur`
   of a long career against the hand-written code, and the cost of logging a decision in a
   batch worker and through the Python API;
6. the cold-start time of one `regelwerk decide`;
7. the peak memory (all processes together) of a batch of 1,000,000 lines.

Two things compared are run in turns, a pair at a time (alternating which goes first); each
pair gives a ratio, and the figures are the median ratio with its min–max, for wall time
and for CPU time (user and system time of the process and every process it waited for).
Never best-of-N: a best run flatters whichever side had the luckier moment. The machine
is whatever it is: run it on a quiet machine and compare figures of one machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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


class Run(tuple):
    """One timed run: (wall seconds, CPU seconds of the process and its children, exit
    status, peak bytes of the process tree or 0)."""

    wall = property(lambda self: self[0])
    cpu = property(lambda self: self[1])


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pin() -> None:
    """In the child, before it runs: one core only (the first this process may use)."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed_run(command: list[str], stdout_path: str | None, *, memory: bool = False,
              env: dict | None = None, pinned: bool = False) -> Run:
    """Run a command to its end: its wall time, its CPU time (user and system, with every
    process it started and waited for: the batch's workers), exit status and peak memory.
    `pinned`: the command and everything it starts may use one core only."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        cpu_before = children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE,
                                env={**os.environ, **(env or {})},
                                preexec_fn=_pin if pinned else None)
        if memory and os.path.isdir("/proc"):
            with PeakRss(proc.pid) as peak:
                _, err = proc.communicate()
            peak_bytes = peak.peak
        else:
            _, err = proc.communicate()
            peak_bytes = 0
        wall = time.perf_counter() - start
        cpu = children_cpu() - cpu_before
    finally:
        if stdout_path:
            out.close()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return Run((wall, cpu, proc.returncode, peak_bytes))


def in_turns(rounds: int, first, second) -> tuple[list, list]:
    """What each of two actions gives, called in turns: round i calls `first` then `second`
    when i is even, `second` then `first` when odd, so neither always meets the machine first
    (or warm)."""
    results: tuple[list, list] = ([], [])
    for i in range(rounds):
        order = ((0, first), (1, second)) if i % 2 == 0 else ((1, second), (0, first))
        for side, action in order:
            results[side].append(action())
    return results


class Paired:
    """Ratios of two things timed in turns: pair i runs A then B when i is even, B then A
    when odd, so neither always meets the machine first (or warm). Each pair gives a ratio
    A/B of wall time and of CPU time; the figures are the median of those ratios and their
    spread, not a best run of each."""

    def __init__(self, pairs: int, first, second):
        self.runs = in_turns(pairs, first, second)

    def ratios(self, what: int) -> list[float]:
        return [a[what] / b[what] for a, b in zip(*self.runs)]

    def median(self, side: int, what: int) -> float:
        return statistics.median(run[what] for run in self.runs[side])

    def line(self, what: int, name: str) -> str:
        """`wall  1.23x  (1.10–1.40)` for one kind of time (0 wall, 1 CPU)."""
        ratios = self.ratios(what)
        return (f"{name:4} {statistics.median(ratios):5.2f}x  "
                f"(min–max {min(ratios):.2f}–{max(ratios):.2f})  "
                f"medians {self.median(0, what):.2f} s / {self.median(1, what):.2f} s")


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


def cold_start(command: list[str], folder: Path, runs: int) -> tuple[Run, list[Run]]:
    """(first start with an empty rule cache, later starts with the cache warm)."""
    case = folder / "duur.json"
    case.write_text(json.dumps({"vormingsattest": {"datum": "2025-06-01"},
                                "aanstellingen": [{"van": "2025-09-01",
                                                   "soort": "proeftijd"}]}))
    args = command + ["decide", "go.jobtraining.duur", "--case", str(case), "--on", "2026-11-22"]
    # Python caches compiled bytecode unless told not to (as some sandboxes do): a user's does.
    env = {"REGELWERK_CACHE_DIR": str(folder / "cache"), "PYTHONDONTWRITEBYTECODE": ""}
    first = timed_run(args, None, env=env)
    return first, [timed_run(args, None, env=env) for _ in range(runs)]


# ------------------------------------------------------------------ inside one process


def _spread(ratios: list[float]) -> str:
    return (f"{statistics.median(ratios):.2f}x (min–max {min(ratios):.2f}–{max(ratios):.2f}, "
            f"{len(ratios)} pairs)")


def _in_turns(rounds: int, first, second) -> tuple[list[float], list[float]]:
    """Seconds of each of two timed actions, run in turns (alternating which goes first)."""
    return in_turns(rounds, _seconds(first), _seconds(second))


def _seconds(action):
    def timed() -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    return timed


def _ratios(times: tuple[list[float], list[float]]) -> list[float]:
    return [a / b for a, b in zip(*times)]


def unknown_fact_cost(engine, records: list[dict], rounds: int) -> tuple[float, float, list]:
    """µs per `go.jobtraining.duur` decision (decide and serialise) with one fact the
    decision does not read in every case, and without it; and the pair ratios."""
    plain = [r for r in records if r["decision"] == "go.jobtraining.duur"]
    extra = [{**r, "case": {**r["case"], "opmerkingen": "geen"}} for r in plain]

    def decide_all(batch):
        def action():
            for record in batch:
                try:
                    engine.decide_record(record).as_json()
                except Exception:  # noqa: BLE001 - the few undecidable lines of the mix
                    pass
        return action

    times = _in_turns(rounds, decide_all(extra), decide_all(plain))
    per = 1e6 / len(plain)
    return (statistics.median(times[0]) * per, statistics.median(times[1]) * per,
            _ratios(times))


def _long_career(size: int, seed: int) -> dict:
    """A `duur` case with `size` appointments and a tenth as many absences."""
    import random
    from datetime import timedelta

    rng = random.Random(seed)
    first = date(1990, 9, 1)

    def period(longest: int) -> tuple[str, str]:
        van = first + timedelta(days=rng.randrange(13_000))
        return van.isoformat(), (van + timedelta(days=rng.randint(0, longest))).isoformat()

    aanstellingen = []
    for _ in range(size):
        van, tot = period(40)
        aanstellingen.append({"van": van, "tot": tot,
                              "soort": rng.choice(["waarnemend", "proeftijd"])})
    afwezigheden = [dict(zip(("van", "tot"), period(20))) for _ in range(size // 10)]
    return {"vormingsattest": {"datum": "1990-06-01"}, "aanstellingen": aanstellingen,
            "afwezigheden": afwezigheden}


def large_duur(engine, size: int, rounds: int) -> tuple[float, float, list, bool]:
    """`go.jobtraining.duur` of one case with `size` appointments: seconds of the engine and
    of the hand-written code (median), their pair ratios, and whether both answer alike."""
    from reference import handwritten

    case, on = _long_career(size, size), date(2026, 11, 22)
    ours = engine.decide("go.jobtraining.duur", case, on).as_dict()["result"]
    theirs = handwritten.decide("go.jobtraining.duur", case, on)
    times = _in_turns(rounds, lambda: engine.decide("go.jobtraining.duur", case, on).as_json(),
                      lambda: json.dumps(handwritten.decide("go.jobtraining.duur", case, on)))
    return (statistics.median(times[0]), statistics.median(times[1]), _ratios(times),
            ours == theirs)


def logging_costs(engine, raws: list[bytes], folder: Path, rounds: int) -> dict[str, float]:
    """µs per decision of logging it: as a batch worker does (`log_line` given the line as
    read and the result as printed, and giving the printed line's pieces with its log id;
    its blocks written by the log writer), and through the Python API
    (`writer.add(result, case)`, which encodes the result and the case itself), also with
    a personal fact to hash."""
    from regelwerk.engine.base.errors import RegelwerkError
    from regelwerk.engine.log.decisionlog import DecisionLog
    from regelwerk.engine.rulefiles.yamlsource import load_json_record

    decided = []
    for raw in raws:
        try:
            record = load_json_record(raw)
            decided.append((record, engine.decide_record(record), raw))
        except RegelwerkError:
            pass
    personal = [{**r, "case": {**r["case"], "trainee": {**r["case"].get("trainee", {}),
                                                      "naam": "Jan Peeters"}}}
                for r, _, _ in decided if r["decision"].startswith("go.jobtraining.")]
    costs: dict[str, list[float]] = defaultdict(list)
    for _turn in range(rounds):
        fresh_log(folder)
        log = DecisionLog(folder / "decisions.sqlite")
        with log.writer() as writer:
            builder = log.builder()
            results = [engine.decide_record(r) for r, _, _ in decided]
            texts = [result.json_opened().encode("utf-8") for result in results]
            blocks: list = []
            start = time.perf_counter()
            for (record, _, raw), result, text in zip(decided, results, texts):
                builder.log_line(result, record["case"], text, raw, blocks)
                if blocks:
                    writer.write(*blocks)
                    blocks.clear()
            writer.write(builder.take())
            costs["batch"].append((time.perf_counter() - start) / len(decided))

            results = [engine.decide_record(r) for r, _, _ in decided]
            start = time.perf_counter()
            for (record, _, _), result in zip(decided, results):
                writer.add(result, record["case"])
            writer.flush()
            costs["api"].append((time.perf_counter() - start) / len(decided))

            results = [engine.decide_record(r) for r in personal]
            start = time.perf_counter()
            for record, result in zip(personal, results):
                writer.add(result, record["case"])
            writer.flush()
            costs["api, hashed"].append((time.perf_counter() - start) / len(personal))
    return {name: statistics.median(values) * 1e6 for name, values in costs.items()}


def repeat_file(source: str, target: str, times: int) -> None:
    with open(source, "rb") as src:
        data = src.read()
    with open(target, "wb") as out:
        for _ in range(times):
            out.write(data)


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller files, fewer pairs")
    parser.add_argument("--cases", type=int, help="mixed cases end to end (default 100,000)")
    parser.add_argument("--memory-lines", type=int, help="lines of the memory run (1,000,000)")
    parser.add_argument("--per-type", type=int, help="cases per decision type in-process")
    parser.add_argument("--pairs", type=int, help="runs of each, taken in turns (default 9)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    n = args.cases or (20_000 if args.quick else 100_000)
    memory_lines = args.memory_lines or (100_000 if args.quick else 1_000_000)
    per_type = args.per_type or (300 if args.quick else 3_000)
    pairs = args.pairs or (3 if args.quick else 9)
    command = regelwerk_command()

    print(f"regelwerk benchmark · {date.today().isoformat()} · {platform.node()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform(terse=True)}")
    with tempfile.TemporaryDirectory(prefix="regelwerk-bench-") as tmp:
        folder = Path(tmp)
        path = str(folder / "cases.jsonl")
        cases.write(path, n, args.seed)
        print(f"{n:,} mixed cases of {len(cases.GENERATORS)} decisions (seed {args.seed}); "
              f"ratios are regelwerk / other, the median of {pairs} pairs of runs taken in "
              "turns, with their min–max\n")
        per_decision_section(path, per_type)
        differ = end_to_end_sections(command, folder, path, n, pairs)
        in_process_section(folder, path, n, max(3, pairs))
        start_and_memory_sections(command, folder, path, n, memory_lines, 5 if args.quick else 15)
    return 1 if differ else 0


def per_decision_section(path: str, per_type: int) -> None:
    print("1. decisions per second, one process (parse a line, decide, serialise; one pass)")
    print(f"   {'decision':34} {'regelwerk':>11} {'hand-written':>13}")
    for decision, ours, theirs in per_decision(path, per_type):
        print(f"   {decision:34} {ours:11,.0f} {theirs:13,.0f}")


def end_to_end_sections(command: list[str], folder: Path, path: str, n: int,
                        pairs: int) -> int:
    """Sections 2 to 4: `decide --cases` against the hand-written code, free and pinned to
    one core, and the decision log's cost; returns how many answers differ."""
    from regelwerk.engine.cli.batch import default_workers

    ours_out, theirs_out = str(folder / "ours.jsonl"), str(folder / "theirs.jsonl")
    batch = command + ["decide", "--cases", path]
    hand = [sys.executable, str(HANDWRITTEN), path]
    # Default options, so the decision log is on; it goes to a log of the benchmark's own.
    os.environ["REGELWERK_LOG"] = str(folder / "decisions.sqlite")

    def ours(pinned: bool = False, out: str | None = ours_out, extra: tuple = ()):
        def run() -> Run:
            fresh_log(folder)
            return timed_run(command + list(extra) + batch[len(command):], out, pinned=pinned)
        return run

    print(f"\n2. `regelwerk decide --cases` over {n:,} cases as typed (log on, "
          f"{default_workers()} worker(s) here) / the hand-written code over the same file")
    free = Paired(pairs, ours(), lambda: timed_run(hand, theirs_out))
    print("   " + free.line(0, "wall") + "   (target ≤ 1.00x)")
    print("   " + free.line(1, "CPU") + "   (target ≤ 1.00x)")
    lines, differ, examples = compare(ours_out, theirs_out)
    print(f"   answers compared: {lines:,} lines, {differ} different"
          + ("" if not differ else ":\n     " + "\n     ".join(examples)))

    print("\n3. the same, both pinned to one core (so regelwerk uses one worker)")
    pinned = Paired(pairs, ours(pinned=True),
                    lambda: timed_run(hand, theirs_out, pinned=True))
    print("   " + pinned.line(0, "wall") + "   (target ≤ 1.00x)")
    print("   " + pinned.line(1, "CPU") + "   (target ≤ 1.00x)")
    lines, more, examples = compare(ours_out, theirs_out)
    differ += more
    if supports_log(command):  # the engine alone: what the decision log adds is section 4
        bare = Paired(pairs, ours(pinned=True, extra=("--no-log",)),
                      lambda: timed_run(hand, theirs_out, pinned=True))
        print("   with --no-log: " + bare.line(1, "CPU").strip())

    print("\n4. decision log: logging on (the default) / --no-log")
    if supports_log(command):
        logged = Paired(pairs, ours(out=None), ours(out=None, extra=("--no-log",)))
        print("   " + logged.line(0, "wall") + "   (target ≤ 1.10x)")
        print("   " + logged.line(1, "CPU") + "   (target ≤ 1.10x)")
    else:
        print("   this regelwerk has no decision log (--no-log): not measured")
    return differ


def in_process_section(folder: Path, path: str, n: int, rounds: int) -> None:
    """Section 5: costs measured inside one process, in turns."""
    from regelwerk.engine.deciding.api import Engine

    engine = Engine()
    with open(path, "rb") as handle:
        raws = [raw for _, raw in zip(range(min(n, 20_000)), handle)]
    records = [json.loads(raw) for raw in raws]
    print("\n5. inside one process")
    with_fact, without, ratios = unknown_fact_cost(engine, records, rounds)
    print(f"   a fact the decision does not read (go.jobtraining.duur): {with_fact:.1f} µs with "
          f"it, {without:.1f} µs without: {_spread(ratios)} (target: far below 2x)")
    for size in (100, 10_000):
        ours, theirs, ratios, same = large_duur(engine, size, rounds)
        print(f"   go.jobtraining.duur, {size:,} appointments: {ours * 1e3:.2f} ms, hand-written "
              f"{theirs * 1e3:.2f} ms: {_spread(ratios)} (target ≤ 1.20x), "
              f"{'same answer' if same else 'DIFFERENT ANSWER'}")
    costs = logging_costs(engine, raws[:5000], folder, rounds)
    print(f"   logging a decision: batch worker {costs['batch']:.1f} µs; Python API "
          f"writer.add {costs['api']:.1f} µs ({costs['api'] / costs['batch']:.1f}x, "
          f"target ≤ 2x), {costs['api, hashed']:.1f} µs with a personal fact to hash")


def start_and_memory_sections(command: list[str], folder: Path, path: str, n: int,
                              memory_lines: int, starts: int) -> None:
    first, later = cold_start(command, folder, starts)
    print("\n6. cold start of one `regelwerk decide` (a JSON case, the rule cache warm)")
    print(f"   {statistics.median(r.wall for r in later):.3f} s wall, "
          f"{statistics.median(r.cpu for r in later):.3f} s CPU, median of {len(later)} "
          f"(target < 0.15 s); {first.wall:.3f} s the first time, with an empty rule cache")

    big = str(folder / "big.jsonl")
    repeat_file(path, big, max(1, memory_lines // n))
    total = max(1, memory_lines // n) * n
    fresh_log(folder)
    run = timed_run(command + ["decide", "--cases", big], os.devnull, memory=True)
    print(f"\n7. peak memory of `decide --cases` over {total:,} lines")
    print(f"   {run[3] / 2**20:.0f} MB, all processes together (PSS; target < 150 MB); "
          f"{run.wall:.1f} s, {total / run.wall:,.0f} decisions/s")


if __name__ == "__main__":
    sys.exit(main())
