"""`regelwerk rules new-version`: a new version amending the last, comments kept, written whole."""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import subprocess
import sys

import pytest
from conftest import write_case

DUUR = {"vormingsattest": {"datum": "2025-06-01"},
        "aanstellingen": [{"van": "2025-09-01", "soort": "proeftijd"}]}


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_new_version_then_diff_shows_exactly_the_parameter_changed(cli, rules_copy, tmp_path):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    before = path.read_text(encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "duur_maanden=12",
              "--citation", "besluit van 1 juli 2027 §2")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[:3] == [
        f"versie 2027-09-01 van go.jobtraining geschreven in {path}",
        "  wijzigt versie 2024-02-02; in werking vanaf 2027-09-01",
        "  duur_maanden: 10 → 12",
    ]
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)  # nothing above the new version moved, comments included
    assert _comments(before) == _comments(after)[:len(_comments(before))]
    assert after[len(before):] == (
        "\n"
        "  # versie 2027-09-01: wijzigt 2024-02-02\n"
        '  - version: "2027-09-01"\n'
        '    amends: "2024-02-02"\n'
        "    in_force_from: 2027-09-01\n"
        '    citation: "besluit van 1 juli 2027 §2"\n'
        "    parameters:\n"
        "      duur_maanden: {value: 12}\n")

    diff = cli.json("--rules", str(folder), "rules", "diff", "go.jobtraining")
    assert [p["name"] for p in diff["parameters"]["changed"]] == ["duur_maanden"]
    assert diff["parameters"]["changed"][0]["fields"] == ["value", "citation"]
    assert diff["parameters"]["changed"][0]["new"]["citation"] == "besluit van 1 juli 2027 §2"
    assert diff["parameters"]["added"] == diff["parameters"]["removed"] == []
    assert all(not diff[k][kind] for k in ("tables", "decisions")
               for kind in ("added", "removed", "changed"))
    # and the rule set decides with it from that date on
    out = cli.json("--rules", str(folder), "decide", "go.jobtraining.duur",
                   "--case", write_case(tmp_path, DUUR), "--on", "2027-09-01")
    assert out["ruleset"]["version"] == "2027-09-01"
    assert out["result"]["vereiste_dagen"] == 365


def test_values_are_read_as_yaml(cli, rules_copy):
    folder = rules_copy("go")
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "attest_vanaf=2014-01-01",
              "--set", "verplichte_documenten=[verantwoordingsdocument, RL1, RL2]")
    assert res.exit_code == 0, res.stderr
    text = (folder / "jobtraining.yaml").read_text(encoding="utf-8")
    assert text.endswith("      attest_vanaf: {value: 2014-01-01}\n"
                         "      verplichte_documenten: {value: [verantwoordingsdocument, RL1, "
                         "RL2]}\n")
    diff = cli.json("--rules", str(folder), "rules", "diff", "go.jobtraining")
    changed = {p["name"]: (p["old"]["value"], p["new"]["value"])
               for p in diff["parameters"]["changed"]}
    assert changed == {
        "attest_vanaf": ("2013-01-01", "2014-01-01"),
        "verplichte_documenten": (["verantwoordingsdocument", "RL1"],
                                  ["verantwoordingsdocument", "RL1", "RL2"]),
    }


