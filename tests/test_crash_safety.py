"""Nothing lost: a process killed with SIGKILL while it writes leaves every file whole.

A child process adds versions to a rule file one after another (`rules new-version`) and is
killed at an arbitrary moment; the file must then load as a rule set whose versions are
exactly the first k that were asked for, each one whole.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from regelwerk.engine.deciding.api import Engine

WRITER = """\
import datetime as dt, sys
from regelwerk.engine.cli import main
folder = sys.argv[1]
for i in range(10_000):
    day = (dt.date(2027, 1, 1) + dt.timedelta(days=i)).isoformat()
    main(["--rules", folder, "rules", "new-version", "go.jobtraining", "--from", day,
          "--set", f"duur_maanden={11 + i % 2}"], standalone_mode=False)
    print(i, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("extra_delay", [0.0, 0.029])
def test_new_version_killed_midway_leaves_the_rule_file_whole(rules_copy, extra_delay):
    folder = rules_copy("go")
    before = Engine(rules=[str(folder)]).catalog.rulesets["go.jobtraining"]
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline(), child.stderr.read()  # one version written: busy now
        time.sleep(extra_delay)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    engine = Engine(rules=[str(folder)])
    engine.check()  # the file loads and compiles without a problem
    after = engine.catalog.rulesets["go.jobtraining"]
    added = after.versions[len(before.versions):]
    assert [v.name for v in after.versions[:len(before.versions)]] == [
        v.name for v in before.versions]
    assert added, "at least the first new version was written"
    for i, version in enumerate(added):
        first = dt.date(2027, 1, 1) + dt.timedelta(days=i)
        assert (version.amends, version.in_force_from) == (
            after.versions[len(before.versions) + i - 1].name, first)
        assert version.params["duur_maanden"].value == 11 + i % 2
    # a temporary file left by the kill is never taken for a rule file
    rule_files = sorted(p.name for p in folder.glob("*.yaml") if ".cases." not in p.name)
    assert rule_files == ["jobtraining.yaml", "vormingsattest.yaml"]


def test_a_batch_killed_midway_has_logged_every_decision_it_printed(tmp_path):
    import json
    import sqlite3

    from regelwerk.engine.log.decisionlog import DecisionLog

    cases = tmp_path / "cases.jsonl"
    with cases.open("w", encoding="utf-8") as handle:
        for n in range(60_000):
            case = {"trainee": {"in_ambt": n % 2 == 0}, "vormingsattest": {"datum": "2020-01-01"}}
            handle.write(json.dumps({"decision": "go.jobtraining.toelating", "on": "2026-01-01",
                                     "case": {**case, "volgnummer": n}}) + "\n")
    log = tmp_path / "decisions.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", "from regelwerk.engine.cli import main; main()",
         "--log", str(log), "decide", "--cases", str(cases)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    printed = []
    try:
        for _ in range(5_000):  # several blocks of the log, written by the workers' chunks
            line = child.stdout.readline()
            assert line, "the batch ended before it was killed"
            printed.append(json.loads(line)["log_id"])
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    with sqlite3.connect(log) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    entries = DecisionLog(log).entries()
    logged = [e.id for e in entries]
    assert logged[:len(printed)] == printed  # every decision handed out is in the log
    numbers = [e.facts["volgnummer"] for e in entries]
    assert numbers == list(range(len(entries)))  # whole entries, in order, none half-written
    for entry in entries:
        assert entry.outputs["toegelaten"] is (entry.facts["volgnummer"] % 2 == 0)
