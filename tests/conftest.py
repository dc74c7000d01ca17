"""Shared fixtures: run the CLI as a user would, and find the installed rule files."""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from regelwerk.engine.cli import main

DATA = Path(__file__).parent / "data"


class Cli:
    """Runs `regelwerk ...` in-process and keeps stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        result = self.runner.invoke(main, list(args), input=input, env=env or {},
                                    catch_exceptions=False)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def json(self, *args: str, input: str | None = None) -> dict:
        result = self(*args, "--format", "json", input=input)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def private_decision_log(tmp_path_factory, monkeypatch) -> Path:
    """Every test logs to a decision log of its own, never to the user's real one."""
    home = tmp_path_factory.mktemp("data-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    path = home / "regelwerk-test-log.sqlite"
    monkeypatch.setenv("REGELWERK_LOG", str(path))
    return path


def pytest_configure(config) -> None:
    """The whole run reads the engine's messages in English (the msgids), servers started
    for a module included; the Dutch default has tests of its own (test_messages_nl.py),
    which give a Dutch environment to the command they run."""
    os.environ["REGELWERK_LANG"] = "en"


# The environment of a Dutch-speaking user: nothing chooses a language, so Dutch is used.
DUTCH = {"REGELWERK_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def installed_rules() -> Path:
    return Path(str(resources.files("regelwerk.rules")))


@pytest.fixture
def rules_copy(tmp_path: Path, installed_rules: Path):
    """A copy of one organisation's installed rule folder, for a policy author to edit."""

    def copy(org: str) -> Path:
        target = tmp_path / "rules" / org
        shutil.copytree(installed_rules / org, target)
        return target

    return copy


def write_case(tmp_path: Path, case: dict, name: str = "case.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(case), encoding="utf-8")
    return str(path)


def log_bytes(path: Path) -> bytes:
    """Everything a decision log holds on disk: the files' bytes, and the decompressed
    entries of every block (a fact compressed away would not show in the bytes alone)."""
    import sqlite3

    import zstandard

    files = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        blocks = [zstandard.ZstdDecompressor().decompress(row[0])
                  for row in conn.execute("SELECT entries FROM blocks")]
    return files + b"".join(blocks)


# ------------------------------------------------------------------ both log backends


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server for the tests: REGELWERK_TEST_PG (as CI gives it), else
    one started here for the session (tests/pgserver.py), as root too."""
    import pgserver

    given = os.environ.get("REGELWERK_TEST_PG")
    if given:
        yield given
        return
    url, folder = pgserver.start()
    try:
        yield url
    finally:
        pgserver.stop(folder)


@pytest.fixture
def pg_url(pg_server):
    """A decision log of its own on the server: a fresh schema, dropped afterwards."""
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def log_url(request, private_decision_log, monkeypatch) -> str:
    """The decision log of a test on each backend in turn: an SQLite file, then a PostgreSQL
    schema; REGELWERK_LOG names it, so the CLI uses it."""
    if request.param == "sqlite":
        return str(private_decision_log)
    url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("REGELWERK_LOG", url)
    return url


def log_text(location: str) -> bytes:
    """Everything a decision log holds, as bytes to search for a value that must be gone:
    the SQLite files and their decompressed blocks, or every row of the PostgreSQL tables."""
    if not location.startswith("postgresql://"):
        return log_bytes(Path(location))
    import psycopg

    with psycopg.connect(location) as conn:
        rows = [conn.execute(f"SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t")
                .fetchone()[0] for table in ("rulesets", "blocks", "decisions")]
    return " ".join(rows).encode("utf-8")
