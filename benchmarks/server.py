"""`regelwerk serve` under load: decide requests from concurrent clients on loopback,
against calling the Python API directly; the decision log counted after; a worker killed.

    python benchmarks/server.py [--workers 2] [--clients 8] [--seconds 10] [--quick]

Prints figures; it asserts nothing about speed (machines are noisy). It does check, and
says, that every reply's log id is in the log (nothing lost under concurrent requests) and
that a killed worker is replaced while the others keep answering.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.client
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from serving import Running  # noqa: E402

ON = "2026-11-22"
CASES = [
    ("go.jobtraining.duur", {"vormingsattest": {"datum": "2025-06-01"},
                             "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}),
    ("go.jobtraining.mentor", {"trainee": {"onderwijsniveau": "SO", "scholengroep": "SG Gent"}}),
    ("ovsg.klacht.antwoordtermijn", {"klacht": {"ontvangen_op": "2026-06-01",
                                                "schriftelijk": True}}),
]
TICK = os.sysconf("SC_CLK_TCK")


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def client(port: int, stop: float, latencies: list, ids: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    bodies = [(f"/api/decide/{d}?on={ON}", json.dumps(c).encode()) for d, c in CASES]
    i = 0
    while time.monotonic() < stop:
        path, body = bodies[i % len(bodies)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as err:
            errors.append(str(err))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
        if response.status == 200:
            ids.append(json.loads(data)["log_id"])
        else:
            errors.append(f"{response.status} {data[:100]!r}")
    conn.close()


def load(running: Running, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    ids: list[str] = []
    errors: list[str] = []
    workers = serving_workers(running.port)
    cpu_before = sum(cpu_seconds(p) for p in workers)
    stop = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(running.port, stop, latencies, ids, errors))
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu = sum(cpu_seconds(p) for p in workers) - cpu_before
    return {"n": len(latencies), "wall": wall, "cpu": cpu, "latencies": latencies, "ids": ids,
            "errors": errors}


def direct(seconds: float, log: bool) -> dict:
    """The Python API in this process: decide (and log and commit each, as the server does)."""
    from regelwerk import DecisionLog, Engine

    engine = Engine()
    latencies = []
    with tempfile.TemporaryDirectory() as folder:
        writer_cm = DecisionLog(Path(folder) / "d.sqlite").writer() if log else None
        writer = writer_cm.__enter__() if writer_cm else None
        cpu0, stop, i = time.process_time(), time.monotonic() + seconds, 0
        started = time.perf_counter()
        while time.monotonic() < stop:
            decision, case = CASES[i % len(CASES)]
            i += 1
            t = time.perf_counter()
            result = engine.decide(decision, case, ON)
            data = result.as_dict()
            if writer is not None:
                data["log_id"] = writer.add(result, case)
                writer.flush()
            json.dumps(data)
            latencies.append(time.perf_counter() - t)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
        if writer_cm:
            writer_cm.__exit__(None, None, None)
    return {"n": len(latencies), "wall": wall, "cpu": cpu, "latencies": latencies}


def line(label: str, run: dict) -> str:
    p50, p95, p99 = percentiles(run["latencies"])
    return (f"   {label:<34}{run['n'] / run['wall']:>9,.0f}/s  p50 {p50:6.2f}  p95 {p95:6.2f}  "
            f"p99 {p99:6.2f} ms   CPU {run['cpu']:.1f} s in {run['wall']:.1f} s")


def serving_workers(port: int, tries: int = 40) -> set[int]:
    """The worker processes that answer, as /api/health names them (a new connection each
    time, so the kernel hands it to any worker)."""
    seen = set()
    for _ in range(tries):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/api/health")
            seen.add(json.loads(conn.getresponse().read())["worker"])
        except (OSError, http.client.HTTPException, ValueError):
            pass
        finally:
            conn.close()
    return seen


def kill_a_worker(running: Running) -> str:
    """Kill one worker with SIGKILL, wait for uvicorn to start another, and decide again."""
    before = serving_workers(running.port)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    replaced = None
    while time.monotonic() - killed < 30:
        new = serving_workers(running.port, tries=10) - before
        if new:
            replaced = time.monotonic() - killed
            break
    ok: list[str] = []
    failed: list[str] = []
    client(running.port, time.monotonic() + 2, [], ok, failed)
    if replaced is None:
        return f"worker {victim} killed: NOT replaced within 30 s"
    return (f"worker {victim} killed (SIGKILL): a new worker answered {replaced:.1f} s later; "
            f"then {len(ok)} decide requests answered, {len(failed)} failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="2 seconds a measurement")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    print(f"regelwerk server benchmark · {_dt.date.today().isoformat()} · "
          f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform()}")
    print(f"decide over HTTP on loopback: {args.workers} worker(s), {args.clients} concurrent "
          f"clients (keep-alive), {seconds:g} s; a mix of {len(CASES)} decisions; the clients "
          "run on the same cores")
    with tempfile.TemporaryDirectory() as folder, \
            Running(Path(folder), workers=args.workers) as running:
        time.sleep(1.0)  # every worker up
        served = load(running, args.clients, seconds)
        print(line("HTTP POST /api/decide (logged)", served))
        print(line("Python API, decide", direct(seconds, log=False)))
        print(line("Python API, decide + log commit", direct(seconds, log=True)))
        from regelwerk import DecisionLog

        logged = DecisionLog(running.log_path).count()
        distinct = len(set(served["ids"]))
        verdict = "nothing lost" if logged == distinct == len(served["ids"]) else "LOST ENTRIES"
        print(f"decision log: {len(served['ids']):,} replies with a log id, {distinct:,} distinct, "
              f"{logged:,} entries in the log: {verdict}; {len(served['errors'])} errors")
        if args.workers > 1:
            print(kill_a_worker(running))


if __name__ == "__main__":
    main()
