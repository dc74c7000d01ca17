"""Auditing logged decisions: explain --id from the rules as they were, replay with today's
rules and the cause of a difference, list/show with filters, purge for good. Every test runs
on both backends of the log (an SQLite file and a PostgreSQL server: see `log_url`)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from conftest import log_text, write_case
from regelwerk.engine.log.decisionlog import open_log

pytestmark = pytest.mark.usefixtures("log_url")

CASE = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
DUUR = "go.jobtraining.duur"
ON = "2026-11-22"
KLACHT = {"klacht": {"ontvangen_op": "2026-06-25", "schriftelijk": True}}


def _decide(cli, tmp_path, *extra, decision=DUUR, case=CASE, on=ON) -> str:
    made = cli.json(*extra, "decide", decision, "--case", write_case(tmp_path, case), "--on", on)
    return made["log_id"]


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_explain_id_uses_the_rules_as_they_were_and_replay_names_the_cause(
        cli, tmp_path, rules_copy):
    log_id = _decide(cli, tmp_path)
    folder = rules_copy("go")
    _edit(folder, "      duur_maanden:\n        value: 10\n", "      duur_maanden:\n        value: 12\n")

    now = cli.json("--rules", str(folder), "explain", DUUR, "--case",
                   write_case(tmp_path, CASE), "--on", ON)
    assert now["result"]["einddatum"] != "2026-06-30"

    then = cli.json("--rules", str(folder), "explain", "--id", log_id)
    assert then["result"]["einddatum"] == "2026-06-30"
    assert {p["name"]: p["value"] for p in then["parameters"]}["duur_maanden"] == 10
    assert then["ruleset"]["sha256"] != now["ruleset"]["sha256"]
    assert then["log"]["reproduced"] is True

    text = cli("--rules", str(folder), "log", "replay", log_id)
    assert text.exit_code == 0, text.stderr
    assert "ANDERS" in text.stdout
    assert "einddatum: 2026-06-30 → " in text.stdout
    assert "oorzaak: Duur van de jobtraining in effectief gepresteerde dienst (duur_maanden): " \
           "10 maanden → 12 maanden" in text.stdout

    report = cli.json("--rules", str(folder), "log", "replay", log_id)
    [r] = report["replayed"]
    assert r["status"] == "different" and report["counts"]["different"] == 1
    assert {c["name"] for c in r["outputs_changed"]} >= {"einddatum", "vereiste_dagen"}
    assert r["logged"]["sha256"] == then["ruleset"]["sha256"]
    assert r["today"]["sha256"] == now["ruleset"]["sha256"]

    assert cli("--rules", str(folder), "log", "replay", log_id, "--exit-code").exit_code == 6
    assert cli("log", "replay", log_id, "--exit-code").exit_code == 0


def test_replay_names_a_new_version_in_force(cli, tmp_path, rules_copy):
    log_id = _decide(cli, tmp_path)
    folder = rules_copy("go")
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining", "--from",
              "2026-01-01", "--set", "duur_maanden=11", "--citation", "besluit van 1 december 2025")
    assert res.exit_code == 0, res.stderr
    out = cli("--rules", str(folder), "log", "replay", log_id).stdout
    assert "versie 2024-02-02 → 2026-01-01" in out
    assert "andere versie in werking op de peildatum: 2024-02-02 → 2026-01-01" in out
    assert "(duur_maanden): 10 maanden → 11 maanden" in out


def test_replay_same_outcome_and_rules_changed_elsewhere(cli, tmp_path, rules_copy):
    log_id = _decide(cli, tmp_path)
    same = cli("log", "replay", log_id)
    assert f"{log_id}  {DUUR}  peildatum {ON}: gelijk (versie 2024-02-02)" in same.stdout
    folder = rules_copy("go")
    _edit(folder, "title: Jobtraining voor (adjunct-)directeurs",
          "title: Jobtraining voor directeurs en adjunct-directeurs")
    out = cli("--rules", str(folder), "log", "replay", "--all").stdout
    assert "gelijk" in out and "niet in wat deze beslissing gebruikt" in out


def test_replay_all_with_filters_and_a_fact_logged_only_as_a_hash(cli, tmp_path):
    _decide(cli, tmp_path)
    _decide(cli, tmp_path, decision="ovsg.klacht.antwoordtermijn", case=KLACHT)
    hashed = cli.json("decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON,
                      "--hash-fact", "vormingsattest.datum")["log_id"]
    report = cli.json("log", "replay", "--all")
    assert report["counts"] == {"same": 2, "different": 0, "error": 1}
    [error] = [r for r in report["replayed"] if r["status"] == "error"]
    assert error["id"] == hashed and "logged only as a hash" in error["error"]
    differences = cli.json("log", "replay", "--all", "--differences")
    assert [r["id"] for r in differences["replayed"]] == [hashed]
    assert differences["counts"] == report["counts"]
    only = cli.json("log", "replay", "--all", "--ruleset", "ovsg.klacht")
    assert [r["decision"] for r in only["replayed"]] == ["ovsg.klacht.antwoordtermijn"]
    res = cli("explain", "--id", hashed)
    assert res.exit_code == 1 and "vormingsattest.datum was logged only as a hash" in res.stderr


def test_explain_id_in_text_and_markdown_names_the_log_entry(cli, tmp_path):
    log_id = _decide(cli, tmp_path, case=dict(CASE, trainee={"naam": "An Peeters"}))
    text = cli("explain", "--id", log_id[:10]).stdout
    assert f"logboek: beslissing {log_id}" in text
    assert "alleen als hash gelogd: trainee.naam" in text
    markdown = cli("explain", "--id", log_id, "--format", "markdown").stdout
    assert f"| Logboek | beslissing `{log_id}`" in markdown
    assert "Peeters" not in text + markdown


def test_log_list_filters_and_show(cli, tmp_path, private_decision_log):
    first = _decide(cli, tmp_path)
    second = _decide(cli, tmp_path, decision="ovsg.klacht.antwoordtermijn", case=KLACHT)
    third = _decide(cli, tmp_path, decision="go.vormingsattest.geldigheid",
                    case={"vormingsattest": {"datum": "2024-01-01"}})

    def ids(*args):
        return [e["id"] for e in cli.json("log", "list", *args)]

    assert ids() == [first, second, third]
    assert ids("--decision", DUUR) == [first]
    assert ids("--ruleset", "ovsg.klacht") == [second]
    today = _dt.datetime.now(_dt.UTC).date()
    assert ids("--since", today.isoformat(), "--until", today.isoformat()) == [first, second,
                                                                                third]
    assert ids("--until", (today - _dt.timedelta(days=1)).isoformat()) == []
    assert ids("--since", (today + _dt.timedelta(days=1)).isoformat()) == []
    assert ids("--limit", "2") == [second, third]

    text = cli("log", "list").stdout.splitlines()
    assert len(text) == 3 and text[0].startswith(first) and DUUR in text[0]

    shown = cli.json("log", "show", first[:8])
    assert shown["id"] == first and shown["facts"] == CASE and shown["on"] == ON
    assert shown["ruleset"]["id"] == "go.jobtraining"
    assert shown["ruleset"]["file"].endswith("jobtraining.yaml")
    assert shown["ruleset"]["origin"] == "plugin go"
    out = cli("log", "show", first).stdout
    assert "einddatum = 2026-06-30" in out and "go.jobtraining versie 2024-02-02" in out


def test_log_commands_report_bad_ids_and_dates(cli, tmp_path):
    assert cli("log", "list").exit_code == 0  # no log yet: nothing, and none is made
    assert cli("log", "show", "abc").exit_code == 2
    missing = cli("log", "show", "0123456789")
    assert missing.exit_code == 2 and "no decision '0123456789'" in missing.stderr
    _decide(cli, tmp_path)
    bad = cli("log", "list", "--since", "2026-02-30")
    assert bad.exit_code == 2 and "--since '2026-02-30'" in bad.stderr
    assert cli("log", "replay").exit_code == 2
    assert cli("--no-log", "log", "list").exit_code == 2
    assert cli("--no-log", "explain", "--id", "0123456789").exit_code == 2
    assert cli("explain", DUUR).exit_code == 2
    assert cli("explain", "--id", "0123456789", "--on", ON).exit_code == 2


def test_purge_removes_entries_for_good(cli, tmp_path, log_url):
    marker = "Zeer-Persoonlijke-Notitie-8123"
    _decide(cli, tmp_path, case=dict(CASE, notitie=marker))
    _decide(cli, tmp_path, decision="ovsg.klacht.antwoordtermijn", case=KLACHT)
    log = open_log(log_url)
    assert log.count() == 2
    assert marker.encode() in log_text(log_url)

    yesterday = (_dt.date.today() - _dt.timedelta(days=1)).isoformat()
    res = cli("log", "purge", "--before", yesterday, "--yes")
    assert res.exit_code == 0 and "removed 0 decision(s)" in res.stdout
    assert log.count() == 2

    tomorrow = (_dt.date.today() + _dt.timedelta(days=2)).isoformat()
    dry = cli("log", "purge", "--before", tomorrow, "--dry-run")
    assert "would remove 2 decision(s)" in dry.stdout and log.count() == 2
    refused = cli("log", "purge", "--before", tomorrow, input="n\n")
    assert refused.exit_code == 1 and log.count() == 2

    res = cli("log", "purge", "--before", tomorrow, input="y\n")
    assert res.exit_code == 0, res.stderr
    assert "removed 2 decision(s)" in res.stdout and "2 rule-set text(s)" in res.stdout
    assert log.count() == 0
    assert marker.encode() not in log_text(log_url)


def test_a_hashed_fact_the_decision_does_not_read_is_no_obstacle(cli, tmp_path):
    case = dict(CASE, aanstellingen=[{"van": "2025-09-01", "soort": "proeftijd",
                                      "school": "GO! atheneum X"}])
    made = cli.json("decide", DUUR, "--case", write_case(tmp_path, case), "--on", ON,
                    "--hash-fact", "aanstellingen.school")
    trail = cli.json("explain", "--id", made["log_id"])
    assert trail["log"]["reproduced"] is True
    assert trail["log"]["hashed_facts"] == ["aanstellingen.school"]
    [r] = cli.json("log", "replay", made["log_id"])["replayed"]
    assert r["status"] == "same"

    used = cli.json("decide", DUUR, "--case", write_case(tmp_path, case), "--on", ON,
                    "--hash-fact", "aanstellingen.soort")
    res = cli("explain", "--id", used["log_id"])
    assert res.exit_code == 1 and "aanstellingen.soort was logged only as a hash" in res.stderr


def _as_if_computed_otherwise(log_url: str) -> None:
    """As if an older release of a date library had computed another end date then."""
    import json
    import sqlite3

    import zstandard

    if log_url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(log_url) as conn:
            conn.execute("UPDATE blocks SET engine = 'regelwerk 0.0.1, holidays 0.1'")
            conn.execute("UPDATE decisions SET outputs = "
                         "jsonb_set(outputs, '{einddatum}', '\"2026-06-29\"')")
        return
    with sqlite3.connect(log_url) as conn:
        [(entries,)] = conn.execute("SELECT entries FROM blocks").fetchall()
        record, decided = json.loads(zstandard.ZstdDecompressor().decompress(entries))
        decided["result"]["einddatum"] = "2026-06-29"
        then = zstandard.ZstdCompressor().compress(json.dumps([record, decided]).encode())
        conn.execute("UPDATE blocks SET engine = 'regelwerk 0.0.1, holidays 0.1', entries = ?",
                      (then,))


def test_same_rules_other_outcome_names_the_software_then_and_now(cli, tmp_path, log_url):
    log_id = _decide(cli, tmp_path)
    shown = cli.json("log", "show", log_id)
    assert shown["engine"].startswith("regelwerk ") and "holidays " in shown["engine"]
    _as_if_computed_otherwise(log_url)
    out = cli("log", "replay", log_id).stdout
    assert "ANDERS" in out and "einddatum: 2026-06-29 → 2026-06-30" in out
    assert ("de software rekent nu anders: toen regelwerk 0.0.1, holidays 0.1, nu "
            + shown["engine"]) in out
    trail = cli.json("explain", "--id", log_id)
    assert trail["log"]["reproduced"] is False
    assert "wijkt af van de gelogde uitkomst" in cli("explain", "--id", log_id).stdout
