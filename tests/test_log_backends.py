"""The decision log behaves the same on both backends (an SQLite file and a PostgreSQL server):
batches log every decided line in order, personal facts only as hashes, concurrent writers in
separate processes lose nothing, a killed writer leaves only whole entries, a purge during
writes never loses a rule-set text a decision needs, and `log export` writes every entry."""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import log_text, write_case
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.log.decisionlog import open_log

CASE = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
DUUR = "go.jobtraining.duur"
GELDIGHEID = "go.vormingsattest.geldigheid"
ON = "2026-11-22"
TOMORROW = (_dt.datetime.now(_dt.UTC).date() + _dt.timedelta(days=1)).isoformat()


def _cases(tmp_path: Path, n: int, name: str = "cases.jsonl") -> str:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            case = dict(CASE, vormingsattest={"datum": f"2025-06-{1 + i % 28:02d}"}, volgnummer=i)
            handle.write(json.dumps({"decision": DUUR, "on": ON, "case": case}) + "\n")
    return str(path)


def _regelwerk(*args: str, stdout=subprocess.DEVNULL) -> subprocess.Popen:
    code = "import sys; from regelwerk.engine.cli import main; sys.exit(main())"
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=stdout,
                            stderr=subprocess.PIPE)


_WRITER = """
import os, sys
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.log.decisionlog import open_log
case = {case!r}
result = Engine().decide("go.jobtraining.duur", case, "2026-11-22")
with open_log(sys.argv[1]).writer(batch_size=int(sys.argv[2])) as w:
    for i in range(int(sys.argv[3])):
        w.add(result, case)
        if i + 1 == int(sys.argv[4]):
            os._exit(9)          # a kill: no clean-up, no flush
"""


def _writer(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WRITER.format(case=CASE), *map(str, args)],
                            stderr=subprocess.PIPE)


def test_a_batch_logs_every_decided_line_in_input_order(cli, tmp_path, log_url):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps({"decision": DUUR, "on": ON, "case": CASE}), "{not json",
             json.dumps({"decision": GELDIGHEID, "on": ON,
                         "case": {"vormingsattest": {"datum": "2024-01-01"}}})]
    path.write_text("\n".join(lines) + "\n")
    result = cli("decide", "--cases", str(path))
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    log = open_log(log_url)
    entries = log.entries()
    assert [e.id for e in entries] == [out[0]["log_id"], out[2]["log_id"]]
    assert entries[0].facts == CASE and entries[0].outputs == out[0]["result"]
    assert [e.id for e in log.entries(decision=GELDIGHEID)] == [out[2]["log_id"]]
    assert [e.id for e in log.entries(newest_first=True, limit=1)] == [out[2]["log_id"]]
    assert log.entries(decision="go.jobtraining") == []


def test_personal_facts_are_only_hashes_in_either_log(cli, tmp_path, log_url):
    case = dict(CASE, trainee={"naam": "An Peeters"}, dossier={"notitie": "vertrouwelijk"})
    made = cli.json("decide", DUUR, "--case", write_case(tmp_path, case), "--on", ON,
                    "--hash-fact", "dossier.notitie")
    stored = log_text(log_url)
    assert b"Peeters" not in stored and b"vertrouwelijk" not in stored
    entry = open_log(log_url).get(made["log_id"])
    assert entry.hashed_facts == ["trainee.naam", "dossier.notitie"]


def test_two_batch_runs_from_separate_processes_lose_nothing(tmp_path, log_url):
    n = 1500
    runs = [_regelwerk("--log", log_url, "decide", "--cases", _cases(tmp_path, n, f"{i}.jsonl"),
                       "--workers", "2") for i in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=180)
        assert run.returncode == 0, err.decode()
    entries = open_log(log_url).entries()
    assert len(entries) == 2 * n and len({e.id for e in entries}) == 2 * n
    assert sorted(e.facts["volgnummer"] for e in entries) == sorted(list(range(n)) * 2)


