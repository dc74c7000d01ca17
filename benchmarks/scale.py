"""Beyond one machine: what the PostgreSQL log costs, and what Dask gives, on this machine.

    python benchmarks/scale.py            # 100,000 mixed cases, 5 rounds (several minutes)
    python benchmarks/scale.py --quick    # 20,000 cases, 3 rounds

1. The decision log: `decide --cases` over the mixed cases (default options otherwise) with
   `--no-log`, with an SQLite log and with a PostgreSQL log, the three run in turns; each
   round gives the ratios of the pair, the median of the rounds is printed with their spread.
2. Dask: the same file on a LocalCluster of 2 worker processes (`--scheduler`) against
   `--workers 2`, both `--no-log`, in turns; the answers of the two are compared line by line.

Wall time is the command's; CPU time is the command's processes and, for the PostgreSQL log
and Dask, the server's and the cluster's processes too (its scheduler runs in this one). A
PostgreSQL server is started in a temporary folder (tests/pgserver.py) unless --pg URL
names one. Prints figures; asserts nothing but equal answers.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import cases as mixed  # noqa: E402 - found through sys.path above
import pgserver  # noqa: E402
from run import children_cpu  # noqa: E402 - benchmarks/run.py

COMMAND = [sys.executable, "-c", "import sys; from regelwerk.engine.cli import main; "
           "sys.exit(main())"]
_LOG_ID = re.compile(rb',"log_id":"[0-9a-f]{20}-[0-9]+"')


def _cpu(roots: list[int], me: bool = False) -> float:
    """CPU seconds of processes and all below them, the exited ones too (a parent's
    children_* times hold its reaped children: a server's connections come and go), and of
    this process with `me` (a LocalCluster's scheduler runs here)."""
    total = 0.0
    if me:
        t = os.times()
        total += t.user + t.system
    for pid in roots:
        try:
            root = psutil.Process(pid)
            t = root.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
            for child in root.children(recursive=True):
                t = child.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            pass
    return total


def run(args: list[str], out: str, others=lambda: 0.0) -> tuple[float, float]:
    """(wall, CPU) of one `regelwerk` run, CPU counting `others()` too (a server, a cluster)."""
    cpu0, other0 = children_cpu(), others()
    start = time.perf_counter()
    with open(out, "wb") as handle:
        code = subprocess.run([*COMMAND, *args], stdout=handle, stderr=subprocess.PIPE,
                              check=False).returncode
    wall = time.perf_counter() - start
    if code not in (0, 1):
        raise SystemExit(f"regelwerk {' '.join(args)} failed with {code}")
    return wall, children_cpu() - cpu0 + others() - other0


def ratios(rows: list[dict], top: str, bottom: str, key: int) -> str:
    """Median of the rounds' ratios top/bottom, with min–max."""
    r = [row[top][key] / row[bottom][key] for row in rows]
    return f"{statistics.median(r):.2f} ({min(r):.2f}–{max(r):.2f})"


def _server(folder: Path | None):
    """The CPU of the PostgreSQL server, as a function (see _cpu)."""
    if folder is None:
        pids = [p.pid for p in psutil.process_iter(["name", "ppid"])
                if p.info["name"] == "postgres" and p.info["ppid"] == 1]
    else:
        pids = [int((folder / "data" / "postmaster.pid").read_text().split()[0])]
    return lambda: _cpu(pids)


def log_cost(path: str, pg: str, folder: Path | None, rounds: int, tmp: Path) -> None:
    rows = []
    for i in range(rounds):
        server = _server(folder)
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        import psycopg

        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        row = {
            "none": run(["--no-log", "decide", "--cases", path], os.devnull),
            "sqlite": run(["--log", str(tmp / f"log{i}.sqlite"), "decide", "--cases", path],
                          os.devnull),
            "postgres": run(["--log", f"{pg}?options=-csearch_path%3D{schema}", "decide",
                             "--cases", path], os.devnull, server),
        }
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        rows.append(row)
        print(f"   round {i + 1}: " + ", ".join(f"{k} {w:.2f} s wall {c:.2f} s CPU"
                                               for k, (w, c) in row.items()), flush=True)
    for name in ("sqlite", "postgres"):
        print(f"   {name:8} / --no-log: wall {ratios(rows, name, 'none', 0)}, "
              f"CPU {ratios(rows, name, 'none', 1)}")
    print(f"   postgres / sqlite:   wall {ratios(rows, 'postgres', 'sqlite', 0)}, "
          f"CPU {ratios(rows, 'postgres', 'sqlite', 1)}")


def dask_throughput(path: str, n: int, rounds: int, tmp: Path) -> None:
    from distributed import LocalCluster

    start = time.perf_counter()
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                      dashboard_address=None) as cluster:
        print(f"   LocalCluster of 2 worker processes started in "
              f"{time.perf_counter() - start:.1f} s (not counted below)")
        nannies = [p.pid for p in psutil.Process().children()]

        def cluster_cpu() -> float:
            return _cpu(nannies, me=True)

        rows = []
        for i in range(rounds):
            rows.append({
                "pool": run(["--no-log", "decide", "--cases", path, "--workers", "2"],
                            str(tmp / "pool.jsonl")),
                "dask": run(["--no-log", "decide", "--cases", path, "--scheduler",
                             cluster.scheduler_address], str(tmp / "dask.jsonl"), cluster_cpu),
            })
            print(f"   round {i + 1}: " + ", ".join(
                f"{k} {w:.2f} s wall ({n / w:,.0f} decisions/s) {c:.2f} s CPU"
                for k, (w, c) in rows[-1].items()), flush=True)
    print(f"   dask / --workers 2: wall {ratios(rows, 'dask', 'pool', 0)}, "
          f"CPU {ratios(rows, 'dask', 'pool', 1)}")
    a = _LOG_ID.sub(b"", (tmp / "pool.jsonl").read_bytes()).splitlines()
    b = _LOG_ID.sub(b"", (tmp / "dask.jsonl").read_bytes()).splitlines()
    different = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
    print(f"   answers compared: {len(a):,} lines, {different} different")
    if different:
        raise SystemExit("the Dask path answered differently")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 cases, 3 rounds")
    parser.add_argument("--cases", type=int, help="mixed cases (default 100,000)")
    parser.add_argument("--rounds", type=int, help="rounds of runs in turns (default 5)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to log to "
                        "(default: $REGELWERK_TEST_PG, else one started here)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    n = args.cases or (20_000 if args.quick else 100_000)
    rounds = args.rounds or (3 if args.quick else 5)
    print(f"regelwerk scale benchmark · {_dt.date.today()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {platform.platform()}")
    print(f"{n:,} mixed cases (seed {args.seed}), {rounds} rounds in turns; ratios: median "
          "(min–max)\n")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        path = str(tmp / "cases.jsonl")
        mixed.write(path, n, args.seed)
        pg, server = args.pg or os.environ.get("REGELWERK_TEST_PG"), None
        if not pg:
            pg, server = pgserver.start()
        try:
            print("1. the decision log: decide --cases, default workers")
            log_cost(path, pg, server, rounds, tmp)
        finally:
            if server is not None:
                pgserver.stop(server)
        print("\n2. Dask: a LocalCluster of 2 worker processes against --workers 2 (--no-log)")
        dask_throughput(path, n, rounds, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
