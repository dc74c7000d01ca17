"""The decision log on PostgreSQL: its schema made and upgraded by regelwerk (versioned
migrations), each decision queryable in SQL, and a log it cannot use refused with exit 5."""

from __future__ import annotations

import json

import psycopg
from conftest import write_case
from regelwerk.engine.log import pgschema
from regelwerk.engine.log.decisionlog import open_log
from regelwerk.engine.log.postgres import public_url

CASE = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}
DUUR = "go.jobtraining.duur"
ON = "2026-11-22"


def test_the_schema_is_made_once_with_its_version(pg_url):
    open_log(pg_url).check()
    open_log(pg_url).check()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT version, description FROM schema_version").fetchall()
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'decisions'")}
    assert [r[0] for r in rows] == [m[0] for m in pgschema.MIGRATIONS]
    assert {"decisions_decision", "decisions_peildatum", "decisions_made_at"} <= indexes


def test_a_missing_migration_is_applied_when_the_log_is_opened(pg_url, monkeypatch):
    open_log(pg_url).check()
    extra = (pgschema.LATEST + 1, "a column for a test",
             "ALTER TABLE blocks ADD COLUMN note text")
    monkeypatch.setattr(pgschema, "MIGRATIONS", [*pgschema.MIGRATIONS, extra])
    monkeypatch.setattr(pgschema, "LATEST", extra[0])
    open_log(pg_url).check()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == extra[0]
        conn.execute("SELECT note FROM blocks")


def test_a_log_of_a_newer_release_or_of_something_else_is_refused(cli, pg_url, pg_server):
    open_log(pg_url).check()
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO schema_version (version, description) VALUES (99, 'future')")
    newer = cli("--log", pg_url, "log", "list")
    assert newer.exit_code == 5 and "log format 99" in newer.stderr

    other = pg_url.replace("search_path%3D", "search_path%3Dother_")
    schema = other.rsplit("%3D", 1)[1]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.blocks (x int)")
    try:
        res = cli("--log", other, "log", "list")
        assert res.exit_code == 5 and "not a regelwerk decision log" in res.stderr
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_an_unreachable_server_is_exit_5_and_the_password_is_not_shown(cli, tmp_path):
    from ports import free_port

    port = free_port()  # a port nobody listens on
    url = f"postgresql://auditor:geheim@127.0.0.1:{port}/regelwerk"
    res = cli("--log", url, "decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON)
    assert res.exit_code == 5 and res.stdout == ""
    assert "cannot connect" in res.stderr and "geheim" not in res.stderr
    assert public_url(url) == f"postgresql://auditor:***@127.0.0.1:{port}/regelwerk"


def test_facts_and_outputs_are_queryable_in_sql(cli, tmp_path, pg_url):
    made = cli.json("--log", pg_url, "decide", DUUR, "--case", write_case(tmp_path, CASE),
                    "--on", ON)
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "SELECT id, peildatum::text, outputs->>'einddatum', facts->'vormingsattest'->>'datum' "
            "FROM decision_log WHERE decision = %s AND outputs @> %s::jsonb",
            (DUUR, json.dumps({"getelde_dagen": made["result"]["getelde_dagen"]}))).fetchone()
        texts = conn.execute("SELECT count(*) FROM rulesets").fetchone()[0]
    assert row == (made["log_id"], ON, made["result"]["einddatum"], "2025-06-01")
    cli.json("--log", pg_url, "decide", DUUR, "--case", write_case(tmp_path, CASE), "--on", ON)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM rulesets").fetchone()[0] == texts == 1
