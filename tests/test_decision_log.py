"""The decision log: every decision `decide` makes is logged, whole, and never lost."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import log_bytes, write_case
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.log.decisionlog import DecisionLog, LogError, default_path, log_from_options

CASE = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
DUUR = "go.jobtraining.duur"
ON = "2026-11-22"


def _cases_file(tmp_path: Path, n: int, name: str = "cases.jsonl") -> str:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            case = dict(CASE, vormingsattest={"datum": f"2025-06-{1 + i % 28:02d}"})
            handle.write(json.dumps({"decision": DUUR, "on": ON, "case": case}) + "\n")
    return str(path)


def test_decide_logs_the_decision_with_facts_outputs_and_rule_set(cli, tmp_path,
                                                                   private_decision_log):
    result = cli("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.id == payload["log_id"]
    assert entry.decision == DUUR and entry.peildatum == ON
    assert entry.facts == CASE
    assert entry.outputs == payload["result"]
    assert entry.ruleset_id == "go.jobtraining"
    assert entry.version == payload["ruleset"]["version"]
    assert entry.sha256 == payload["ruleset"]["sha256"]
    assert entry.made_at[:4].isdigit() and entry.made_at.endswith("+00:00")
    stored = DecisionLog(private_decision_log).ruleset_text(entry.sha256)
    assert hashlib.sha256(stored.text).hexdigest() == entry.sha256


def test_text_output_names_the_log_entry(cli, tmp_path, private_decision_log):
    result = cli("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON)
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.id in result.stdout


def test_rule_set_text_is_kept_once_per_hash(cli, tmp_path, private_decision_log):
    for _ in range(3):
        assert cli("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON).exit_code == 0
    with sqlite3.connect(private_decision_log) as conn:
        assert conn.execute("SELECT count(*) FROM rulesets").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM blocks").fetchone()[0] == 3


def test_no_log_writes_nothing(cli, tmp_path, private_decision_log):
    result = cli("--no-log", "decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON,
                 "--format", "json")
    assert result.exit_code == 0
    assert "log_id" not in json.loads(result.stdout)
    assert not private_decision_log.exists()


def test_log_option_beats_the_environment(cli, tmp_path, private_decision_log):
    target = tmp_path / "sub" / "mine.sqlite"
    result = cli("--log", str(target), "decide", DUUR, "--case", write_case(tmp_path, CASE),
                 "--on", ON)
    assert result.exit_code == 0, result.stderr
    assert DecisionLog(target).count() == 1
    assert not private_decision_log.exists()


def test_log_and_no_log_together_is_a_usage_error(cli, tmp_path):
    res = cli("--log", str(tmp_path / "x.sqlite"), "--no-log", "decide", DUUR, "--case",
              write_case(tmp_path, CASE), "--on", ON)
    assert res.exit_code == 2 and "--no-log" in res.stderr and res.stdout == ""


def test_default_location_is_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("REGELWERK_LOG")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    log = log_from_options(None, False)
    if sys.platform.startswith("linux"):
        assert log.path == tmp_path / "regelwerk" / "decisions.sqlite"
    assert log.path == default_path()
    assert log_from_options(None, True) is None
    assert log_from_options(str(tmp_path / "x.sqlite"), False).path == tmp_path / "x.sqlite"


def test_failed_decisions_are_not_logged(cli, tmp_path, private_decision_log):
    result = cli("decide", DUUR, "--case", write_case(tmp_path, {"aanstellingen": 3}), "--on", ON)
    assert result.exit_code == 1
    assert DecisionLog(private_decision_log).count() == 0


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_text("just text, no database " * 100), "not a regelwerk decision log"),
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit(),
     "not a regelwerk decision log"),
])
def test_unusable_log_stops_before_deciding(cli, tmp_path, make, words):
    target = tmp_path / "log.sqlite"
    make(target)
    result = cli("--log", str(target), "decide", DUUR, "--case", write_case(tmp_path, CASE),
                 "--on", ON)
    assert result.exit_code == 5
    assert result.stdout == ""
    assert words in result.stderr and str(target) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_log_whose_folder_cannot_be_made_is_exit_5(cli, tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    result = cli("--log", str(blocker / "log.sqlite"), "decide", DUUR, "--case",
                 write_case(tmp_path, CASE), "--on", ON)
    assert result.exit_code == 5 and result.stdout == ""
    assert f"cannot make its folder {blocker}" in result.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_log_folder_is_exit_5(cli, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = cli("--log", str(folder / "log.sqlite"), "decide", DUUR, "--case",
                     write_case(tmp_path, CASE), "--on", ON)
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 5 and result.stdout == ""


def test_batch_logs_every_decided_line_in_input_order(cli, tmp_path, private_decision_log):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps({"decision": DUUR, "on": ON, "case": CASE}),
             "{not json",
             json.dumps({"decision": DUUR, "on": ON, "case": {"aanstellingen": 3}}),
             json.dumps({"decision": "go.vormingsattest.geldigheid", "on": ON,
                         "case": {"vormingsattest": {"datum": "2024-01-01"}}})]
    path.write_text("\n".join(lines) + "\n")
    result = cli("decide", "--cases", str(path))
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    entries = DecisionLog(private_decision_log).entries()
    assert [e.decision for e in entries] == [DUUR, "go.vormingsattest.geldigheid"]
    assert [e.id for e in entries] == [out[0]["log_id"], out[3]["log_id"]]
    assert "log_id" not in out[1] and "log_id" not in out[2]


def _regelwerk(*args: str, env: dict) -> subprocess.Popen:
    code = "import sys; from regelwerk.engine.cli import main; sys.exit(main())"
    return subprocess.Popen([sys.executable, "-c", code, *args], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_two_batch_runs_at_once_lose_no_entry(tmp_path):
    log = tmp_path / "shared.sqlite"
    n = 400
    files = [_cases_file(tmp_path, n, f"{i}.jsonl") for i in range(2)]
    runs = [_regelwerk("--log", str(log), "decide", "--cases", f, env={}) for f in files]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    assert DecisionLog(log).count() == 2 * n


def test_an_exception_keeps_the_decisions_already_added(tmp_path):
    engine = Engine()
    result = engine.decide(DUUR, CASE, ON)
    log = DecisionLog(tmp_path / "log.sqlite")
    with pytest.raises(RuntimeError), log.writer(batch_size=100) as w:
        w.add(result, CASE)
        w.add(result, CASE)
        raise RuntimeError("stop")
    assert log.count() == 2


def test_personal_facts_marked_in_the_rule_set_are_logged_only_as_a_hash(
        cli, tmp_path, private_decision_log):
    case = dict(CASE, trainee={"naam": "An Peeters", "rijksregisternummer": "85.07.30-033.61"})
    result = cli("decide", DUUR, "--case", write_case(tmp_path, case), "--on", ON)
    assert result.exit_code == 0, result.stderr
    assert b"Peeters" not in log_bytes(private_decision_log)
    assert b"85.07.30" not in log_bytes(private_decision_log)
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.facts["trainee"]["naam"].startswith("sha256:")
    assert entry.facts["aanstellingen"] == CASE["aanstellingen"]
    assert entry.hashed_facts == ["trainee.naam", "trainee.rijksregisternummer"]


def test_hash_fact_option_hashes_more_facts_nested_dotted_or_in_lists(
        cli, tmp_path, private_decision_log):
    case = dict(CASE, **{"dossier.notitie": "gesprek met An"},
                aanstellingen=[{"van": "2025-09-01", "soort": "proeftijd", "school": "GO! X"}])
    result = cli("decide", DUUR, "--case", write_case(tmp_path, case), "--on", ON,
                 "--hash-fact", "dossier.notitie", "--hash-fact", "aanstellingen.school")
    assert result.exit_code == 0, result.stderr
    assert b"gesprek met An" not in log_bytes(private_decision_log)
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.facts["dossier.notitie"].startswith("sha256:")
    assert entry.facts["aanstellingen"][0]["school"].startswith("sha256:")
    assert entry.facts["aanstellingen"][0]["van"] == "2025-09-01"
    assert entry.hashed_facts == ["dossier.notitie", "aanstellingen.school"]


def test_log_error_is_a_regelwerk_error_with_exit_5():
    assert LogError("x").exit_code == 5


def test_a_damaged_log_is_exit_5_for_deciding_and_reading(cli, tmp_path):
    target = tmp_path / "damaged.sqlite"
    engine = Engine()
    result = engine.decide(DUUR, CASE, ON)
    with DecisionLog(target).writer() as w:
        for _ in range(2000):
            w.add(result, CASE)
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = target.stat().st_size
    with target.open("r+b") as handle:
        handle.truncate(size // 3)
    for args in (("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON),
                 ("log", "list"), ("log", "replay", "--all")):
        res = cli("--log", str(target), *args)
        assert res.exit_code == 5, (args, res.stderr)
        assert "damaged" in res.stderr and res.stdout == ""


def test_batch_hashes_the_facts_named_on_the_command_line(cli, tmp_path, private_decision_log):
    path = tmp_path / "personal.jsonl"
    case = dict(CASE, dossier={"notitie": "vertrouwelijk gesprek"})
    path.write_text(json.dumps({"decision": DUUR, "on": ON, "case": case}) + "\n")
    result = cli("decide", "--cases", str(path), "--hash-fact", "dossier.notitie")
    assert result.exit_code == 0, result.stderr
    assert b"vertrouwelijk" not in log_bytes(private_decision_log)
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.hashed_facts == ["dossier.notitie"]