def test_a_rule_file_can_be_named_by_its_path(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "vormingsattest.yaml"
    res = cli("rules", "new-version", str(path), "--from", "2028-01-01",
              "--set", "geldigheid_jaren=8")
    assert res.exit_code == 0, res.stderr
    assert path.read_text(encoding="utf-8").endswith("      geldigheid_jaren: {value: 8}\n")


def test_dry_run_shows_the_lines_and_writes_nothing(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "vormingsattest.yaml"
    before = path.read_bytes()
    res = cli("rules", "new-version", str(path), "--from", "2028-01-01",
              "--set", "geldigheid_jaren=8", "--dry-run")
    assert res.exit_code == 0, res.stderr
    assert "+      geldigheid_jaren: {value: 8}" in res.stdout
    assert path.read_bytes() == before


def test_the_installed_rule_set_is_never_edited(cli, installed_rules):
    before = (installed_rules / "go" / "jobtraining.yaml").read_bytes()
    res = cli("rules", "new-version", "go.jobtraining", "--from", "2027-09-01",
              "--set", "duur_maanden=12")
    assert res.exit_code == 2
    assert "go.jobtraining is the installed rule set" in res.stderr
    assert "--rules my-rules rules new-version go.jobtraining" in res.stderr
    assert (installed_rules / "go" / "jobtraining.yaml").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["--set", "duur_maandn=12"], "has no parameter 'duur_maandn'; did you mean 'duur_maanden'?"),
    (["--set", "duur_maanden=twaalf"], "duur_maanden is a number (10), not text ('twaalf')"),
    (["--set", "duur_maanden=10"], "duur_maanden is already 10 in version 2024-02-02"),
    (["--set", "duur_maanden"], "write PARAM=VALUE"),
    (["--set", "duur_maanden=[1"], "--set 'duur_maanden=[1'"),
    (["--from", "2024-02-02"], "must come into force after the last one"),
    (["--from", "2027-02-30"], "--from '2027-02-30' does not exist: February 2027 has 28 days"),
])
def test_mistakes_are_refused_before_anything_is_written(cli, rules_copy, args, message):
    folder = rules_copy("go")
    before = (folder / "jobtraining.yaml").read_bytes()
    full = ["--from", "2027-09-01", *args] if "--from" not in args else args
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining", *full)
    assert res.exit_code == 2, res.stdout
    assert message in res.stderr
    assert (folder / "jobtraining.yaml").read_bytes() == before


def test_an_invalid_result_is_refused_and_leaves_the_file_whole(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    in_force_from: 2024-02-02\n", "    in_force_from: 2024-02-02\n"
        "    in_force_until: 2030-12-31\n", 1)
    path.write_text(text, encoding="utf-8")
    res = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
              "--from", "2027-09-01", "--set", "duur_maanden=12")
    assert res.exit_code == 3
    first, second = res.stderr.splitlines()
    assert first == (f"error: nothing written: with version 2027-09-01 added, {path} would be "
                     "invalid:")
    assert "versions '2024-02-02' and '2027-09-01' are both in force on 2027-09-01" in second
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["jobtraining.yaml", "jobtraining.cases.yaml", "vormingsattest.yaml",
         "vormingsattest.cases.yaml"])


# A `regelwerk` process that stops just before it replaces the file, so the test can kill it
# at that moment: the new text is complete in the temporary file, the old file untouched.
PAUSED = """
import os, sys, time
def paused_replace(src, dst):
    print("replacing", src, flush=True)
    time.sleep(120)
os.replace = paused_replace
from regelwerk.engine.cli import main
main(sys.argv[1:])
"""


def test_sigkill_during_the_write_leaves_the_old_file_whole(cli, rules_copy):
    folder = rules_copy("go")
    path = folder / "jobtraining.yaml"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED, "--rules", str(folder), "rules", "new-version",
         "go.jobtraining", "--from", "2027-09-01", "--set", "duur_maanden=12"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, proc.stderr.read()
        line = proc.stdout.readline()
        assert line.startswith("replacing"), line + proc.stderr.read()
        temporary = line.split()[1]
        with open(temporary, encoding="utf-8") as handle:
            assert "duur_maanden: {value: 12}" in handle.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    # the leftover temporary file is not a rule file: the folder is still valid and in use
    res = cli("--rules", str(folder), "rules", "validate", "--format", "json")
    assert res.exit_code == 0, res.stdout
    assert json.loads(res.stdout)["problems"] == []
    again = cli("--rules", str(folder), "rules", "new-version", "go.jobtraining",
                "--from", "2027-09-01", "--set", "duur_maanden=12")
    assert again.exit_code == 0, again.stderr
