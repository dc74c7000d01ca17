"""Worked examples next to the rules: `regelwerk rules test` and pytest run the same files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DATA
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = DATA / "examples"


def test_passing_examples(cli):
    res = cli("rules", "test", str(EXAMPLES / "good.cases.yaml"))
    assert res.exit_code == 0, res.stdout
    assert res.stdout.splitlines()[-1] == "3 passed, 0 failed"


def test_each_failure_reads_as_expected_versus_got_with_the_trail(cli, monkeypatch):
    monkeypatch.chdir(DATA)
    res = cli("rules", "test", "examples/failing.cases.yaml")
    assert res.exit_code == 1
    out = res.stdout
    assert ("FAILED examples/failing.cases.yaml:8: wrong-expectation (test.drempel.toets, "
            "peildatum 2025-06-01)\n  expects the 2024 threshold in 2025\n"
            "  boven: expected true, got false\n  trail:\n") in out
    assert "groep: expected" not in out  # only what differs
    assert "drempel = 12" in out  # the trail names the parameter that decided
    assert ('  expected an error containing "niveau \'HO\' is onbekend", got '
            '"test.drempel.toets: niveau \'DKO\' is onbekend; gekend: BaO, SO, HO"') in out
    assert ('expected an error containing "onbekend", got a decision: boven = false, '
            'groep = "leerplicht", peil = "2025-06-01"') in out
    assert ("expected a decision, got the error: test.drempel.toets: no version of "
            "test.drempel is in force on 2023-06-01") in out
    assert out.splitlines()[-1] == "1 passed, 4 failed"


def test_json_for_ci(cli):
    res = cli("rules", "test", str(EXAMPLES / "failing.cases.yaml"), "--format", "json")
    report = json.loads(res.stdout)
    assert (report["ok"], report["passed"], report["failed"]) == (False, 1, 4)
    wrong = next(e for e in report["examples"] if e["name"] == "wrong-expectation")
    assert wrong["mismatches"] == [
        {"output": "boven", "expected": True, "got": False, "missing": False}]
    assert wrong["result"]["groep"] == "leerplicht"


def test_a_broken_example_file_is_reported_not_run(cli):
    res = cli("rules", "test", str(EXAMPLES / "invalid.cases.yaml"))
    assert res.exit_code == 1
    assert "has no output 'bovn'; did you mean 'boven'?" in res.stdout
    assert "invalid.cases.yaml: cannot be run" in res.stdout


def test_default_runs_the_examples_of_every_rule_set_in_use(cli):
    res = cli("rules", "test")
    assert res.exit_code == 0, res.stdout
    lines = res.stdout.splitlines()
    assert any(line.endswith("jobtraining.cases.yaml: 35 passed") for line in lines)
    assert any(line.endswith("vormingsattest.cases.yaml: 8 passed") for line in lines)


def test_a_draft_is_tested_with_its_own_examples(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      duur_maanden:\n        value: 10\n", "      duur_maanden:\n        value: 12\n"),
        encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "test", "--no-trail")
    assert res.exit_code == 1
    assert "duur-voorbeeld-september" in res.stdout
    assert "  vereiste_dagen: expected 303, got 365" in res.stdout
    assert f"{folder / 'vormingsattest.cases.yaml'}: 8 passed" in res.stdout
    assert "trail:" not in res.stdout
    # every example in use: the 43 of the GO! folder and the 24 of the installed OVSG and OMO
    # rule sets, which the draft leaves alone
    assert res.stdout.splitlines()[-1] == "57 passed, 10 failed"
    again = cli("rules", "test", "--no-trail", str(folder / "jobtraining.cases.yaml"))
    assert again.stdout.splitlines()[-1] == "25 passed, 10 failed"


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_pytest_collects_each_example_as_an_item(tmp_path):
    for name in ("drempel.yaml", "good.cases.yaml", "failing.cases.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    res = _pytest("-rN", ".", cwd=tmp_path)
    assert res.returncode == 1, res.stdout
    assert "4 failed, 4 passed" in res.stdout
    assert "failing.cases.yaml:8: wrong-expectation (test.drempel.toets, peildatum 2025-06-01)"\
        in res.stdout
    assert "  boven: expected true, got false" in res.stdout
    assert "Traceback" not in res.stdout


def test_the_projects_own_run_collects_the_built_in_examples_once():
    res = _pytest("--collect-only", "-o", "addopts=", "-q", cwd=REPO)
    assert res.returncode == 0, res.stdout + res.stderr
    for name in ("jobtraining", "vormingsattest"):
        cases = YAML(typ="safe").load((REPO / "rules" / "go" / f"{name}.cases.yaml").read_text())
        items = [line for line in res.stdout.splitlines()
                 if line.startswith(f"rules/go/{name}.cases.yaml::")]
        assert sorted(items) == sorted(
            f"rules/go/{name}.cases.yaml::{c['name']}" for c in cases["cases"])
    assert "tests/data" not in res.stdout


def test_every_go_decision_has_examples_of_decisions_and_errors():
    decisions: dict[str, set[str]] = {}
    for name in ("jobtraining", "vormingsattest"):
        data = YAML(typ="safe").load((REPO / "rules" / "go" / f"{name}.cases.yaml").read_text())
        for case in data["cases"]:
            decisions.setdefault(case["decision"], set()).add(
                "error" if "expect_error" in case else "decision")
    assert set(decisions) == {
        "go.jobtraining.toelating", "go.jobtraining.mentor", "go.jobtraining.duur",
        "go.jobtraining.contactmomenten", "go.jobtraining.dossier",
        "go.vormingsattest.geldigheid"}
    assert all("decision" in kinds for kinds in decisions.values())


def test_a_rule_file_stands_for_the_examples_beside_it(cli, installed_rules):
    res = cli("rules", "test", str(EXAMPLES / "drempel.yaml"))
    assert res.exit_code == 0
    assert res.stdout.strip() == "no example files found\n0 passed, 0 failed"
    res = cli("rules", "test", str(installed_rules / "go" / "vormingsattest.yaml"))
    assert res.exit_code == 0, res.stdout
    first = res.stdout.splitlines()[0]
    assert "go/vormingsattest.cases.yaml: " in first
    assert first.endswith(" passed") and "failed" not in first


def test_a_file_that_is_not_yaml_is_refused(cli):
    res = cli("rules", "test", str(EXAMPLES / "expected.txt"))
    assert res.exit_code == 2
    assert "expected.txt: not a rule file, an example file (.cases.yaml) or a folder" in res.stderr
