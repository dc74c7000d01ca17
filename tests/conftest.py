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
    """The whole run reads messages in English, servers started for a module included."""
    os.environ["REGELWERK_LANG"] = "en"


@pytest.fixture(autouse=True)
def english_messages(monkeypatch) -> None:
    """Tests read the engine's messages in English (the msgids); the Dutch default has tests
    of its own (tests/test_messages_nl.py), which clear this."""
    monkeypatch.setenv("REGELWERK_LANG", "en")


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
