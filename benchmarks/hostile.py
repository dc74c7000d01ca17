"""Figures for hostile and large input: how long refusing or deciding takes, and peak memory.

    python benchmarks/hostile.py

Each scenario is built in a temporary folder and run through the public API (the command
line adds its start-up time on top). No figure is asserted: the tests check the answers,
this script shows what they cost on this machine.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from regelwerk.engine.base.errors import RegelwerkError
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.rulefiles.yamlsource import load_case_file

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "data" / "hostile"


def measure(label: str, action: Callable[[], object]) -> None:
    """Run `action` twice: timed, then under tracemalloc for its peak memory (slower)."""
    start = time.perf_counter()
    try:
        action()
        outcome = "decided"
    except RegelwerkError as err:
        outcome = "refused: " + str(err).split(": ", 2)[-1][:60]
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        action()
    except RegelwerkError:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<52} {seconds * 1000:9.1f} ms {peak / 2**20:8.1f} MiB  {outcome}")


def table_rules(rows: int) -> str:
    body = "\n".join(f"          - when: {{niveau: N{i}}}\n            then: {{uit: {i}}}"
                     for i in range(rows))
    return f"""id: test.tabel
title: T
source: x.txt
versions:
  - version: "1"
    in_force_from: 2024-01-01
    tables:
      t:
        label: T
        citation: "x §1"
        hit_policy: unique
        inputs: [niveau]
        outputs: [uit]
        rows:
{body}
    decisions:
      d:
        title: D
        inputs: {{niveau: {{type: text, label: N}}}}
        steps: [{{name: m, table: t, with: {{niveau: niveau}}}}]
        outputs: {{uit: m.uit}}
"""


def version_rules(count: int) -> str:
    head = """id: test.versies
title: V
source: x.txt
versions:
  - version: "0"
    in_force_from: 2000-01-01
    parameters: {p: {value: 0, label: P, citation: "x §1"}}
    decisions:
      d:
        title: D
        inputs: {x: {type: integer, label: X}}
        steps: [{name: s, value: x + p}]
        outputs: {s: s}
"""
    lines = [f'  - {{version: "{i}", amends: "{i - 1}", '
             f'in_force_from: {dt.date(2000, 1, 1) + dt.timedelta(days=i)}, '
             f'parameters: {{p: {{value: {i}}}}}}}' for i in range(1, count)]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    engine = Engine()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def rules(name: str, text: str) -> Callable[[], object]:
            sub = folder / name
            sub.mkdir()
            (sub / f"{name}.yaml").write_text(text, encoding="utf-8")
            return lambda: Engine(rules=[str(sub)]).check()

        print(f"{'scenario':<52} {'time':>12} {'peak':>12}  outcome")
        bomb = (HOSTILE / "rules" / "alias_bomb.yaml").read_text(encoding="utf-8")
        measure("rule file: alias bomb (10**10 nodes if expanded)", rules("bomb", bomb))
        big = "id: test.groot\n# " + "x" * 2_000_000 + "\n"
        measure("rule file: 2 MB (over the limit)", rules("groot", big))
        measure("rule file: unique table of 5,000 rows", rules("tabel", table_rules(5_000)))
        measure("rule file: 500 versions, each amending the last",
                rules("versies", version_rules(500)))

        deep = folder / "diep.json"
        deep.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
        measure("case file: JSON nested 100,000 deep", lambda: load_case_file(str(deep)))
        values = folder / "veel.json"
        values.write_text('{"x": [' + "0," * 5_000_000 + "0]}", encoding="utf-8")
        measure("case file: 5,000,001 numbers (over the limit)",
                lambda: load_case_file(str(values)))

        start = dt.date(2000, 1, 1)
        case = {"vormingsattest": {"datum": "1999-01-01"},
                "aanstellingen": [{"van": (start + dt.timedelta(days=3 * i)).isoformat(),
                                   "tot": (start + dt.timedelta(days=3 * i + 40)).isoformat(),
                                   "soort": "waarnemend"} for i in range(10_000)],
                "afwezigheden": [{"van": (start + dt.timedelta(days=3 * i)).isoformat(),
                                  "tot": (start + dt.timedelta(days=3 * i + 1)).isoformat()}
                                 for i in range(10_000)]}
        path = folder / "aanstellingen.json"
        path.write_text(json.dumps(case), encoding="utf-8")
        measure("case: 10,000 appointments and absences, read+decide",
                lambda: engine.decide("go.jobtraining.duur", load_case_file(str(path)),
                                      "2026-01-01"))
        measure("case: the same, explained",
                lambda: engine.explain("go.jobtraining.duur", case, "2026-01-01"))
        edge = {"vormingsattest": {"datum": "0001-01-01"},
                "aanstellingen": [{"van": "0001-01-01", "tot": "9999-12-31",
                                   "soort": "proeftijd"}]}
        measure("case: one appointment from year 1 to 9999",
                lambda: engine.explain("go.jobtraining.duur", edge, "2026-01-01"))


if __name__ == "__main__":
    main()
