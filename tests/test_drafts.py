"""A broken draft is refused, never replaced: a --rules folder with a file that cannot be
read or compiled stops every command that decides or works on rule sets (exit 3, the
file:line:col problem), instead of letting the installed rule set decide in its place.

The drafts are in tests/data/hostile/drafts, their messages in corpus.yaml (`drafts:`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from regelwerk.engine.base.errors import RuleFileError, UsageError
from regelwerk.engine.deciding.api import Engine
from test_hostile import CORPUS, HOSTILE, _clean

DRAFTS = CORPUS["drafts"]
CASE = {"trainee": {"in_ambt": True}, "vormingsattest": {"datum": "2020-01-01"}}
OTHER = "go.vormingsattest.geldigheid"  # a decision of a rule set the draft does not touch


def test_every_draft_in_the_corpus_has_an_expectation_and_back():
    assert {p.name for p in (HOSTILE / "drafts").iterdir()} == set(DRAFTS)


@pytest.fixture
def draft(tmp_path, monkeypatch):
    """A folder `draft` in the working folder holding one broken draft of go.jobtraining."""

    def make(name: str) -> str:
        folder = tmp_path / "draft"
        folder.mkdir()
        shutil.copy(HOSTILE / "drafts" / name, folder / name)
        (tmp_path / "case.json").write_text(json.dumps(CASE), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return f"error: {Path('draft') / name}:{DRAFTS[name]['message']}"

    return make


@pytest.mark.parametrize("name", sorted(DRAFTS))
@pytest.mark.parametrize("decision", ["go.jobtraining.toelating", OTHER])
def test_a_broken_draft_stops_deciding(cli, draft, tmp_path, name, decision):
    expected = draft(name)
    res = cli("--rules", "draft", "decide", decision, "--case", "case.json", "--on", "2026-01-01")
    assert res.exit_code == 3
    assert _clean(res).startswith(expected)
    assert not (tmp_path / "hostile-marker").exists()


COMMANDS = {
    "decide": ["decide", OTHER, "--case", "case.json", "--on", "2026-01-01"],
    "explain": ["explain", OTHER, "--case", "case.json", "--on", "2026-01-01"],
    "batch": ["decide", OTHER, "--cases", "cases.jsonl", "--on", "2026-01-01"],
    "test": ["rules", "test"],
    "docs": ["rules", "docs", "go.vormingsattest"],
    "diff": ["rules", "diff", "go.jobtraining"],
    "new-version": ["rules", "new-version", "go.jobtraining", "--from", "2030-01-01",
                    "--set", "duur_maanden=12"],
    "replay": ["log", "replay", "--all"],
    "explain-id": ["explain", "--id", "LOGGED"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_that_uses_the_rules_stops_at_a_broken_draft(cli, draft, tmp_path,
                                                                   command):
    expected = draft("syntax_error.yaml")
    (tmp_path / "cases.jsonl").write_text(json.dumps({"case": CASE}) + "\n", encoding="utf-8")
    logged = cli.json("decide", OTHER, "--case", "case.json", "--on", "2026-01-01")["log_id"]
    args = [logged if a == "LOGGED" else a for a in COMMANDS[command]]
    res = cli("--rules", "draft", *args)
    assert res.exit_code == 3, res.stdout + res.stderr
    assert _clean(res).startswith(expected)


def test_validate_lists_the_broken_draft(cli, draft):
    expected = draft("python_tag.yaml")
    res = cli("--rules", "draft", "rules", "validate")
    assert res.exit_code == 1
    assert expected.removeprefix("error: ") in res.stdout.splitlines()


def test_new_version_of_a_rule_file_beside_a_broken_draft_is_refused(cli, draft, tmp_path,
                                                                     installed_rules):
    draft("no_id.yaml")
    good = tmp_path / "draft" / "vormingsattest.yaml"
    shutil.copy(installed_rules / "go" / "vormingsattest.yaml", good)
    before = good.read_bytes()
    res = cli("--rules", "draft", "rules", "new-version", str(good), "--from", "2030-01-01",
              "--set", "geldigheid_jaren=8")
    assert res.exit_code == 3
    assert "no_id.yaml:2:1: missing key 'id'" in _clean(res)
    assert good.read_bytes() == before


def test_the_api_refuses_a_broken_draft_too(draft):
    draft("syntax_error.yaml")
    engine = Engine(["draft"])  # building it works: `validate` reports through it
    with pytest.raises(RuleFileError) as err:
        engine.decide(OTHER, CASE, "2026-01-01")
    assert str(err.value).startswith(f"{Path('draft') / 'syntax_error.yaml'}:4:7:")
    item = next(engine.decide_many([{"decision": OTHER, "case": CASE}], on="2026-01-01"))
    assert "syntax_error.yaml:4:7" in item["error"]


def test_a_warning_in_a_draft_does_not_stop_it(cli, rules_copy, tmp_path):
    folder = rules_copy("go")
    path = folder / "vormingsattest.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    parameters:\n", "    parameters:\n      ongebruikt: {value: 1, label: Ongebruikt, "
        "citation: \"004 §1\"}\n", 1), encoding="utf-8")
    assert "is not read by any decision" in cli("--rules", str(folder), "rules", "validate").stdout
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    res = cli("--rules", str(folder), "decide", OTHER, "--case", str(case), "--on", "2026-01-01")
    assert res.exit_code == 0, res.stderr


@pytest.mark.parametrize("value, message", [
    ("", "--rules '': give the folder of the rule files"),
    ("/dev/null", "--rules /dev/null: not a folder of rule files (nor a rule file .yaml)"),
    ("nowhere", "--rules nowhere: no such folder"),
    ("case.json", "--rules case.json: not a folder of rule files (nor a rule file .yaml)"),
])
def test_a_rules_option_that_is_no_folder_is_named(cli, tmp_path, monkeypatch, value, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case.json").write_text(json.dumps(CASE), encoding="utf-8")
    for args in (["decide", OTHER, "--case", "case.json"], ["rules", "validate"]):
        res = cli("--rules", value, *args)
        assert res.exit_code == 2
        assert _clean(res) == f"error: {message}"
    res = cli("decide", OTHER, "--case", "case.json", env={"REGELWERK_RULES": value or ":"})
    assert res.exit_code == (0 if not value else 2)  # an empty list of folders is no folder


def test_the_api_names_a_rules_folder_that_is_none(tmp_path):
    fifo = tmp_path / "pipe"
    import os

    os.mkfifo(fifo)
    for value in ("", str(fifo), str(tmp_path / "nowhere")):
        with pytest.raises(UsageError) as err:
            Engine([value])
        assert str(err.value).startswith("--rules ")



def test_the_server_does_not_start_on_a_broken_draft(draft):
    pytest.importorskip("starlette")
    from regelwerk.engine.server.config import ServerConfig
    from regelwerk.engine.server.run import check

    draft("python_tag.yaml")
    with pytest.raises(RuleFileError) as err:
        check(ServerConfig(rules=["draft"], no_log=True), "127.0.0.1", 0)
    assert "python_tag.yaml:3:8: tag !!python/object/apply:os.system" in str(err.value)
