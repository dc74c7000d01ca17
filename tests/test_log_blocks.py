"""The decision log stores decisions in blocks: ids name a block and a place in it, filters
look inside blocks, and a log of the earlier format (a row per decision) is upgraded with its
ids intact."""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import log_bytes, write_case
from regelwerk.engine.deciding.api import Engine
from regelwerk.engine.log import blocks as decisionlog
from regelwerk.engine.log import sqlite as sqlite_log
from regelwerk.engine.log.decisionlog import DecisionLog

DUUR = "go.jobtraining.duur"
GELDIGHEID = "go.vormingsattest.geldigheid"
ON = "2026-11-22"
CASE = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
FORMAT1 = Path(__file__).parent / "data" / "log" / "format1.sql"


def _batch(cli, tmp_path: Path, records: list[dict]) -> list[dict]:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = cli("decide", "--cases", str(path))
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_batch_names_its_decisions_by_block_and_place(cli, tmp_path, private_decision_log):
    out = _batch(cli, tmp_path, [{"decision": DUUR, "on": ON, "case": CASE}] * 3)
    ids = [o["log_id"] for o in out]
    key = ids[0].rsplit("-", 1)[0]
    assert len(key) == 20 and ids == [f"{key}-1", f"{key}-2", f"{key}-3"]

    shown = cli.json("log", "show", f"{key[:8]}-2")  # a start of the key is enough
    assert shown["id"] == ids[1] and shown["facts"] == CASE
    whole = cli("log", "show", key)
    assert whole.exit_code == 2
    assert f"decision id '{key}' names 3 decisions made together: add -1 to -3" in whole.stderr
    past = cli("log", "show", f"{key}-4")
    assert past.exit_code == 2 and "its block holds 3" in past.stderr
    odd = cli("log", "show", "not-an-id")
    assert odd.exit_code == 2 and "not a decision id" in odd.stderr


def test_a_single_decision_is_found_by_its_block_key_alone(cli, tmp_path, private_decision_log):
    made = cli.json("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON)
    key = made["log_id"].removesuffix("-1")
    assert made["log_id"] == f"{key}-1"
    assert cli.json("log", "show", key)["id"] == made["log_id"]
    assert cli.json("explain", "--id", key[:10])["log"]["reproduced"] is True


def test_filters_look_inside_blocks_of_mixed_decisions(cli, tmp_path, private_decision_log):
    attest = {"vormingsattest": {"datum": "2024-01-01"}}
    out = _batch(cli, tmp_path, [{"decision": DUUR, "on": ON, "case": CASE},
                                 {"decision": GELDIGHEID, "on": ON, "case": attest},
                                 {"decision": DUUR, "on": ON, "case": CASE}])
    log = DecisionLog(private_decision_log)
    assert [e.id for e in log.entries(decision=DUUR)] == [out[0]["log_id"], out[2]["log_id"]]
    assert [e.id for e in log.entries(decision=GELDIGHEID)] == [out[1]["log_id"]]
    assert log.entries(decision="go.jobtraining") == []  # a whole id, not a part of one
    assert [e.id for e in log.entries(newest_first=True, limit=2)] == [
        out[2]["log_id"], out[1]["log_id"]]
    assert [e.id for e in log.entries(ruleset="go.jobtraining", limit=1)] == [out[0]["log_id"]]


def test_csv_lines_are_logged_with_their_typed_facts(cli, tmp_path, private_decision_log):
    path = tmp_path / "cases.csv"
    path.write_text("decision,on,trainee.in_ambt,vormingsattest.datum\n"
                    f"go.jobtraining.toelating,{ON},ja,2024-01-01\n", encoding="utf-8")
    result = cli("decide", "--cases", str(path))
    assert result.exit_code == 0, result.stderr
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.id == json.loads(result.stdout)["log_id"]
    assert entry.facts == {"trainee.in_ambt": True, "vormingsattest.datum": "2024-01-01"}


def test_a_writer_starts_a_new_block_when_one_is_full(tmp_path, monkeypatch):
    monkeypatch.setattr(decisionlog, "BLOCK_ENTRIES", 4)
    result = Engine().decide(DUUR, CASE, ON)
    log = DecisionLog(tmp_path / "log.sqlite")
    with log.writer(batch_size=100) as writer:
        ids = [writer.add(result, CASE) for _ in range(10)]
    keys = [i.rsplit("-", 1)[0] for i in ids]
    assert [i.rsplit("-", 1)[1] for i in ids] == ["1", "2", "3", "4"] * 2 + ["1", "2"]
    assert len(set(keys)) == 3
    assert [e.id for e in log.entries()] == ids
    with sqlite3.connect(log.path) as conn:
        assert [r[0] for r in conn.execute("SELECT count FROM blocks ORDER BY seq")] == [4, 4, 2]


def _format1_log(path: Path) -> tuple[str, dict]:
    """A log as regelwerk wrote it before blocks: one decision, its rule set's text."""
    engine = Engine()
    ruleset = engine.resolve(DUUR, _dt.date.fromisoformat(ON))[0]
    result = engine.decide(DUUR, CASE, ON)
    old_id = "5f0e3c2a9b8d4e7f8a6b5c4d3e2f1a0b"
    with sqlite3.connect(path) as conn:
        conn.executescript(FORMAT1.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO rulesets VALUES (?,?,?,?,?,?)",
                     (ruleset.sha256, ruleset.id, ruleset.file, ruleset.origin, ruleset.text,
                      "2026-01-05T10:00:00+00:00"))
        conn.execute(
            "INSERT INTO decisions (id, made_at, decision, peildatum, ruleset_id, version, "
            "sha256, facts, hashed_facts, outputs, notes, engine) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (old_id, "2026-01-05T10:00:00.000001+00:00", DUUR, ON, ruleset.id,
             result.version.name, ruleset.sha256, json.dumps(CASE), "[]",
             json.dumps(result.as_dict()["result"]), json.dumps(result.notes),
             "regelwerk 0.1.0, holidays 0.60, python-dateutil 2.9.0"))
    return old_id, result.as_dict()["result"]