def test_concurrent_writers_with_small_batches_lose_nothing(log_url):
    runs = [_writer(log_url, 3, 300, -1) for _ in range(3)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    entries = open_log(log_url).entries()
    assert len(entries) == 900 and len({e.id for e in entries}) == 900


def test_a_killed_writer_leaves_only_whole_committed_entries(log_url):
    run = _writer(log_url, 5, 100, 13)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 9, err.decode()
    entries = open_log(log_url).entries()
    assert len(entries) == 10  # two whole transactions; the third never committed
    assert all(e.outputs and e.facts == CASE for e in entries)


def test_a_batch_killed_midway_has_logged_every_decision_it_printed(tmp_path, log_url):
    child = _regelwerk("--log", log_url, "decide", "--cases", _cases(tmp_path, 60_000),
                       stdout=subprocess.PIPE)
    printed = []
    try:
        for _ in range(3_000):
            line = child.stdout.readline()
            assert line, "the batch ended before it was killed"
            printed.append(json.loads(line)["log_id"])
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    entries = open_log(log_url).entries()
    assert [e.id for e in entries][:len(printed)] == printed
    assert [e.facts["volgnummer"] for e in entries] == list(range(len(entries)))


def test_a_purge_during_writes_keeps_every_count_and_every_rule_text(log_url):
    log = open_log(log_url)
    log.check()
    runs = [_writer(log_url, 7, 1400, -1) for _ in range(2)]
    purged = 0
    # Purge all there is while they write, until some are gone; the writers go on after.
    while purged < 200 and any(run.poll() is None for run in runs):
        purged += log.purge(_dt.date.fromisoformat(TOMORROW))[0]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    left = log.entries()
    assert purged > 0 and purged + len(left) == 2800  # none lost, none counted twice
    for sha in {e.sha256 for e in left}:
        assert log.ruleset_text(sha).text  # a purge never took a text a decision needs


def test_a_writer_stores_a_rule_text_again_after_a_purge_took_it(log_url):
    result = Engine().decide(DUUR, CASE, ON)
    log = open_log(log_url)
    with log.writer(batch_size=1) as w:
        w.add(result, CASE)
        assert log.purge(_dt.date.fromisoformat(TOMORROW)) == (1, 1)
        later = w.add(result, CASE)
    assert [e.id for e in log.entries()] == [later]
    assert log.ruleset_text(result.ruleset.sha256).text == result.ruleset.text


def test_log_export_writes_every_entry_as_json_lines_and_parquet(cli, tmp_path, log_url):
    first = cli.json("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON)["log_id"]
    cli.json("decide", GELDIGHEID, "--case",
             write_case(tmp_path, {"vormingsattest": {"datum": "2024-01-01"}}), "--on", ON)
    listed = cli.json("log", "list")
    out = cli("log", "export")
    assert out.exit_code == 0, out.stderr
    assert [json.loads(line) for line in out.stdout.splitlines()] == listed
    only = cli("log", "export", "--decision", DUUR, "-o", str(tmp_path / "duur.jsonl"))
    assert only.exit_code == 0 and "1 decision(s) exported" in only.stderr
    assert json.loads((tmp_path / "duur.jsonl").read_text())["id"] == first

    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "log.parquet"
    assert cli("log", "export", "-o", str(target)).exit_code == 0
    table = pq.read_table(target).to_pylist()
    assert [row["id"] for row in table] == [e["id"] for e in listed]
    assert json.loads(table[0]["outputs"]) == listed[0]["result"]
    assert table[0]["peildatum"] == _dt.date.fromisoformat(ON)
    refused = cli("log", "export", "--format", "parquet")
    assert refused.exit_code == 2 and "give -o FILE" in refused.stderr


def test_an_exception_keeps_the_decisions_already_added(log_url):
    result = Engine().decide(DUUR, CASE, ON)
    log = open_log(log_url)
    with pytest.raises(RuntimeError), log.writer(batch_size=100) as w:
        w.add(result, CASE)
        w.add(result, CASE)
        raise RuntimeError("stop")
    assert log.count() == 2
