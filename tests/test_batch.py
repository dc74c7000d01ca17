"""Batch mode (`decide --cases`) and the many-cases API: order, per-line errors, workers, CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from regelwerk.engine.cli import batch
from regelwerk.engine.deciding.api import Engine

DATA = Path(__file__).parent / "data" / "batch"
MIXED = str(DATA / "mixed.jsonl")


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def test_every_line_answered_in_order_with_errors_in_place(cli):
    result = cli("decide", "--cases", MIXED, "--on", "2026-01-15")
    assert result.exit_code == 1  # some lines failed
    out = lines(result.stdout)
    assert [o.get("decision") or o["line"] for o in out] == [
        "go.jobtraining.duur", "ovsg.klacht.antwoordtermijn", 3, 5,
        "omo.dienstverlening.categorie", 7, 8, "go.vormingsattest.geldigheid"]
    assert out[0]["result"]["einddatum"] == "2026-06-30"
    assert out[1]["result"]["uiterste_antwoorddatum"] == "2026-08-17"
    assert out[2]["error"].startswith("invalid JSON at column 1")
    assert "onderwijsniveau 'HO' valt niet onder" in out[3]["error"]
    assert out[4]["on"] == "2026-01-15"  # --on stands in for a line without "on"
    assert out[4]["result"]["dienstverleningslijn"] == 1
    assert "a line must be a JSON object" in out[5]["error"]
    assert "unknown decision 'go.jobtraining.bestaat_niet'" in out[6]["error"]
    assert out[7]["result"]["uiterste_datum"] == "2026-02-28"
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_a_line_is_shaped_as_a_single_decision(cli, tmp_path):
    case = {"vormingsattest": {"datum": "2025-06-01"},
            "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
    (tmp_path / "case.json").write_text(json.dumps(case))
    single = cli.json("decide", "go.jobtraining.duur", "--case", str(tmp_path / "case.json"),
                      "--on", "2026-11-22")
    many = lines(cli("decide", "--cases", MIXED).stdout)[0]
    assert many.pop("log_id") != single.pop("log_id")  # each decision has its own log entry
    assert many == single


def test_decision_and_on_from_the_command_line(cli, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"case": {"verzoek": {"domein": "HRM"}}}\n'
                    '{"case": {"verzoek": {"domein": "beleid"}}, "on": "2021-03-01"}\n')
    result = cli("decide", "omo.dienstverlening.categorie", "--cases", str(path),
                 "--on", "2022-01-01")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert [(o["on"], o["result"]["dienstverleningslijn"]) for o in out] == [
        ("2022-01-01", 1), ("2021-03-01", 3)]


def test_unknown_decision_on_the_command_line_is_a_usage_error(cli):
    result = cli("decide", "omo.dienstverlening.categori", "--cases", MIXED)
    assert result.exit_code == 2
    assert "unknown decision 'omo.dienstverlening.categori'" in result.stderr
    assert result.stdout == ""


def test_stdin_and_missing_file(cli):
    result = cli("decide", "--cases", "-", input=Path(MIXED).read_text().splitlines()[1] + "\n")
    assert result.exit_code == 0
    assert lines(result.stdout)[0]["result"]["ontvankelijk"] is True
    result = cli("decide", "--cases", "does-not-exist.jsonl")
    assert result.exit_code == 2
    assert "--cases does-not-exist.jsonl: No such file" in result.stderr


def test_workers_keep_the_order_and_the_answers(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_LINES", 7)
    monkeypatch.setattr(batch, "PARALLEL_FROM", 10)
    source = Path(MIXED).read_text().splitlines()
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(source * 12) + "\n")
    one = cli("--no-log", "decide", "--cases", str(path), "--on", "2026-01-15", "--workers", "1")
    two = cli("--no-log", "decide", "--cases", str(path), "--on", "2026-01-15", "--workers", "2")
    assert one.exit_code == two.exit_code == 1
    assert two.stdout == one.stdout
    out = lines(two.stdout)
    assert len(out) == 12 * (len(source) - 1)  # the blank line gives no output
    errors = [o["line"] for o in out if "error" in o]
    assert errors[:4] == [3, 5, 7, 8] and errors[-1] == 11 * len(source) + 8


def test_workers_log_every_decided_line_in_input_order(cli, tmp_path, monkeypatch,
                                                       private_decision_log):
    from regelwerk.engine.log.decisionlog import DecisionLog

    monkeypatch.setattr(batch, "CHUNK_LINES", 5)
    monkeypatch.setattr(batch, "PARALLEL_FROM", 10)
    source = Path(MIXED).read_text().splitlines()
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(source * 6) + "\n")
    result = cli("decide", "--cases", str(path), "--on", "2026-01-15", "--workers", "2")
    decided = [o for o in lines(result.stdout) if "error" not in o]
    entries = DecisionLog(private_decision_log).entries()
    assert [e.id for e in entries] == [o["log_id"] for o in decided]
    assert [e.decision for e in entries] == [o["decision"] for o in decided]
    assert len(entries) == 6 * 4


def test_no_log_leaves_the_lines_without_log_id(cli, private_decision_log):
    result = cli("--no-log", "decide", "--cases", MIXED, "--on", "2026-01-15")
    assert all("log_id" not in o for o in lines(result.stdout))
    assert not private_decision_log.exists()


def test_progress_bar_on_request(cli):
    result = cli("decide", "--cases", MIXED, "--on", "2026-01-15", "--progress")
    assert "deciding" in result.stderr
    assert len(lines(result.stdout)) == 8


def test_csv_with_dotted_columns_typed_by_the_rule_file(cli):
    result = cli("decide", "--cases", str(DATA / "mixed.csv"))
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert out[0]["result"] == {"ontvankelijk": True, "uiterste_antwoorddatum": "2026-08-17"}
    assert out[1]["result"]["mentor"] == "lokaal"
    assert out[1]["result"]["schendingen"] == []
    assert out[2] == {"line": 4, "error": "go.jobtraining.mentor: mentor.evalueert_trainee: "
                                          "expected true or false, got 'misschien'"}
    assert out[3]["line"] == 5 and "'2026-02-30' does not exist" in out[3]["error"]


def test_csv_from_stdin_needs_the_format(cli):
    text = (DATA / "mixed.csv").read_text()
    result = cli("decide", "--cases", "-", "--input-format", "csv", input=text)
    assert len(lines(result.stdout)) == 4


def test_as_json_is_as_dict_serialised(engine):
    for record in map(json.loads, Path(MIXED).read_text().splitlines()[:2]):
        result = engine.decide_record(record)
        assert json.loads(result.as_json()) == result.as_dict()


def test_decide_many_gives_plain_data_in_order(engine):
    records = [json.loads(line) for line in Path(MIXED).read_text().splitlines()
               if line.startswith("{")]
    out = list(engine.decide_many(records, on="2026-01-15"))
    assert [o.get("decision") or o["line"] for o in out] == [
        "go.jobtraining.duur", "ovsg.klacht.antwoordtermijn", 3,
        "omo.dienstverlening.categorie", 5, "go.vormingsattest.geldigheid"]
    assert out[0]["result"]["einddatum"] == "2026-06-30"  # JSON-ready: dates as text
    json.dumps(out)
    explained = next(engine.decide_many(records[:1], trail=True))
    assert explained["trail"]["result"]["einddatum"] == "2026-06-30"
    assert explained["trail"]["steps"]


def test_default_workers_one_per_core_it_may_use(monkeypatch):
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert batch.default_workers() == 3


def test_csv_rows_of_the_wrong_width_fail_alone(cli, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("decision,on,verzoek.domein\n"
                    "omo.dienstverlening.categorie,2026-01-15,ICT\n"
                    "omo.dienstverlening.categorie,2026-01-15\n"
                    "\n"
                    "omo.dienstverlening.categorie,2026-01-15,beleid\n")
    result = cli("--no-log", "decide", "--cases", str(path))
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert [o.get("line") or o["result"]["dienstverleningslijn"] for o in out] == [1, 3, 3]
    assert out[1]["error"] == "expected 3 columns, got 2"


def test_csv_with_a_column_twice_is_a_usage_error(cli, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("decision,verzoek.domein,verzoek.domein\nomo.dienstverlening.categorie,a,b\n")
    result = cli("--no-log", "decide", "--cases", str(path))
    assert result.exit_code == 2
    assert "column 'verzoek.domein' appears twice" in result.stderr


def test_an_unusable_log_stops_a_batch_before_the_first_line(cli, tmp_path):
    not_a_log = tmp_path / "log.sqlite"
    not_a_log.write_text("this is not a database")
    result = cli("--log", str(not_a_log), "decide", "--cases", MIXED)
    assert result.exit_code == 5
    assert result.stdout == ""


_DECIDE_CHUNK = batch.decide_chunk


def _dies_on_the_chunk_from_line_11(chunk):
    """A worker that is killed while deciding one chunk (as the OOM killer would)."""
    if isinstance(chunk, tuple) and chunk[0] == 11:
        import os

        os._exit(9)
    return _DECIDE_CHUNK(chunk)


def test_a_worker_that_dies_fails_the_run_instead_of_hanging(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_LINES", 5)
    monkeypatch.setattr(batch, "PARALLEL_FROM", 10)
    monkeypatch.setattr(batch, "decide_chunk", _dies_on_the_chunk_from_line_11)
    source = Path(MIXED).read_text().splitlines()
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(source * 4) + "\n")
    result = cli("--no-log", "decide", "--cases", str(path), "--workers", "2")
    assert result.exit_code == 4
    assert "a worker process stopped abruptly" in result.stderr
    assert len(lines(result.stdout)) < 4 * 8