def test_a_log_of_format_1_is_upgraded_and_its_ids_still_work(cli, tmp_path):
    path = tmp_path / "old.sqlite"
    old_id, outputs = _format1_log(path)
    shown = cli.json("--log", str(path), "log", "show", old_id)
    assert shown["id"] == f"{old_id}-1" and shown["result"] == outputs
    assert shown["made_at"] == "2026-01-05T10:00:00.000001+00:00"
    assert cli.json("--log", str(path), "explain", "--id", old_id[:8])["log"]["reproduced"]
    made = cli.json("--log", str(path), "decide", DUUR, "--case", write_case(tmp_path, CASE),
                    "--on", ON)
    log = DecisionLog(path)
    assert [e.id for e in log.entries()] == [f"{old_id}-1", made["log_id"]]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_log.SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "decisions" not in tables


def test_a_log_of_a_newer_format_is_refused(cli, tmp_path):
    newer = sqlite_log.SCHEMA_VERSION + 1
    path = tmp_path / "new.sqlite"
    DecisionLog(path).check()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")
    result = cli("--log", str(path), "log", "list")
    assert result.exit_code == 5 and f"log format {newer}" in result.stderr


def test_a_reader_that_stops_early_gets_no_error(tmp_path):
    import subprocess
    import sys

    result = Engine().decide(DUUR, CASE, ON)
    log = DecisionLog(tmp_path / "log.sqlite")
    with log.writer() as writer:
        for _ in range(3000):  # more than a pipe holds
            writer.add(result, CASE)
    code = "import sys; from regelwerk.engine.cli import main; sys.exit(main())"
    child = subprocess.Popen([sys.executable, "-c", code, "--log", str(log.path), "log", "list"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.readline()
    child.stdout.close()  # as `| head -1` does
    assert child.wait(timeout=60) == 1
    assert child.stderr.read() == b""
    child.stderr.close()


@pytest.mark.parametrize("spelled", ['{"trainee":{"naam":"An Peeters"}}',
                                     '{"trainee.naam":"An Peeters"}',
                                     '{"trainee":{"na\\u0061m":"An Peeters"}}'])
def test_a_batch_hashes_personal_facts_however_the_line_spells_them(cli, tmp_path, spelled,
                                                                    private_decision_log):
    case = json.dumps(CASE)[:-1] + "," + spelled[1:]
    path = tmp_path / "cases.jsonl"
    path.write_text(f'{{"decision":"{DUUR}","on":"{ON}","case":{case}}}\n', encoding="utf-8")
    assert cli("decide", "--cases", str(path)).exit_code == 0
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.hashed_facts == ["trainee.naam"]
    assert b"Peeters" not in log_bytes(private_decision_log)


def test_a_batch_hashes_the_personal_facts_of_just_the_lines_that_hold_them(
        cli, tmp_path, private_decision_log):
    # The lines of a block are probed for personal facts together: a block where a few
    # lines of two rule sets hold some must still hash those, and only those.
    klacht = "ovsg.klacht.antwoordtermijn"
    complaint = {"klacht": {"ontvangen_op": "2026-11-02", "schriftelijk": True}}
    records = []
    for n in range(40):
        if n % 10 == 3:
            records.append({"decision": DUUR, "on": ON,
                            "case": dict(CASE, trainee={"naam": f"Naam-van-trainee-{n}"})})
        elif n % 10 == 7:
            records.append({"decision": klacht, "on": ON,
                            "case": dict(complaint, klager={"naam": f"Naam-van-klager-{n}"})})
        else:
            records.append({"decision": (DUUR, klacht, GELDIGHEID)[n % 3], "on": ON,
                            "case": CASE if n % 3 != 1 else complaint})
    out = _batch(cli, tmp_path, records)
    entries = DecisionLog(private_decision_log).entries()
    assert [e.id for e in entries] == [o["log_id"] for o in out]
    hashed = {n: e.hashed_facts for n, e in enumerate(entries) if e.hashed_facts}
    assert hashed == {n: ["trainee.naam"] if n % 10 == 3 else ["klager"]
                      for n in range(40) if n % 10 in (3, 7)}
    assert all(e.facts == r["case"] for e, r in zip(entries, records) if not e.hashed_facts)
    assert b"Naam-van-trainee-" not in log_bytes(private_decision_log)
    assert b"Naam-van-klager-" not in log_bytes(private_decision_log)


def test_a_batch_logs_the_case_not_what_else_a_line_carries(cli, tmp_path, private_decision_log):
    out = _batch(cli, tmp_path, [{"decision": DUUR, "on": ON, "case": CASE,
                                  "opmerking": "An Peeters belde"}])
    [entry] = DecisionLog(private_decision_log).entries()
    assert entry.id == out[0]["log_id"] and entry.facts == CASE
    assert b"Peeters" not in log_bytes(private_decision_log)


@pytest.mark.parametrize("damage", [b"not zstandard at all",
                                    "zstd of JSON that is not an entry"])
def test_a_damaged_block_is_named_with_exit_5(cli, tmp_path, damage):
    import zstandard

    log = DecisionLog(tmp_path / "log.sqlite")
    with log.writer() as writer:
        decision_id = writer.add(Engine().decide(DUUR, CASE, ON), CASE)
    if isinstance(damage, str):
        damage = zstandard.ZstdCompressor().compress(b'{"case": {}}')
    with sqlite3.connect(log.path) as conn:
        conn.execute("UPDATE blocks SET entries = ?", (damage,))
    key = decision_id.rsplit("-", 1)[0]
    for args in (["log", "list"], ["log", "show", decision_id], ["explain", "--id", key]):
        result = cli("--log", str(log.path), *args)
        assert result.exit_code == 5, (args, result.stderr)
        assert f"the block of decisions {key} is damaged" in result.stderr


def test_a_block_ends_when_its_first_decision_is_older_than_its_time_bound(tmp_path,
                                                                           monkeypatch):
    result = Engine().decide(DUUR, CASE, ON)
    log = DecisionLog(tmp_path / "log.sqlite")
    with log.writer(batch_size=100) as writer:
        together = [writer.add(result, CASE) for _ in range(3)]
        monkeypatch.setattr(decisionlog, "BLOCK_SECONDS", -1.0)  # every block is too old
        apart = [writer.add(result, CASE) for _ in range(3)]
    assert [i.rsplit("-", 1)[1] for i in together + apart] == ["1", "2", "3", "1", "1", "1"]
    assert len({i.rsplit("-", 1)[0] for i in together + apart}) == 4
