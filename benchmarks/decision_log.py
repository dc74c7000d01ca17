"""What the decision log costs: deciding N cases with and without logging, and replaying.

    python benchmarks/decision_log.py [N]

Prints figures; it asserts nothing (machines are noisy). Logging is meant to cost less
than deciding, so a batch run is not dominated by it.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.log.audit import Auditor
from regelwerk.engine.log.decisionlog import DecisionLog


def cases(n: int):
    for i in range(n):
        yield {"vormingsattest": {"datum": f"2025-06-{1 + i % 28:02d}"},
               "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"},
                                 {"van": "2024-01-01", "tot": "2024-06-30", "soort": "waarnemend"}],
               "trainee": {"naam": f"trainee {i}"}}


def main(n: int) -> None:
    engine = Engine()
    decision, on = "go.jobtraining.duur", "2026-11-22"

    start = time.perf_counter()
    for case in cases(n):
        engine.decide(decision, case, on).as_dict()
    plain = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as folder:
        log = DecisionLog(Path(folder) / "decisions.sqlite")
        start = time.perf_counter()
        with log.writer() as writer:
            for case in cases(n):
                result = engine.decide(decision, case, on)
                result.as_dict()
                writer.add(result, case)
        logged = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(folder).iterdir())

        auditor = Auditor(engine, log)
        start = time.perf_counter()
        replayed = sum(1 for entry in log.iter_entries() if auditor.replay(entry))
        replay = time.perf_counter() - start

    per = 1e6 / n
    print(f"{n} decisions of {decision}")
    print(f"  decide only:        {plain:6.2f} s  ({plain * per:6.1f} µs each)")
    print(f"  decide and log:     {logged:6.2f} s  ({logged * per:6.1f} µs each, logging "
          f"{(logged - plain) * per:5.1f} µs = {100 * (logged - plain) / plain:4.0f}% of deciding)")
    print(f"  log size:           {size / 2**20:6.1f} MiB ({size / n:.0f} bytes a decision)")
    print(f"  replay {replayed}:      {replay:6.2f} s  ({replay * per:6.1f} µs each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
